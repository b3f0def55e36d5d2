package io.syncro.protocol;

import io.syncro.scribe.Scribe;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Tests for {@link InputLimits}: data is measured as compact JSON, nesting counted from
 * the data itself, names by length; the limits apply where a scribe or an rpc is read.
 */
class InputLimitsTests {

	@Test
	void dataIsMeasuredAsCompactJsonWithMultiByteCharactersCounted() {
		String json = "{\"id\":\"t1\",\"title\":\"" + "é".repeat(40) + "\",\"tags\":[1,true,null,-2.5]}";
		JsonNode data = MessageCodec.readTree(json);
		int compact = json.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
		assertThatNoException().isThrownBy(() -> limits(compact, 3).checkData(data, "It is"));
		assertThatExceptionOfType(SyncroException.class).isThrownBy(() -> limits(compact - 1, 3).checkData(data, "It is"))
			.satisfies((ex) -> assertThat(ex.getCode()).isEqualTo(400))
			.withMessage("It is larger than " + (compact - 1) + " bytes.");
	}

	@Test
	void nestingCountsTheDataAsTheFirstLevel() {
		JsonNode twoLevels = MessageCodec.readTree("{\"a\":[1]}");
		JsonNode threeLevels = MessageCodec.readTree("{\"a\":[{}]}");
		assertThatNoException().isThrownBy(() -> limits(1000, 2).checkData(twoLevels, "It is"));
		assertThatExceptionOfType(SyncroException.class).isThrownBy(() -> limits(1000, 2).checkData(threeLevels, "It is"))
			.withMessage("It is nested deeper than 2 levels.");
	}

	@Test
	void aScribeIsReadWithinTheLimitsOrRefused400() {
		InputLimits limits = new InputLimits(64, 2, 64, 4, 4);
		JsonNode fits = MessageCodec.readTree("{\"id\":1,\"klass\":\"Todo\",\"type\":\"destroy\",\"data\":[\"t1\"]}");
		assertThat(Scribe.fromJson(fits, limits).klass()).isEqualTo("Todo");
		JsonNode longKlass = MessageCodec.readTree("{\"id\":1,\"klass\":\"Todos\",\"type\":\"destroy\",\"data\":[\"t1\"]}");
		assertThatExceptionOfType(SyncroException.class).isThrownBy(() -> Scribe.fromJson(longKlass, limits))
			.withMessage("A klass must have 1 to 4 characters.");
		// without limits, only the shape is checked
		assertThat(Scribe.fromJson(longKlass).klass()).isEqualTo("Todos");
	}

	@Test
	void anRpcOverTheLimitsIsADecodeErrorThatKeepsItsRequestId() {
		InputLimits limits = new InputLimits(64, 2, 64, 6, 4);
		String tooLong = "{\"type\":\"rpc\",\"id\":7,\"klass\":\"Syncro\",\"method\":\"hello\",\"args\":[]}";
		assertThatExceptionOfType(MessageCodec.DecodeException.class).isThrownBy(() -> MessageCodec.decode(tooLong, limits))
			.satisfies((ex) -> {
				assertThat(ex.getCode()).isEqualTo(400);
				assertThat(ex.getRequestId()).isEqualTo(7);
				assertThat(ex.isReply()).isFalse();
			});
		assertThat(MessageCodec.decode(tooLong)).isInstanceOf(Message.Rpc.class);
	}

	@Test
	void limitsOutsideWhatTheProtocolAndParserAllowAreRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> new InputLimits(1024, 32, 65, 128, 128));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new InputLimits(1024, InputLimits.MAX_ALLOWED_NESTING_DEPTH + 1, 64, 128, 128));
		assertThatIllegalArgumentException().isThrownBy(() -> new InputLimits(10, 32, 64, 128, 128));
	}

	private static InputLimits limits(int bytes, int depth) {
		return new InputLimits(Math.max(64, bytes), depth, 64, 128, 128);
	}

}
