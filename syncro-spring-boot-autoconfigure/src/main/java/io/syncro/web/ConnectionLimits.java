package io.syncro.web;

/**
 * How many WebSocket connections the endpoint keeps open at once, in total and per client
 * uid. A handshake over a limit is refused before the WebSocket opens: HTTP 429 when its
 * uid has {@code maxPerClient} connections open already, HTTP 503 when the server has
 * {@code maxTotal}. Handshakes that race past that check are counted again when their
 * WebSocket opens, and one over a limit is closed at once: close code 1008 (policy
 * violation) over the per-client limit, 1013 (try again later) over the total. A client
 * refused either way tries again later, as after any failed connection.
 *
 * @param maxTotal the most connections open at once on this node
 * @param maxPerClient the most connections open at once with one client uid; at least 2,
 * so that a client that reconnects before the server saw its old connection go is not
 * refused
 * @since 0.1.0
 */
public record ConnectionLimits(int maxTotal, int maxPerClient) {

	private static final ConnectionLimits DEFAULTS = new ConnectionLimits(10000, 4);

	public ConnectionLimits {
		if (maxTotal < 1 || maxPerClient < 1) {
			throw new IllegalArgumentException("maxTotal and maxPerClient must be positive");
		}
	}

	/**
	 * The defaults: 10,000 connections in total, 4 per client uid.
	 * @return the defaults
	 */
	public static ConnectionLimits defaults() {
		return DEFAULTS;
	}

}
