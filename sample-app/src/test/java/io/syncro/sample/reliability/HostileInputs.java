package io.syncro.sample.reliability;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.syncro.protocol.MessageCodec;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A seeded generator of malformed and adversarial input for one connection: text that is
 * not JSON or not an object, wrong types, huge numbers, deep nesting, unknown message
 * types, oversized fields and messages, binary frames, hostile answers to the server's
 * pull, scribes for other clients' records, and broken handshakes. Most scribes carry the
 * id the server expects next, so that they get past the mark check and reach the
 * player and the policies.
 * <p>
 * No generated text contains what the test looks for in replies (class names, the word
 * {@code Exception}, the secret marker), so that an echo of the input is never taken for
 * a leak.
 */
final class HostileInputs {

	private static final JsonNodeFactory json = JsonNodeFactory.instance;

	private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.:";

	private static final List<String> NASTY = List.of("", " ", "\u0000", "\u202e", "\uD83D\uDE00", "\uFFFF", "\uFEFF",
			"'; DROP TABLE todo; --", "<script>alert(1)</script>", "${jndi:ldap://127.0.0.1/a}", "%s%s%n%x",
			"../../../../etc/passwd", "null", "true", "0", "-1", "NaN", "{\"a\":1}", "\\", "\"", "\r\n", "\u00e9\u4e2d\u0416",
			"\u0301\u0301\u0301", "a\u0000b", "#{7*7}", "{{7*7}}", "' OR '1'='1");

	private static final List<String> NUMBERS = List.of("1e400", "-1e400", "123456789012345678901234567890", "-0", "0.5",
			"1.0", "-1", "0", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
			"1E2", "4.9e-324", "2147483648", "1" + "0".repeat(400));

	private static final List<String> NOT_JSON = List.of("", " ", "{", "}", "[", "[1,", "nul", "tru", "\"unterminated",
			"{\"type\":\"noop\",\"id\":1", "{'type':'noop','id':1}", "{\"type\":\"noop\",\"id\":1,}", "NaN", "Infinity",
			"{\"type\":\"noop\" \"id\":1}", "/* c */ {\"type\":\"noop\",\"id\":1}", "{\"type\":\"noop\",\"id\":01}",
			"{\"type\":\"noop\",\"id\":1}{\"type\":\"noop\",\"id\":2}", "{\"type\":\"noop\",\"id\":1} trailing",
			"\uFEFF{\"type\":\"noop\",\"id\":1}", "{\"type\":\"\\ud800\",\"id\":1}", "{\"type\":\"noop\",\"id\":1e99999}",
			"{\"a\":\"\\u00\"}", "{\"a\":\"\\x41\"}", "\u0000", "{\"type\":\"noop\",\"id\":-}", "[]]", "{{}}",
			"{\"type\":\"noop\",\"id\":1,\"id\":\"two\"}", "{\"type\":\"sync\",\"type\":\"noop\",\"id\":1}");

	private static final List<String> TYPES = List.of("sync", "add_scribe", "rpc", "noop", "response", "error");

	/** What an input is. */
	enum Kind {

		/** A text frame. */
		TEXT,

		/** A text frame over the size limit: answered 413 and closed with 1009. */
		OVERSIZED,

		/** A binary frame: the connection is closed with 1003. */
		BINARY,

		/** A raw HTTP handshake on a new TCP connection; the text is the request. */
		HANDSHAKE

	}

	record Input(Kind kind, String text) {
	}

	/**
	 * What the generator knows of the connection it feeds and of the others.
	 */
	static final class Target {

		final String uid;

		/** The user the connection signs in as, who may own Pages. */
		final String user;

		/** Another user, whose Pages the connection must never reach. */
		final String victim;

		final List<String> victimRecords;

		final List<String> sharedRecords;

		final int maxMessageBytes;

		final List<String> ownRecords = new CopyOnWriteArrayList<>();

		volatile long nextScribeId = 1;

