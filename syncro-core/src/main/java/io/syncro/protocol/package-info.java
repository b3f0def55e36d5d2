/**
 * The wire protocol: messages, their JSON codec, error codes and the byte-stream framing.
 */
@NullMarked
package io.syncro.protocol;

import org.jspecify.annotations.NullMarked;
