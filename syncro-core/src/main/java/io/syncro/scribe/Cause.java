package io.syncro.scribe;

import org.jspecify.annotations.Nullable;

/**
 * The client scribe whose play recorded a scribe: every scribe a play appends carries it,
 * so that the server can tell the client where its write landed in the log (protocol v2).
 *
 * @param client the uid of the client that sent the scribe
 * @param scribeId the client's id of that scribe
 * @since 0.1.0
 */
public record Cause(String client, long scribeId) {

	private static final char SEPARATOR = '#';

	/**
	 * The cause as text, as logs keep it: the uid, {@code #}, the scribe id. Uids never
	 * hold {@code #}.
	 * @return the text
	 */
	public String text() {
		return this.client + SEPARATOR + this.scribeId;
	}

	/**
	 * Reads what {@link #text()} wrote.
	 * @param text the text, or {@code null}
	 * @return the cause, or {@code null} for none or text that is not one
	 */
	public static @Nullable Cause parse(@Nullable String text) {
		int separator = (text != null) ? text.lastIndexOf(SEPARATOR) : -1;
		if (separator <= 0) {
			return null;
		}
		try {
			return new Cause(text.substring(0, separator), Long.parseLong(text.substring(separator + 1)));
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

}
