package io.syncro.client;

import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.Consumer;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The records of one synchronised class as a {@link SyncroClient} sees them: the server's
 * state with this client's pending changes on top. Writes apply at once and are queued
 * for the server; they return when the change is in the local store, not when the server
 * has it (see {@link SyncroClient#whenSettled()}, {@link SyncroClient#onRefused} and
 * {@link SyncroClient#onConflict}).
 * <p>
 * Records are JSON objects converted to {@code T} with the client's
 * {@link JsonMapper}; each has an {@code id} (a new UUID when a created record has none).
 * Safe for use from many threads.
 *
 * @param <T> the record type: {@link ObjectNode}, or a class or record with an
 * {@code id} property
 * @since 0.1.0
 */
public final class SyncroCollection<T> {

	private final SyncroClient client;

	private final String klass;

	private final Class<T> type;

	private final JsonMapper mapper;

	SyncroCollection(SyncroClient client, String klass, Class<T> type, JsonMapper mapper) {
		this.client = client;
		this.klass = klass;
		this.type = type;
		this.mapper = mapper;
	}

	/**
	 * The synchronised class's name.
	 * @return the klass
	 */
	public String klass() {
		return this.klass;
	}

	/**
	 * Creates a record, recording every attribute.
	 * @param record the record; without an id (or with a null one) it gets a new UUID
	 * @return the record as created, with its id
	 * @throws IllegalArgumentException if a record with that id exists, or the record is
	 * not a JSON object or too large for a message
	 */
	public T create(T record) {
		return fromJson(this.client.replica().create(this.klass, toJson(record)));
	}

	/**
	 * Sets some attributes of a record, recording only those whose values differ; a
	 * change that changes nothing records nothing.
	 * @param id the record's id
	 * @param changes the attributes to set, by JSON name
	 * @return the record as changed
	 * @throws NoSuchElementException if there is no such record
	 * @throws IllegalArgumentException if the changes would change the id
	 */
	public T update(String id, Map<String, ?> changes) {
		return fromJson(this.client.replica().update(this.klass, id, toJson(changes)));
	}

	/**
	 * Sets some attributes of a record, recording only those whose values differ.
	 * @param id the record's id
	 * @param changes the attributes to set
	 * @return the record as changed
	 * @throws NoSuchElementException if there is no such record
	 * @throws IllegalArgumentException if the changes would change the id
	 */
	public T update(String id, ObjectNode changes) {
		return fromJson(this.client.replica().update(this.klass, id, changes));
	}

	/**
	 * Creates a record, or replaces the attributes of the record with its id, recording
	 * only those that differ.
	 * @param record the record
	 * @return the record as saved, with its id
	 */
	public T save(T record) {
		return fromJson(this.client.replica().save(this.klass, toJson(record)));
	}

	/**
	 * Removes a record; nothing happens if it does not exist.
	 * @param id the record's id
	 * @return whether a record was removed
	 */
	public boolean destroy(String id) {
		return this.client.replica().destroy(this.klass, id);
	}

	/**
	 * A record as this client sees it.
	 * @param id the record's id
	 * @return the record
	 */
	public Optional<T> get(String id) {
		return this.client.replica().get(this.klass, id).map(this::fromJson);
	}

	/**
	 * Every record as this client sees it, in the order they appeared here.
	 * @return the records
	 */
	public List<T> all() {
		return this.client.replica().all(this.klass).stream().map(this::fromJson).toList();
	}

	/**
	 * Tells a listener of every change to this class's records, local or remote.
	 * @param listener the listener
	 * @return removes the listener when closed
	 */
	public SyncroClient.Registration onChange(Consumer<ChangeEvent<T>> listener) {
		return this.client.onChange((event) -> {
			if (event.klass().equals(this.klass)) {
				listener.accept(event.map(this::fromJson));
			}
		});
	}

	private ObjectNode toJson(Object value) {
		JsonNode json;
		try {
			json = this.mapper.valueToTree(value);
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException("Could not convert " + value + " to JSON: " + ex.getOriginalMessage(), ex);
		}
		if (!(json instanceof ObjectNode object)) {
			throw new IllegalArgumentException("A " + this.klass + " record must be a JSON object");
		}
		return object;
	}

	private T fromJson(ObjectNode json) {
		if (this.type == ObjectNode.class || this.type == JsonNode.class) {
			return this.type.cast(json);
		}
		return this.mapper.treeToValue(json, this.type);
	}

	@Override
	public String toString() {
		return "SyncroCollection[" + this.klass + "]";
	}

}