		volatile @Nullable Long pendingPull;

		Target(String uid, String user, String victim, List<String> victimRecords, List<String> sharedRecords,
				int maxMessageBytes) {
			this.uid = uid;
			this.user = user;
			this.victim = victim;
			this.victimRecords = victimRecords;
			this.sharedRecords = sharedRecords;
			this.maxMessageBytes = maxMessageBytes;
		}

	}

	private final SplittableRandom random;

	private final Target target;

	private long requestIds;

	HostileInputs(long seed, Target target) {
		this.random = new SplittableRandom(seed);
		this.target = target;
	}

	Input next() {
		long idBefore = this.target.nextScribeId;
		int roll = this.random.nextInt(1000);
		if (roll < 2) {
			return new Input(Kind.BINARY, word());
		}
		if (roll < 5) {
			return new Input(Kind.OVERSIZED, oversized());
		}
		if (roll < 10) {
			return new Input(Kind.HANDSHAKE, handshake());
		}
		String text;
		if (roll < 60) {
			text = pick(NOT_JSON);
		}
		else if (roll < 80) {
			text = pick(List.of("[]", "1", "\"text\"", "null", "true", "[{\"type\":\"noop\",\"id\":1}]", "{}", "-0", "1e400"));
		}
		else if (roll < 100) {
			text = deeplyNested();
		}
		else if (roll < 160) {
			text = hugeNumbers();
		}
		else if (roll < 240) {
			text = MessageCodec.writeTree(wrongTypes());
		}
		else if (roll < 280) {
			text = MessageCodec.writeTree(json.objectNode().put("type", word()).put("id", nextRequestId()));
		}
		else if (roll < 320) {
			text = oversizedFields();
		}
		else if (roll < 740) {
			text = MessageCodec.writeTree(addScribe(scribe()));
		}
		else if (roll < 790) {
			text = MessageCodec.writeTree(sync());
		}
		else if (roll < 840) {
			text = MessageCodec.writeTree(rpc());
		}
		else if (roll < 930) {
			text = MessageCodec.writeTree(reply());
		}
		else {
			text = rawScribeText();
		}
		if (this.random.nextInt(10) == 0) {
			text = mutate(text);
			// a mutated scribe is most often not read at all: the next one takes its id again
			this.target.nextScribeId = idBefore;
		}
		boolean tooLarge = text.getBytes(StandardCharsets.UTF_8).length > this.target.maxMessageBytes;
		return new Input(tooLarge ? Kind.OVERSIZED : Kind.TEXT, text);
	}

	// The categories

	private String oversized() {
		// refused before it is read: the next scribe takes the id this one has
		long id = this.target.nextScribeId;
		String text = oversizedText();
		this.target.nextScribeId = id;
		return text;
	}

	private String oversizedText() {
		int size = this.target.maxMessageBytes + 1 + this.random.nextInt(4096);
		ObjectNode message = (this.random.nextBoolean()) ? json.objectNode().put("type", "noop").put("id", nextRequestId())
				: addScribe(createOf("Todo", freshId()));
		message.put("pad", "x".repeat(size));
		return MessageCodec.writeTree(message);
	}

