package io.syncro.testing;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The messages of the wire protocol as JSON, for a test to send with
 * {@link WireClient#send(ObjectNode)} or to change before it does. Requests carry no
 * {@code id}: the client gives each the next one. Written by hand on purpose, not by the
 * server's codec, so that the tests hold the server to the protocol's text.
 *
 * @since 0.1.0
 */
public final class WireMessages {

	/** Builds the JSON of messages, scribes and records. */
	public static final JsonNodeFactory json = JsonNodeFactory.instance;

	private WireMessages() {
	}

	/**
	 * A {@code sync}: the server's scribes above a position.
	 * @param from the highest server scribe id the client has processed, or {@code null}
	 * @return the request
	 */
	public static ObjectNode sync(@Nullable Long from) {
		return json.objectNode().put("type", "sync").put("from", from);
	}

	/**
	 * An {@code add_scribe}.
	 * @param scribe the scribe, with its client scribe id
	 * @return the request
	 */
	public static ObjectNode addScribe(JsonNode scribe) {
		ObjectNode message = json.objectNode().put("type", "add_scribe");
		message.set("scribe", scribe);
		return message;
	}

	/**
	 * An {@code rpc}.
	 * @param klass the rpc klass
	 * @param method the method
	 * @param args the arguments
	 * @return the request
	 */
	public static ObjectNode rpc(String klass, String method, ArrayNode args) {
		ObjectNode message = json.objectNode().put("type", "rpc").put("klass", klass).put("method", method);
		message.set("args", args);
		return message;
	}

	/**
	 * A {@code noop}: a ping.
	 * @return the request
	 */
	public static ObjectNode noop() {
		return json.objectNode().put("type", "noop");
	}

	/**
	 * A {@code response} to a request of the server.
	 * @param id the request's id
	 * @param result the result
	 * @return the response
	 */
	public static ObjectNode response(long id, JsonNode result) {
		ObjectNode message = json.objectNode().put("type", "response").put("id", id);
		message.set("result", result);
		return message;
	}

	/**
	 * Whether a message is of one of the given types.
	 * @param message the message
	 * @param types the types
	 * @return whether its {@code type} is a string naming one of them
	 */
	public static boolean isType(JsonNode message, String... types) {
		JsonNode type = message.path("type");
		if (type.isString()) {
			for (String each : types) {
				if (type.stringValue().equals(each)) {
					return true;
				}
			}
		}
		return false;
	}

	/**
	 * Whether a message is the reply to a request: a {@code response} or an
	 * {@code error} with the request's id.
	 * @param message the message
	 * @param id the request's id
	 * @return whether it replies to it
	 */
	public static boolean isReplyTo(JsonNode message, long id) {
		return isType(message, "response", "error") && message.path("id").isIntegralNumber()
				&& message.path("id").asLong() == id;
	}

}
