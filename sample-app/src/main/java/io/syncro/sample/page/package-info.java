/**
 * The sample app's pages.
 */
@NullMarked
package io.syncro.sample.page;

import org.jspecify.annotations.NullMarked;
