package io.syncro.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import io.syncro.protocol.FrameDecoder.Frame;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tests for {@link FrameDecoder}.
 */
class FrameDecoderTests {

	private final FrameDecoder decoder = new FrameDecoder();

	@Test
	void feedReturnsAWholeMessage() {
		assertThat(this.decoder.feed(bytes(0, 3, 'a', 'b', 'c'))).containsExactly(Frame.of("abc"));
		assertThat(this.decoder.isAtFrameBoundary()).isTrue();
	}

	@Test
	void feedReturnsNothingUntilAMessageIsWhole() {
		assertThat(this.decoder.feed(new byte[0])).isEmpty();
		assertThat(this.decoder.feed(bytes(0, 3, 'a'))).isEmpty();
		assertThat(this.decoder.isAtFrameBoundary()).isFalse();
		assertThat(this.decoder.feed(bytes('b'))).isEmpty();
		assertThat(this.decoder.feed(bytes('c'))).containsExactly(Frame.of("abc"));
	}

	@Test
	void feedOneByteAtATimeYieldsEveryMessageInOrder() {
		List<String> messages = List.of("{\"type\":\"noop\",\"id\":1}", "é", "{\"type\":\"sync\",\"id\":2,\"from\":null}",
				"😀".repeat(100), "x".repeat(300));
		byte[] stream = stream(messages);
		List<Frame> frames = new ArrayList<>();
		for (byte b : stream) {
			frames.addAll(this.decoder.feed(new byte[] { b }));
		}
		assertThat(frames).extracting(Frame::message).containsExactlyElementsOf(messages);
		assertThat(this.decoder.isAtFrameBoundary()).isTrue();
	}

	@Test
	void feedOfOneBufferHoldingAThousandMessagesYieldsThemAllInOrder() {
		List<String> messages = new ArrayList<>();
		for (int i = 1; i <= 1000; i++) {
			messages.add("{\"type\":\"noop\",\"id\":" + i + "}");
		}
		List<Frame> frames = this.decoder.feed(stream(messages));
		assertThat(frames).extracting(Frame::message).containsExactlyElementsOf(messages);
	}

	@Test
	void feedCopesWithTheTwoPrefixBytesArrivingInSeparateReads() {
		byte[] frame = FrameEncoder.encode("x".repeat(258));
		assertThat(this.decoder.feed(frame, 0, 1)).isEmpty();
		assertThat(this.decoder.feed(frame, 1, 1)).isEmpty();
		assertThat(this.decoder.feed(frame, 2, frame.length - 2)).containsExactly(Frame.of("x".repeat(258)));
	}

	@Test
	void feedCopesWithAPrefixSplitAcrossTheEndOfOneMessageAndTheNext() {
		byte[] stream = stream(List.of("first", "second"));
		// "first" frame is 7 bytes; cut after the first prefix byte of "second"
		assertThat(this.decoder.feed(stream, 0, 8)).containsExactly(Frame.of("first"));
		assertThat(this.decoder.feed(stream, 8, stream.length - 8)).containsExactly(Frame.of("second"));
	}

	@Test
	void feedCopesWithAMultibyteCharacterSplitAcrossReads() {
		byte[] frame = FrameEncoder.encode("a😀b");
		// prefix, 'a', and the first two of the emoji's four bytes
		assertThat(this.decoder.feed(frame, 0, 5)).isEmpty();
		assertThat(this.decoder.feed(frame, 5, frame.length - 5)).containsExactly(Frame.of("a😀b"));
	}

	@Test
	void feedReadsTheLengthAsUtf8BytesNotChars() {
		byte[] utf8 = "ü€😀".getBytes(StandardCharsets.UTF_8);
		assertThat(utf8).hasSize(9);
		assertThat(this.decoder.feed(concat(bytes(0, 9), utf8, bytes(0, 1, 'z'))))
			.containsExactly(Frame.of("ü€😀"), Frame.of("z"));
	}

	@Test
	void feedReadsOnlyTheGivenRangeOfTheArray() {
		byte[] buffer = bytes('?', '?', 0, 2, 'o', 'k', '?');
		assertThat(this.decoder.feed(buffer, 2, 4)).containsExactly(Frame.of("ok"));
		assertThat(this.decoder.isAtFrameBoundary()).isTrue();
	}

