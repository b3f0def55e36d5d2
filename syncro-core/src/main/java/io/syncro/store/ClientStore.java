package io.syncro.store;

import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * What a client keeps about each peer uid: the mark (the highest scribe id of that peer
 * it has settled), the recent refusals, whether the peer has synced, and the principal
 * the uid is bound to.
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

}
