package io.syncro.web;

/**
 * How many client uids one user (the handshake's principal) may have bound: a handshake
 * that would bind a new uid to a user who has {@code maxPerUser} uids already, or who
 * bound {@code maxNewPerHour} in the last hour, is refused with HTTP 429, and nothing is
 * kept for it. This bounds what the client store keeps per user: each uid holds its mark
 * and at most 1,000 refusals, and unused uids are forgotten after
 * {@code syncro.clients.expire-after}. Anonymous clients have no user and no such limit.
 * <p>
 * Two handshakes of one user that race may both pass the count; the handshakes of one
 * user in flight at once, which {@link ConnectionLimits#maxPerUser()} bounds, are the
 * most by which a limit can be passed.
 *
 * @param maxPerUser the most uids bound to one user
 * @param maxNewPerHour the most uids bound to one user within an hour
 * @since 0.1.0
 */
public record ClientUidLimits(int maxPerUser, int maxNewPerHour) {

	/** The default {@code maxPerUser}. */
	public static final int DEFAULT_MAX_PER_USER = 200;

	/** The default {@code maxNewPerHour}. */
	public static final int DEFAULT_MAX_NEW_PER_HOUR = 100;

	private static final ClientUidLimits DEFAULTS = new ClientUidLimits(DEFAULT_MAX_PER_USER,
			DEFAULT_MAX_NEW_PER_HOUR);

	public ClientUidLimits {
		if (maxPerUser < 1 || maxNewPerHour < 1) {
			throw new IllegalArgumentException("maxPerUser and maxNewPerHour must be positive");
		}
	}

	/**
	 * The defaults: 200 uids per user, 100 new ones per hour.
	 * @return the defaults
	 */
	public static ClientUidLimits defaults() {
		return DEFAULTS;
	}

}
