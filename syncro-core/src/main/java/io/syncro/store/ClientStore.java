package io.syncro.store;

import java.time.Instant;
import java.util.Collection;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * What a client keeps about each peer uid: the mark (the highest scribe id of that peer
 * it has settled), the recent refusals, whether the peer has synced, the principal the
 * uid is bound to, when it was bound, and when the uid was last seen.
 * <p>
 * What it keeps is bounded: at most {@link #REFUSALS_KEPT} refusals per uid, and a uid
 * not seen for a while is forgotten with everything kept for it ({@link #expire}). A
 * server bounds the uids of one principal with {@link #clientsOf} and
 * {@link #clientsBoundSince} before it binds a new one.
 *
 * @since 0.1.0
 */
public interface ClientStore {

	/** The number of recent refusals kept per uid, at least. */
	int REFUSALS_KEPT = 1000;

	/**
	 * The highest scribe id of a peer that was settled, or 0.
	 * @param client the peer's uid
	 * @return the mark
	 */
	long mark(String client);

	/**
	 * Moves a peer's mark from {@code expected} to {@code next}, atomically, and
	 * remembers the refusal of scribe {@code next} when one is given.
	 * @param client the peer's uid
	 * @param expected the mark the caller read
	 * @param next the new mark, above {@code expected}
	 * @param refusal how scribe {@code next} was refused, or {@code null} if it was played
	 * @return {@code false}, changing nothing, when the mark was not {@code expected}
	 */
	boolean advanceMark(String client, long expected, long next, @Nullable Refusal refusal);

	/**
	 * How a scribe of a peer was refused, if it was and is still remembered.
	 * @param client the peer's uid
	 * @param scribeId the scribe's id
	 * @return the refusal
	 */
	Optional<Refusal> refusal(String client, long scribeId);

	/**
	 * The id below which refusals of a peer's scribes may have been forgotten: once more
	 * than {@link #REFUSALS_KEPT} were remembered, the oldest go, so a settled scribe below
	 * the oldest one kept may have been refused or played, nobody knows.
	 * @param client the peer's uid
	 * @return the lowest refused scribe id still remembered when as many as can be kept are,
	 * else 0 (nothing was forgotten)
	 */
	long forgottenBelow(String client);

	/**
	 * Whether the peer has once been fully up to date.
	 * @param client the peer's uid
	 * @return whether it has synced
	 */
	boolean isSynced(String client);

	/**
	 * Records that the peer has been fully up to date.
	 * @param client the peer's uid
	 */
	void markSynced(String client);

	/**
	 * The principal a uid is bound to.
	 * @param client the peer's uid
	 * @return the principal's name
	 */
	Optional<String> principal(String client);

	/**
	 * Binds a uid to a principal unless it is bound to another one.
	 * @param client the peer's uid
	 * @param principal the principal's name
	 * @return whether the uid is now bound to that principal
	 */
	boolean bindPrincipal(String client, String principal);

	/**
	 * Records that a uid connected, once its connection is open: a new uid is created and
	 * bound to the principal, an unbound one is bound to it, and the uid's last-seen time
	 * is set. Binding happens here and nowhere before, so that a handshake that was
	 * refused, or never became a connection, leaves nothing behind.
	 * @param client the peer's uid
	 * @param principal the principal's name, or {@code null} for an anonymous client
	 * @param now the time of the connection
	 * @return whether the uid is now the principal's (or, for an anonymous client,
	 * bound to nobody); {@code false}, changing nothing, when it is bound to another
	 * principal
	 */
	boolean connected(String client, @Nullable String principal, Instant now);

	/**
	 * Whether anything is kept for a uid: it connected, was bound, or had a scribe
	 * settled, and has not expired since.
	 * @param client the peer's uid
	 * @return whether the uid is known
	 */
	boolean isKnown(String client);

	/**
	 * The number of uids bound to a principal.
	 * @param principal the principal's name
	 * @return the count
	 */
	int clientsOf(String principal);

	/**
	 * The number of uids bound to a principal at or after an instant.
	 * @param principal the principal's name
	 * @param since the instant
	 * @return the count
	 */
	int clientsBoundSince(String principal, Instant since);

	/**
	 * When a uid was last seen: when it connected, when a node last reported it connected
	 * ({@link #touch}), or, for a uid that never connected, when it was first kept.
	 * @param client the peer's uid
	 * @return the time, or empty for an unknown uid
	 */
	Optional<Instant> lastSeen(String client);

	/**
	 * Moves the last-seen time of the given uids to now, for the uids whose connections
	 * are still open; unknown uids are left unknown.
	 * @param clients the uids
	 * @param now the time
	 */
	void touch(Collection<String> clients, Instant now);

	/**
	 * Forgets every uid last seen before an instant, with its mark, its refusals and its
	 * binding. Nodes that share the store may call this at the same time: one of them does
	 * the work while the others return 0 at once.
	 * @param seenBefore the instant
	 * @return the number of uids forgotten by this call
	 */
	int expire(Instant seenBefore);

}
