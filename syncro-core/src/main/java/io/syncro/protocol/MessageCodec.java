package io.syncro.protocol;

import java.util.List;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.SerializableString;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.io.CharacterEscapes;
import tools.jackson.core.io.SerializedString;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.BooleanNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads and writes protocol messages as JSON (PROTOCOL.md section 3). Reading checks
 * every field a message type needs and fails with a {@link SyncroException} that can be
 * answered as is: 400 for malformed input, 501 for an unknown type.
 *
 * @since 0.1.0
 */
public final class MessageCodec {

	/** The deepest JSON nesting accepted in one message. */
	public static final int MAX_NESTING_DEPTH = 64;

	private static final JsonMapper mapper = JsonMapper
		.builder(JsonFactory.builder()
			.streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
			.characterEscapes(new SurrogateEscapes())
			.build())
		.build();

	private static final JsonNodeFactory nodes = JsonNodeFactory.instance;

	private MessageCodec() {
	}

	/**
	 * Reads one message.
	 * @param json the message's text
	 * @return the message
	 * @throws SyncroException if the message is malformed (400, with the request id when
	 * it could be read) or of an unknown type (501)
	 */
	public static Message decode(String json) {
		return decode(json, null);
	}

	/**
	 * Reads one message and checks what an rpc names and passes against input limits:
	 * the klass and method lengths, the size and nesting of the arguments. (A scribe's
	 * limits are checked where it is read, by {@link io.syncro.scribe.Scribe#fromJson(JsonNode, InputLimits)},
	 * so that a scribe over them is settled like any malformed scribe.)
	 * @param json the message's text
	 * @param limits the limits, or {@code null} for none beyond the parser's
	 * @return the message
	 * @throws SyncroException if the message is malformed or over a limit (400, with the
	 * request id when it could be read) or of an unknown type (501)
	 */
	public static Message decode(String json, @Nullable InputLimits limits) {
		Message message = read(json);
		if (limits != null && message instanceof Message.Rpc rpc) {
			try {
				limits.checkKlass(rpc.klass());
				limits.checkMethod(rpc.method());
				limits.checkData(rpc.args(), "An rpc's arguments are");
			}
			catch (SyncroException ex) {
				throw new DecodeException(ex.getCode(), ex.getMessage(), rpc.id(), false);
			}
		}
		return message;
	}

	// a client's answer to a push, the most frequent message a server reads: one per push
	private static final String ACK_PREFIX = "{\"type\":\"response\",\"id\":";

	private static final String ACK_SUFFIX = ",\"result\":true}";

	private static Message read(String json) {
		Message.Response ack = ack(json);
		if (ack != null) {
			return ack;
		}
		JsonNode node;
		try {
			node = mapper.readTree(json);
		}
		catch (JacksonException ex) {
			throw SyncroException.badRequest("The message is not valid JSON.");
		}
		if (node == null || !node.isObject()) {
			throw SyncroException.badRequest("A message must be a JSON object.");
		}
		JsonNode type = node.get("type");
		if (type == null || !type.isString()) {
			throw new DecodeException(ErrorCodes.BAD_REQUEST, "A message needs a string type.", node);
		}
		return switch (type.stringValue()) {
			case "sync" -> new Message.Sync(requireId(node), optionalLong(node, "from"), optionalString(node, "epoch"));
			case "add_scribe" -> new Message.AddScribe(requireId(node), requireObject(node, "scribe"));
			case "add_scribes" -> new Message.AddScribes(requireId(node), requireArray(node, "scribes"));
			case "hello" -> new Message.Hello(requireInt(node, "version"), optionalString(node, "epoch"));
			case "rpc" -> new Message.Rpc(requireId(node), requireString(node, "klass"), requireString(node, "method"),
					requireArray(node, "args"));
			case "noop" -> new Message.Noop(requireId(node));
			case "subscribe" -> new Message.Subscribe(requireId(node), requireString(node, "scope"), params(node));
			case "unsubscribe" -> new Message.Unsubscribe(requireId(node), requireString(node, "scope"), params(node));
			case "digest" -> new Message.Digest(requireId(node));
			case "rebuild" -> new Message.Rebuild(requireId(node), requireString(node, "klass"));
			case "records" -> new Message.Records(requireId(node), requireString(node, "klass"),
					optionalBoolean(node, "first"), requireArray(node, "records"), optionalBoolean(node, "more"));
			case "response" -> new Message.Response(requireId(node), nullToJsonNull(node.get("result")),
					optionalBoolean(node, "more"), landing(node));
			case "error" -> new Message.Error(optionalLong(node, "id"), requireInt(node, "code"),
					node.path("message").asString(""), optionalLong(node, "scribe"), optionalLong(node, "expected"));
			default -> throw new DecodeException(ErrorCodes.UNKNOWN_TYPE, unknownType(type.stringValue()).getMessage(),
					node);
		};
	}

