package io.syncro.play;

import io.syncro.scribe.Identity;
import io.syncro.scribe.Scribe;

/**
 * Plays inbound scribes of one synchronised class into local state, by the rules of
 * PROTOCOL.md section 4, asking the class's policy first. The resulting change is
 * recorded with the sending client as its origin, so that client gets no echo.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface Player {

	/**
	 * Plays one scribe.
	 * @param scribe the validated scribe
	 * @param client the uid of the client it came from
	 * @throws io.syncro.protocol.SyncroException with code 400 for attributes that cannot
	 * be set, 403 when the policy refuses, 404 for an update of a missing record
	 */
	void play(Scribe scribe, String client);

	/**
	 * Plays a scribe of a client whose user and authorities are known; by default as
	 * {@link #play(Scribe, String)} with its uid.
	 * @param scribe the validated scribe
	 * @param who the client it came from
	 * @since 0.2.0
	 */
	default void play(Scribe scribe, Identity who) {
		play(scribe, who.client());
	}

}
