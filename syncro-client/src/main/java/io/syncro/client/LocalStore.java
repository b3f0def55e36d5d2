package io.syncro.client;

import java.util.List;
import java.util.Map;

import io.syncro.scribe.Scribe;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * Where a {@link SyncroClient} keeps its state between runs: its uid, the records as the
 * server last confirmed them, its own scribes the server has not settled yet (the offline
 * queue) with the next client scribe id, its position in the server's log with the epoch
 * (the history of that log) it is of, the highest of its own scribes the server
 * acknowledged, and the server's mark of them as last seen.
 * <p>
 * A client writes through one {@link Change} at a time, in order, from one store per
 * client uid. Each change must survive a crash whole or not at all. A change marked
 * {@link Change#durable() durable} (one that holds a new local scribe or a refusal) must
 * be stored before {@link #write} returns, since the scribe may be sent right after; a
 * store may defer the others, as long as it keeps them in order: losing the last few
 * changes that only follow the server costs a client nothing but a longer sync.
 * <p>
 * Record objects handed to a store are never changed afterwards, by the client or the
 * store, so a store may keep them without copying.
 *
 * @since 0.1.0
 * @see MemoryLocalStore
 * @see FileLocalStore
 */
public interface LocalStore extends AutoCloseable {

	/**
	 * Reads what was stored, or an empty state if nothing was.
	 * @return the state, owned by the caller
	 */
	State load();

	/**
	 * Stores a change atomically.
	 * @param change the change
	 * @throws java.io.UncheckedIOException if a durable change could not be stored; the
	 * store is then as it was before the change
	 */
	void write(Change change);

	/**
	 * The subscriptions stored (protocol v2).
	 * @return the subscriptions, in the order made; none by default
	 * @since 0.2.0
	 */
	default List<StoredSubscription> subscriptions() {
		return List.of();
	}

	/**
	 * Stores the subscriptions, replacing those stored, before it returns. A store that
	 * does not keep them (the default) loses them with the process: the client then
	 * subscribes again only as the app asks.
	 * @param subscriptions the subscriptions, in the order made
	 * @since 0.2.0
	 */
	default void writeSubscriptions(List<StoredSubscription> subscriptions) {
	}

	/**
	 * Stores every deferred change before it returns.
	 */
	default void flush() {
	}

	/**
	 * Stores every deferred change and releases the store.
	 */
	@Override
	void close();

	/**
	 * A client's stored state.
	 *
	 * @param uid the client uid, or {@code null} if none was stored yet
	 * @param nextScribeId the id of the next scribe this client records (from 1, never
	 * reused while the server remembers the scribe that had it)
	 * @param position the highest server scribe id processed, or 0
	 * @param epoch the history of the server's log the position is of, as the server's
	 * {@code hello} named it, or {@code null} if none was named
	 * @param acknowledged the highest client scribe id the server acknowledged in protocol
	 * version 1, or 0 (in version 2 own scribes leave the queue one by one, as they land)
	 * @param serverMark the highest client scribe id the server is known to have settled, or
	 * 0: a later pull from below it means the server lost some
	 * @param records the records as the server confirmed them, per klass and record id
	 * @param pending the scribes the server has not settled, oldest first, with their ids
	 * @since 0.1.0
	 */
	record State(@Nullable String uid, long nextScribeId, long position, @Nullable String epoch, long acknowledged,
			long serverMark, Map<String, Map<String, ObjectNode>> records, List<Scribe> pending) {

		/**
		 * The state of a store that holds nothing yet.
		 * @return the state
		 */
		public static State empty() {
			return new State(null, 1, 0, null, 0, 0, Map.of(), List.of());
		}

	}

	/**
	 * One atomic change to a client's stored state.
	 *
	 * @param uid the client uid to store, or {@code null} to keep the stored one
	 * @param nextScribeId the new next scribe id; lower than before only after the client
	 * renumbered its pending scribes (the server forgot some it had settled)
	 * @param position the new position
	 * @param epoch the epoch of the new position, or {@code null} if none is known
	 * @param acknowledged the new acknowledged id; pending scribes up to it are dropped (it
	 * may go down, after a renumbering)
	 * @param serverMark the server's mark as now known (it may go down, after the server
	 * lost scribes it had settled)
	 * @param records confirmed records written or removed
	 * @param appended new pending scribes, in id order; after a renumbering, one replaces a
	 * pending scribe of the same id
	 * @param removed ids of pending scribes to drop (refused, known to be played, or
	 * renumbered), never one that {@code appended} holds
	 * @param durable whether the change must be stored before {@link #write} returns
	 * @since 0.1.0
	 */
	record Change(@Nullable String uid, long nextScribeId, long position, @Nullable String epoch, long acknowledged,
			long serverMark, List<RecordWrite> records, List<Scribe> appended, List<Long> removed, boolean durable) {

		public Change {
			records = List.copyOf(records);
			appended = List.copyOf(appended);
			removed = List.copyOf(removed);
		}

	}

	/**
	 * A subscription as a store keeps it.
	 *
	 * @param scope the scope's name
	 * @param params its parameters
	 * @param on {@code true} while subscribed; {@code false} for an unsubscribe the server
	 * has not answered yet
	 * @param confirmed whether the server accepted it once
	 * @since 0.2.0
	 */
	record StoredSubscription(String scope, ObjectNode params, boolean on, boolean confirmed) {
	}

	/**
	 * A confirmed record written or removed.
	 *
	 * @param klass the synchronised class's name
	 * @param id the record's id
	 * @param record every attribute, or {@code null} if the record is gone
	 * @since 0.1.0
	 */
	record RecordWrite(String klass, String id, @Nullable ObjectNode record) {
	}

}
