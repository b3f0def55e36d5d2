package io.syncro.recording;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.syncro.play.Dependent;
import io.syncro.play.PlayScope;
import io.syncro.play.Syncable;
import io.syncro.play.SyncroPolicy;
import io.syncro.recording.RecordingContext.Playing;
import io.syncro.scribe.Changes;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import io.syncro.store.ScribeLog;
import io.syncro.store.ScribeOutbox;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.data.domain.Persistable;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.Assert;

/**
 * Records the changes of {@link Syncable} entities as scribes in the {@link ScribeLog}.
 * <p>
 * Saves and deletes through the entities' Spring Data repositories are recorded without
 * any code: {@code save}, {@code saveAll}, {@code saveAndFlush}, {@code saveAllAndFlush},
 * {@code delete}, {@code deleteById}, {@code deleteAll}, {@code deleteAllById},
 * {@code deleteAllInBatch} and {@code deleteAllByIdInBatch}. A save of a record that did
 * not exist is a {@code create} with every attribute; a save of an existing record is an
 * {@code update} with only the attributes that changed, compared with the record as it
 * was loaded (so an entity changed in place and then saved diffs correctly), and nothing
 * if none changed; a delete is a {@code destroy}, addressed with the record as it was
 * (which is why the deletes load what they will delete first, {@code deleteAll()} and
 * {@code deleteAllInBatch()} every record). When a change moves a record out of some
 * clients' reach and into others' (the policy's recipients before and after), those that
 * lose it get a {@code destroy} and those that gain it a {@code create} (PROTOCOL.md
 * section 6).
 * <p>
 * Scribes are written to the {@link ScribeOutbox} just before the surrounding transaction
 * commits, as part of it, and relayed to the log once it has committed; a transaction
 * that rolls back records none; a change made outside any transaction is recorded at
 * once. So a committed change reaches the log also when the process stops right after
 * the commit, or the log cannot be reached for a while. The change a client sent is
 * recorded with that client as the origin, so it gets no echo of it.
 * <p>
 * What the recorder cannot see, and must be recorded by hand with
 * {@link #recordCreate}, {@link #recordUpdate} and {@link #recordDestroy}:
 * <ul>
 * <li>bulk JPQL or SQL statements ({@code @Modifying} queries, derived
 * {@code deleteBy…} queries, {@code delete(Specification)}, native SQL);</li>
 * <li>changes to managed entities that are never passed to a repository's save (JPA
 * writes them at flush, unseen), and in-place changes that are written before the entity
 * is saved, for example by the automatic flush before a query, since they are then part
 * of the state the save compares with;</li>
 * <li>attributes the database sets when it writes (generated columns, a
 * {@code @Version} incremented at flush), unless the change is flushed before the
 * recorder reads it ({@code saveAndFlush});</li>
 * <li>changes made through another {@code EntityManagerFactory} than the one the
 * {@link SyncableEntities} were found in.</li>
 * </ul>
 * Recording can be suspended for a block with {@link #withoutRecording(Runnable)}, for
 * example to import records that clients must not receive as changes.
 *
 * @since 0.1.0
 */
public final class ScribeRecorder {

	private final ScribeOutbox outbox;

	private final SyncableEntities entities;

	/**
	 * Creates a recorder.
	 * @param outbox the outbox to write scribes to, in the database of the entities
	 * @param entities the syncable entities
	 */
	public ScribeRecorder(ScribeOutbox outbox, SyncableEntities entities) {
		Assert.notNull(outbox, "ScribeOutbox must not be null");
		Assert.notNull(entities, "SyncableEntities must not be null");
		this.outbox = outbox;
		this.entities = entities;
	}

	/**
	 * Runs work without recording any change it makes, through repositories or by hand,
	 * on this thread.
	 * @param work the work
	 */
	public static void withoutRecording(Runnable work) {
		RecordingContext.suspended(() -> {
			work.run();
			return null;
		});
	}

	/**
	 * Runs work without recording any change it makes, through repositories or by hand,
	 * on this thread.
	 * @param <T> the result type
	 * @param work the work
	 * @return the work's result
	 */
	public static <T> T withoutRecording(Supplier<T> work) {
		return RecordingContext.suspended(work);
	}