	private String handshake() {
		String uid = switch (this.random.nextInt(8)) {
			case 0 -> "";
			case 1 -> "server";
			case 2 -> "x".repeat(65);
			case 3 -> URLEncoder.encode(pick(NASTY), StandardCharsets.UTF_8);
			case 4 -> "%00";
			case 5 -> "%ZZ";
			case 6 -> "a%0d%0aSet-Cookie:%20x=1";
			default -> "hs-" + word().replace(' ', '_').replace(':', '_');
		};
		StringBuilder request = new StringBuilder();
		request.append("GET /syncro").append(this.random.nextInt(8) == 0 ? "" : "?client=" + uid).append(" HTTP/1.1\r\n");
		request.append("Host: 127.0.0.1\r\n");
		// mostly as a signed-in user, so that what follows reaches the handshake's own checks
		switch (this.random.nextInt(4)) {
			case 0 -> {
			}
			case 1 -> request.append("Authorization: Basic ").append(base64("alice:wrong")).append("\r\n");
			default -> request.append("Authorization: Basic ").append(base64("alice:alice-secret")).append("\r\n");
		}
		if (this.random.nextInt(6) != 0) {
			request.append("Upgrade: websocket\r\nConnection: Upgrade\r\n");
		}
		switch (this.random.nextInt(4)) {
			case 0 -> request.append("Sec-WebSocket-Key: ").append(word()).append("\r\n");
			case 1 -> {
			}
			default -> request.append("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n");
		}
		request.append("Sec-WebSocket-Version: ").append(pick(List.of("13", "8", "x", "99999999999"))).append("\r\n");
		switch (this.random.nextInt(4)) {
			case 0 -> request.append("Origin: http://evil.example\r\n");
			case 1 -> request.append("Origin: ").append(word()).append("\r\n");
			default -> {
			}
		}
		request.append("Connection: close\r\n\r\n");
		return request.toString();
	}

	private static String base64(String text) {
		return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
	}

	private String deeplyNested() {
		int depth = 50 + this.random.nextInt((this.random.nextBoolean()) ? 30 : 20000);
		String open = this.random.nextBoolean() ? "[" : "{\"a\":";
		String close = open.equals("[") ? "]" : "}";
		String nested = open.repeat(depth) + "1" + close.repeat(depth);
		return switch (this.random.nextInt(4)) {
			case 0 -> nested;
			case 1 -> "{\"type\":\"rpc\",\"id\":" + nextRequestId() + ",\"klass\":\"Syncro\",\"method\":\"last_scribe_id\",\"args\":["
					+ nested + "]}";
			case 2 -> "{\"type\":\"add_scribe\",\"id\":" + nextRequestId() + ",\"scribe\":{\"id\":" + this.target.nextScribeId
					+ ",\"klass\":\"Todo\",\"type\":\"create\",\"data\":{\"id\":\"" + freshId() + "\",\"title\":" + nested
					+ ",\"done\":false}}}";
			default -> "{\"type\":\"noop\",\"id\":" + nextRequestId() + ",\"extra\":" + nested + "}";
		};
	}

	private String hugeNumbers() {
		String number = pick(NUMBERS);
		return switch (this.random.nextInt(7)) {
			case 0 -> "{\"type\":\"noop\",\"id\":" + number + "}";
			case 1 -> "{\"type\":\"sync\",\"id\":" + nextRequestId() + ",\"from\":" + number + "}";
			case 2 -> "{\"type\":\"add_scribe\",\"id\":" + nextRequestId() + ",\"scribe\":{\"id\":" + number
					+ ",\"klass\":\"Todo\",\"type\":\"destroy\",\"data\":[\"" + freshId() + "\"]}}";
			case 3 -> "{\"type\":\"add_scribe\",\"id\":" + nextRequestId() + ",\"scribe\":{\"id\":" + takeScribeId()
					+ ",\"klass\":\"Todo\",\"type\":\"create\",\"data\":{\"id\":" + number + ",\"title\":\"n\",\"done\":" + number
					+ "}}}";
			case 4 -> "{\"type\":\"add_scribe\",\"id\":" + nextRequestId() + ",\"scribe\":{\"id\":" + takeScribeId()
					+ ",\"klass\":\"Todo\",\"type\":\"update\",\"data\":[" + number + ",{\"title\":" + number + "}]}}";
			case 5 -> "{\"type\":\"error\",\"id\":" + number + ",\"code\":" + number + ",\"scribe\":" + number + "}";
			default -> "{\"type\":\"response\",\"id\":" + number + ",\"result\":" + number + "}";
		};
	}

