package io.syncro.protocol;

import java.util.List;

import io.syncro.protocol.MessageCodec.DecodeException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tests for {@link MessageCodec}.
 */
class MessageCodecTests {

	private static final JsonNodeFactory nodes = JsonNodeFactory.instance;

	// decoding each message type

	@Test
	void decodeReadsSyncFromAnInteger() {
		assertThat(MessageCodec.decode("{\"type\":\"sync\",\"id\":1,\"from\":42}")).isEqualTo(new Message.Sync(1, 42L));
	}

	@Test
	void decodeReadsSyncFromNullAndFromAbsentAsNull() {
		assertThat(MessageCodec.decode("{\"type\":\"sync\",\"id\":2,\"from\":null}"))
			.isEqualTo(new Message.Sync(2, null));
		assertThat(MessageCodec.decode("{\"type\":\"sync\",\"id\":3}")).isEqualTo(new Message.Sync(3, null));
	}

	@Test
	void decodeReadsAddScribeKeepingTheScribeAsRawJson() {
		Message message = MessageCodec.decode("{\"type\":\"add_scribe\",\"id\":4,\"scribe\":"
				+ "{\"id\":42,\"klass\":\"Todo\",\"type\":\"update\",\"data\":[\"7f0c\",{\"done\":true}]}}");
		assertThat(message).isInstanceOf(Message.AddScribe.class);
		Message.AddScribe add = (Message.AddScribe) message;
		assertThat(add.id()).isEqualTo(4);
		assertThat(add.type()).isEqualTo("add_scribe");
		assertThat(add.scribe()).isEqualTo(MessageCodec
			.readTree("{\"id\":42,\"klass\":\"Todo\",\"type\":\"update\",\"data\":[\"7f0c\",{\"done\":true}]}"));
	}

	@Test
	void decodeReadsRpc() {
		Message message = MessageCodec
			.decode("{\"type\":\"rpc\",\"id\":5,\"klass\":\"Syncro\",\"method\":\"last_scribe_id\",\"args\":[1,\"a\"]}");
		assertThat(message).isEqualTo(new Message.Rpc(5, "Syncro", "last_scribe_id", nodes.arrayNode().add(1).add("a")));
	}

	@Test
	void decodeReadsNoop() {
		assertThat(MessageCodec.decode("{\"type\":\"noop\",\"id\":6}")).isEqualTo(new Message.Noop(6));
	}

	@Test
	void decodeReadsResponseWithAndWithoutMore() {
		assertThat(MessageCodec.decode("{\"type\":\"response\",\"id\":7,\"result\":[{\"id\":1}],\"more\":true}"))
			.isEqualTo(new Message.Response(7, nodes.arrayNode().add(nodes.objectNode().put("id", 1)), true));
		assertThat(MessageCodec.decode("{\"type\":\"response\",\"id\":8,\"result\":true}"))
			.isEqualTo(new Message.Response(8, nodes.booleanNode(true), false));
		assertThat(MessageCodec.decode("{\"type\":\"response\",\"id\":9,\"result\":[],\"more\":false}"))
			.isEqualTo(new Message.Response(9, nodes.arrayNode(), false));
	}

	@Test
	void decodeReadsResponseWithANullOrMissingResultAsJsonNull() {
		assertThat(MessageCodec.decode("{\"type\":\"response\",\"id\":10,\"result\":null}"))
			.isEqualTo(new Message.Response(10, nodes.nullNode(), false));
		assertThat(MessageCodec.decode("{\"type\":\"response\",\"id\":11}"))
			.isEqualTo(new Message.Response(11, nodes.nullNode(), false));
	}

	@Test
	void decodeReadsErrorWithIdScribeAndExpected() {
		assertThat(MessageCodec.decode("{\"type\":\"error\",\"id\":12,\"code\":409,"
				+ "\"message\":\"Expected scribe 3.\",\"scribe\":5,\"expected\":3}"))
			.isEqualTo(new Message.Error(12L, 409, "Expected scribe 3.", 5L, 3L));
	}

