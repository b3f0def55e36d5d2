/**
 * Metrics of the sync engine through Micrometer.
 */
@NullMarked
package io.syncro.metrics;

import org.jspecify.annotations.NullMarked;