	private ObjectNode wrongTypes() {
		ObjectNode message = json.objectNode();
		message.set("type", (this.random.nextInt(3) == 0) ? anyValue(2) : json.stringNode(pick(TYPES)));
		message.set("id", (this.random.nextInt(3) == 0) ? json.numberNode(nextRequestId()) : anyValue(2));
		for (String field : List.of("from", "scribe", "klass", "method", "args", "result", "more", "code", "message")) {
			if (this.random.nextInt(3) == 0) {
				message.set(field, anyValue(2));
			}
		}
		return message;
	}

	private String oversizedFields() {
		int budget = this.target.maxMessageBytes / 2;
		String big = "y".repeat(1 + this.random.nextInt(budget));
		return switch (this.random.nextInt(6)) {
			case 0 -> MessageCodec.writeTree(json.objectNode().put("type", big).put("id", nextRequestId()));
			case 1 -> MessageCodec.writeTree(rpcOf(big, big));
			case 2 -> MessageCodec.writeTree(addScribe(scribeOf(takeScribeId(), big, "create",
					json.objectNode().put("id", freshId()).put("title", "t").put("done", false))));
			case 3 -> MessageCodec.writeTree(addScribe(scribeOf(takeScribeId(), "Todo", "create",
					json.objectNode().put("id", big).put("title", "t").put("done", false))));
			case 4 -> {
				ObjectNode attributes = json.objectNode().put("id", freshId()).put("title", "many").put("done", false);
				int count = 1 + this.random.nextInt(2000);
				for (int i = 0; i < count; i++) {
					attributes.put("a" + i, i);
				}
				yield MessageCodec.writeTree(addScribe(scribeOf(takeScribeId(), "Todo", "create", attributes)));
			}
			default -> MessageCodec.writeTree(addScribe(scribeOf(takeScribeId(), "Page", "create",
					json.objectNode().put("id", freshId()).put("owner", this.target.user).put("title", "big").put("body", big))));
		};
	}

	private ObjectNode sync() {
		ObjectNode sync = json.objectNode().put("type", "sync").put("id", nextRequestId());
		switch (this.random.nextInt(6)) {
			case 0 -> {
			}
			case 1 -> sync.putNull("from");
			case 2 -> sync.put("from", this.random.nextLong(0, 1_000_000));
			case 3 -> sync.put("from", Long.MAX_VALUE);
			case 4 -> sync.put("from", -this.random.nextLong(1, Long.MAX_VALUE));
			default -> sync.set("from", anyValue(1));
		}
		return sync;
	}

	private ObjectNode rpc() {
		return switch (this.random.nextInt(5)) {
			case 0 -> rpcOf("Syncro", "last_scribe_id");
			case 1 -> rpcOf("Syncro", word());
			case 2 -> rpcOf(pick(List.of("Todo", "Page", "Object", "Runtime", "System", "Thread")),
					pick(List.of("getClass", "exit", "halt", "findAll", "deleteAll", "hashCode", "wait")));
			case 3 -> rpcOf(word(), word());
			default -> {
				ObjectNode rpc = rpcOf("Syncro", "last_scribe_id");
				rpc.set("args", anyValue(3));
				yield rpc;
			}
		};
	}

	private ObjectNode rpcOf(String klass, String method) {
		ObjectNode rpc = json.objectNode().put("type", "rpc").put("id", nextRequestId()).put("klass", klass).put("method", method);
		rpc.set("args", json.arrayNode());
		return rpc;
	}