	@Test
	void decodeReadsErrorWithoutIdScribeOrExpected() {
		assertThat(MessageCodec.decode("{\"type\":\"error\",\"code\":403,\"message\":\"Not allowed.\"}"))
			.isEqualTo(new Message.Error(null, 403, "Not allowed.", null, null));
	}

	@Test
	void decodeIgnoresUnknownFields() {
		assertThat(MessageCodec.decode("{\"type\":\"noop\",\"id\":13,\"extra\":{\"a\":[1,2]},\"x\":null}"))
			.isEqualTo(new Message.Noop(13));
		assertThat(MessageCodec.decode("{\"version\":2,\"type\":\"sync\",\"id\":14,\"from\":1,\"limit\":5}"))
			.isEqualTo(new Message.Sync(14, 1L));
	}

	// encoding each message type

	@Test
	void encodeWritesSync() {
		assertThat(tree(MessageCodec.encode(new Message.Sync(1, 42L))))
			.isEqualTo(tree("{\"type\":\"sync\",\"id\":1,\"from\":42}"));
		assertThat(tree(MessageCodec.encode(new Message.Sync(2, null))))
			.isEqualTo(tree("{\"type\":\"sync\",\"id\":2,\"from\":null}"));
	}

	@Test
	void encodeWritesAddScribe() {
		ObjectNode scribe = nodes.objectNode().put("id", 42).put("klass", "Todo").put("type", "destroy");
		scribe.putArray("data").add("7f0c");
		assertThat(tree(MessageCodec.encode(new Message.AddScribe(3, scribe)))).isEqualTo(tree(
				"{\"type\":\"add_scribe\",\"id\":3,\"scribe\":{\"id\":42,\"klass\":\"Todo\",\"type\":\"destroy\",\"data\":[\"7f0c\"]}}"));
	}

	@Test
	void encodeWritesRpc() {
		assertThat(tree(MessageCodec.encode(new Message.Rpc(4, "Syncro", "last_scribe_id", nodes.arrayNode()))))
			.isEqualTo(tree("{\"type\":\"rpc\",\"id\":4,\"klass\":\"Syncro\",\"method\":\"last_scribe_id\",\"args\":[]}"));
	}

	@Test
	void encodeWritesNoop() {
		assertThat(tree(MessageCodec.encode(new Message.Noop(5)))).isEqualTo(tree("{\"type\":\"noop\",\"id\":5}"));
	}

	@Test
	void encodeWritesMoreOnlyOnAResponseThatHasMore() {
		assertThat(tree(MessageCodec.encode(new Message.Response(6, nodes.arrayNode().add(1), true))))
			.isEqualTo(tree("{\"type\":\"response\",\"id\":6,\"result\":[1],\"more\":true}"));
		assertThat(tree(MessageCodec.encode(new Message.Response(7, nodes.booleanNode(true), false))))
			.isEqualTo(tree("{\"type\":\"response\",\"id\":7,\"result\":true}"));
	}

	@Test
	void encodeWritesErrorWithOnlyTheFieldsItHas() {
		assertThat(tree(MessageCodec.encode(new Message.Error(8L, 409, "Expected scribe 3.", 5L, 3L)))).isEqualTo(tree(
				"{\"type\":\"error\",\"id\":8,\"code\":409,\"message\":\"Expected scribe 3.\",\"scribe\":5,\"expected\":3}"));
		assertThat(tree(MessageCodec.encode(new Message.Error(null, 403, "Not allowed.", 9L, null))))
			.isEqualTo(tree("{\"type\":\"error\",\"code\":403,\"message\":\"Not allowed.\",\"scribe\":9}"));
		assertThat(tree(MessageCodec.encode(new Message.Error(null, 500, "Internal error.", null, null))))
			.isEqualTo(tree("{\"type\":\"error\",\"code\":500,\"message\":\"Internal error.\"}"));
	}

