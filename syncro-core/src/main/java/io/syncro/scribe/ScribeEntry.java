package io.syncro.scribe;

import org.jspecify.annotations.Nullable;

/**
 * A scribe as a log keeps it: with the clients it is meant for and the client it came
 * from. A reader never gets the scribes that came from itself (the no-echo rule).
 *
 * @param scribe the scribe; its id is 0 until a log assigns one
 * @param recipients the clients it is meant for
 * @param origin the uid of the client whose change it mirrors, or {@code null} when it
 * mirrors no client's change
 * @since 0.1.0
 */
public record ScribeEntry(Scribe scribe, Recipients recipients, @Nullable String origin) {

	/**
	 * Whether the given client should receive this scribe.
	 * @param client a client uid
	 * @return whether it is meant for the client and did not come from it
	 */
	public boolean isFor(String client) {
		return this.recipients.includes(client) && !client.equals(this.origin);
	}

	/**
	 * This entry with the scribe's id set.
	 * @param id the assigned id
	 * @return a copy
	 */
	public ScribeEntry withId(long id) {
		return new ScribeEntry(this.scribe.withId(id), this.recipients, this.origin);
	}

	/**
	 * This entry's scribe id.
	 * @return the id
	 */
	public long id() {
		return this.scribe.id();
	}

}