	/**
	 * Records a new record: a {@code create} with every attribute, for the clients that
	 * receive it.
	 * @param entity the new record, a {@link Syncable} entity
	 * @throws IllegalArgumentException if the entity is not {@link Syncable}
	 */
	public void recordCreate(Object entity) {
		if (RecordingContext.isSuspended()) {
			return;
		}
		Object record = this.entities.snapshots().unproxy(entity);
		SyncableType<Object> type = syncableTypeOf(record);
		State now = stateOf(type, record);
		changed(pending(), type, null, now);
	}

	/**
	 * Records a change to some attributes of a record: an {@code update} with their
	 * current values, for the clients that receive the record. If this transaction
	 * recorded the record before, clients that received it then and no longer do get a
	 * {@code destroy}, and those that newly receive it a {@code create}.
	 * @param entity the changed record, a {@link Syncable} entity
	 * @param attributes the names of the attributes that changed; none for every
	 * attribute
	 * @throws IllegalArgumentException if the entity is not {@link Syncable} or has no
	 * such attribute
	 */
	public void recordUpdate(Object entity, String... attributes) {
		if (RecordingContext.isSuspended()) {
			return;
		}
		Object record = this.entities.snapshots().unproxy(entity);
		SyncableType<Object> type = syncableTypeOf(record);
		State now = stateOf(type, record);
		// a previous state that differs from now in exactly the named attributes
		ObjectNode previous = now.json().deepCopy();
		if (attributes.length == 0) {
			previous.retain("id");
		}
		for (String attribute : attributes) {
			if ("id".equals(attribute) || !now.json().has(attribute)) {
				throw new IllegalArgumentException(type.klass() + " has no attribute '" + attribute + "' to record");
			}
			previous.remove(attribute);
		}
		PendingScribes pending = pending();
		State known = known(pending, now.key(), now);
		Recipients recipients = (known != null) ? known.recipients() : now.recipients();
		changed(pending, type, new State(now.key(), previous, recipients, List.of()), now);
	}

	/**
	 * Records a removed record: a {@code destroy}, for the clients that received it.
	 * @param entity the record as it was, a {@link Syncable} entity
	 * @throws IllegalArgumentException if the entity is not {@link Syncable}
	 */
	public void recordDestroy(Object entity) {
		if (RecordingContext.isSuspended()) {
			return;
		}
		Object record = this.entities.snapshots().unproxy(entity);
		SyncableType<Object> type = syncableTypeOf(record);
		State was = stateOf(type, record);
		PendingScribes pending = pending();
		changed(pending, type, known(pending, was.key(), was), null);
	}

	// The repository interceptor's side: read the records a call will change before it
	// proceeds, then record the change from those and the records after.

	@Nullable <T> SyncableType<T> syncableType(Class<T> domainType) {
		return this.entities.find(domainType);
	}

	Map<RecordKey, @Nullable State> recordsWithIds(SyncableType<?> type, Iterable<?> ids) {
		PendingScribes pending = pending();
		Map<RecordKey, @Nullable State> records = new LinkedHashMap<>();
		for (Object id : ids) {
			if (id == null) {
				continue;
			}
			RecordKey key = type.key(id);
			if (records.containsKey(key) || (pending != null && pending.knows(key))) {
				// the transaction's own knowledge of it is newer than what could be loaded
				records.putIfAbsent(key, null);
				continue;
			}
			Object record = this.entities.snapshots().load(type.javaType(), id);
			records.put(key, (record != null) ? stateOf(type, record) : null);
		}
		return records;
	}

	/**
	 * The records stored under the ids of entities a call saves or deletes. An entity that
	 * is a {@link Persistable} saying it is new is not read: Spring Data inserts it (or
	 * leaves it, on a delete), so nothing was stored under its id, or the insert fails.
	 */
	Map<RecordKey, @Nullable State> recordsOf(SyncableType<?> type, Iterable<?> entities) {
		Map<RecordKey, @Nullable State> records = new LinkedHashMap<>();
		List<Object> ids = new ArrayList<>();
		for (Object entity : entities) {
			if (!type.javaType().isInstance(entity)) {
				continue;
			}
			Object id = this.entities.snapshots().idOf(entity);
			if (id != null && entity instanceof Persistable<?> persistable && persistable.isNew()) {
				records.putIfAbsent(type.key(id), null);
			}
			else {
				ids.add(id);
			}
		}
		recordsWithIds(type, ids).forEach(records::putIfAbsent);
		return records;
	}

