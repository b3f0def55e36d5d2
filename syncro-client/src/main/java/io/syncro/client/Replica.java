package io.syncro.client;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Supplier;

import io.syncro.protocol.MessageCodec;
import io.syncro.protocol.RecordDigest;
import io.syncro.protocol.SyncroException;
import io.syncro.scribe.Changes;
import io.syncro.scribe.Reader;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import io.syncro.scribe.ScribeType;
import io.syncro.session.Landing;
import io.syncro.session.Session;
import io.syncro.store.ClientStore;
import io.syncro.store.Refusal;
import io.syncro.store.ScribeLog;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A client's copy of the server's records, the state behind {@link SyncroClient}.
 * <p>
 * Per record it keeps a <em>confirmed</em> copy (the server's view) and the client's
 * <em>pending</em> scribes, the offline queue. What the app sees is the confirmed copy with
 * the record's pending scribes applied on top, so a local change shows at once and stays
 * on top of remote changes, and a refusal rolls back to exactly the server's state plus
 * the other pending changes.
 * <p>
 * How an own scribe leaves the queue depends on the connection's protocol version. In
 * version 1 the server's acknowledgement applies it to the confirmed copy
 * ({@link #acknowledge}). In version 2 the confirmed copy changes only through the
 * server's scribes, the echoes of this client's own included, in log order; an own scribe
 * stays pending until the position reaches where it landed ({@link #landed}), so a
 * concurrent change the server ordered after it is shown, not overwritten, and a
 * {@link ConflictEvent} tells the app when leaving changed what it sees.
 * <p>
 * When the server's log holds another history than the one the position is of (its
 * {@code hello} names another epoch, or it refuses a sync from the position with 410),
 * the confirmed copy and the position are dropped and rebuilt by a sync from nothing; the
 * pending scribes stay, and a {@link ResetEvent} tells the app.
 * <p>
 * It is the engine's scribe log (the pending scribes, numbered 1, 2, 3 … per uid), its
 * client store (the mark of the server is this client's position) and the player of
 * every synchronised class. Every change is one transaction: the state in memory and one
 * {@link LocalStore.Change} move together, or neither does. Listeners are told through
 * an {@link Announcer} after the lock is released.
 */
final class Replica {

	private static final Logger logger = LoggerFactory.getLogger(Replica.class);

	private static final JsonNodeFactory nodes = JsonNodeFactory.instance;

	/** Room for the {@code add_scribe} envelope around a scribe. */
	private static final int ENVELOPE_BYTES = 64;

	private final Object lock = new Object();

	private final LocalStore store;

	private final Events events;

	private final Announcer announcer;

	private final int maxMessageBytes;

	private final String uid;

	// guarded by lock

	private long nextId;

	private long position;

	// the history of the server's log the position is of, as its hello named it
	private @Nullable String epoch;

	private long acknowledged;

	// the highest own scribe id the server is known to have settled
	private long serverMark;

	private final Map<String, Map<String, ObjectNode>> confirmed = new HashMap<>();

	// per klass being sent again for the subscriptions (PROTOCOL.md section 8.7), the ids
	// of its confirmed records nothing has touched since
	private final Map<String, Set<String>> untouched = new HashMap<>();

	// after a reset: the records the app saw when the confirmed copy was dropped, until a
	// sync from nothing caught up
	private final Set<Key> stale = new HashSet<>();

	private final Map<String, Map<String, ObjectNode>> visible = new HashMap<>();

	private final TreeMap<Long, Scribe> pending = new TreeMap<>();

	private final Map<Key, TreeMap<Long, Scribe>> pendingByRecord = new HashMap<>();

	/** The last own scribe applied to the confirmed copy, undone if it turns out refused. */
	private @Nullable Acknowledged lastAcknowledged;

	// protocol v2: pending scribes that landed, by id, with the position at which they
	// leave; entries of scribes no longer pending go when the transaction that removed
	// them commits
	private final TreeMap<Long, Long> landedAt = new TreeMap<>();

	// protocol v2: pending scribes answered without a landing, waiting for a catch-up
	private final TreeSet<Long> landedUnknown = new TreeSet<>();

	private @Nullable Tx tx;

	private final List<ScribeLog.AppendListener> logListeners = new CopyOnWriteArrayList<>();

	private volatile boolean synced;

	/**
	 * Loads a replica from its store.
	 * @param store where the state is kept
	 * @param requestedUid the uid the app asked for, or {@code null} for the stored one or
	 * a new one
	 * @param maxMessageBytes the largest message the server accepts
	 * @param events told of changes
	 * @param announcer tells listeners in order
	 */
	Replica(LocalStore store, @Nullable String requestedUid, int maxMessageBytes, Events events, Announcer announcer) {
		this.store = store;
		this.events = events;
		this.announcer = announcer;
		this.maxMessageBytes = maxMessageBytes;
		LocalStore.State state = store.load();
		if (requestedUid != null && !Session.isValidUid(requestedUid)) {
			throw new IllegalArgumentException("A client uid is 1 to 64 characters of [A-Za-z0-9_.:-]");
		}
		if (state.uid() != null && requestedUid != null && !state.uid().equals(requestedUid)) {
			throw new IllegalStateException(
					"The local store holds the state of client '" + state.uid() + "', not of '" + requestedUid + "'");
		}
		this.nextId = Math.max(1, state.nextScribeId());
		this.position = state.position();
		this.epoch = state.epoch();
		this.acknowledged = state.acknowledged();
		this.serverMark = state.serverMark();
		if (state.uid() != null) {
			this.uid = state.uid();
		}
		else {
			this.uid = (requestedUid != null) ? requestedUid : UUID.randomUUID().toString();
			store.write(new LocalStore.Change(this.uid, this.nextId, this.position, this.epoch, this.acknowledged,
					this.serverMark, List.of(), List.of(), List.of(), true));
		}
		state.records().forEach((klass, records) -> {
			this.confirmed.put(klass, new HashMap<>(records));
			this.visible.put(klass, new LinkedHashMap<>(records));
		});
		for (Scribe scribe : state.pending()) {
			if (scribe.id() > this.acknowledged) {
				addPending(scribe);
				Key key = Key.of(scribe);
				put(this.visible, key, apply(scribe, get(this.visible, key)));
			}
		}
	}

	String uid() {
		return this.uid;
	}

	long position() {
		synchronized (this.lock) {
			return this.position;
		}
	}

	@Nullable String epoch() {
		synchronized (this.lock) {
			return this.epoch;
		}
	}

	long serverMark() {
		synchronized (this.lock) {
			return this.serverMark;
		}
	}

	int pendingWrites() {
		synchronized (this.lock) {
			return this.pending.size();
		}
	}

	/**
	 * The digest of a klass's records as the server confirmed them (docs/PROTOCOL.md
	 * section 8.9).
	 */
	RecordDigest digestOf(String klass) {
		synchronized (this.lock) {
			return RecordDigest.of(this.confirmed.getOrDefault(klass, Map.of()).values());
		}
	}

	Optional<ObjectNode> get(String klass, String id) {
		synchronized (this.lock) {
			return Optional.ofNullable(get(this.visible, new Key(klass, id))).map(ObjectNode::deepCopy);
		}
	}

	List<ObjectNode> all(String klass) {
		synchronized (this.lock) {
			Map<String, ObjectNode> records = this.visible.get(klass);
			return (records != null) ? records.values().stream().map(ObjectNode::deepCopy).toList() : List.of();
		}
	}

	// Local writes

	/**
	 * Creates a record; its id is a new UUID unless the attributes hold one.
	 */
	ObjectNode create(String klass, ObjectNode attributes) {
		ObjectNode record = withId(attributes);
		Scribe scribe = checked(() -> Scribe.create(klass, record));
		return mutate(ChangeEvent.Source.LOCAL, true, (tx) -> {
			Key key = new Key(klass, scribe.recordId());
			if (get(this.visible, key) != null) {
				throw new IllegalArgumentException("A " + klass + " with id " + key.id() + " exists already");
			}
			return record(tx, key, scribe);
		}).deepCopy();
	}

	/**
	 * Sets some attributes of a record; records only those whose values differ.
	 */
	ObjectNode update(String klass, String id, ObjectNode changes) {
		ObjectNode attributes = changes.deepCopy();
		JsonNode newId = attributes.remove("id");
		if (newId != null && !newId.asString().equals(id)) {
			throw new IllegalArgumentException("A record's id cannot change");
		}
		return mutate(ChangeEvent.Source.LOCAL, true, (tx) -> {
			Key key = new Key(klass, id);
			ObjectNode before = get(this.visible, key);
			if (before == null) {
				throw new NoSuchElementException("There is no " + klass + " with id " + id);
			}
			return change(tx, key, before, merged(before, attributes));
		}).deepCopy();
	}

	/**
	 * Creates a record or replaces its attributes, recording only those that differ.
	 */
	ObjectNode save(String klass, ObjectNode record) {
		ObjectNode after = withId(record);
		Scribe create = checked(() -> Scribe.create(klass, after));
		return mutate(ChangeEvent.Source.LOCAL, true, (tx) -> {
			Key key = new Key(klass, create.recordId());
			ObjectNode before = get(this.visible, key);
			return (before != null) ? change(tx, key, before, after) : record(tx, key, create);
		}).deepCopy();
	}

	/**
	 * Removes a record; nothing happens if it does not exist.
	 */
	boolean destroy(String klass, String id) {
		Scribe scribe = checked(() -> Scribe.destroy(klass, id));
		return mutate(ChangeEvent.Source.LOCAL, true, (tx) -> {
			Key key = new Key(klass, id);
			if (get(this.visible, key) == null) {
				return false;
			}
			record(tx, key, scribe);
			return true;
		});
	}

	private ObjectNode change(Tx tx, Key key, ObjectNode before, ObjectNode after) {
		ObjectNode diff = Changes.diff(before, after);
		if (diff.isEmpty()) {
			return before;
		}
		return record(tx, key, checked(() -> Scribe.update(key.klass(), key.id(), diff)));
	}

	private ObjectNode record(Tx tx, Key key, Scribe scribe) {
		Scribe numbered = scribe.withId(this.nextId);
		int bytes = MessageCodec.writeTree(numbered.toJson()).getBytes(StandardCharsets.UTF_8).length;
		if (bytes + ENVELOPE_BYTES > this.maxMessageBytes) {
			throw new IllegalArgumentException(
					"The change takes " + bytes + " bytes, more than a message to the server may carry");
		}
		this.nextId++;
		addPending(numbered);
		tx.appended.add(numbered);
		ObjectNode after = apply(numbered, get(this.visible, key));
		setVisible(tx, key, after);
		return (after != null) ? after : nodes.objectNode();
	}

	// Remote changes

	/**
	 * Plays a scribe of the server into the confirmed copy, inside the engine's
	 * transaction.
	 * @param scribe the server's scribe
	 * @param echoes whether the connection speaks protocol v2, where the server sends this
	 * client's own scribes too, so the confirmed copy never takes an own scribe
	 */
	void playRemote(Scribe scribe, boolean echoes) {
		mutate(ChangeEvent.Source.REMOTE, false, (tx) -> {
			Key key = Key.of(scribe);
			Set<String> notTouched = this.untouched.get(key.klass());
			if (notTouched != null) {
				notTouched.remove(key.id());
			}
			ObjectNode base = get(this.confirmed, key);
			if (base == null && scribe.type() != ScribeType.CREATE) {
				// in v2 the echo of this client's create came before any change to its record
				Scribe create = echoes ? null : firstPending(key);
				if (create != null && create.type() == ScribeType.CREATE) {
					// the server changed a record this client created, so it has played that
					// create even if its answer is still on the way
					removePending(tx, create);
					base = create.attributes();
				}
				else if (scribe.type() == ScribeType.UPDATE) {
					throw SyncroException.notFound("There is no " + key.klass() + " with id " + key.id() + ".");
				}
			}
			setConfirmed(tx, key, apply(scribe, base));
			recompute(tx, key);
			return null;
		});
	}

	/**
	 * A batch of the records of a klass that the subscriptions give (protocol v2): each
	 * replaces the confirmed copy. The first batch starts over: once the last is in, the
	 * confirmed records of the klass that neither a batch nor a scribe touched meanwhile
	 * leave.
	 * @param klass the klass
	 * @param first whether the batch starts over
	 * @param records every attribute of each record
	 * @param last whether no batch follows
	 */
	void applyRecords(String klass, boolean first, ArrayNode records, boolean last) {
		mutate(ChangeEvent.Source.REMOTE, false, (tx) -> {
			if (first || !this.untouched.containsKey(klass)) {
				this.untouched.put(klass, new HashSet<>(this.confirmed.getOrDefault(klass, Map.of()).keySet()));
			}
			Set<String> notTouched = this.untouched.get(klass);
			for (JsonNode record : records) {
				JsonNode id = record.get("id");
				if (!record.isObject() || id == null || !(id.isString() || id.isNumber())) {
					logger.warn("Skipped a record of {} without an id from the server", klass);
					continue;
				}
				Key key = new Key(klass, id.asString());
				notTouched.remove(key.id());
				setConfirmed(tx, key, (ObjectNode) record);
				recompute(tx, key);
			}
			if (last) {
				this.untouched.remove(klass);
				for (String id : notTouched) {
					Key key = new Key(klass, id);
					setConfirmed(tx, key, null);
					recompute(tx, key);
				}
			}
			return null;
		});
	}

	/**
	 * The server settled this client's scribes up to an id (protocol v1): they move into
	 * the confirmed copy, which leaves what the app sees as it was.
	 */
	void acknowledge(long scribeId) {
		mutate(ChangeEvent.Source.REMOTE, false, (tx) -> {
			numberAbove(tx, scribeId);
			for (Scribe scribe : new ArrayList<>(this.pending.headMap(scribeId, true).values())) {
				Key key = Key.of(scribe);
				ObjectNode before = get(this.confirmed, key);
				setConfirmed(tx, key, apply(scribe, before));
				removePending(tx, scribe);
				this.lastAcknowledged = new Acknowledged(scribe, before);
				recompute(tx, key);
			}
			this.acknowledged = Math.max(this.acknowledged, scribeId);
			this.serverMark = Math.max(this.serverMark, scribeId);
			return null;
		});
	}

	/**
	 * The server settled this client's scribes up to an id (protocol v2): they stay
	 * pending until they land.
	 */
	void settled(long scribeId) {
		mutate(ChangeEvent.Source.REMOTE, false, (tx) -> {
			numberAbove(tx, scribeId);
			this.serverMark = Math.max(this.serverMark, scribeId);
			return null;
		});
	}

	/**
	 * The server expects this client's scribe {@code from} next, which is not pending while
	 * scribes above it are: the server forgot the scribes it had settled from {@code from}
	 * on (it expired this uid, or was set back to a backup) and would answer each of those
	 * 409 for good. Renumbers them consecutively from {@code from}, in their order, and
	 * numbers new scribes after them, in one durable transaction; what the app sees does
	 * not change. The server's mark as known is {@code from - 1} from now on.
	 * @param from the id the server expects next
	 * @return whether scribes were renumbered
	 */
	boolean renumber(long from) {
		return mutate(ChangeEvent.Source.REMOTE, true, (tx) -> {
			Map.Entry<Long, Scribe> first = this.pending.ceilingEntry(from);
			if (first == null || first.getKey() == from) {
				return false;
			}
			List<Scribe> renumbered = new ArrayList<>(this.pending.tailMap(from, true).values());
			renumbered.forEach((scribe) -> removePending(tx, scribe));
			long id = from;
			for (Scribe scribe : renumbered) {
				Scribe numbered = scribe.withId(id++);
				addPending(numbered);
				tx.appended.add(numbered);
			}
			this.nextId = id;
			this.serverMark = from - 1;
			// v1: the scribes up to it are dropped when the state is loaded
			this.acknowledged = Math.min(this.acknowledged, from - 1);
			if (this.lastAcknowledged != null && this.lastAcknowledged.scribe().id() >= from) {
				this.lastAcknowledged = null;
			}
			return true;
		});
	}

	// called holding lock
	private void numberAbove(Tx tx, long scribeId) {
		if (scribeId >= this.nextId) {
			// the server holds ids this store never gave out (it was restored from an
			// older copy): number new scribes above them, or they would be duplicates
			this.nextId = scribeId + 1;
			tx.durable = true;
		}
	}

	/**
	 * Where the play of one of this client's scribes landed (protocol v2). Landed at an
	 * id, it leaves the queue once the position reaches that id, at once if it has;
	 * having appended nothing for this client, it leaves at once. Where it landed not
	 * being known, it and the pending scribes below it whose landing is not known either
	 * wait for a catch-up: {@link #caughtUp}.
	 * @param scribeId the client scribe id
	 * @param landing where its play landed
	 * @return whether scribes wait for a catch-up
	 */
	boolean landed(long scribeId, Landing landing) {
		return mutate(ChangeEvent.Source.REMOTE, false, (tx) -> {
			if (landing.appended()) {
				if (this.pending.containsKey(scribeId)) {
					this.landedUnknown.remove(scribeId);
					this.landedAt.put(scribeId, landing.at());
					leaveLanded(tx);
				}
			}
			else if (landing.isKnown()) {
				Scribe scribe = this.pending.get(scribeId);
				if (scribe != null) {
					leave(tx, scribe);
				}
			}
			else {
				// the answer is cumulative, as a mark is: every scribe up to it was settled
				for (Long id : this.pending.headMap(scribeId, true).keySet()) {
					if (!this.landedAt.containsKey(id)) {
						this.landedUnknown.add(id);
					}
				}
			}
			return !landing.isKnown() && !this.landedUnknown.isEmpty();
		});
	}

	/**
	 * The pending scribes waiting for a catch-up, as they are before it starts.
	 * @return their ids
	 */
	List<Long> awaitingCatchUp() {
		synchronized (this.lock) {
			return List.copyOf(this.landedUnknown);
		}
	}

	/**
	 * The server's log held, after the answers of some pending scribes whose landing was
	 * not known, scribes for this client up to an id: those scribes leave once the
	 * position reaches it.
	 * @param scribeIds the client scribe ids, from {@link #awaitingCatchUp} before the
	 * catch-up started
	 * @param lastId the highest server scribe id for this client then
	 */
	void caughtUp(List<Long> scribeIds, long lastId) {
		mutate(ChangeEvent.Source.REMOTE, false, (tx) -> {
			for (Long id : scribeIds) {
				if (this.landedUnknown.remove(id) && this.pending.containsKey(id)) {
					this.landedAt.put(id, lastId);
				}
			}
			leaveLanded(tx);
			return null;
		});
	}

	// called holding lock: the landed scribes the position reached leave, oldest first
	private void leaveLanded(Tx tx) {
		if (this.landedAt.isEmpty()) {
			return;
		}
		List<Scribe> due = new ArrayList<>();
		this.landedAt.forEach((id, at) -> {
			Scribe scribe = this.pending.get(id);
			if (scribe != null && at <= this.position) {
				due.add(scribe);
			}
		});
		due.forEach((scribe) -> leave(tx, scribe));
	}

	/**
	 * An own scribe leaves the queue without touching the confirmed copy, which holds
	 * what the server made of it; the app is told if that changes what it sees.
	 */
	private void leave(Tx tx, Scribe scribe) {
		Key key = Key.of(scribe);
		ObjectNode before = get(this.visible, key);
		removePending(tx, scribe);
		recompute(tx, key);
		ObjectNode after = get(this.visible, key);
		if (!same(before, after)) {
			ConflictEvent event = new ConflictEvent(key.klass(), key.id(), scribe.id(), scribe.type(),
					scribe.attributes().deepCopy(), (before != null) ? before.deepCopy() : null,
					(after != null) ? after.deepCopy() : null);
			tx.announcements.add(() -> this.events.conflict(event));
		}
	}

	/**
	 * The server refused one of this client's scribes for good: it leaves the queue and
	 * its record rolls back.
	 */
	void refuse(long scribeId, int code, String message) {
		mutate(ChangeEvent.Source.REMOTE, true, (tx) -> {
			this.serverMark = Math.max(this.serverMark, scribeId);
			Scribe scribe = this.pending.get(scribeId);
			Key key;
			if (scribe != null) {
				key = Key.of(scribe);
				removePending(tx, scribe);
			}
			else if (this.lastAcknowledged != null && this.lastAcknowledged.scribe().id() == scribeId) {
				// acknowledged a moment ago by the answer that refuses it: undo that
				scribe = this.lastAcknowledged.scribe();
				key = Key.of(scribe);
				setConfirmed(tx, key, this.lastAcknowledged.before());
				this.lastAcknowledged = null;
			}
			else {
				logger.debug("The server refused scribe {} of {}, which is no longer pending", scribeId, this.uid);
				return null;
			}
			recompute(tx, key);
			ObjectNode record = get(this.visible, key);
			RefusedEvent event = new RefusedEvent(scribeId, code, message, key.klass(), key.id(), scribe.type(),
					(record != null) ? record.deepCopy() : null);
			tx.announcements.add(() -> this.events.refused(event));
			return null;
		});
	}

	// The server's history

	/**
	 * The epoch the server's {@code hello} named (protocol v2): stored, after a reset if
	 * the position is of another one.
	 * @param named the hello's epoch
	 * @return whether the client was reset
	 */
	boolean enterEpoch(String named) {
		return mutate(ChangeEvent.Source.REMOTE, false, (tx) -> {
			if (named.equals(this.epoch)) {
				return false;
			}
			boolean reset = this.position > 0 && this.epoch != null;
			if (reset) {
				reset(tx, ResetEvent.Reason.EPOCH);
			}
			this.epoch = named;
			return reset;
		});
	}

	/**
	 * The server refused a sync from the position (410): it is of another history of the
	 * server's log, or beyond its end.
	 */
	void gone() {
		mutate(ChangeEvent.Source.REMOTE, false, (tx) -> {
			reset(tx, ResetEvent.Reason.GONE);
			return null;
		});
	}

	/**
	 * Forgets the server's state, whose history changed (what it confirmed may not exist
	 * any more): drops the confirmed copy of every record and the position, and keeps the
	 * pending scribes. What the app sees stays until a sync from nothing caught up
	 * ({@link #resynced}), so the records the server still has do not blink. Where own
	 * scribes landed was said in the other history: they learn it again, as duplicates.
	 */
	private void reset(Tx tx, ResetEvent.Reason reason) {
		this.untouched.clear();
		for (Map.Entry<String, Map<String, ObjectNode>> klass : this.confirmed.entrySet()) {
			for (String id : List.copyOf(klass.getValue().keySet())) {
				setConfirmed(tx, new Key(klass.getKey(), id), null);
			}
		}
		this.visible.forEach((klass, records) -> records.keySet().forEach((id) -> this.stale.add(new Key(klass, id))));
		this.position = 0;
		this.lastAcknowledged = null;
		this.landedAt.clear();
		this.landedUnknown.clear();
		ResetEvent event = new ResetEvent(reason);
		tx.announcements.add(() -> this.events.reset(event));
	}

	/**
	 * A sync caught up with the server's log: after a reset, the records it did not bring
	 * back leave what the app sees, except what pending scribes keep.
	 */
	void resynced() {
		mutate(ChangeEvent.Source.REMOTE, false, (tx) -> {
			for (Key key : List.copyOf(this.stale)) {
				recompute(tx, key);
			}
			this.stale.clear();
			return null;
		});
	}

	/**
	 * The server pulled this client's scribes from its mark: it is the server's mark from
	 * now on, and if it is below the highest the server was known to have, the server lost
	 * own scribes it had settled.
	 * @param from the server's mark, 0 for none
	 * @return how many scribes the server lost, or 0
	 */
	long serverPulled(long from) {
		return mutate(ChangeEvent.Source.REMOTE, false, (tx) -> {
			long lost = Math.max(0, this.serverMark - from);
			this.serverMark = from;
			return lost;
		});
	}

	private @Nullable Scribe firstPending(Key key) {
		TreeMap<Long, Scribe> ofRecord = this.pendingByRecord.get(key);
		return (ofRecord != null) ? ofRecord.firstEntry().getValue() : null;
	}

	// Transactions

	/**
	 * Runs a change as one transaction: on success the store takes it as one
	 * {@link LocalStore.Change} and listeners are told; on failure the state in memory is
	 * as it was. Joins the transaction already running on this thread, if any.
	 */
	<T> T inTransaction(Supplier<T> work) {
		return mutate(ChangeEvent.Source.REMOTE, false, (tx) -> work.get());
	}

	private <T> T mutate(ChangeEvent.Source source, boolean durable, Function<Tx, T> work) {
		T result;
		Tx done;
		synchronized (this.lock) {
			Tx current = this.tx;
			if (current != null) {
				current.durable |= durable;
				return work.apply(current);
			}
			current = new Tx(source, durable);
			this.tx = current;
			try {
				result = work.apply(current);
				commit(current);
			}
			catch (RuntimeException ex) {
				rollback(current);
				throw ex;
			}
			finally {
				this.tx = null;
			}
			done = current;
		}
		if (!done.appended.isEmpty()) {
			// wakes the sessions, which push the new scribes
			long lastId = done.appended.get(done.appended.size() - 1).id();
			for (ScribeLog.AppendListener listener : this.logListeners) {
				listener.appended(lastId);
			}
		}
		this.announcer.drain();
		return result;
	}

	// called holding lock
	private void commit(Tx tx) {
		boolean changed = !tx.confirmedBefore.isEmpty() || !tx.visibleBefore.isEmpty() || !tx.appended.isEmpty()
				|| !tx.removed.isEmpty() || this.position != tx.position || this.acknowledged != tx.acknowledged
				|| this.nextId != tx.nextId || !Objects.equals(this.epoch, tx.epoch) || this.serverMark != tx.serverMark;
		if (changed) {
			List<LocalStore.RecordWrite> writes = new ArrayList<>();
			tx.confirmedBefore.keySet()
				.forEach((key) -> writes.add(new LocalStore.RecordWrite(key.klass(), key.id(), get(this.confirmed, key))));
			// after a renumbering, a scribe appended replaces the one removed under its id
			Set<Long> appended = new HashSet<>();
			tx.appended.forEach((scribe) -> appended.add(scribe.id()));
			List<Long> removed = tx.removed.stream().map(Scribe::id).filter((id) -> !appended.contains(id)).toList();
			this.store.write(new LocalStore.Change(null, this.nextId, this.position, this.epoch, this.acknowledged,
					this.serverMark, writes, tx.appended, removed, tx.durable));
		}
		tx.visibleBefore.forEach((key, before) -> {
			ObjectNode after = get(this.visible, key);
			if (!same(before, after)) {
				ChangeEvent<ObjectNode> event = new ChangeEvent<>(key.klass(), key.id(), typeOf(before, after),
						(after != null) ? after.deepCopy() : null, (before != null) ? before.deepCopy() : null, tx.source);
				this.announcer.enqueue(() -> this.events.changed(event));
			}
		});
		tx.announcements.forEach(this.announcer::enqueue);
		for (Scribe removed : tx.removed) {
			this.landedAt.remove(removed.id());
			this.landedUnknown.remove(removed.id());
		}
		if (!tx.appended.isEmpty() || !tx.removed.isEmpty()) {
			int count = this.pending.size();
			this.announcer.enqueue(() -> this.events.pendingWrites(count));
		}
	}

	// called holding lock
	private void rollback(Tx tx) {
		tx.confirmedBefore.forEach((key, before) -> put(this.confirmed, key, before.orElse(null)));
		tx.visibleBefore.forEach((key, before) -> put(this.visible, key, before));
		tx.appended.forEach(this::dropPending);
		tx.removed.forEach(this::addPending);
		this.nextId = tx.nextId;
		this.position = tx.position;
		this.epoch = tx.epoch;
		this.acknowledged = tx.acknowledged;
		this.serverMark = tx.serverMark;
		this.lastAcknowledged = tx.lastAcknowledged;
	}

	private void setConfirmed(Tx tx, Key key, @Nullable ObjectNode record) {
		tx.confirmedBefore.computeIfAbsent(key, (k) -> Optional.ofNullable(get(this.confirmed, key)));
		put(this.confirmed, key, record);
	}

	private void setVisible(Tx tx, Key key, @Nullable ObjectNode record) {
		if (!tx.visibleBefore.containsKey(key)) {
			tx.visibleBefore.put(key, get(this.visible, key));
		}
		put(this.visible, key, record);
	}

	/** What the app sees of a record: the confirmed copy with its pending scribes on top. */
	private void recompute(Tx tx, Key key) {
		ObjectNode record = get(this.confirmed, key);
		TreeMap<Long, Scribe> ofRecord = this.pendingByRecord.get(key);
		if (ofRecord != null) {
			for (Scribe scribe : ofRecord.values()) {
				record = apply(scribe, record);
			}
		}
		if (!same(record, get(this.visible, key))) {
			setVisible(tx, key, record);
		}
	}

	private void removePending(Tx tx, Scribe scribe) {
		dropPending(scribe);
		tx.removed.add(scribe);
	}

	private void addPending(Scribe scribe) {
		this.pending.put(scribe.id(), scribe);
		this.pendingByRecord.computeIfAbsent(Key.of(scribe), (key) -> new TreeMap<>()).put(scribe.id(), scribe);
	}

	private void dropPending(Scribe scribe) {
		this.pending.remove(scribe.id());
		Key key = Key.of(scribe);
		TreeMap<Long, Scribe> ofRecord = this.pendingByRecord.get(key);
		if (ofRecord != null) {
			ofRecord.remove(scribe.id());
			if (ofRecord.isEmpty()) {
				this.pendingByRecord.remove(key);
			}
		}
	}

	// The engine's view

	/**
	 * This client's log for the engine: its pending scribes, all meant for the server.
	 */
	ScribeLog log() {
		return new PendingLog();
	}

	/**
	 * This client's store for the engine: the server's mark is this client's position.
	 */
	ClientStore marks() {
		return new Marks();
	}

	private final class PendingLog implements ScribeLog {

		@Override
		public List<ScribeEntry> append(List<ScribeEntry> entries) {
			throw new UnsupportedOperationException("A client records its changes through its collections");
		}

		@Override
		public List<Scribe> read(Reader reader, long after, int limit) {
			synchronized (Replica.this.lock) {
				return Replica.this.pending.tailMap(after, false).values().stream().limit(limit).toList();
			}
		}

		@Override
		public long lastId(Reader reader) {
			return head();
		}

		@Override
		public long head() {
			synchronized (Replica.this.lock) {
				return Replica.this.nextId - 1;
			}
		}

		@Override
		public String epoch() {
			return Replica.this.uid;
		}

		@Override
		public AutoCloseable addListener(AppendListener listener) {
			Replica.this.logListeners.add(listener);
			return () -> Replica.this.logListeners.remove(listener);
		}

	}

	private final class Marks implements ClientStore {

		@Override
		public long mark(String client) {
			return position();
		}

		@Override
		public boolean advanceMark(String client, long expected, long next, @Nullable Refusal refusal) {
			if (refusal != null) {
				logger.debug("Skipped server scribe {}: {}", next, refusal.message());
			}
			return mutate(ChangeEvent.Source.REMOTE, false, (tx) -> {
				if (Replica.this.position != expected) {
					return false;
				}
				Replica.this.position = next;
				leaveLanded(tx);
				return true;
			});
		}

		@Override
		public long forgottenBelow(String client) {
			return 0;
		}

		@Override
		public Optional<Refusal> refusal(String client, long scribeId) {
			return Optional.empty();
		}

		@Override
		public boolean isSynced(String client) {
			return Replica.this.synced;
		}

		@Override
		public void markSynced(String client) {
			Replica.this.synced = true;
		}

		@Override
		public Optional<String> principal(String client) {
			return Optional.empty();
		}

		@Override
		public boolean bindPrincipal(String client, String principal) {
			return true;
		}

		// a client keeps one peer, its server, for as long as it lives: nothing to bind,
		// count or expire

		@Override
		public boolean connected(String client, @Nullable String principal, Instant now) {
			return true;
		}

		@Override
		public boolean isKnown(String client) {
			return true;
		}

		@Override
		public int clientsOf(String principal) {
			return 0;
		}

		@Override
		public int clientsBoundSince(String principal, Instant since) {
			return 0;
		}

		@Override
		public Optional<Instant> lastSeen(String client) {
			return Optional.empty();
		}

		@Override
		public void touch(Collection<String> clients, Instant now) {
		}

		@Override
		public int expire(Instant seenBefore) {
			return 0;
		}

	}

	// Records

	/** How a scribe changes a record, on either copy: PROTOCOL.md section 4's playing rules. */
	private static @Nullable ObjectNode apply(Scribe scribe, @Nullable ObjectNode record) {
		return switch (scribe.type()) {
			case CREATE -> (record != null) ? merged(record, scribe.attributes()) : scribe.attributes();
			case UPDATE -> (record != null) ? merged(record, scribe.attributes()) : null;
			case DESTROY -> null;
		};
	}

	private static ObjectNode merged(ObjectNode record, ObjectNode changes) {
		ObjectNode merged = record.deepCopy();
		for (Map.Entry<String, JsonNode> attribute : changes.properties()) {
			merged.set(attribute.getKey(), attribute.getValue().deepCopy());
		}
		return merged;
	}

	private static ObjectNode withId(ObjectNode attributes) {
		JsonNode id = attributes.get("id");
		if (id != null && !id.isNull()) {
			return attributes.deepCopy();
		}
		ObjectNode record = nodes.objectNode().put("id", UUID.randomUUID().toString());
		for (Map.Entry<String, JsonNode> attribute : attributes.properties()) {
			if (!attribute.getKey().equals("id")) {
				record.set(attribute.getKey(), attribute.getValue().deepCopy());
			}
		}
		return record;
	}

	private static Scribe checked(Supplier<Scribe> scribe) {
		try {
			return scribe.get();
		}
		catch (SyncroException ex) {
			throw new IllegalArgumentException(ex.getMessage(), ex);
		}
	}

	private static ScribeType typeOf(@Nullable ObjectNode before, @Nullable ObjectNode after) {
		if (before == null) {
			return ScribeType.CREATE;
		}
		return (after == null) ? ScribeType.DESTROY : ScribeType.UPDATE;
	}

	private static boolean same(@Nullable ObjectNode a, @Nullable ObjectNode b) {
		return (a == null) ? b == null : a.equals(b);
	}

	private static @Nullable ObjectNode get(Map<String, Map<String, ObjectNode>> records, Key key) {
		Map<String, ObjectNode> ofKlass = records.get(key.klass());
		return (ofKlass != null) ? ofKlass.get(key.id()) : null;
	}

	private static void put(Map<String, Map<String, ObjectNode>> records, Key key, @Nullable ObjectNode record) {
		if (record != null) {
			records.computeIfAbsent(key.klass(), (klass) -> new LinkedHashMap<>()).put(key.id(), record);
		}
		else {
			Map<String, ObjectNode> ofKlass = records.get(key.klass());
			if (ofKlass != null) {
				ofKlass.remove(key.id());
			}
		}
	}

	/**
	 * Told of what changes, by the {@link Announcer}: one call at a time, in order.
	 */
	interface Events {

		void changed(ChangeEvent<ObjectNode> event);

		void refused(RefusedEvent event);

		void conflict(ConflictEvent event);

		void reset(ResetEvent event);

		void pendingWrites(int count);

	}

	private record Key(String klass, String id) {

		static Key of(Scribe scribe) {
			return new Key(scribe.klass(), scribe.recordId());
		}

	}

	private record Acknowledged(Scribe scribe, @Nullable ObjectNode before) {
	}

	/**
	 * What one transaction changed, to store it, tell it, or undo it.
	 */
	private final class Tx {

		final ChangeEvent.Source source;

		boolean durable;

		final Map<Key, Optional<ObjectNode>> confirmedBefore = new LinkedHashMap<>();

		final Map<Key, @Nullable ObjectNode> visibleBefore = new LinkedHashMap<>();

		final List<Scribe> appended = new ArrayList<>();

		final List<Scribe> removed = new ArrayList<>();

		final List<Runnable> announcements = new ArrayList<>();

		final long nextId = Replica.this.nextId;

		final long position = Replica.this.position;

		final @Nullable String epoch = Replica.this.epoch;

		final long acknowledged = Replica.this.acknowledged;

		final long serverMark = Replica.this.serverMark;

		final @Nullable Acknowledged lastAcknowledged = Replica.this.lastAcknowledged;

		Tx(ChangeEvent.Source source, boolean durable) {
			this.source = source;
			this.durable = durable;
		}

	}

}