	/**
	 * Reads {@code {"type":"response","id":<id>,"result":true}} written exactly so, as
	 * clients answer pushes, without building a tree; anything else is read in full.
	 */
	private static Message.@Nullable Response ack(String json) {
		int digits = json.length() - ACK_PREFIX.length() - ACK_SUFFIX.length();
		if (digits < 1 || digits > 15 || !json.startsWith(ACK_PREFIX) || !json.endsWith(ACK_SUFFIX)) {
			return null;
		}
		long id = 0;
		for (int i = ACK_PREFIX.length(); i < ACK_PREFIX.length() + digits; i++) {
			char c = json.charAt(i);
			if (c < '0' || c > '9' || (c == '0' && digits > 1 && i == ACK_PREFIX.length())) {
				return null;
			}
			id = id * 10 + (c - '0');
		}
		return new Message.Response(id, BooleanNode.TRUE, false);
	}

	/**
	 * Reads only the type and the request id of a message, without building it, to decide
	 * whether the rest is worth reading: the fields of the top-level object are read until
	 * both are found, and the values of the others are skipped, never built.
	 * @param json the message's text
	 * @return the head, or {@code null} when the text is not a JSON object with a string
	 * {@code type}
	 */
	public static @Nullable Head head(String json) {
		try (JsonParser parser = mapper.createParser(json)) {
			if (parser.nextToken() != JsonToken.START_OBJECT) {
				return null;
			}
			String type = null;
			Long id = null;
			boolean idSeen = false;
			while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
				String name = parser.currentName();
				JsonToken value = parser.nextToken();
				if ("type".equals(name) && type == null) {
					if (value != JsonToken.VALUE_STRING) {
						return null;
					}
					type = parser.getString();
				}
				else if ("id".equals(name) && !idSeen) {
					idSeen = true;
					if (value == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
						id = parser.getLongValue();
					}
				}
				else {
					parser.skipChildren();
				}
				if (type != null && idSeen) {
					break;
				}
			}
			return (type != null) ? new Head(type, id) : null;
		}
		catch (JacksonException ex) {
			return null;
		}
	}

	/**
	 * Writes one message.
	 * @param message the message
	 * @return its JSON text
	 */
	public static String encode(Message message) {
		return mapper.writeValueAsString(toJson(message));
	}

	/**
	 * Writes an {@code add_scribe} request around a scribe already written as JSON (a
	 * scribe pushed to many peers is written once).
	 * @param id the request id
	 * @param scribe the scribe's JSON text
	 * @return the message's JSON text
	 */
	public static String addScribe(long id, String scribe) {
		return "{\"type\":\"add_scribe\",\"id\":" + id + ",\"scribe\":" + scribe + "}";
	}

	/**
	 * Writes an {@code add_scribes} request around scribes already written as JSON.
	 * @param id the request id
	 * @param scribes the scribes' JSON texts, in order
	 * @return the message's JSON text
	 */
	public static String addScribes(long id, List<String> scribes) {
		return "{\"type\":\"add_scribes\",\"id\":" + id + ",\"scribes\":[" + commaSeparated(scribes) + "]}";
	}

	/**
	 * Joins JSON texts with commas; a lone text is itself, not a copy (most pushes carry
	 * one scribe, to many connections).
	 */
	private static String commaSeparated(List<String> texts) {
		return (texts.size() == 1) ? texts.get(0) : String.join(",", texts);
	}

	/**
	 * Writes the answer to a {@code sync} around scribes already written as JSON.
	 * @param id the id of the {@code sync} it answers
	 * @param scribes the scribes' JSON texts, oldest first
	 * @param more whether more scribes remain after these
	 * @return the message's JSON text
	 */
	public static String syncAnswer(long id, List<String> scribes, boolean more) {
		return "{\"type\":\"response\",\"id\":" + id + ",\"result\":[" + commaSeparated(scribes) + "]"
				+ (more ? ",\"more\":true}" : "}");
	}

	/**
	 * Reads a JSON value that is not a whole message, such as a stored scribe.
	 * @param json JSON text
	 * @return the value
	 * @throws SyncroException with code 400 if it is not JSON
	 */
	public static JsonNode readTree(String json) {
		try {
			return mapper.readTree(json);
		}
		catch (JacksonException ex) {
			throw SyncroException.badRequest("The value is not valid JSON.");
		}
	}

	/**
	 * Writes a JSON value that is not a whole message.
	 * @param json the value
	 * @return its JSON text
	 */
	public static String writeTree(JsonNode json) {
		return mapper.writeValueAsString(json);
	}

	private static ObjectNode toJson(Message message) {
		ObjectNode json = nodes.objectNode();
		json.put("type", message.type());
		if (message instanceof Message.Sync sync) {
			json.put("id", sync.id());
			json.put("from", sync.from());
			if (sync.epoch() != null) {
				json.put("epoch", sync.epoch());
			}
		}
		else if (message instanceof Message.AddScribe add) {
			json.put("id", add.id());
			json.set("scribe", add.scribe());
		}
		else if (message instanceof Message.Rpc rpc) {
			json.put("id", rpc.id());
			json.put("klass", rpc.klass());
			json.put("method", rpc.method());
			json.set("args", rpc.args());
		}
		else if (message instanceof Message.AddScribes add) {
			json.put("id", add.id());
			json.set("scribes", add.scribes());
		}
		else if (message instanceof Message.ScopeChange change) {
			json.put("id", change.id());
			json.put("scope", change.scope());
			json.set("params", change.params());
		}
		else if (message instanceof Message.Records records) {
			json.put("id", records.id());
			json.put("klass", records.klass());
			if (records.first()) {
				json.put("first", true);
			}
			json.set("records", records.records());
			if (records.more()) {
				json.put("more", true);
			}
		}
		else if (message instanceof Message.Noop noop) {
			json.put("id", noop.id());
		}
		else if (message instanceof Message.Digest digest) {
			json.put("id", digest.id());
		}
		else if (message instanceof Message.Rebuild rebuild) {
			json.put("id", rebuild.id());
			json.put("klass", rebuild.klass());
		}
		else if (message instanceof Message.Hello hello) {
			json.put("version", hello.version());
			if (hello.epoch() != null) {
				json.put("epoch", hello.epoch());
			}
		}
		else if (message instanceof Message.Response response) {
			json.put("id", response.id());
			json.set("result", response.result());
			if (response.more()) {
				json.put("more", true);
			}
			if (response.at() != null) {
				json.set("at", response.at());
			}
		}
		else if (message instanceof Message.Error error) {
			if (error.id() != null) {
				json.put("id", error.id());
			}
			json.put("code", error.code());
			json.put("message", error.message());
			if (error.scribe() != null) {
				json.put("scribe", error.scribe());
			}
			if (error.expected() != null) {
				json.put("expected", error.expected());
			}
		}
		return json;
	}

	/**
	 * The error for a message type the receiver does not know (501), such as one of a newer
	 * protocol version than a connection speaks.
	 * @param type the message's type
	 * @return the error
	 */
	public static SyncroException unknownType(String type) {
		return new SyncroException(ErrorCodes.UNKNOWN_TYPE, "Unknown message type '" + abbreviate(type) + "'.");
	}

	/** A scope's parameters: a JSON object, none when absent or {@code null}. */
	private static JsonNode params(JsonNode node) {
		JsonNode params = node.get("params");
		if (params == null || params.isNull()) {
			return nodes.objectNode();
		}
		if (!params.isObject()) {
			throw invalid(node, "The field 'params' must be an object.");
		}
		return params;
	}

	/**
	 * Writes a {@code records} request around records already written as JSON.
	 * @param id the request id
	 * @param klass the records' klass
	 * @param first whether this batch starts over
	 * @param records the records' JSON texts
	 * @param more whether batches follow
	 * @return the message's JSON text
	 */
	public static String records(long id, String klass, boolean first, List<String> records, boolean more) {
		return "{\"type\":\"records\",\"id\":" + id + ",\"klass\":" + writeTree(nodes.stringNode(klass))
				+ (first ? ",\"first\":true" : "") + ",\"records\":[" + commaSeparated(records) + "]"
				+ (more ? ",\"more\":true}" : "}");
	}

	/** A response's {@code at}: absent, {@code null}, or a server scribe id. */
	private static @Nullable JsonNode landing(JsonNode node) {
		JsonNode at = node.get("at");
		if (at != null && !at.isNull() && (!at.isIntegralNumber() || !at.canConvertToLong())) {
			throw invalid(node, "The field 'at' must be an integer or null.");
		}
		return at;
	}

	private static @Nullable Long requestIdOf(JsonNode node) {
		JsonNode id = node.get("id");
		return (id != null && id.isIntegralNumber() && id.canConvertToLong()) ? id.longValue() : null;
	}

	private static long requireId(JsonNode node) {
		Long id = requestIdOf(node);
		if (id == null) {
			throw invalid(node, "A " + node.get("type").stringValue() + " message needs an integer id.");
		}
		return id;
	}

	private static @Nullable Long optionalLong(JsonNode node, String field) {
		JsonNode value = node.get(field);
		if (value == null || value.isNull()) {
			return null;
		}
		if (!value.isIntegralNumber() || !value.canConvertToLong()) {
			throw invalid(node, "The field '" + field + "' must be an integer or null.");
		}
		return value.longValue();
	}

	private static boolean optionalBoolean(JsonNode node, String field) {
		JsonNode value = node.get(field);
		if (value == null || value.isNull()) {
			return false;
		}
		if (!value.isBoolean()) {
			throw invalid(node, "The field '" + field + "' must be a boolean.");
		}
		return value.booleanValue();
	}

	private static int requireInt(JsonNode node, String field) {
		JsonNode value = node.get(field);
		if (value == null || !value.isIntegralNumber() || !value.canConvertToInt()) {
			throw invalid(node, "The field '" + field + "' must be an integer.");
		}
		return value.intValue();
	}

	private static @Nullable String optionalString(JsonNode node, String field) {
		JsonNode value = node.get(field);
		if (value == null || value.isNull()) {
			return null;
		}
		if (!value.isString()) {
			throw invalid(node, "The field '" + field + "' must be a string or null.");
		}
		return value.stringValue();
	}

	private static String requireString(JsonNode node, String field) {
		JsonNode value = node.get(field);
		if (value == null || !value.isString()) {
			throw invalid(node, "The field '" + field + "' must be a string.");
		}
		return value.stringValue();
	}

	private static ObjectNode requireObject(JsonNode node, String field) {
		JsonNode value = node.get(field);
		if (value == null || !value.isObject()) {
			throw invalid(node, "The field '" + field + "' must be an object.");
		}
		return (ObjectNode) value;
	}

	private static ArrayNode requireArray(JsonNode node, String field) {
		JsonNode value = node.get(field);
		if (value == null || !value.isArray()) {
			throw invalid(node, "The field '" + field + "' must be an array.");
		}
		return (ArrayNode) value;
	}

	private static JsonNode nullToJsonNull(@Nullable JsonNode value) {
		return (value != null) ? value : nodes.nullNode();
	}

	private static DecodeException invalid(JsonNode node, String message) {
		return new DecodeException(ErrorCodes.BAD_REQUEST, message, node);
	}

	private static String abbreviate(String text) {
		if (text.codePointCount(0, text.length()) <= 40) {
			return text;
		}
		return text.substring(0, text.offsetByCodePoints(0, 40)) + "…";
	}

	/**
	 * Writes every surrogate char as a JSON unicode escape. JSON lets a peer send an
	 * unpaired surrogate as an escape, and a string holding one has no UTF-8 form: written
	 * as is, every message carrying it would fail to send and close the connection of
	 * whoever should receive it, on every sync. Escaped, it is plain ASCII on the wire and
	 * reads back unchanged; a pair reads back as the character it encodes.
	 */
	private static final class SurrogateEscapes extends CharacterEscapes {

		private static final int[] ASCII_ESCAPES = CharacterEscapes.standardAsciiEscapesForJSON();

		@Override
		public int[] getEscapeCodesForAscii() {
			return ASCII_ESCAPES;
		}

		@Override
		public @Nullable SerializableString getEscapeSequence(int ch) {
			if (ch < Character.MIN_SURROGATE || ch > Character.MAX_SURROGATE) {
				return null;
			}
			return new SerializedString(String.format("\\u%04x", ch));
		}

	}

	/**
	 * A JSON object that could not be read as a message, with the id of the request it
	 * was, when that much could be read, so the error can answer it.
	 */
	public static final class DecodeException extends SyncroException {

		private final @Nullable Long requestId;

		private final boolean reply;

		DecodeException(int code, String message, JsonNode node) {
			super(code, message);
			this.requestId = requestIdOf(node);
			String type = node.path("type").asString("");
			this.reply = type.equals("response") || type.equals("error");
		}

		DecodeException(int code, String message, @Nullable Long requestId, boolean reply) {
			super(code, message);
			this.requestId = requestId;
			this.reply = reply;
		}

		/**
		 * Whether the message was itself a reply ({@code response} or {@code error}),
		 * which is never answered, so that two peers cannot trade errors forever.
		 * @return whether it was a reply
		 */
		public boolean isReply() {
			return this.reply;
		}

		/**
		 * The id of the request that could not be read.
		 * @return the id or {@code null}
		 */
		public @Nullable Long getRequestId() {
			return this.requestId;
		}

	}

	/**
	 * The type and request id of a message, read by {@link #head(String)}.
	 * @param type the message's type
	 * @param id its integer {@code id}, or {@code null} when it has none
	 */
	public record Head(String type, @Nullable Long id) {

		/**
		 * Whether the message is a reply: a {@code response} or an {@code error}.
		 * @return whether a reply
		 */
		public boolean isReply() {
			return "response".equals(this.type) || "error".equals(this.type);
		}

	}

}