	@Test
	void everyMessageSurvivesARoundTrip() {
		ArrayNode args = nodes.arrayNode().add("ünïcødé 😀").add(nodes.objectNode().put("quote", "\"\\\n"));
		ObjectNode scribe = nodes.objectNode().put("id", 1).put("klass", "Todo").put("type", "create");
		scribe.putObject("data").put("id", "7f0c").put("title", "Milk");
		List<Message> messages = List.of(new Message.Sync(1, 0L), new Message.Sync(2, Long.MAX_VALUE),
				new Message.Sync(3, null), new Message.AddScribe(4, scribe), new Message.Rpc(5, "Todo", "archive", args),
				new Message.Noop(Long.MAX_VALUE), new Message.Response(7, nodes.nullNode(), false),
				new Message.Response(8, nodes.arrayNode().add(scribe), true),
				new Message.Response(9, nodes.stringNode("text"), false),
				new Message.Error(10L, 409, "Expected scribe 3.", 5L, 3L),
				new Message.Error(null, 400, "The scribe has no id.", null, null));
		for (Message message : messages) {
			assertThat(MessageCodec.decode(MessageCodec.encode(message))).isEqualTo(message);
		}
	}

	// decode failures

	@Test
	void decodeRejectsTextThatIsNotJsonWith400() {
		for (String json : new String[] { "", "   ", "hello", "{\"type\":", "{\"type\":\"noop\",\"id\":1",
				"{type:\"noop\",id:1}", "{\"type\":\"noop\",\"id\":1}}" }) {
			assertThatThrownBy(() -> MessageCodec.decode(json)).as(json)
				.isInstanceOf(SyncroException.class)
				.extracting("code")
				.isEqualTo(ErrorCodes.BAD_REQUEST);
		}
	}

	@Test
	void decodeRejectsJsonThatIsNotAnObjectWith400() {
		for (String json : new String[] { "[1,2]", "\"noop\"", "42", "null", "true" }) {
			assertThatThrownBy(() -> MessageCodec.decode(json)).as(json)
				.isInstanceOf(SyncroException.class)
				.hasMessage("A message must be a JSON object.")
				.extracting("code")
				.isEqualTo(ErrorCodes.BAD_REQUEST);
		}
	}

	@Test
	void decodeRejectsAMissingOrMistypedTypeWith400AndTheRequestId() {
		for (String json : new String[] { "{\"id\":3}", "{\"type\":null,\"id\":3}", "{\"type\":5,\"id\":3}",
				"{\"type\":[\"noop\"],\"id\":3}" }) {
			DecodeException ex = decodeFailure(json);
			assertThat(ex.getCode()).as(json).isEqualTo(ErrorCodes.BAD_REQUEST);
			assertThat(ex.getMessage()).isEqualTo("A message needs a string type.");
			assertThat(ex.getRequestId()).isEqualTo(3L);
			assertThat(ex.isReply()).isFalse();
		}
	}

	@Test
	void decodeRejectsAnUnknownTypeWith501AndTheRequestId() {
		DecodeException ex = decodeFailure("{\"type\":\"frobnicate\",\"id\":7}");
		assertThat(ex.getCode()).isEqualTo(ErrorCodes.UNKNOWN_TYPE);
		assertThat(ex.getMessage()).isEqualTo("Unknown message type 'frobnicate'.");
		assertThat(ex.getRequestId()).isEqualTo(7L);
		assertThat(ex.toMessage(ex.getRequestId()))
			.isEqualTo(new Message.Error(7L, 501, "Unknown message type 'frobnicate'.", null, null));
	}

	@Test
	void decodeAbbreviatesALongUnknownTypeInTheErrorMessage() {
		DecodeException ex = decodeFailure("{\"type\":\"" + "t".repeat(1000) + "\",\"id\":7}");
		assertThat(ex.getCode()).isEqualTo(ErrorCodes.UNKNOWN_TYPE);
		assertThat(ex.getMessage()).isEqualTo("Unknown message type '" + "t".repeat(40) + "…'.");
	}

