package io.syncro.session;

/**
 * Told what happens on a session, for clients that show it: whether the session is in
 * sync, which of its own scribes the peer settled, which it refused, and when the peer
 * forgot some it had settled (a client renumbers its scribes then).
 *
 * @since 0.1.0
 */
public interface SessionListener {

	/**
	 * The session fetched every scribe the peer had for it; it now receives live pushes.
	 * @param session the session
	 */
	default void synced(Session session) {
	}

	/**
	 * The peer settled this side's scribes up to an id: played them or refused them for
	 * good.
	 * @param session the session
	 * @param scribeId the highest settled scribe id
	 */
	default void settled(Session session, long scribeId) {
	}

	/**
	 * On a protocol v2 connection, where the play of one of this client's scribes landed
	 * in the server's log, right after {@link #settled} for it. The client keeps the
	 * scribe's change on top of the server's state until it has applied the server's
	 * scribes up to {@link Landing#at()}.
	 * @param session the session
	 * @param scribeId the scribe's id
	 * @param landing where its play landed
	 */
	default void landed(Session session, long scribeId, Landing landing) {
	}

	/**
	 * The peer refused one of this side's scribes for good (400, 403, 404); the record
	 * should be rolled back to the peer's state.
	 * @param session the session
	 * @param scribeId the refused scribe's id
	 * @param code the error code
	 * @param message the error's sentence
	 */
	default void refused(Session session, long scribeId, int code, String message) {
	}

	/**
	 * The peer expects this side's scribe {@code expected} next, which this side's log no
	 * longer holds while it holds scribes above it: the peer forgot scribes it had settled
	 * from there on (its mark went back: it expired this client's uid, or was set back to a
	 * backup), and would answer each of those 409 for good. A client renumbers them here,
	 * consecutively from {@code expected} in their order, and stores that before it
	 * returns; the session then sends them from there. Told on the peer's pull before any
	 * of them goes out, and on a 409 that shows it. A listener that does nothing leaves the
	 * session retrying them after growing delays.
	 * @param session the session
	 * @param expected the scribe id the peer expects next
	 */
	default void forgot(Session session, long expected) {
	}

	/**
	 * On a protocol v2 connection, a batch of the records of a klass that the client's
	 * subscriptions give it now (PROTOCOL.md section 8.7). A batch with {@code first}
	 * starts over; once the batch without {@code more} is in, the client keeps of the klass
	 * only the records these batches, and the scribes applied meanwhile, gave it.
	 * @param session the session
	 * @param klass the klass
	 * @param first whether this batch starts over
	 * @param records every attribute of each record
	 * @param more whether batches follow
	 * @since 0.2.0
	 */
	default void records(Session session, String klass, boolean first, tools.jackson.databind.node.ArrayNode records,
			boolean more) {
	}

	/**
	 * The session ended.
	 * @param session the session
	 */
	default void closed(Session session) {
	}

}