	/**
	 * A reply to nothing, or a hostile answer to the server's pull: the server plays every
	 * scribe in it.
	 */
	private ObjectNode reply() {
		Long pull = this.target.pendingPull;
		boolean answersPull = pull != null && this.random.nextInt(3) != 0;
		long id = answersPull ? pull : this.random.nextLong(-5, 1_000_000);
		if (answersPull) {
			// the server takes the first answer to its pull; it sends a new one when it pulls again
			this.target.pendingPull = null;
		}
		if (this.random.nextInt(5) == 0) {
			ObjectNode error = json.objectNode().put("type", "error").put("id", id).put("code", pick(List.of(400, 403, 409, 500, 501)));
			error.set("message", anyValue(1));
			if (this.random.nextBoolean()) {
				error.put("scribe", this.random.nextLong(0, 100));
			}
			return error;
		}
		ObjectNode response = json.objectNode().put("type", "response").put("id", id);
		if (this.random.nextInt(4) == 0) {
			response.set("result", anyValue(3));
		}
		else {
			ArrayNode scribes = json.arrayNode();
			int count = this.random.nextInt(8);
			for (int i = 0; i < count; i++) {
				scribes.add((this.random.nextInt(8) == 0) ? anyValue(2) : scribe(answersPull));
			}
			response.set("result", scribes);
		}
		if (this.random.nextInt(4) == 0) {
			response.set("more", (this.random.nextBoolean()) ? json.booleanNode(true) : anyValue(1));
		}
		return response;
	}

	/**
	 * A scribe written as raw text, with escapes no JSON writer produces: lone surrogates,
	 * control characters, overlong escapes.
	 */
	private String rawScribeText() {
		String title = pick(List.of("\\ud800", "\\udfff", "a\\ud800b", "\\u0000", "\\u001f", "\\ud83d\\ude00", "\\u202e",
				"\\\\", "\\/", "\\b\\f\\n\\r\\t"));
		return "{\"type\":\"add_scribe\",\"id\":" + nextRequestId() + ",\"scribe\":{\"id\":" + takeScribeId()
				+ ",\"klass\":\"Todo\",\"type\":\"create\",\"data\":{\"id\":\"" + freshId() + "\",\"title\":\"" + title
				+ "\",\"done\":false}}}";
	}

	private String mutate(String text) {
		if (text.isEmpty()) {
			return "\u0000";
		}
		int at = this.random.nextInt(text.length());
		return switch (this.random.nextInt(5)) {
			case 0 -> text.substring(0, at);
			case 1 -> text.substring(0, at) + pick(List.of("\"", "{", "]", ",", ":", "\\", "\u0000", "\u00ff")) + text.substring(at);
			case 2 -> text.substring(0, at) + text.substring(Math.min(text.length(), at + 1));
			case 3 -> text + text;
			default -> text.startsWith("{") ? "{\"type\":\"noop\"," + text.substring(1) : text;
		};
	}

	// Scribes

	private ObjectNode addScribe(JsonNode scribe) {
		ObjectNode add = json.objectNode().put("type", "add_scribe").put("id", nextRequestId());
		add.set("scribe", scribe);
		return add;
	}

	private JsonNode scribe() {
		return scribe(true);
	}

	/**
	 * A scribe, most often with the id the server expects next; only a scribe the server
	 * will look at takes that id, or the ones after it would all be out of order.
	 */
	private JsonNode scribe(boolean sent) {
		JsonNode id;
		int roll = this.random.nextInt(100);
		if (roll < 80) {
			id = json.numberNode(sent ? takeScribeId() : this.target.nextScribeId);
		}
		else if (roll < 85) {
			id = json.numberNode(Math.max(1, this.target.nextScribeId - 1 - this.random.nextInt(50)));
		}
		else if (roll < 90) {
			id = json.numberNode(this.target.nextScribeId + 1 + this.random.nextInt(5));
		}
		else {
			id = anyValue(1);
		}
		String klass = klass();
		String type = switch (this.random.nextInt(10)) {
			case 0, 1, 2 -> "create";
			case 3, 4, 5, 6 -> "update";
			case 7, 8 -> "destroy";
			default -> pick(List.of("", "drop", "CREATE", "upsert", "delete", "read"));
		};
		JsonNode data = switch (type) {
			case "create" -> createData(klass);
			case "update" -> updateData(klass);
			case "destroy" -> destroyData();
			default -> anyValue(2);
		};
		if (this.random.nextInt(12) == 0) {
			data = anyValue(3);
		}
		ObjectNode scribe = json.objectNode();
		if (this.random.nextInt(25) != 0) {
			scribe.set("id", id);
		}
		if (this.random.nextInt(25) != 0) {
			scribe.put("klass", klass);
		}
		if (this.random.nextInt(25) != 0) {
			scribe.put("type", type);
		}
		if (this.random.nextInt(25) != 0) {
			scribe.set("data", data);
		}
		return scribe;
	}

