package io.syncro.protocol;

/**
 * The error codes of the protocol (PROTOCOL.md section 3).
 *
 * @since 0.1.0
 */
public final class ErrorCodes {

	/** Malformed: not JSON, not an object, a missing or mistyped field, a bad scribe shape. */
	public static final int BAD_REQUEST = 400;

	/** Not authenticated. */
	public static final int UNAUTHENTICATED = 401;

	/** Not authorised. */
	public static final int FORBIDDEN = 403;

	/** An rpc klass or a record that does not exist. */
	public static final int NOT_FOUND = 404;

	/** An rpc method that is not exposed. */
	public static final int METHOD_NOT_ALLOWED = 405;

	/** A client scribe id out of order, or a failed version check. */
	public static final int CONFLICT = 409;

	/**
	 * The outcome of a scribe is no longer known: it was settled long ago, and whether it
	 * was played or refused was forgotten. Settles it for good.
	 */
	public static final int OUTCOME_UNKNOWN = 410;

	/** A message over the size limit. */
	public static final int TOO_LARGE = 413;

	/** Rate limited. */
	public static final int RATE_LIMITED = 429;

	/** An internal error. */
	public static final int INTERNAL_ERROR = 500;

	/** An unknown message type. */
	public static final int UNKNOWN_TYPE = 501;

	private ErrorCodes() {
	}

	/**
	 * Whether a scribe refused with this code is settled for good (400, 403, 404, and 410
	 * for a duplicate whose outcome was forgotten): the
	 * client must not resend it. Other codes settle nothing and the scribe is retried.
	 * @param code an error code
	 * @return whether the refusal is final
	 */
	public static boolean isFinal(int code) {
		return code == BAD_REQUEST || code == FORBIDDEN || code == NOT_FOUND || code == OUTCOME_UNKNOWN;
	}

}
