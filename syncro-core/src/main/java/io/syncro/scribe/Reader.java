package io.syncro.scribe;

import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Who reads a log: a client, who it is (the {@link Identity#keys() keys} that
 * {@link Recipients} reach it by), and whether it takes its own scribes too. A protocol
 * v1 connection leaves them out (the no-echo rule); a v2 connection takes them, so that
 * its position counts them.
 *
 * @since 0.1.0
 */
public final class Reader {

	private final Identity identity;

	private final boolean own;

	private final Set<String> keys;

	private Reader(Identity identity, boolean own) {
		this.identity = identity;
		this.own = own;
		this.keys = Set.copyOf(identity.keys());
	}

	/**
	 * A reader.
	 * @param identity who reads
	 * @param own whether the scribes that came from the reader are read too
	 * @return the reader
	 */
	public static Reader of(Identity identity, boolean own) {
		return new Reader(identity, own);
	}

	/**
	 * An anonymous reader that leaves its own scribes out.
	 * @param client the reader's uid
	 * @return the reader
	 */
	public static Reader of(String client) {
		return new Reader(Identity.anonymous(client), false);
	}

	/**
	 * An anonymous reader that takes its own scribes too.
	 * @param client the reader's uid
	 * @return the reader
	 */
	public static Reader withOwn(String client) {
		return new Reader(Identity.anonymous(client), true);
	}

	/**
	 * The reader's uid.
	 * @return the uid
	 */
	public String client() {
		return this.identity.client();
	}

	/**
	 * Who reads.
	 * @return the identity
	 */
	public Identity identity() {
		return this.identity;
	}

	/**
	 * Whether the scribes that came from the reader are read too.
	 * @return whether they are
	 */
	public boolean own() {
		return this.own;
	}

	/**
	 * The keys recipients reach the reader by.
	 * @return the keys
	 */
	public Set<String> keys() {
		return this.keys;
	}

	@Override
	public boolean equals(@Nullable Object obj) {
		return (obj instanceof Reader other) && this.identity.equals(other.identity) && this.own == other.own;
	}

	@Override
	public int hashCode() {
		return this.identity.hashCode() * 31 + Boolean.hashCode(this.own);
	}

	@Override
	public String toString() {
		return "Reader[" + this.identity + (this.own ? ", own" : "") + "]";
	}

}
