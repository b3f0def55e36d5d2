package io.syncro.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.LongStream;

import io.syncro.protocol.FrameDecoder.Frame;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties of {@link FrameEncoder} and {@link FrameDecoder} together: however a
 * stream is cut into reads, the same frames come out. Each case draws its input from a
 * {@link Random} with the seed in its name, so a failure is replayed by its seed.
 */
class FramingProperties {

	static LongStream seeds() {
		return LongStream.range(0, 300);
	}

	@ParameterizedTest(name = "seed {0}")
	@MethodSource("seeds")
	void encodedMessagesCutAnywhereDecodeToTheSameMessages(long seed) {
		Random random = new Random(seed);
		List<String> messages = list(random, 30, () -> message(random));
		byte[] stream = concat(messages.stream().map(FrameEncoder::encode).toList());
		List<Frame> frames = new ArrayList<>();
		FrameDecoder decoder = new FrameDecoder();
		for (byte[] chunk : cut(stream, cuts(random))) {
			frames.addAll(decoder.feed(chunk));
		}
		assertThat(frames).extracting(Frame::message).containsExactlyElementsOf(messages);
		assertThat(decoder.isAtFrameBoundary()).isTrue();
	}

	@ParameterizedTest(name = "seed {0}")
	@MethodSource("seeds")
	void badFramesAmongGoodOnesAreReportedInPlaceAndTheRestStillDecode(long seed) {
		Random random = new Random(seed);
		int max = 100;
		List<byte[]> encoded = new ArrayList<>();
		List<Object> expected = new ArrayList<>();
		for (Object frame : list(random, 30, () -> frameOrBadOne(random, max))) {
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
		for (byte[] chunk : cut(concat(encoded), cuts(random))) {
			for (Frame frame : decoder.feed(chunk)) {
				actual.add(frame.isError() ? (Object) frame.error().getCode() : frame.message());
			}
		}
		assertThat(actual).containsExactlyElementsOf(expected);
	}

	@ParameterizedTest(name = "seed {0}")
	@MethodSource("seeds")
	void anyBytesDecodeTheSameHoweverTheyAreCutAndNeverThrow(long seed) {
		Random random = new Random(seed);
		byte[] bytes = new byte[random.nextInt(3001)];
		random.nextBytes(bytes);
		int max = 1 + random.nextInt(65535);
		List<String> whole = describe(new FrameDecoder(max).feed(bytes));
		FrameDecoder decoder = new FrameDecoder(max);
		List<String> pieces = new ArrayList<>();
		for (byte[] chunk : cut(bytes, cuts(random))) {
			pieces.addAll(describe(decoder.feed(chunk)));
		}
		assertThat(pieces).isEqualTo(whole);
	}

	/** A good frame (text of at most {@code max} UTF-8 bytes) or a bad one's length. */
	private static Object frameOrBadOne(Random random, int max) {
		int pick = random.nextInt(9);
		if (pick == 0) {
			return 0;
		}
		if (pick < 3) {
			return max + 1 + random.nextInt(3000 - max);
		}
		String text;
		do {
			text = text(random, 25);
		}
		while (utf8Length(text) > max);
		return text;
	}

	/**
	 * Any valid message text: arbitrary Unicode, JSON-like messages, and now and then one
	 * as long as a frame can hold.
	 */
	private static String message(Random random) {
		int pick = random.nextInt(21);
		if (pick == 0) {
			return "x".repeat(65000 + random.nextInt(536));
		}
		return (pick % 2 == 0) ? text(random, 2000) : json(random);
	}

	/** 1 to {@code max} code points, mostly ASCII, some from the rest of the BMP and beyond. */
	private static String text(Random random, int max) {
		StringBuilder text = new StringBuilder();
		int length = 1 + random.nextInt(max);
		for (int i = 0; i < length; i++) {
			text.appendCodePoint(codePoint(random));
		}
		return text.toString();
	}

	private static int codePoint(Random random) {
		int pick = random.nextInt(10);
		if (pick < 6) {
			return random.nextInt(0x80);
		}
		if (pick < 9) {
			int cp;
			do {
				cp = 0x80 + random.nextInt(0x10000 - 0x80);
			}
			while (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE);
			return cp;
		}
		return 0x10000 + random.nextInt(Character.MAX_CODE_POINT + 1 - 0x10000);
	}

	/** A protocol message whose strings are arbitrary text, escapes and all. */
	private static String json(Random random) {
		ArrayNode args = JsonNodeFactory.instance.arrayNode();
		list(random, 5, () -> text(random, 200)).forEach(args::add);
		long id = 1 + Math.floorMod(random.nextLong(), Long.MAX_VALUE - 1);
		return MessageCodec.encode(new Message.Rpc(id, text(random, 200), text(random, 200), args));
	}

	/** Up to 40 cut points anywhere in an int's range. */
	private static List<Integer> cuts(Random random) {
		return list(random, 40, () -> random.nextInt(Integer.MAX_VALUE));
	}

	private static <T> List<T> list(Random random, int maxSize, Supplier<T> element) {
		int size = random.nextInt(maxSize + 1);
		List<T> list = new ArrayList<>(size);
		for (int i = 0; i < size; i++) {
			list.add(element.get());
		}
		return list;
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
