/**
 * Test harnesses shared by the modules' tests: real servers started as processes.
 */
@NullMarked
package io.syncro.testing;

import org.jspecify.annotations.NullMarked;
