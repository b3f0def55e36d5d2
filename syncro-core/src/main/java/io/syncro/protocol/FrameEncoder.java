package io.syncro.protocol;

import java.nio.charset.StandardCharsets;

/**
 * Frames messages for a byte-stream transport (PROTOCOL.md section 2): each message is
 * written as its UTF-8 byte length, an unsigned 16-bit big-endian integer (Ruby's
 * {@code [len].pack('n')}), followed by its UTF-8 bytes. {@link FrameDecoder} reads the
 * result back.
 *
 * @since 0.1.0
 * @see FrameDecoder
 */
public final class FrameEncoder {

	/** The most bytes a framed message can hold: the largest 16-bit length. */
	public static final int MAX_FRAME_BYTES = 0xFFFF;

	/** The number of bytes of the length prefix. */
	public static final int PREFIX_BYTES = 2;

	private FrameEncoder() {
	}

	/**
	 * Frames one message, which may take up to {@value #MAX_FRAME_BYTES} bytes in UTF-8.
	 * @param message the message's text
	 * @return the length prefix followed by the message's UTF-8 bytes
	 * @throws SyncroException with code 400 if the message is empty or holds an unpaired
	 * surrogate (it has no UTF-8 form), 413 if it is longer than
	 * {@value #MAX_FRAME_BYTES} bytes in UTF-8
	 */
	public static byte[] encode(String message) {
		return encode(message, MAX_FRAME_BYTES);
	}

	/**
	 * Frames one message that may take up to {@code maxBytes} bytes in UTF-8.
	 * @param message the message's text
	 * @param maxBytes the most UTF-8 bytes the message may take, from 1 to
	 * {@value #MAX_FRAME_BYTES}
	 * @return the length prefix followed by the message's UTF-8 bytes
	 * @throws SyncroException with code 400 if the message is empty or holds an unpaired
	 * surrogate (it has no UTF-8 form), 413 if it is longer than {@code maxBytes} bytes
	 * in UTF-8
	 * @throws IllegalArgumentException if {@code maxBytes} is out of range
	 */
	public static byte[] encode(String message, int maxBytes) {
		checkMaxBytes(maxBytes);
		int length = utf8Length(message, maxBytes);
		if (length == 0) {
			throw new SyncroException(ErrorCodes.BAD_REQUEST, "An empty message cannot be framed.");
		}
		if (length > maxBytes) {
			throw new SyncroException(ErrorCodes.TOO_LARGE,
					"The message takes more than " + maxBytes + " bytes in UTF-8, too large for one frame.");
		}
		byte[] utf8 = message.getBytes(StandardCharsets.UTF_8);
		byte[] frame = new byte[PREFIX_BYTES + utf8.length];
		frame[0] = (byte) (utf8.length >>> 8);
		frame[1] = (byte) utf8.length;
		System.arraycopy(utf8, 0, frame, PREFIX_BYTES, utf8.length);
		return frame;
	}

	static void checkMaxBytes(int maxBytes) {
		if (maxBytes < 1 || maxBytes > MAX_FRAME_BYTES) {
			throw new IllegalArgumentException(
					"The maximum message size must be from 1 to " + MAX_FRAME_BYTES + " bytes, not " + maxBytes + ".");
		}
	}

	/**
	 * Counts the UTF-8 bytes of a text, stopping early once it is over the limit, so a
	 * huge text is rejected without being encoded. {@link String#getBytes} would replace
	 * an unpaired surrogate with {@code ?} and send a message the sender never wrote, so
	 * it is refused instead.
	 */
	private static int utf8Length(String text, int limit) {
		int length = 0;
		for (int i = 0; i < text.length() && length <= limit; i++) {
			char c = text.charAt(i);
			if (c < 0x80) {
				length += 1;
			}
			else if (c < 0x800) {
				length += 2;
			}
			else if (Character.isHighSurrogate(c) && i + 1 < text.length()
					&& Character.isLowSurrogate(text.charAt(i + 1))) {
				length += 4;
				i++;
			}
			else if (Character.isSurrogate(c)) {
				throw new SyncroException(ErrorCodes.BAD_REQUEST,
						"The message holds an unpaired surrogate at index " + i + " and has no UTF-8 form.");
			}
			else {
				length += 3;
			}
		}
		return length;
	}

}