	private ObjectNode createOf(String klass, String recordId) {
		return scribeOf(takeScribeId(), klass, "create",
				json.objectNode().put("id", recordId).put("title", "t").put("done", false));
	}

	private static ObjectNode scribeOf(long id, String klass, String type, JsonNode data) {
		ObjectNode scribe = json.objectNode().put("id", id).put("klass", klass).put("type", type);
		scribe.set("data", data);
		return scribe;
	}

	private String klass() {
		int roll = this.random.nextInt(100);
		if (roll < 45) {
			return "Todo";
		}
		if (roll < 80) {
			return "Page";
		}
		return pick(List.of("", "Syncro", "todo", "PAGE", "Object", "Nope", " Todo", "Todo\u0000", word(), "k".repeat(129)));
	}

	private ObjectNode createData(String klass) {
		String recordId = recordIdText();
		ObjectNode attributes = json.objectNode();
		if (this.random.nextInt(15) != 0) {
			attributes.set("id", (this.random.nextInt(15) == 0) ? anyValue(1) : json.stringNode(recordId));
		}
		if (this.random.nextInt(6) != 0) {
			attributes.set("title", title());
		}
		if (klass.equals("Page") || this.random.nextInt(8) == 0) {
			if (this.random.nextInt(8) != 0) {
				attributes.set("owner", owner());
			}
			if (this.random.nextInt(3) != 0) {
				attributes.set("body", body());
			}
		}
		if (!klass.equals("Page") || this.random.nextInt(8) == 0) {
			if (this.random.nextInt(6) != 0) {
				attributes.set("done", done());
			}
		}
		if (this.random.nextInt(8) == 0) {
			attributes.set(pick(List.of("colour", "ID", "__proto__", "constructor", "class", "hibernateLazyInitializer", "")),
					anyValue(2));
		}
		if (recordId.startsWith("fz-")) {
			this.target.ownRecords.add(recordId);
		}
		return attributes;
	}

	private ArrayNode updateData(String klass) {
		ArrayNode data = json.arrayNode();
		data.add(recordId());
		ObjectNode changes = json.objectNode();
		int count = this.random.nextInt(4);
		for (int i = 0; i < count; i++) {
			switch (this.random.nextInt(klass.equals("Page") ? 6 : 5)) {
				case 0, 1 -> changes.set("title", title());
				case 2 -> changes.set("done", done());
				case 3 -> changes.set(pick(List.of("id", "owner", "colour", "version", "")), anyValue(1));
				case 4 -> changes.set("owner", owner());
				default -> changes.set("body", body());
			}
		}
		data.add(changes);
		switch (this.random.nextInt(12)) {
			case 0 -> data.remove(1);
			case 1 -> data.add(anyValue(1));
			case 2 -> data.set(1, anyValue(1));
			default -> {
			}
		}
		return data;
	}

	private ArrayNode destroyData() {
		ArrayNode data = json.arrayNode().add(recordId());
		if (this.random.nextInt(12) == 0) {
			data.add(recordId());
		}
		return data;
	}

	private JsonNode recordId() {
		return (this.random.nextInt(12) == 0) ? anyValue(1) : json.stringNode(recordIdText());
	}

