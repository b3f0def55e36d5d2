package io.syncro.scribe;

import java.util.Map;

import io.syncro.protocol.InputLimits;
import io.syncro.protocol.SyncroException;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The record of one change to one record of one synchronised class (PROTOCOL.md section
 * 4). Replaying it on another client reproduces the change there.
 *
 * @param id the scribe id: a server scribe id, or a client scribe id; 0 before a log has
 * assigned one
 * @param klass the synchronised class's name
 * @param type what the change does
 * @param data the change, in the shape its type requires
 * @since 0.1.0
 */
public record Scribe(long id, String klass, ScribeType type, JsonNode data) {

	/** The longest klass name accepted. */
	public static final int MAX_KLASS_LENGTH = 128;

	/** The longest record id accepted, as text. */
	public static final int MAX_RECORD_ID_LENGTH = 128;

	private static final JsonNodeFactory nodes = JsonNodeFactory.instance;

	public Scribe {
		if (klass == null || type == null || data == null) {
			throw new IllegalArgumentException("klass, type and data must not be null");
		}
	}

	/**
	 * A {@code create} of a record with every attribute.
	 * @param klass the class name
	 * @param attributes every attribute, {@code id} included
	 * @return the scribe, without an id
	 */
	public static Scribe create(String klass, ObjectNode attributes) {
		return validated(new Scribe(0, klass, ScribeType.CREATE, attributes));
	}

	/**
	 * An {@code update} of the given attributes.
	 * @param klass the class name
	 * @param recordId the record's id
	 * @param changes only the attributes that changed
	 * @return the scribe, without an id
	 */
	public static Scribe update(String klass, String recordId, ObjectNode changes) {
		ArrayNode data = nodes.arrayNode().add(recordId).add(changes);
		return validated(new Scribe(0, klass, ScribeType.UPDATE, data));
	}

	/**
	 * A {@code destroy} of a record.
	 * @param klass the class name
	 * @param recordId the record's id
	 * @return the scribe, without an id
	 */
	public static Scribe destroy(String klass, String recordId) {
		return validated(new Scribe(0, klass, ScribeType.DESTROY, nodes.arrayNode().add(recordId)));
	}

	/**
	 * Reads and validates a scribe received from a peer.
	 * @param json the scribe's JSON
	 * @return the scribe
	 * @throws SyncroException with code 400 if the shape is bad
	 */
	public static Scribe fromJson(JsonNode json) {
		return fromJson(json, null);
	}

	/**
	 * Reads and validates a scribe received from a peer, within input limits: the length
	 * of its klass, the size and nesting of its data.
	 * @param json the scribe's JSON
	 * @param limits the limits, or {@code null} for the shape checks alone
	 * @return the scribe
	 * @throws SyncroException with code 400 if the shape is bad or a limit is exceeded
	 */
	public static Scribe fromJson(JsonNode json, @Nullable InputLimits limits) {
		if (!json.isObject()) {
			throw SyncroException.badRequest("A scribe must be a JSON object.");
		}
		long id = idOf(json);
		JsonNode klass = json.get("klass");
		if (klass == null || !klass.isString()) {
			throw SyncroException.badRequest("A scribe needs a string klass.");
		}
		JsonNode type = json.get("type");
		ScribeType scribeType = (type != null && type.isString()) ? ScribeType.fromWireName(type.stringValue()) : null;
		if (scribeType == null) {
			throw SyncroException.badRequest("A scribe's type must be create, update or destroy.");
		}
		JsonNode data = json.get("data");
		if (data == null) {
			throw SyncroException.badRequest("A scribe needs data.");
		}
		if (limits != null) {
			limits.checkKlass(klass.stringValue());
			limits.checkData(data, "A scribe's data is");
		}
		return validated(new Scribe(id, klass.stringValue(), scribeType, data));
	}

	/**
	 * The integer id of a scribe's JSON.
	 * @param json a scribe's JSON
	 * @return the id, at least 1
	 * @throws SyncroException with code 400 if there is no valid id
	 */
	public static long idOf(JsonNode json) {
		JsonNode id = json.isObject() ? json.get("id") : null;
		if (id == null || !id.isIntegralNumber() || !id.canConvertToLong() || id.longValue() < 1) {
			throw SyncroException.badRequest("A scribe needs a positive integer id.");
		}
		return id.longValue();
	}

	private static Scribe validated(Scribe scribe) {
		if (scribe.klass.isEmpty() || scribe.klass.length() > MAX_KLASS_LENGTH) {
			throw SyncroException.badRequest("A scribe's klass must have 1 to " + MAX_KLASS_LENGTH + " characters.");
		}
		JsonNode data = scribe.data;
		switch (scribe.type) {
			case CREATE -> {
				if (!data.isObject()) {
					throw SyncroException.badRequest("The data of a create must be an object of attributes.");
				}
				checkRecordId(data.get("id"), "A create's attributes need the record's id.");
			}
			case UPDATE -> {
				if (!data.isArray() || data.size() != 2 || !data.get(1).isObject()) {
					throw SyncroException.badRequest("The data of an update must be [recordId, {attributes}].");
				}
				checkRecordId(data.get(0), "An update must name the record's id.");
				if (data.get(1).has("id")) {
					throw SyncroException.badRequest("An update cannot change a record's id.");
				}
			}
			case DESTROY -> {
				if (!data.isArray() || data.size() != 1) {
					throw SyncroException.badRequest("The data of a destroy must be [recordId].");
				}
				checkRecordId(data.get(0), "A destroy must name the record's id.");
			}
		}
		return scribe;
	}

	private static void checkRecordId(@Nullable JsonNode id, String message) {
		boolean valid = id != null && (id.isString() || (id.isIntegralNumber() && id.canConvertToLong()));
		if (!valid || id.asString().isEmpty() || id.asString().length() > MAX_RECORD_ID_LENGTH) {
			throw SyncroException.badRequest(message);
		}
	}

	/**
	 * This scribe with the given id.
	 * @param newId the id
	 * @return a copy with that id
	 */
	public Scribe withId(long newId) {
		return new Scribe(newId, this.klass, this.type, this.data);
	}

	/**
	 * The id of the record this scribe changes, as text.
	 * @return the record id
	 */
	public String recordId() {
		return switch (this.type) {
			case CREATE -> this.data.get("id").asString();
			case UPDATE, DESTROY -> this.data.get(0).asString();
		};
	}

	/**
	 * The attributes this scribe sets: every attribute of a {@code create}, the changed
	 * ones of an {@code update}, none for a {@code destroy}.
	 * @return the attributes
	 */
	public ObjectNode attributes() {
		return switch (this.type) {
			case CREATE -> (ObjectNode) this.data;
			case UPDATE -> (ObjectNode) this.data.get(1);
			case DESTROY -> nodes.objectNode();
		};
	}

	/**
	 * This scribe's JSON, as sent on the wire.
	 * @return a new JSON object
	 */
	public ObjectNode toJson() {
		ObjectNode json = nodes.objectNode();
		json.put("id", this.id);
		json.put("klass", this.klass);
		json.put("type", this.type.wireName());
		json.set("data", this.data);
		return json;
	}

	@Override
	public String toString() {
		return "Scribe" + Map.of("id", this.id, "klass", this.klass, "type", this.type.wireName(), "data", this.data);
	}

}
