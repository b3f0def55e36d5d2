package io.syncro.testing;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import static io.syncro.testing.WireMessages.json;

/**
 * Scribes as JSON (PROTOCOL.md section 4): building the ones a test sends and reading
 * the ones it receives.
 *
 * @since 0.1.0
 */
public final class Scribes {

	private Scribes() {
	}

	/**
	 * A scribe.
	 * @param id its id: a client scribe id when a client sends it
	 * @param klass the synchronised class
	 * @param type {@code create}, {@code update} or {@code destroy}, or anything for a
	 * test of bad input
	 * @param data the data
	 * @return the scribe
	 */
	public static ObjectNode scribe(long id, String klass, String type, JsonNode data) {
		ObjectNode scribe = json.objectNode().put("id", id).put("klass", klass).put("type", type);
		scribe.set("data", data);
		return scribe;
	}

	/**
	 * A {@code create}.
	 * @param id the scribe's id
	 * @param klass the synchronised class
	 * @param attributes every attribute of the new record, its {@code id} included
	 * @return the scribe
	 */
	public static ObjectNode create(long id, String klass, ObjectNode attributes) {
		return scribe(id, klass, "create", attributes);
	}

	/**
	 * An {@code update}.
	 * @param id the scribe's id
	 * @param klass the synchronised class
	 * @param recordId the record's id
	 * @param changes the attributes that changed
	 * @return the scribe
	 */
	public static ObjectNode update(long id, String klass, String recordId, ObjectNode changes) {
		return scribe(id, klass, "update", json.arrayNode().add(recordId).add(changes));
	}

	/**
	 * A {@code destroy}.
	 * @param id the scribe's id
	 * @param klass the synchronised class
	 * @param recordId the record's id
	 * @return the scribe
	 */
	public static ObjectNode destroy(long id, String klass, String recordId) {
		return scribe(id, klass, "destroy", json.arrayNode().add(recordId));
	}

	/**
	 * The id of the record a scribe changes.
	 * @param scribe the scribe
	 * @return the record's id, or an empty string if the scribe names none
	 */
	public static String recordId(JsonNode scribe) {
		JsonNode data = scribe.path("data");
		return data.isArray() ? data.path(0).asString("") : data.path("id").asString("");
	}

	/**
	 * The ids of scribes.
	 * @param scribes the scribes
	 * @return their ids, in the same order
	 */
	public static List<Long> ids(List<JsonNode> scribes) {
		return scribes.stream().map((scribe) -> scribe.path("id").asLong()).toList();
	}

	/**
	 * How many scribes of a type there are of each record.
	 * @param scribes the scribes
	 * @param type the type to count
	 * @return the counts, by record id
	 */
	public static Map<String, Long> countByRecord(List<JsonNode> scribes, String type) {
		return scribes.stream()
			.filter((scribe) -> WireMessages.isType(scribe, type))
			.collect(Collectors.groupingBy(Scribes::recordId, Collectors.counting()));
	}

}
