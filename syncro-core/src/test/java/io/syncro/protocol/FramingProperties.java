package io.syncro.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import io.syncro.protocol.FrameDecoder.Frame;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties of {@link FrameEncoder} and {@link FrameDecoder} together: however a
 * stream is cut into reads, the same frames come out.
 */
class FramingProperties {

	@Property
	void encodedMessagesCutAnywhereDecodeToTheSameMessages(@ForAll("messages") List<String> messages,
			@ForAll @Size(max = 40) List<@IntRange(min = 0, max = Integer.MAX_VALUE) Integer> cuts) {
		byte[] stream = concat(messages.stream().map(FrameEncoder::encode).toList());
		List<Frame> frames = new ArrayList<>();
		FrameDecoder decoder = new FrameDecoder();
		for (byte[] chunk : cut(stream, cuts)) {
			frames.addAll(decoder.feed(chunk));
		}
		assertThat(frames).extracting(Frame::message).containsExactlyElementsOf(messages);
		assertThat(decoder.isAtFrameBoundary()).isTrue();
	}

	@Property
	void badFramesAmongGoodOnesAreReportedInPlaceAndTheRestStillDecode(
			@ForAll("framesWithBadOnes") List<Object> frames,
			@ForAll @Size(max = 40) List<@IntRange(min = 0, max = Integer.MAX_VALUE) Integer> cuts) {
		int max = 100;
		List<byte[]> encoded = new ArrayList<>();
		List<Object> expected = new ArrayList<>();
		for (Object frame : frames) {
			if (frame instanceof String message) {
				encoded.add(FrameEncoder.encode(message));
				expected.add(message);
			}
			else {
				// a bad frame: a declared length of 0 or over the maximum, with its payload
				int length = (Integer) frame;
				byte[] bad = new byte[2 + length];
				bad[0] = (byte) (length >>> 8);
				bad[1] = (byte) length;
				encoded.add(bad);
				expected.add((length == 0) ? ErrorCodes.BAD_REQUEST : ErrorCodes.TOO_LARGE);
			}
		}
		FrameDecoder decoder = new FrameDecoder(max);
		List<Object> actual = new ArrayList<>();
		for (byte[] chunk : cut(concat(encoded), cuts)) {
			for (Frame frame : decoder.feed(chunk)) {
				actual.add(frame.isError() ? (Object) frame.error().getCode() : frame.message());
			}
		}
		assertThat(actual).containsExactlyElementsOf(expected);
	}

	@Property
	void anyBytesDecodeTheSameHoweverTheyAreCutAndNeverThrow(@ForAll @Size(max = 3000) byte[] bytes,
			@ForAll @IntRange(min = 1, max = 65535) int max,
			@ForAll @Size(max = 40) List<@IntRange(min = 0, max = Integer.MAX_VALUE) Integer> cuts) {
		List<String> whole = describe(new FrameDecoder(max).feed(bytes));
		FrameDecoder decoder = new FrameDecoder(max);
		List<String> pieces = new ArrayList<>();
		for (byte[] chunk : cut(bytes, cuts)) {
			pieces.addAll(describe(decoder.feed(chunk)));
		}
		assertThat(pieces).isEqualTo(whole);
	}

	@Provide
	Arbitrary<List<String>> messages() {
		return message().list().ofMaxSize(30);
	}

	@Provide
	Arbitrary<List<Object>> framesWithBadOnes() {
		Arbitrary<Object> good = text(25).filter((text) -> utf8Length(text) <= 100).map((text) -> (Object) text);
		Arbitrary<Object> empty = Arbitraries.just(0);
		Arbitrary<Object> oversized = Arbitraries.integers().between(101, 3000).map((length) -> (Object) length);
		return Arbitraries.frequencyOf(Tuple.of(6, good), Tuple.of(1, empty),
				Tuple.of(2, oversized))
			.list()
			.ofMaxSize(30);
	}

	/**
	 * Any valid message text: arbitrary Unicode, JSON-like messages, and now and then one
	 * as long as a frame can hold.
	 */
	private Arbitrary<String> message() {
		return Arbitraries.frequencyOf(Tuple.of(10, text(2000)), Tuple.of(10, json()),
				Tuple.of(1, Arbitraries.integers().between(65000, 65535).map("x"::repeat)));
	}

	/** 1 to {@code max} code points, mostly ASCII, some from the rest of the BMP and beyond. */
	private Arbitrary<String> text(int max) {
		Arbitrary<Integer> ascii = Arbitraries.integers().between(0, 0x7F);
		Arbitrary<Integer> bmp = Arbitraries.integers()
			.between(0x80, 0xFFFF)
			.filter((cp) -> cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE);
		Arbitrary<Integer> supplementary = Arbitraries.integers().between(0x10000, Character.MAX_CODE_POINT);
		Arbitrary<Integer> codePoint = Arbitraries.frequencyOf(Tuple.of(6, ascii),
				Tuple.of(3, bmp), Tuple.of(1, supplementary));
		return codePoint.list().ofMinSize(1).ofMaxSize(max).map((codePoints) -> {
			StringBuilder text = new StringBuilder();
			codePoints.forEach(text::appendCodePoint);
			return text.toString();
		});
	}

	/** Protocol messages whose strings are arbitrary text, escapes and all. */
	private Arbitrary<String> json() {
		Arbitrary<String> word = text(200);
		return Combinators.combine(Arbitraries.longs().greaterOrEqual(1), word, word, word.list().ofMaxSize(5))
			.as((id, klass, method, args) -> {
				ArrayNode array = JsonNodeFactory.instance.arrayNode();
				args.forEach(array::add);
				return MessageCodec.encode(new Message.Rpc(id, klass, method, array));
			});
	}

	private static List<String> describe(List<Frame> frames) {
		return frames.stream()
			.map((frame) -> frame.isError() ? frame.error().getCode() + " " + frame.error().getMessage()
					: "message " + frame.message())
			.toList();
	}

	/** Cuts bytes into chunks at the given points, taken modulo the length. */
	private static List<byte[]> cut(byte[] bytes, List<Integer> cuts) {
		TreeSet<Integer> points = new TreeSet<>();
		for (int cut : cuts) {
			points.add(cut % (bytes.length + 1));
		}
		points.add(bytes.length);
		List<byte[]> chunks = new ArrayList<>();
		int start = 0;
		for (int point : points) {
			byte[] chunk = new byte[point - start];
			System.arraycopy(bytes, start, chunk, 0, chunk.length);
			chunks.add(chunk);
			start = point;
		}
		return chunks;
	}

	private static byte[] concat(List<byte[]> parts) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		parts.forEach(out::writeBytes);
		return out.toByteArray();
	}

	private static int utf8Length(String text) {
		return text.getBytes(StandardCharsets.UTF_8).length;
	}

}
