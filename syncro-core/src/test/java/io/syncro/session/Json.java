package io.syncro.session;

import java.util.ArrayList;
import java.util.List;

import io.syncro.protocol.MessageCodec;
import io.syncro.scribe.Scribe;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * JSON helpers for the session tests: reading what a session sent, and writing scribes
 * and records as a peer would.
 */
final class Json {

	private Json() {
	}

	static JsonNode parse(String text) {
		return MessageCodec.readTree(text);
	}

	static ObjectNode object(String text) {
		return (ObjectNode) parse(text);
	}

	/**
	 * A scribe's JSON as it travels, read back from text so that numbers compare equal to
	 * those of a parsed message.
	 */
	static JsonNode wire(Scribe scribe) {
		return parse(MessageCodec.writeTree(scribe.toJson()));
	}

	static ObjectNode todo(String id, String title) {
		return JsonNodeFactory.instance.objectNode().put("id", id).put("title", title);
	}

	static ObjectNode todo(String id, String title, String owner) {
		return todo(id, title).put("owner", owner);
	}

	static String createTodo(long scribeId, String recordId, String title) {
		return "{\"id\":" + scribeId + ",\"klass\":\"Todo\",\"type\":\"create\",\"data\":{\"id\":\"" + recordId
				+ "\",\"title\":\"" + title + "\"}}";
	}

	/**
	 * The scribe ids a message carries to its receiver: the scribe of an
	 * {@code add_scribe}, the scribes of a {@code sync} answer; none for other messages.
	 */
	static List<Long> scribeIds(JsonNode message) {
		List<Long> ids = new ArrayList<>();
		String type = message.path("type").asString("");
		if (type.equals("add_scribe")) {
			ids.add(message.get("scribe").get("id").longValue());
		}
		else if (type.equals("response") && message.path("result").isArray()) {
			for (JsonNode scribe : message.get("result")) {
				ids.add(scribe.get("id").longValue());
			}
		}
		return ids;
	}

}
