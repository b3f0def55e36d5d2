/**
 * Auto-configuration of Syncro from {@code syncro.*} properties.
 */
@NullMarked
package io.syncro.autoconfigure;

import org.jspecify.annotations.NullMarked;
