/**
 * Syncro's Actuator endpoint.
 */
@NullMarked
package io.syncro.actuate;

import org.jspecify.annotations.NullMarked;