	@Test
	void decodeRejectsARequestWithAMissingOrNonIntegerIdWith400() {
		for (String type : new String[] { "sync", "add_scribe", "rpc", "noop", "response" }) {
			for (String id : new String[] { "", ",\"id\":null", ",\"id\":\"1\"", ",\"id\":1.5", ",\"id\":1e2",
					",\"id\":true", ",\"id\":18446744073709551616" }) {
				String json = "{\"type\":\"" + type + "\"" + id + "}";
				DecodeException ex = decodeFailure(json);
				assertThat(ex.getCode()).as(json).isEqualTo(ErrorCodes.BAD_REQUEST);
				assertThat(ex.getMessage()).as(json).isEqualTo("A " + type + " message needs an integer id.");
				assertThat(ex.getRequestId()).as(json).isNull();
			}
		}
	}

	@Test
	void decodeRejectsMistypedFieldsWith400AndTheRequestId() {
		assertMistyped("{\"type\":\"sync\",\"id\":20,\"from\":\"5\"}", 20L, "The field 'from' must be an integer or null.");
		assertMistyped("{\"type\":\"sync\",\"id\":21,\"from\":5.5}", 21L, "The field 'from' must be an integer or null.");
		assertMistyped("{\"type\":\"add_scribe\",\"id\":22}", 22L, "The field 'scribe' must be an object.");
		assertMistyped("{\"type\":\"add_scribe\",\"id\":23,\"scribe\":[1]}", 23L, "The field 'scribe' must be an object.");
		assertMistyped("{\"type\":\"rpc\",\"id\":24,\"method\":\"m\",\"args\":[]}", 24L,
				"The field 'klass' must be a string.");
		assertMistyped("{\"type\":\"rpc\",\"id\":25,\"klass\":1,\"method\":\"m\",\"args\":[]}", 25L,
				"The field 'klass' must be a string.");
		assertMistyped("{\"type\":\"rpc\",\"id\":26,\"klass\":\"K\",\"method\":null,\"args\":[]}", 26L,
				"The field 'method' must be a string.");
		assertMistyped("{\"type\":\"rpc\",\"id\":27,\"klass\":\"K\",\"method\":\"m\"}", 27L,
				"The field 'args' must be an array.");
		assertMistyped("{\"type\":\"rpc\",\"id\":28,\"klass\":\"K\",\"method\":\"m\",\"args\":{}}", 28L,
				"The field 'args' must be an array.");
		assertMistyped("{\"type\":\"error\",\"id\":29,\"message\":\"No code.\"}", 29L,
				"The field 'code' must be an integer.");
		assertMistyped("{\"type\":\"error\",\"id\":30,\"code\":\"400\",\"message\":\"m\"}", 30L,
				"The field 'code' must be an integer.");
		assertMistyped("{\"type\":\"error\",\"code\":400,\"message\":\"m\",\"scribe\":\"5\"}", null,
				"The field 'scribe' must be an integer or null.");
		assertMistyped("{\"type\":\"error\",\"code\":409,\"message\":\"m\",\"expected\":[3]}", null,
				"The field 'expected' must be an integer or null.");
		assertMistyped("{\"type\":\"error\",\"id\":\"x\",\"code\":400,\"message\":\"m\"}", null,
				"The field 'id' must be an integer or null.");
	}

	@Test
	void decodeMarksMalformedResponsesAndErrorsAsReplies() {
		assertThat(decodeFailure("{\"type\":\"response\",\"result\":true}").isReply()).isTrue();
		assertThat(decodeFailure("{\"type\":\"error\",\"id\":\"x\",\"code\":400,\"message\":\"m\"}").isReply()).isTrue();
		assertThat(decodeFailure("{\"type\":\"error\",\"id\":1}").isReply()).isTrue();
		assertThat(decodeFailure("{\"type\":\"noop\"}").isReply()).isFalse();
		assertThat(decodeFailure("{\"type\":\"rpc\",\"id\":1}").isReply()).isFalse();
	}

