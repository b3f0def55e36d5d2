package io.syncro.protocol;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tests for {@link FrameEncoder}.
 */
class FrameEncoderTests {

	@Test
	void encodePrefixesTheMessageWithItsLengthAsTwoBigEndianBytes() {
		assertThat(FrameEncoder.encode("abc")).containsExactly(0, 3, 'a', 'b', 'c');
	}

	@Test
	void encodeWritesLengthsAboveOneByteLikeRubysPackN() {
		// [258].pack('n') == "\x01\x02"; [65535].pack('n') == "\xFF\xFF"
		assertThat(FrameEncoder.encode("x".repeat(258))).startsWith(0x01, 0x02).hasSize(260);
		assertThat(FrameEncoder.encode("x".repeat(65535))).startsWith(0xFF, 0xFF).hasSize(65537);
	}

	@Test
	void encodeCountsUtf8BytesNotChars() {
		String message = "é€😀";
		byte[] frame = FrameEncoder.encode(message);
		assertThat(frame).startsWith(0, 9).hasSize(11);
		assertThat(new String(frame, 2, 9, StandardCharsets.UTF_8)).isEqualTo(message);
	}

	@Test
	void encodeAcceptsAMessageOfExactly65535Bytes() {
		String message = "€".repeat(21845);
		byte[] frame = FrameEncoder.encode(message);
		assertThat(frame).hasSize(65537).startsWith(0xFF, 0xFF);
	}

	@Test
	void encodeRejectsAMessageOf65536BytesAsTooLarge() {
		assertThatThrownBy(() -> FrameEncoder.encode("x".repeat(65536))).isInstanceOf(SyncroException.class)
			.hasMessage("The message takes more than 65535 bytes in UTF-8, too large for one frame.")
			.extracting("code")
			.isEqualTo(ErrorCodes.TOO_LARGE);
	}

	@Test
	void encodeRejectsAMessageWhoseCharsFitButWhoseBytesDoNot() {
		// 21846 chars, 65538 bytes
		assertThatThrownBy(() -> FrameEncoder.encode("€".repeat(21846))).isInstanceOf(SyncroException.class)
			.extracting("code")
			.isEqualTo(ErrorCodes.TOO_LARGE);
	}

	@Test
	void encodeRejectsAnEmptyMessageAsBadRequest() {
		assertThatThrownBy(() -> FrameEncoder.encode("")).isInstanceOf(SyncroException.class)
			.hasMessage("An empty message cannot be framed.")
			.extracting("code")
			.isEqualTo(ErrorCodes.BAD_REQUEST);
	}

	@Test
	void encodeHonoursAConfiguredMaximum() {
		assertThat(FrameEncoder.encode("hello", 5)).containsExactly(0, 5, 'h', 'e', 'l', 'l', 'o');
		assertThatThrownBy(() -> FrameEncoder.encode("hello", 4)).isInstanceOf(SyncroException.class)
			.hasMessage("The message takes more than 4 bytes in UTF-8, too large for one frame.")
			.extracting("code")
			.isEqualTo(ErrorCodes.TOO_LARGE);
	}

	@Test
	void encodeRejectsAConfiguredMaximumOutsideOneTo65535() {
		assertThatIllegalArgumentException().isThrownBy(() -> FrameEncoder.encode("hello", 0));
		assertThatIllegalArgumentException().isThrownBy(() -> FrameEncoder.encode("hello", 65536));
	}

	@Test
	void encodeRejectsAnUnpairedSurrogateRatherThanSendingAQuestionMark() {
		assertThatThrownBy(() -> FrameEncoder.encode("ab\uD83D")).isInstanceOf(SyncroException.class)
			.hasMessage("The message holds an unpaired surrogate at index 2 and has no UTF-8 form.")
			.extracting("code")
			.isEqualTo(ErrorCodes.BAD_REQUEST);
		assertThatThrownBy(() -> FrameEncoder.encode("\uDE00ab")).isInstanceOf(SyncroException.class)
			.extracting("code")
			.isEqualTo(ErrorCodes.BAD_REQUEST);
	}

	@Test
	void encodedFramesDecodeToTheSameMessages() {
		FrameDecoder decoder = new FrameDecoder();
		for (String message : new String[] { "{\"type\":\"noop\",\"id\":1}", "ü", "😀 and ✓", "x".repeat(65535) }) {
			assertThat(decoder.feed(FrameEncoder.encode(message))).containsExactly(FrameDecoder.Frame.of(message));
		}
	}

}
