package io.syncro.web;

/**
 * How many WebSocket connections the endpoint keeps open at once: in total, per client
 * uid, and per user (the handshake's principal, over all its uids). A handshake over a
 * limit is refused before the WebSocket opens: HTTP 429 when its uid or its user has as
 * many connections open as allowed, HTTP 503 when the server has {@code maxTotal}.
 * Handshakes that race past that check are counted again when their WebSocket opens, and
 * one over a limit is closed at once: close code 1008 (policy violation) over the limit of
 * a uid or a user, 1013 (try again later) over the total. A client refused either way
 * tries again later, as after any failed connection.
 * <p>
 * Keep {@code maxTotal} below the container's own cap (Tomcat's
 * {@code server.tomcat.max-connections}, 8,192 by default): Syncro then refuses a
 * handshake with 503 while the container still takes every other request, instead of
 * the container leaving everyone's connections waiting.
 *
 * @param maxTotal the most connections open at once on this node
 * @param maxPerClient the most connections open at once with one client uid; at least 2,
 * so that a client that reconnects before the server saw its old connection go is not
 * refused
 * @param maxPerUser the most connections open at once of one user, whatever their uids;
 * anonymous connections have no user and are not counted per user
 * @since 0.1.0
 */
public record ConnectionLimits(int maxTotal, int maxPerClient, int maxPerUser) {

	/** The default {@code maxTotal}: half of Tomcat's default {@code max-connections}. */
	public static final int DEFAULT_MAX_TOTAL = 4096;

	/** The default {@code maxPerClient}. */
	public static final int DEFAULT_MAX_PER_CLIENT = 4;

	/** The default {@code maxPerUser}. */
	public static final int DEFAULT_MAX_PER_USER = 32;

	private static final ConnectionLimits DEFAULTS = new ConnectionLimits(DEFAULT_MAX_TOTAL, DEFAULT_MAX_PER_CLIENT,
			DEFAULT_MAX_PER_USER);

	public ConnectionLimits {
		if (maxTotal < 1 || maxPerClient < 1 || maxPerUser < 1) {
			throw new IllegalArgumentException("maxTotal, maxPerClient and maxPerUser must be positive");
		}
	}

	/**
	 * Limits with the default number of connections per user.
	 * @param maxTotal the most connections open at once on this node
	 * @param maxPerClient the most connections open at once with one client uid
	 */
	public ConnectionLimits(int maxTotal, int maxPerClient) {
		this(maxTotal, maxPerClient, DEFAULT_MAX_PER_USER);
	}

	/**
	 * The defaults: 4,096 connections in total, 4 per client uid, 32 per user.
	 * @return the defaults
	 */
	public static ConnectionLimits defaults() {
		return DEFAULTS;
	}

}
