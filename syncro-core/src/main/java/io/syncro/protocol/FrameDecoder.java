package io.syncro.protocol;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Reads messages from a byte stream framed as in PROTOCOL.md section 2: each message
 * follows its UTF-8 byte length as an unsigned 16-bit big-endian integer. Bytes are fed
 * as they arrive, in chunks of any size; partial input is kept across calls and only
 * whole messages come out, in stream order.
 * <p>
 * A bad frame never throws: it comes out as a {@link Frame} holding the error, so the
 * reader survives and the caller decides whether to answer it, close the connection, or
 * go on. Decoding always goes on with the next frame:
 * <ul>
 * <li>a length of 0 is error 400 and the next bytes are the next frame's prefix;</li>
 * <li>a length over the maximum is error 413, reported as soon as the prefix is read;
 * the payload that follows is skipped as it arrives, never buffered, so the stream stays
 * in step;</li>
 * <li>a payload that is not valid UTF-8 is error 400.</li>
 * </ul>
 * At most the maximum message size plus the two prefix bytes are ever held.
 * <p>
 * A decoder keeps the state of one stream: use one per connection, from one thread at a
 * time.
 *
 * @since 0.1.0
 * @see FrameEncoder
 */
public final class FrameDecoder {

	private final int maxMessageBytes;

	private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
		.onMalformedInput(CodingErrorAction.REPORT)
		.onUnmappableCharacter(CodingErrorAction.REPORT);

	/** How many prefix bytes of the current frame have been read: 0, 1 or 2. */
	private int prefixRead;

	/** The current frame's length, once its prefix is read. */
	private int frameLength;

	/** The payload of the current frame read so far; grows up to the maximum. */
	private byte[] payload = new byte[0];

	private int payloadRead;

	/** Bytes of an oversized payload still to be skipped. */
	private int skipRemaining;

	/**
	 * Creates a decoder that accepts messages of up to
	 * {@value FrameEncoder#MAX_FRAME_BYTES} bytes, the most a frame can hold.
	 */
	public FrameDecoder() {
		this(FrameEncoder.MAX_FRAME_BYTES);
	}

	/**
	 * Creates a decoder that accepts messages of up to {@code maxMessageBytes} bytes.
	 * @param maxMessageBytes the largest payload accepted, from 1 to
	 * {@value FrameEncoder#MAX_FRAME_BYTES}
	 * @throws IllegalArgumentException if {@code maxMessageBytes} is out of range
	 */
	public FrameDecoder(int maxMessageBytes) {
		FrameEncoder.checkMaxBytes(maxMessageBytes);
		this.maxMessageBytes = maxMessageBytes;
	}

	/**
	 * The largest payload this decoder accepts.
	 * @return the maximum message size in bytes
	 */
	public int getMaxMessageBytes() {
		return this.maxMessageBytes;
	}

	/**
	 * Feeds all of the given bytes.
	 * @param bytes the bytes read from the stream
	 * @return the frames these bytes completed, in stream order; empty if none
	 */
	public List<Frame> feed(byte[] bytes) {
		return feed(bytes, 0, bytes.length);
	}

	/**
	 * Feeds a range of the given bytes. The array is not kept and may be reused once
	 * this method returns.
	 * @param bytes the buffer holding the bytes read from the stream
	 * @param offset where the new bytes start
	 * @param length how many bytes there are
	 * @return the frames these bytes completed, in stream order; empty if none
	 * @throws IndexOutOfBoundsException if the range is not within the array
	 */
	public List<Frame> feed(byte[] bytes, int offset, int length) {
		Objects.checkFromIndexSize(offset, length, bytes.length);
		return feed(ByteBuffer.wrap(bytes, offset, length));
	}

	/**
	 * Feeds the remaining bytes of a buffer, which is left with none remaining. The
	 * buffer is not kept.
	 * @param bytes the bytes read from the stream
	 * @return the frames these bytes completed, in stream order; empty if none
	 */
	public List<Frame> feed(ByteBuffer bytes) {
		List<Frame> frames = null;
		while (bytes.hasRemaining()) {
			Frame frame = next(bytes);
			if (frame != null) {
				if (frames == null) {
					frames = new ArrayList<>();
				}
				frames.add(frame);
			}
		}
		return (frames != null) ? Collections.unmodifiableList(frames) : List.of();
	}