	Map<RecordKey, @Nullable State> allRecords(SyncableType<?> type) {
		Map<RecordKey, @Nullable State> records = new LinkedHashMap<>();
		for (Object record : this.entities.snapshots().loadAll(type.javaType())) {
			State state = stateOf(type, record);
			records.put(state.key(), state);
		}
		return records;
	}

	void saved(SyncableType<?> type, Map<RecordKey, @Nullable State> before, Object entity) {
		Object record = this.entities.snapshots().unproxy(entity);
		State now = stateOf(type, record);
		PendingScribes pending = pending();
		changed(pending, type, known(pending, now.key(), before.get(now.key())), now);
	}

	void destroyed(SyncableType<?> type, Map<RecordKey, @Nullable State> before) {
		PendingScribes pending = pending();
		before.forEach((key, was) -> {
			State known = known(pending, key, was);
			if (known != null) {
				changed(pending, type, known, null);
			}
		});
	}

	// The transaction's side.

	void flush() {
		this.entities.snapshots().flush();
	}

	ScribeOutbox outbox() {
		return this.outbox;
	}

	private void changed(@Nullable PendingScribes pending, SyncableType<?> type, @Nullable State was,
			@Nullable State now) {
		State state = (now != null) ? now : was;
		if (state == null) {
			return;
		}
		RecordKey key = state.key();
		Playing playing = RecordingContext.playing();
		String origin = (playing != null && playing.key().equals(key)) ? playing.client() : null;
		List<ScribeEntry> entries;
		if (was == null) {
			entries = Changes.created(type.klass(), state.json(), state.recipients(), origin);
		}
		else if (now == null) {
			entries = Changes.destroyed(type.klass(), key.id(), was.recipients(), origin);
		}
		else {
			entries = Changes.updated(type.klass(), was.json(), now.json(), was.recipients(), now.recipients(), origin);
		}
		if (playing != null && origin != null) {
			entries = withUnsentAttributes(entries, playing);
		}
		if (was != null && now != null) {
			entries = withDependentsMoved(pending, entries, was, now);
		}
		entries = causedByThePlay(entries);
		if (pending != null) {
			pending.remember(key, now);
			pending.add(entries);
		}
		else if (!entries.isEmpty()) {
			this.outbox.add(entries);
			this.outbox.relay();
		}
	}

	/**
	 * Adds, after a record's own scribes, those of its dependents whose recipients its
	 * change changed: a {@code create} for the clients that gain one, a {@code destroy}
	 * for those that lose it. A dependent that this change gave or took (it was a
	 * dependent before or after only) moved by a change of its own, recorded as such.
	 */
	private static List<ScribeEntry> withDependentsMoved(@Nullable PendingScribes pending, List<ScribeEntry> entries,
			State was, State now) {
		if (now.dependents().isEmpty()) {
			return entries;
		}
		List<ScribeEntry> result = new ArrayList<>(entries);
		for (State after : now.dependents()) {
			State before = known(pending, after.key(), was.dependent(after.key()));
			if (before == null || before.recipients().equals(after.recipients())) {
				continue;
			}
			result.addAll(Changes.updated(after.key().klass(), after.json(), after.json(), before.recipients(),
					after.recipients(), null));
			if (pending != null) {
				pending.remember(after.key(), new State(after.key(), after.json(), after.recipients(), List.of()));
			}
		}
		return result;
	}

	/**
	 * Tags scribes recorded while a client scribe is played with it as their cause, so
	 * that the engine learns where the play landed in the log (protocol v2).
	 */
	private static List<ScribeEntry> causedByThePlay(List<ScribeEntry> entries) {
		PlayScope play = PlayScope.current();
		if (play == null || entries.isEmpty()) {
			return entries;
		}
		play.recorded();
		return entries.stream().map((entry) -> entry.causedBy(play.cause())).toList();
	}

