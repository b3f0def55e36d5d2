package io.syncro.play;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.syncro.protocol.SyncroException;
import io.syncro.scribe.Identity;
import io.syncro.scribe.Scribe;

/**
 * The registry of synchronised classes: the player of each klass. A scribe for a klass
 * that is not registered is refused with 403.
 *
 * @since 0.1.0
 */
public final class SyncClasses {

	private final Map<String, Player> players = new ConcurrentHashMap<>();

	/**
	 * Registers the player of a klass.
	 * @param klass the class name
	 * @param player its player
	 * @return this registry
	 */
	public SyncClasses register(String klass, Player player) {
		if (this.players.putIfAbsent(klass, player) != null) {
			throw new IllegalStateException("The klass '" + klass + "' is registered twice");
		}
		return this;
	}

	/**
	 * The registered klass names.
	 * @return the names
	 */
	public Set<String> klasses() {
		return Set.copyOf(this.players.keySet());
	}

	/**
	 * Plays a scribe through its klass's player.
	 * @param scribe the validated scribe
	 * @param client the client it came from
	 * @throws SyncroException with code 403 for an unknown klass, or as the player fails
	 */
	public void play(Scribe scribe, Identity client) {
		Player player = this.players.get(scribe.klass());
		if (player == null) {
			throw SyncroException.forbidden("The class '" + scribe.klass() + "' is not open to client writes.");
		}
		player.play(scribe, client);
	}

}
