package io.syncro.store;

import java.util.List;

import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;

/**
 * The log of scribes a client keeps: the server's log of every change, or a client's log
 * of its own changes. Ids are assigned by the log, strictly increasing in log order, and
 * a reader that has seen id N never later finds a newly visible scribe with an id below N
 * (PROTOCOL.md section 4).
 *
 * @since 0.1.0
 */
public interface ScribeLog {

	/**
	 * Appends scribes together, in the given order, each getting the next id.
	 * @param entries the scribes with their recipients and origin; their ids are ignored
	 * @return the same entries with their assigned ids
	 */
	List<ScribeEntry> append(List<ScribeEntry> entries);

	/**
	 * The scribes meant for a client after a position, oldest first, leaving out those
	 * that came from that same client.
	 * @param client the reader's uid
	 * @param after the highest id the reader has; 0 for everything
	 * @param limit the most scribes to return
	 * @return up to {@code limit} scribes with ids above {@code after}
	 */
	List<Scribe> read(String client, long after, int limit);

	/**
	 * The highest id that {@link #read} could return to a client, or 0.
	 * @param client the reader's uid
	 * @return the id
	 */
	long lastId(String client);

	/**
	 * Registers a listener told after each append, on this node or, for a shared log, on
	 * any node. A notification only wakes readers; they read the log to learn what is new,
	 * so a lost notification delays delivery but loses nothing.
	 * @param listener the listener
	 * @return a handle that removes the listener
	 */
	AutoCloseable addListener(AppendListener listener);

	/**
	 * Told that scribes were appended.
	 */
	@FunctionalInterface
	interface AppendListener {

		/**
		 * Called after scribes up to the given id were appended.
		 * @param lastId the highest id appended
		 */
		void appended(long lastId);

	}

}
