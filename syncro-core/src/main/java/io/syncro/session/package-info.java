/**
 * The sync engine: one session per connection, the requests it answers and the live pushes it sends.
 */
@NullMarked
package io.syncro.session;

import org.jspecify.annotations.NullMarked;
