package io.syncro.scribe;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Who receives a scribe: every client but some ({@link #all()}, {@link #allExcept}), or
 * only some ({@link #only}). Closed under intersection and complement, so the audiences
 * of an update that changes who receives a record can be computed exactly (PROTOCOL.md
 * section 6).
 *
 * @since 0.1.0
 */
public final class Recipients {

	private static final Recipients ALL = new Recipients(true, Set.of());

	private static final Recipients NONE = new Recipients(false, Set.of());

	private final boolean everyone;

	private final Set<String> clients;

	private Recipients(boolean everyone, Set<String> clients) {
		this.everyone = everyone;
		this.clients = clients;
	}

	/**
	 * Every client.
	 * @return the recipients
	 */
	public static Recipients all() {
		return ALL;
	}

	/**
	 * No client.
	 * @return the recipients
	 */
	public static Recipients none() {
		return NONE;
	}

	/**
	 * Only the given clients.
	 * @param clients client uids
	 * @return the recipients
	 */
	public static Recipients only(Collection<String> clients) {
		return clients.isEmpty() ? NONE : new Recipients(false, Set.copyOf(clients));
	}

	/**
	 * Only the given clients.
	 * @param clients client uids
	 * @return the recipients
	 */
	public static Recipients only(String... clients) {
		return only(Arrays.asList(clients));
	}

	/**
	 * Every client but the given ones.
	 * @param clients client uids left out
	 * @return the recipients
	 */
	public static Recipients allExcept(Collection<String> clients) {
		return clients.isEmpty() ? ALL : new Recipients(true, Set.copyOf(clients));
	}

	/**
	 * Whether these are every client but those of {@link #clients()}; otherwise they are
	 * exactly those of {@link #clients()}.
	 * @return whether everyone is meant, less the listed clients
	 */
	public boolean isEveryone() {
		return this.everyone;
	}

	/**
	 * The listed clients: those left out if {@link #isEveryone()}, else those meant.
	 * @return client uids
	 */
	public Set<String> clients() {
		return this.clients;
	}

	/**
	 * Whether the given client is among these recipients.
	 * @param client a client uid
	 * @return whether it receives
	 */
	public boolean includes(String client) {
		return this.everyone != this.clients.contains(client);
	}

	/**
	 * Whether no client at all is meant.
	 * @return whether empty
	 */
	public boolean isEmpty() {
		return !this.everyone && this.clients.isEmpty();
	}

	/**
	 * The clients not among these.
	 * @return the complement
	 */
	public Recipients complement() {
		return this.everyone ? only(this.clients) : allExcept(this.clients);
	}

	/**
	 * The clients among both these and the others.
	 * @param other other recipients
	 * @return the intersection
	 */
	public Recipients intersect(Recipients other) {
		if (this.everyone && other.everyone) {
			Set<String> excluded = new HashSet<>(this.clients);
			excluded.addAll(other.clients);
			return allExcept(excluded);
		}
		if (!this.everyone && !other.everyone) {
			Set<String> both = new HashSet<>(this.clients);
			both.retainAll(other.clients);
			return only(both);
		}
		Recipients listed = this.everyone ? other : this;
		Recipients excluding = this.everyone ? this : other;
		Set<String> kept = new HashSet<>(listed.clients);
		kept.removeAll(excluding.clients);
		return only(kept);
	}

	/**
	 * The clients among these but not among the others.
	 * @param other other recipients
	 * @return the difference
	 */
	public Recipients minus(Recipients other) {
		return intersect(other.complement());
	}

	@Override
	public boolean equals(@Nullable Object obj) {
		return (obj instanceof Recipients other) && this.everyone == other.everyone && this.clients.equals(other.clients);
	}

	@Override
	public int hashCode() {
		return Boolean.hashCode(this.everyone) * 31 + this.clients.hashCode();
	}

	@Override
	public String toString() {
		return this.everyone ? (this.clients.isEmpty() ? "all" : "all except " + this.clients) : "only " + this.clients;
	}

}
