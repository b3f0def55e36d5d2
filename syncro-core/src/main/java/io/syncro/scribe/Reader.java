package io.syncro.scribe;

/**
 * Who reads a log: a client, and whether it takes its own scribes too. A protocol v1
 * connection leaves them out (the no-echo rule); a v2 connection takes them, so that its
 * position counts them.
 *
 * @param client the reader's uid
 * @param own whether the scribes that came from the reader are read too
 * @since 0.1.0
 */
public record Reader(String client, boolean own) {

	public Reader {
		if (client == null) {
			throw new IllegalArgumentException("Client must not be null");
		}
	}

	/**
	 * A reader that leaves its own scribes out.
	 * @param client the reader's uid
	 * @return the reader
	 */
	public static Reader of(String client) {
		return new Reader(client, false);
	}

	/**
	 * A reader that takes its own scribes too.
	 * @param client the reader's uid
	 * @return the reader
	 */
	public static Reader withOwn(String client) {
		return new Reader(client, true);
	}

}
