package io.syncro.play;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import io.syncro.protocol.SyncroException;
import io.syncro.scribe.Changes;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The records of one synchronised class kept as JSON objects in memory, with a player for
 * inbound scribes. Every change, local or played, is handed to a recorder as scribes
 * (typically a {@link io.syncro.store.ScribeLog}'s {@code append}). Useful for tests, for
 * clients and for servers whose state is not in a database.
 *
 * @since 0.1.0
 */
public final class InMemoryRecords implements Player {

	private final String klass;

	private final SyncroPolicy<ObjectNode> policy;

	private final Consumer<List<ScribeEntry>> recorder;

	private final Map<String, ObjectNode> records = new ConcurrentHashMap<>();

	/**
	 * Creates the records of a class.
	 * @param klass the class name
	 * @param policy who receives the records' scribes and who may write
	 * @param recorder takes the scribes of every change
	 */
	public InMemoryRecords(String klass, SyncroPolicy<ObjectNode> policy, Consumer<List<ScribeEntry>> recorder) {
		this.klass = klass;
		this.policy = policy;
		this.recorder = recorder;
	}

	/**
	 * A copy of a record.
	 * @param id the record's id
	 * @return the record
	 */
	public Optional<ObjectNode> get(String id) {
		return Optional.ofNullable(this.records.get(id)).map(ObjectNode::deepCopy);
	}

	/**
	 * Copies of every record.
	 * @return the records
	 */
	public Collection<ObjectNode> all() {
		return this.records.values().stream().map(ObjectNode::deepCopy).toList();
	}

	/**
	 * Creates or replaces a record locally and records it.
	 * @param record every attribute, {@code id} included
	 */
	public void save(ObjectNode record) {
		change(Scribe.create(this.klass, record).recordId(), record.deepCopy(), null);
	}

	/**
	 * Changes some attributes of an existing record locally and records it.
	 * @param id the record's id
	 * @param changes the attributes to set
	 * @throws SyncroException with code 404 if there is no such record
	 */
	public void update(String id, ObjectNode changes) {
		change(id, merged(existing(id), changes), null);
	}

	/**
	 * Removes a record locally and records it; nothing happens if it does not exist.
	 * @param id the record's id
	 */
	public void destroy(String id) {
		change(id, null, null);
	}

	@Override
	public void play(Scribe scribe, String client) {
		if (!scribe.klass().equals(this.klass)) {
			throw new IllegalArgumentException("A " + scribe.klass() + " scribe cannot be played into " + this.klass);
		}
		String id = scribe.recordId();
		synchronized (this) {
			ObjectNode existing = this.records.get(id);
			if (scribe.type() == io.syncro.scribe.ScribeType.UPDATE && existing == null) {
				throw SyncroException.notFound("There is no " + this.klass + " with id " + id + ".");
			}
			if (!this.policy.authorize(scribe, client, (existing != null) ? existing.deepCopy() : null)) {
				throw SyncroException.forbidden("The " + scribe.type().wireName() + " of " + this.klass + " " + id
						+ " is not authorised.");
			}
			ObjectNode after = switch (scribe.type()) {
				case CREATE -> (existing != null) ? merged(existing, scribe.attributes()) : scribe.attributes().deepCopy();
				case UPDATE -> merged(existing, scribe.attributes());
				case DESTROY -> null;
			};
			change(id, after, client);
		}
	}

	private synchronized void change(String id, @Nullable ObjectNode after, @Nullable String origin) {
		ObjectNode before = this.records.get(id);
		List<ScribeEntry> scribes;
		if (after == null) {
			if (before == null) {
				return;
			}
			this.records.remove(id);
			scribes = Changes.destroyed(this.klass, id, this.policy.recipients(before), origin);
		}
		else if (before == null) {
			this.records.put(id, after);
			scribes = Changes.created(this.klass, after, this.policy.recipients(after), origin);
		}
		else {
			this.records.put(id, after);
			scribes = Changes.updated(this.klass, before, after, this.policy.recipients(before),
					this.policy.recipients(after), origin);
		}
		if (!scribes.isEmpty()) {
			PlayScope play = PlayScope.current();
			if (play != null) {
				play.recorded();
				scribes = scribes.stream().map((entry) -> entry.causedBy(play.cause())).toList();
			}
			this.recorder.accept(scribes);
		}
	}

	private ObjectNode existing(String id) {
		ObjectNode existing = this.records.get(id);
		if (existing == null) {
			throw SyncroException.notFound("There is no " + this.klass + " with id " + id + ".");
		}
		return existing;
	}

	private static ObjectNode merged(ObjectNode record, ObjectNode changes) {
		ObjectNode merged = record.deepCopy();
		for (Map.Entry<String, JsonNode> attribute : changes.properties()) {
			merged.set(attribute.getKey(), attribute.getValue().deepCopy());
		}
		return merged;
	}

}
