/**
 * Audiences by user, checked against the database with queries of the test's own.
 */
@NullMarked
package io.syncro.sample.audience;

import org.jspecify.annotations.NullMarked;
