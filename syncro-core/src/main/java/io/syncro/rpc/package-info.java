/**
 * Remote procedure calls a peer may make, each exposed explicitly.
 */
@NullMarked
package io.syncro.rpc;

import org.jspecify.annotations.NullMarked;
