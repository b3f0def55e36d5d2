/**
 * Chaos convergence tests of the sample app: JavaScript and Java clients, REST writers,
 * connections reset at random and nodes killed, then a check that every client holds
 * exactly what the server gives it.
 */
@NullMarked
package io.syncro.sample.chaos;

import org.jspecify.annotations.NullMarked;
