package io.syncro.session;

import java.io.IOException;

/**
 * What a session sends through: one connection to one peer, over any transport. A
 * message transport (WebSocket) sends each message as one frame; a byte-stream transport
 * frames it with the 2-byte length prefix.
 *
 * @since 0.1.0
 */
public interface Connection {

	/**
	 * Sends one message. Called by one thread at a time per connection; may block until
	 * the message is written.
	 * @param message the message's JSON text
	 * @throws IOException if the connection is broken
	 */
	void send(String message) throws IOException;

	/**
	 * Sends one message, saying whether more are queued right behind it, so that a
	 * connection that gathers messages into fewer writes gathers only when there is
	 * something to gather, and writes a lone message at once. Sends {@link #send(String)}
	 * by default.
	 * @param message the message's JSON text
	 * @param more whether further messages wait to be sent now
	 * @throws IOException if the connection is broken
	 * @since 0.2.0
	 */
	default void send(String message, boolean more) throws IOException {
		send(message);
	}

	/**
	 * Writes out what {@link #send} may have buffered. A session calls it whenever it has
	 * sent everything it had queued, so a connection may gather the messages sent before
	 * it into fewer writes; by default every send writes at once and this does nothing.
	 * @throws IOException if the connection is broken
	 */
	default void flush() throws IOException {
	}

	/**
	 * Closes the connection.
	 * @param code a WebSocket close code (1000 normal, 1009 too large, 1013 try again later)
	 * @param reason a short reason
	 */
	void close(int code, String reason);

	/**
	 * The largest message this connection can carry, in UTF-8 bytes. {@code sync} answers
	 * are cut into batches that fit it as well as the engine's own limit.
	 * @return the limit; unlimited by default
	 */
	default int maxMessageBytes() {
		return Integer.MAX_VALUE;
	}

}
