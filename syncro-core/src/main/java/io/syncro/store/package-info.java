/**
 * Where scribes and per-client state are kept: the backend interfaces and their in-memory implementations.
 */
@NullMarked
package io.syncro.store;

import org.jspecify.annotations.NullMarked;