	@Test
	void feedRejectsARangeOutsideTheArray() {
		assertThatThrownBy(() -> this.decoder.feed(new byte[4], 2, 3)).isInstanceOf(IndexOutOfBoundsException.class);
		assertThatThrownBy(() -> this.decoder.feed(new byte[4], -1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
	}

	@Test
	void feedOfAByteBufferConsumesEveryRemainingByte() {
		ByteBuffer buffer = ByteBuffer.allocateDirect(16);
		buffer.put(stream(List.of("one", "two"))).put((byte) 0).flip();
		assertThat(this.decoder.feed(buffer)).containsExactly(Frame.of("one"), Frame.of("two"));
		assertThat(buffer.hasRemaining()).isFalse();
		assertThat(this.decoder.feed(ByteBuffer.wrap(bytes(4, 'f', 'o', 'u', 'r')))).containsExactly(Frame.of("four"));
	}

	@Test
	void feedDoesNotKeepTheCallersArray() {
		byte[] buffer = bytes(0, 4, 'a', 'b');
		assertThat(this.decoder.feed(buffer)).isEmpty();
		Arrays.fill(buffer, (byte) 'z');
		assertThat(this.decoder.feed(bytes('c', 'd'))).containsExactly(Frame.of("abcd"));
	}

	@Test
	void zeroLengthFrameIsABadRequestAndDecodingGoesOnWithTheNextBytes() {
		List<Frame> frames = this.decoder.feed(bytes(0, 2, 'h', 'i', 0, 0, 0, 3, 'y', 'o', 'u'));
		assertThat(frames).hasSize(3);
		assertThat(frames.get(0)).isEqualTo(Frame.of("hi"));
		assertThat(frames.get(1).isError()).isTrue();
		assertThat(frames.get(1).message()).isNull();
		assertThat(frames.get(1).error()).hasMessage("A frame declared a length of 0, but a message cannot be empty.")
			.extracting("code")
			.isEqualTo(ErrorCodes.BAD_REQUEST);
		assertThat(frames.get(2)).isEqualTo(Frame.of("you"));
	}

	@Test
	void oversizedFrameIsReportedAsTooLargeAsSoonAsItsPrefixArrives() {
		FrameDecoder small = new FrameDecoder(4);
		List<Frame> frames = small.feed(bytes(0, 5));
		assertThat(frames).singleElement().satisfies((frame) -> {
			assertThat(frame.isError()).isTrue();
			assertThat(frame.error()).hasMessage("A frame declared a message of 5 bytes, over the maximum of 4 bytes.")
				.extracting("code")
				.isEqualTo(ErrorCodes.TOO_LARGE);
		});
		assertThat(small.isAtFrameBoundary()).isFalse();
	}

	@Test
	void oversizedPayloadIsSkippedSoTheNextFrameIsReadInStep() {
		FrameDecoder small = new FrameDecoder(4);
		// the oversized payload itself looks like frames; none of it must be read
		List<Frame> frames = small.feed(bytes(0, 6, 0, 1, 'x', 0, 1, 'y', 0, 2, 'o', 'k'));
		assertThat(frames).hasSize(2);
		assertThat(frames.get(0).error()).extracting("code").isEqualTo(ErrorCodes.TOO_LARGE);
		assertThat(frames.get(1)).isEqualTo(Frame.of("ok"));
		assertThat(small.isAtFrameBoundary()).isTrue();
	}

	@Test
	void oversizedPayloadArrivingInChunksIsSkippedAsItStreamsIn() {
		FrameDecoder decoder = new FrameDecoder(1000);
		byte[] oversized = new byte[2 + 60000];
		oversized[0] = (byte) (60000 >>> 8);
		oversized[1] = (byte) 60000;
		Arrays.fill(oversized, 2, oversized.length, (byte) 0x01);
		byte[] stream = concat(oversized, FrameEncoder.encode("after"));
		List<Frame> frames = new ArrayList<>();
		for (int offset = 0; offset < stream.length; offset += 997) {
			frames.addAll(decoder.feed(stream, offset, Math.min(997, stream.length - offset)));
		}
		assertThat(frames).hasSize(2);
		assertThat(frames.get(0).error()).extracting("code").isEqualTo(ErrorCodes.TOO_LARGE);
		assertThat(frames.get(1)).isEqualTo(Frame.of("after"));
	}

	@Test
	void decoderAcceptsAMessageOfExactlyItsMaximum() {
		assertThat(new FrameDecoder(4).feed(bytes(0, 4, 'f', 'o', 'u', 'r'))).containsExactly(Frame.of("four"));
		String largest = "x".repeat(65535);
		assertThat(this.decoder.feed(FrameEncoder.encode(largest))).containsExactly(Frame.of(largest));
	}

	@Test
	void invalidUtf8IsABadRequestAndDecodingGoesOnWithTheNextFrame() {
		byte[][] invalid = { bytes(0x80), bytes(0xFF, 'a'), bytes(0xC0, 0xAF), bytes(0xE2, 0x82),
				bytes(0xED, 0xA0, 0x80), bytes('a', 0xF4, 0x90, 0x80, 0x80) };
		for (byte[] payload : invalid) {
			byte[] stream = concat(bytes(0, payload.length), payload, FrameEncoder.encode("next"));
			List<Frame> frames = this.decoder.feed(stream);
			assertThat(frames).hasSize(2);
			assertThat(frames.get(0).error())
				.hasMessage("A frame of " + payload.length + " bytes is not valid UTF-8.")
				.extracting("code")
				.isEqualTo(ErrorCodes.BAD_REQUEST);
			assertThat(frames.get(1)).isEqualTo(Frame.of("next"));
		}
	}

	@Test
	void invalidUtf8ArrivingInChunksIsABadRequest() {
		byte[] stream = concat(bytes(0, 4, 'a', 'b'), bytes(0xC3, 0x28), FrameEncoder.encode("next"));
		List<Frame> frames = new ArrayList<>();
		for (byte b : stream) {
			frames.addAll(this.decoder.feed(new byte[] { b }));
		}
		assertThat(frames).hasSize(2);
		assertThat(frames.get(0).error()).extracting("code").isEqualTo(ErrorCodes.BAD_REQUEST);
		assertThat(frames.get(1)).isEqualTo(Frame.of("next"));
	}

	@Test
	void randomGarbageYieldsMessagesOrErrorsButNeverThrows() {
		Random random = new Random(20261127L);
		for (int round = 0; round < 200; round++) {
			FrameDecoder decoder = new FrameDecoder(1 + random.nextInt(65535));
			byte[] garbage = new byte[random.nextInt(200_000)];
			random.nextBytes(garbage);
			int offset = 0;
			while (offset < garbage.length) {
				int length = Math.min(garbage.length - offset, random.nextInt(70_000));
				for (Frame frame : decoder.feed(garbage, offset, length)) {
					if (frame.isError()) {
						assertThat(frame.error()).extracting("code")
							.isIn(ErrorCodes.BAD_REQUEST, ErrorCodes.TOO_LARGE);
					}
					else {
						assertThat(frame.message()).isNotEmpty();
						assertThat(frame.message().getBytes(StandardCharsets.UTF_8).length)
							.isLessThanOrEqualTo(decoder.getMaxMessageBytes());
					}
				}
				offset += length;
			}
		}
	}

	@Test
	void constructorRejectsAMaximumOutsideOneTo65535() {
		assertThatIllegalArgumentException().isThrownBy(() -> new FrameDecoder(0))
			.withMessage("The maximum message size must be from 1 to 65535 bytes, not 0.");
		assertThatIllegalArgumentException().isThrownBy(() -> new FrameDecoder(65536));
		assertThat(new FrameDecoder().getMaxMessageBytes()).isEqualTo(65535);
	}

	@Test
	void frameHoldsEitherAMessageOrAnError() {
		SyncroException error = SyncroException.badRequest("Bad.");
		assertThat(Frame.of("m").isError()).isFalse();
		assertThat(Frame.failed(error).isError()).isTrue();
		assertThatIllegalArgumentException().isThrownBy(() -> new Frame("m", error));
		assertThatIllegalArgumentException().isThrownBy(() -> new Frame(null, null));
	}

	static byte[] bytes(int... values) {
		byte[] bytes = new byte[values.length];
		for (int i = 0; i < values.length; i++) {
			bytes[i] = (byte) values[i];
		}
		return bytes;
	}

	static byte[] concat(byte[]... parts) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (byte[] part : parts) {
			out.writeBytes(part);
		}
		return out.toByteArray();
	}

	static byte[] stream(List<String> messages) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (String message : messages) {
			out.writeBytes(FrameEncoder.encode(message));
		}
		return out.toByteArray();
	}

}
