package io.syncro.session;

/**
 * Where the play of a client's scribe landed in the server's log, as the answer to its
 * {@code add_scribe} says in protocol v2: at a server scribe id, nowhere (the play
 * appended nothing), or unknown (a duplicate of a scribe settled earlier, or a v1 answer).
 *
 * @param at the highest server scribe id the play appended; 0 when it appended none, -1
 * when unknown
 * @since 0.1.0
 */
public record Landing(long at) {

	/** The play appended nothing. */
	public static final Landing NONE = new Landing(0);

	/** Where the play landed is not known. */
	public static final Landing UNKNOWN = new Landing(-1);

	/**
	 * Whether it is known where the play landed, or that it appended nothing.
	 * @return whether known
	 */
	public boolean isKnown() {
		return this.at >= 0;
	}

	/**
	 * Whether the play appended scribes, the last one at {@link #at()}.
	 * @return whether it appended
	 */
	public boolean appended() {
		return this.at > 0;
	}

}
