/**
 * The sample app.
 */
@NullMarked
package io.syncro.sample;

import org.jspecify.annotations.NullMarked;
