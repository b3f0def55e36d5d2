package io.syncro.sample.cluster;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import static io.syncro.sample.cluster.SyncClient.json;

/**
 * Building scribes to send and reading the ones received.
 */
final class Scribes {

	private Scribes() {
	}

	static ObjectNode scribe(long id, String klass, String type, JsonNode data) {
		ObjectNode scribe = json.objectNode().put("id", id).put("klass", klass).put("type", type);
		scribe.set("data", data);
		return scribe;
	}

	static ObjectNode createTodo(long id, String recordId, String title) {
		return scribe(id, "Todo", "create", json.objectNode().put("id", recordId).put("title", title).put("done", false));
	}

	static ObjectNode createPage(long id, String recordId, String owner, String title) {
		return scribe(id, "Page", "create",
				json.objectNode().put("id", recordId).put("owner", owner).put("title", title).put("body", "text"));
	}

	static ObjectNode update(long id, String klass, String recordId, ObjectNode changes) {
		return scribe(id, klass, "update", json.arrayNode().add(recordId).add(changes));
	}

	/**
	 * The id of the record a scribe changes.
	 */
	static String recordId(JsonNode scribe) {
		JsonNode data = scribe.path("data");
		return data.isArray() ? data.path(0).asString() : data.path("id").asString();
	}

	static List<Long> ids(List<JsonNode> scribes) {
		return scribes.stream().map((scribe) -> scribe.path("id").asLong()).toList();
	}

	static Map<String, Long> countByRecord(List<JsonNode> scribes, String type) {
		return scribes.stream()
			.filter((scribe) -> scribe.path("type").asString().equals(type))
			.collect(Collectors.groupingBy(Scribes::recordId, Collectors.counting()));
	}

	static <T> Map<T, Long> counts(List<T> values) {
		return values.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
	}

}
