/**
 * A loader of long histories, for the bootstrap benchmark.
 */
@NullMarked
package io.syncro.sample.history;

import org.jspecify.annotations.NullMarked;