	/**
	 * Adds, after the scribe that mirrors what a client sent (the one it gets no echo of),
	 * an update for that client alone with the attributes it did not send as they are now,
	 * such as values the server set or normalised while saving.
	 */
	private static List<ScribeEntry> withUnsentAttributes(List<ScribeEntry> entries, Playing playing) {
		List<ScribeEntry> result = new ArrayList<>(entries.size() + 1);
		for (ScribeEntry entry : entries) {
			result.add(entry);
			Scribe mirror = entry.scribe();
			if (entry.origin() == null || !entry.recipients().includes(playing.who())) {
				continue;
			}
			ObjectNode unsent = JsonNodeFactory.instance.objectNode();
			for (Map.Entry<String, JsonNode> attribute : mirror.attributes().properties()) {
				if (!"id".equals(attribute.getKey())
						&& !sameValue(playing.sent().get(attribute.getKey()), attribute.getValue())) {
					unsent.set(attribute.getKey(), attribute.getValue().deepCopy());
				}
			}
			if (!unsent.isEmpty()) {
				Scribe update = Scribe.update(mirror.klass(), mirror.recordId(), unsent);
				result.add(new ScribeEntry(update, Recipients.only(playing.client()), null, null, entry.audience()));
			}
		}
		return result;
	}

	/**
	 * Whether a value a client sent is the value the server has: equal JSON, numbers
	 * compared by value (the client's 5 may be read as an int where the entity's is a long).
	 */
	private static boolean sameValue(@Nullable JsonNode sent, JsonNode value) {
		return sent != null && sent.equals(ScribeRecorder::compareNumbersByValue, value);
	}

	private static int compareNumbersByValue(JsonNode left, JsonNode right) {
		if (left.isNumber() && right.isNumber()) {
			return left.decimalValue().compareTo(right.decimalValue());
		}
		return left.equals(right) ? 0 : 1;
	}

	private State stateOf(SyncableType<?> type, Object record) {
		ObjectNode json = this.entities.attributesOf(type, record);
		@SuppressWarnings("unchecked")
		SyncroPolicy<Object> policy = ((SyncableType<Object>) type).policy();
		Recipients recipients = policy.recipients(record);
		Assert.state(recipients != null, () -> "The SyncroPolicy of " + type.klass() + " gave no recipients");
		List<State> dependents = new ArrayList<>();
		for (Dependent dependent : policy.dependents(record)) {
			Object dependentRecord = this.entities.snapshots().unproxy(dependent.record());
			SyncableType<Object> dependentType = syncableTypeOf(dependentRecord);
			ObjectNode dependentJson = this.entities.attributesOf(dependentType, dependentRecord);
			Object id = this.entities.snapshots().idOf(dependentRecord);
			Assert.state(id != null, () -> "A dependent " + dependentType.klass() + " of " + type.klass() + " has no id");
			dependents.add(new State(dependentType.key(id), dependentJson, dependent.recipients(), List.of()));
		}
		return new State(new RecordKey(type.klass(), json.get("id").asString()), json, recipients,
				List.copyOf(dependents));
	}

	private SyncableType<Object> syncableTypeOf(Object entity) {
		@SuppressWarnings("unchecked")
		SyncableType<Object> type = (SyncableType<Object>) this.entities.find(entity.getClass());
		if (type == null) {
			throw new IllegalArgumentException(entity.getClass().getName() + " is not a @Syncable entity");
		}
		return type;
	}

	/**
	 * The scribes the current transaction has recorded so far, registered with it on first
	 * use; {@code null} outside a transaction.
	 */
	private @Nullable PendingScribes pending() {
		if (!TransactionSynchronizationManager.isSynchronizationActive()) {
			return null;
		}
		// looked up among the synchronizations, not bound as a resource, so that a
		// suspended outer transaction's scribes stay apart from an inner one's
		for (TransactionSynchronization synchronization : TransactionSynchronizationManager.getSynchronizations()) {
			if (synchronization instanceof PendingScribes pending && pending.isOf(this)) {
				return pending;
			}
		}
		PendingScribes pending = new PendingScribes(this);
		TransactionSynchronizationManager.registerSynchronization(pending);
		return pending;
	}

	private static @Nullable State known(@Nullable PendingScribes pending, RecordKey key, @Nullable State otherwise) {
		return (pending != null && pending.knows(key)) ? pending.known(key) : otherwise;
	}

	/**
	 * A record as clients know it, or will once the scribes recorded so far are appended.
	 * @param key the record
	 * @param json its attributes
	 * @param recipients the clients that receive it
	 * @param dependents the records whose recipients follow from it, as they follow from
	 * this state ({@link SyncroPolicy#dependents})
	 */
	record State(RecordKey key, ObjectNode json, Recipients recipients, List<State> dependents) {

		@Nullable State dependent(RecordKey key) {
			return this.dependents.stream().filter((dependent) -> dependent.key().equals(key)).findFirst().orElse(null);
		}

	}

}