	/**
	 * Whether the bytes fed so far end exactly between two frames. At the end of the
	 * stream, {@code false} means the last frame was cut short.
	 * @return whether no frame is partly read
	 */
	public boolean isAtFrameBoundary() {
		return this.prefixRead == 0 && this.skipRemaining == 0;
	}

	/**
	 * Consumes bytes towards the next frame: at least one byte, and at most the rest of
	 * the current frame.
	 * @return the completed frame, or {@code null} if the bytes did not complete one
	 */
	private @Nullable Frame next(ByteBuffer bytes) {
		if (this.skipRemaining > 0) {
			int skipped = Math.min(this.skipRemaining, bytes.remaining());
			bytes.position(bytes.position() + skipped);
			this.skipRemaining -= skipped;
			return null;
		}
		if (this.prefixRead < FrameEncoder.PREFIX_BYTES) {
			this.frameLength = (this.frameLength << 8) | (bytes.get() & 0xFF);
			this.prefixRead++;
			return (this.prefixRead == FrameEncoder.PREFIX_BYTES) ? startPayload() : null;
		}
		int needed = this.frameLength - this.payloadRead;
		if (this.payloadRead == 0 && bytes.remaining() >= needed) {
			// The whole payload is at hand: decode it in place, without copying.
			ByteBuffer whole = bytes.slice();
			whole.limit(needed);
			bytes.position(bytes.position() + needed);
			return endFrame(whole);
		}
		if (this.payload.length < this.frameLength) {
			this.payload = new byte[Math.min(Math.max(this.frameLength, this.payload.length * 2), this.maxMessageBytes)];
		}
		int chunk = Math.min(needed, bytes.remaining());
		bytes.get(this.payload, this.payloadRead, chunk);
		this.payloadRead += chunk;
		return (this.payloadRead == this.frameLength) ? endFrame(ByteBuffer.wrap(this.payload, 0, this.frameLength))
				: null;
	}

	/**
	 * Starts the payload of the frame whose prefix was just read; a bad length is
	 * reported now and the frame is done with, but for skipping an oversized payload.
	 */
	private @Nullable Frame startPayload() {
		int length = this.frameLength;
		if (length == 0) {
			reset();
			return Frame.failed(new SyncroException(ErrorCodes.BAD_REQUEST,
					"A frame declared a length of 0, but a message cannot be empty."));
		}
		if (length > this.maxMessageBytes) {
			reset();
			this.skipRemaining = length;
			return Frame.failed(new SyncroException(ErrorCodes.TOO_LARGE, "A frame declared a message of " + length
					+ " bytes, over the maximum of " + this.maxMessageBytes + " bytes."));
		}
		return null;
	}

	private Frame endFrame(ByteBuffer payload) {
		int length = this.frameLength;
		reset();
		try {
			CharBuffer text = this.utf8.decode(payload);
			return Frame.of(text.toString());
		}
		catch (CharacterCodingException ex) {
			return Frame.failed(new SyncroException(ErrorCodes.BAD_REQUEST,
					"A frame of " + length + " bytes is not valid UTF-8."));
		}
	}

	private void reset() {
		this.prefixRead = 0;
		this.frameLength = 0;
		this.payloadRead = 0;
	}

	/**
	 * One frame read from the stream: either a whole message or the error that stood in
	 * its place.
	 *
	 * @param message the message's text, or {@code null} if the frame was bad
	 * @param error why the frame was bad (code 400 or 413), or {@code null} if it held a
	 * message
	 * @since 0.1.0
	 */
	public record Frame(@Nullable String message, @Nullable SyncroException error) {

		/**
		 * Creates a frame; exactly one of the two must be given.
		 * @param message the message's text, or {@code null}
		 * @param error the error, or {@code null}
		 */
		public Frame {
			if ((message == null) == (error == null)) {
				throw new IllegalArgumentException("A frame holds either a message or an error, not both nor neither.");
			}
		}

		/**
		 * A frame holding a message.
		 * @param message the message's text
		 * @return the frame
		 */
		public static Frame of(String message) {
			return new Frame(message, null);
		}

		/**
		 * A frame that could not be read.
		 * @param error why
		 * @return the frame
		 */
		public static Frame failed(SyncroException error) {
			return new Frame(null, error);
		}

		/**
		 * Whether this frame is an error rather than a message.
		 * @return whether {@link #error()} is set
		 */
		public boolean isError() {
			return this.error != null;
		}

	}

}