	private String recordIdText() {
		int roll = this.random.nextInt(100);
		if (roll < 30 && !this.target.victimRecords.isEmpty()) {
			return pick(this.target.victimRecords);
		}
		if (roll < 45 && !this.target.sharedRecords.isEmpty()) {
			return pick(this.target.sharedRecords);
		}
		if (roll < 70 && !this.target.ownRecords.isEmpty()) {
			return pick(this.target.ownRecords);
		}
		if (roll < 88) {
			return freshId();
		}
		return pick(List.of("", " ", "x".repeat(129), "x".repeat(128), "../x", "\u4e2d\u6587", "\uD83D\uDE00", "%", "'", "0",
				"-1", "null"));
	}

	private String freshId() {
		return "fz-" + new UUID(this.random.nextLong(), this.random.nextLong());
	}

	private JsonNode title() {
		int roll = this.random.nextInt(100);
		if (roll < 60) {
			String title = word();
			return json.stringNode(title.isEmpty() ? "t" : title);
		}
		if (roll < 70) {
			return json.stringNode(pick(NASTY));
		}
		if (roll < 80) {
			return json.stringNode("t".repeat(pick(List.of(500, 501, 2000, 10000))));
		}
		return anyValue(2);
	}

	private JsonNode done() {
		return (this.random.nextInt(10) < 7) ? json.booleanNode(this.random.nextBoolean()) : anyValue(1);
	}

	private JsonNode owner() {
		int roll = this.random.nextInt(10);
		if (roll < 4) {
			return json.stringNode(this.target.user);
		}
		if (roll < 7) {
			return json.stringNode(this.target.victim);
		}
		// an owner is a user: the connection's own uid is no owner it may write
		return (roll == 7)
				? json.stringNode(pick(List.of("", "server", "x".repeat(65), "bad uid!", "\u0000", this.target.uid)))
				: anyValue(1);
	}

	private JsonNode body() {
		return (this.random.nextInt(5) == 0) ? anyValue(1) : json.stringNode("b".repeat(this.random.nextInt(200)));
	}

	/**
	 * Any JSON value, nested at most this deep.
	 */
	private JsonNode anyValue(int depth) {
		int roll = this.random.nextInt((depth > 0) ? 12 : 10);
		return switch (roll) {
			case 0 -> json.nullNode();
			case 1 -> json.booleanNode(this.random.nextBoolean());
			case 2 -> json.numberNode(this.random.nextLong());
			case 3 -> json.numberNode(this.random.nextDouble() * Math.pow(10, this.random.nextInt(-300, 300)));
			case 4 -> json.numberNode(new java.math.BigInteger(130, new java.util.Random(this.random.nextLong())));
			case 5 -> json.numberNode(new java.math.BigDecimal("1e" + this.random.nextInt(-2000, 2000)));
			case 6 -> json.stringNode(word());
			case 7 -> json.stringNode(pick(NASTY));
			case 8 -> json.numberNode(pick(List.of(0L, -1L, 1L, Long.MAX_VALUE, Long.MIN_VALUE)));
			case 9 -> json.stringNode(String.valueOf(this.random.nextInt()));
			case 10 -> {
				ArrayNode array = json.arrayNode();
				int count = this.random.nextInt(4);
				for (int i = 0; i < count; i++) {
					array.add(anyValue(depth - 1));
				}
				yield array;
			}
			default -> {
				ObjectNode object = json.objectNode();
				int count = this.random.nextInt(4);
				for (int i = 0; i < count; i++) {
					object.set(word(), anyValue(depth - 1));
				}
				yield object;
			}
		};
	}

	// Helpers

	private long takeScribeId() {
		long id = this.target.nextScribeId;
		this.target.nextScribeId = id + 1;
		return id;
	}

	private long nextRequestId() {
		return ++this.requestIds;
	}

	private String word() {
		int length = this.random.nextInt(21);
		StringBuilder word = new StringBuilder(length);
		for (int i = 0; i < length; i++) {
			word.append(ALPHABET.charAt(this.random.nextInt(ALPHABET.length())));
		}
		return word.toString();
	}

	private <T> T pick(List<T> values) {
		return values.get(this.random.nextInt(values.size()));
	}

}
