package io.syncro.store;

import java.util.List;

import io.syncro.scribe.Reader;
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
	 * Appends the scribes a {@link ScribeOutbox} relays, each transaction's scribes
	 * together, leaving out the transactions whose positions the previous call of this
	 * method was given. A relay appends, then removes what it appended from its outbox; if
	 * it stops in between, the next call gets those transactions again, and they are not
	 * appended twice. Which positions were given is kept in the same atomic write as the
	 * scribes, so a log that loses the last append also forgets its positions. Relays must
	 * call this one at a time.
	 * @param transactions the transactions' scribes, in the order to append them
	 * @return the entries appended, with their assigned ids
	 * @throws UnsupportedOperationException if this log does not take relayed scribes
	 */
	default List<ScribeEntry> appendRelayed(List<Relayed> transactions) {
		throw new UnsupportedOperationException(getClass().getSimpleName() + " does not take relayed scribes");
	}

	/**
	 * The scribes meant for a reader after a position, oldest first, leaving out those
	 * that came from the reader's own client unless it takes them too.
	 * @param reader the reader
	 * @param after the highest id the reader has; 0 for everything
	 * @param limit the most scribes to return
	 * @return up to {@code limit} scribes with ids above {@code after}
	 */
	List<Scribe> read(Reader reader, long after, int limit);

	/**
	 * The scribes meant for a client after a position, oldest first, leaving out those
	 * that came from that same client.
	 * @param client the reader's uid
	 * @param after the highest id the reader has; 0 for everything
	 * @param limit the most scribes to return
	 * @return up to {@code limit} scribes with ids above {@code after}
	 */
	default List<Scribe> read(String client, long after, int limit) {
		return read(Reader.of(client), after, limit);
	}

	/**
	 * Like {@link #read}, for a reader that must know whether more remain, such as a sync
	 * answer: an answer shorter than {@code limit} means the log holds no more for the
	 * client now. The same as {@link #read}, unless this log answers some reads from a
	 * copy that learns of appends only as they are announced.
	 * @param reader the reader
	 * @param after the highest id the reader has; 0 for everything
	 * @param limit the most scribes to return
	 * @return up to {@code limit} scribes with ids above {@code after}
	 */
	default List<Scribe> readComplete(Reader reader, long after, int limit) {
		return read(reader, after, limit);
	}

	/**
	 * {@link #readComplete(Reader, long, int)} for a reader that leaves its own scribes out.
	 * @param client the reader's uid
	 * @param after the highest id the reader has; 0 for everything
	 * @param limit the most scribes to return
	 * @return up to {@code limit} scribes with ids above {@code after}
	 */
	default List<Scribe> readComplete(String client, long after, int limit) {
		return readComplete(Reader.of(client), after, limit);
	}

	/**
	 * The scribes of every client after a position, oldest first, with their recipients
	 * and origin: what a node reads once to deliver to all of its sessions. Ids have no
	 * gaps, so the answer holds every scribe from {@code after + 1} on, as far as it goes;
	 * only {@link #compact compaction} leaves gaps, among ids older than those it keeps.
	 * @param after the highest id already known; 0 for everything
	 * @param limit the most scribes to return
	 * @return up to {@code limit} entries with ids above {@code after}
	 * @throws UnsupportedOperationException if this log cannot be read this way
	 */
	default List<ScribeEntry> entries(long after, int limit) {
		throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot be read for every client");
	}

	/**
	 * The highest id that {@link #read} could return to a reader, or 0.
	 * @param reader the reader
	 * @return the id
	 */
	long lastId(Reader reader);

	/**
	 * Compacts the log (docs/PROTOCOL.md section 8.8): folds each record's scribes older
	 * than the newest {@link Compaction#keepRecent()} into one {@code create} and a tombstone,
	 * and removes the tombstones older than {@link Compaction#tombstoneRetention()}. Appends
	 * and reads go on meanwhile; ids never move down, so a reader that goes on reading finds
	 * what was folded. Callers run one compaction at a time per log.
	 * @param compaction how
	 * @param now the time now, for tombstone retention
	 * @return what it did
	 * @throws UnsupportedOperationException if this log cannot be compacted
	 * @since 0.2.0
	 */
	default Compaction.Report compact(Compaction compaction, java.time.Instant now) {
		throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot be compacted");
	}

	/**
	 * Whether {@link #compact} works on this log.
	 * @return whether it can be compacted
	 * @since 0.2.0
	 */
	default boolean isCompactable() {
		return false;
	}

	/**
	 * The highest id of a tombstone that compaction removed, or 0. A client whose position
	 * is above 0 and below it may still hold a record that was destroyed, and can only
	 * catch up by syncing from nothing.
	 * @return the id
	 * @since 0.2.0
	 */
	default long horizon() {
		return 0;
	}

	/**
	 * The highest id appended, for any client, or 0 for an empty log.
	 * @return the id
	 */
	long head();

	/**
	 * The history this log holds: a text that stays the same as long as no scribe it
	 * handed out can have been lost, and changes when some may have been (the log was
	 * emptied by a restart without persistence, or set back to a backup; operators rotate
	 * it after restoring one). A client whose position is of another history cannot
	 * catch up from it: it must sync from nothing (docs/PROTOCOL.md section 5.3).
	 * @return the epoch
	 */
	String epoch();

	/**
	 * The kind of store the scribes are kept in, as its property names it
	 * ({@code memory}, {@code jdbc}, {@code redis}); a log that wraps another gives that
	 * one's. Health and the actuator endpoint show it.
	 * @return the store's name
	 * @since 0.2.0
	 */
	default String store() {
		return getClass().getSimpleName();
	}

	/**
	 * The highest id that {@link #read} could return to a client that leaves its own
	 * scribes out, or 0.
	 * @param client the reader's uid
	 * @return the id
	 */
	default long lastId(String client) {
		return lastId(Reader.of(client));
	}

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

		/**
		 * Called after this node appended scribes, with the entries as appended, instead of
		 * {@link #appended(long)}: a listener that keeps scribes can take them from here
		 * rather than read them back. Their ids are consecutive; scribes of other nodes may
		 * come before them. Not called when the listener was told of these ids already (a
		 * shared log's announcement can come before the append returns). Calls
		 * {@link #appended(long)} with the last id by default.
		 * @param entries the entries appended, oldest first, never empty
		 * @since 0.2.0
		 */
		default void appended(List<ScribeEntry> entries) {
			appended(entries.get(entries.size() - 1).id());
		}

	}

}
