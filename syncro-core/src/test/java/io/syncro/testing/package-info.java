/**
 * Test harnesses shared by the modules' tests: real servers started as processes, and the
 * one client of the wire protocol.
 */
@NullMarked
package io.syncro.testing;

import org.jspecify.annotations.NullMarked;
