package io.syncro.protocol;

import org.jspecify.annotations.Nullable;

/**
 * A failure that is answered to the peer as an {@code error} message: it carries the
 * protocol's code and one human sentence, never a stack trace.
 *
 * @since 0.1.0
 */
public class SyncroException extends RuntimeException {

	private final int code;

	private final @Nullable Long scribe;

	private final @Nullable Long expected;

	public SyncroException(int code, String message) {
		this(code, message, null, null);
	}

	public SyncroException(int code, String message, @Nullable Long scribe, @Nullable Long expected) {
		super(message, null, false, false);
		this.code = code;
		this.scribe = scribe;
		this.expected = expected;
	}

	public static SyncroException badRequest(String message) {
		return new SyncroException(ErrorCodes.BAD_REQUEST, message);
	}

	public static SyncroException forbidden(String message) {
		return new SyncroException(ErrorCodes.FORBIDDEN, message);
	}

	public static SyncroException notFound(String message) {
		return new SyncroException(ErrorCodes.NOT_FOUND, message);
	}

	public int getCode() {
		return this.code;
	}

	/**
	 * The id of the scribe this failure concerns, if any.
	 * @return the scribe id or {@code null}
	 */
	public @Nullable Long getScribe() {
		return this.scribe;
	}

	/**
	 * The client scribe id the receiver expects next, on a 409 gap.
	 * @return the expected id or {@code null}
	 */
	public @Nullable Long getExpected() {
		return this.expected;
	}

	/**
	 * This failure as an error message answering the given request.
	 * @param requestId the request's id, or {@code null} when it answers none
	 * @return the error message
	 */
	public Message.Error toMessage(@Nullable Long requestId) {
		return new Message.Error(requestId, this.code, getMessage(), this.scribe, this.expected);
	}

}
