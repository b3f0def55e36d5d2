package io.syncro.session;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import tools.jackson.databind.JsonNode;

/**
 * A tap that records, in order of arrival, what a client session receives: every
 * message, the ids of every scribe it gets by push or in a {@code sync} answer, and the
 * ids of the pushed ones alone.
 */
final class Arrivals implements Consumer<String> {

	private final List<JsonNode> messages = new ArrayList<>();

	private final List<Long> scribeIds = new ArrayList<>();

	private final List<Long> pushedIds = new ArrayList<>();

	@Override
	public synchronized void accept(String text) {
		JsonNode message = Json.parse(text);
		this.messages.add(message);
		List<Long> ids = Json.scribeIds(message);
		this.scribeIds.addAll(ids);
		if (message.path("type").asString("").equals("add_scribe")) {
			this.pushedIds.addAll(ids);
		}
	}

	synchronized List<JsonNode> messages() {
		return List.copyOf(this.messages);
	}

	synchronized List<Long> scribeIds() {
		return List.copyOf(this.scribeIds);
	}

	synchronized List<Long> pushedIds() {
		return List.copyOf(this.pushedIds);
	}

	synchronized List<JsonNode> scribes() {
		List<JsonNode> scribes = new ArrayList<>();
		for (JsonNode message : this.messages) {
			String type = message.path("type").asString("");
			if (type.equals("add_scribe")) {
				scribes.add(message.get("scribe"));
			}
			else if (type.equals("response") && message.path("result").isArray()) {
				message.get("result").forEach(scribes::add);
			}
		}
		return scribes;
	}

	synchronized List<JsonNode> errors() {
		return this.messages.stream().filter((message) -> message.path("type").asString("").equals("error")).toList();
	}

}