	@Test
	void decodeAcceptsNestingUpToTheLimit() {
		// the message object is level 1, "args" level 2
		String json = "{\"type\":\"rpc\",\"id\":1,\"klass\":\"K\",\"method\":\"m\",\"args\":"
				+ "[".repeat(MessageCodec.MAX_NESTING_DEPTH - 1) + "]".repeat(MessageCodec.MAX_NESTING_DEPTH - 1) + "}";
		assertThat(MessageCodec.decode(json)).isInstanceOf(Message.Rpc.class);
	}

	@Test
	void decodeRejectsNestingDeeperThanTheLimitWith400() {
		for (int depth : new int[] { MessageCodec.MAX_NESTING_DEPTH, 10_000, 1_000_000 }) {
			String json = "{\"type\":\"rpc\",\"id\":1,\"klass\":\"K\",\"method\":\"m\",\"args\":" + "[".repeat(depth)
					+ "]".repeat(depth) + "}";
			assertThatThrownBy(() -> MessageCodec.decode(json)).as("depth %d", depth)
				.isExactlyInstanceOf(SyncroException.class)
				.hasMessage("The message is not valid JSON.")
				.extracting("code")
				.isEqualTo(ErrorCodes.BAD_REQUEST);
		}
	}

	@Test
	void readTreeRejectsNestingDeeperThanTheLimitWith400() {
		String json = "[".repeat(10_000) + "]".repeat(10_000);
		assertThatThrownBy(() -> MessageCodec.readTree(json)).isExactlyInstanceOf(SyncroException.class)
			.extracting("code")
			.isEqualTo(ErrorCodes.BAD_REQUEST);
	}

	@Test
	void readTreeAndWriteTreeRoundTripAValue() {
		JsonNode value = MessageCodec.readTree("{\"id\":1,\"data\":[\"x\",{\"done\":true}]}");
		assertThat(MessageCodec.readTree(MessageCodec.writeTree(value))).isEqualTo(value);
		assertThatThrownBy(() -> MessageCodec.readTree("{")).isInstanceOf(SyncroException.class)
			.extracting("code")
			.isEqualTo(ErrorCodes.BAD_REQUEST);
	}

	@Test
	void aStringWithAnUnpairedSurrogateIsWrittenAsEncodableTextAndReadBackUnchanged() throws Exception {
		// JSON allows "\ud800"; the string it reads has a lone surrogate, which no UTF-8 encoder takes
		Message.AddScribe add = (Message.AddScribe) MessageCodec.decode("{\"type\":\"add_scribe\",\"id\":1,\"scribe\":"
				+ "{\"title\":\"a\\ud800b\\udfff\",\"emoji\":\"\uD83D\uDE00\",\"text\":\"\u00e9\u4e2d\"}}");
		assertThat(add.scribe().path("title").stringValue()).isEqualTo("a\ud800b\udfff");
		String encoded = MessageCodec.encode(add);
		java.nio.charset.StandardCharsets.UTF_8.newEncoder().encode(java.nio.CharBuffer.wrap(encoded));
		assertThat(MessageCodec.decode(encoded)).isEqualTo(add);
		assertThat(MessageCodec.readTree(MessageCodec.writeTree(add.scribe()))).isEqualTo(add.scribe());
		assertThat(encoded).contains("\u00e9\u4e2d");
	}

	private static void assertMistyped(String json, Long requestId, String message) {
		DecodeException ex = decodeFailure(json);
		assertThat(ex.getCode()).as(json).isEqualTo(ErrorCodes.BAD_REQUEST);
		assertThat(ex.getMessage()).as(json).isEqualTo(message);
		assertThat(ex.getRequestId()).as(json).isEqualTo(requestId);
	}

	private static DecodeException decodeFailure(String json) {
		try {
			MessageCodec.decode(json);
		}
		catch (DecodeException ex) {
			return ex;
		}
		throw new AssertionError("Expected " + json + " to fail decoding with a DecodeException");
	}

	private static JsonNode tree(String json) {
		return MessageCodec.readTree(json);
	}

}
