/**
 * The WebSocket endpoint: the handshake's checks and the handler that feeds sessions.
 */
@NullMarked
package io.syncro.web;

import org.jspecify.annotations.NullMarked;
