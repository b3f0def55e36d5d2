package io.syncro.scribe;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;

/**
 * Who receives a scribe: every client but some ({@link #all()}, {@link #allExcept}), or
 * only some: clients by uid ({@link #only}), every client of some users
 * ({@link #users}), or every client whose user has one of some authorities
 * ({@link #authorities}), online or offline, whichever client a user connects with.
 * <p>
 * Each is kept as a set of <em>keys</em>: a uid as it is, a user as {@code @name}, an
 * authority as {@code ~name}. A client matches the keys of its {@link Identity#keys()
 * identity}. So that the audiences of an update that changes who receives a record can
 * be computed exactly (PROTOCOL.md, "Audiences"), these are closed under intersection:
 * the intersection of two keys is their pair key (a client matches it when it matches
 * both), and some keys may be excluded ({@code !key}) from those meant.
 *
 * @since 0.1.0
 */
public final class Recipients {

	private static final Recipients ALL = new Recipients(true, Set.of(), Set.of());

	private static final Recipients NONE = new Recipients(false, Set.of(), Set.of());

	private static final String USER = "@";

	private static final String AUTHORITY = "~";

	private static final String PAIR = "&";

	private static final String EXCLUDED = "!";

	private final boolean everyone;

	// everyone: the keys left out; otherwise: the keys meant
	private final Set<String> keys;

	// otherwise only: the keys left out of those meant
	private final Set<String> excluded;

	private Recipients(boolean everyone, Set<String> keys, Set<String> excluded) {
		this.everyone = everyone;
		this.keys = keys;
		this.excluded = excluded;
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
		return meant(Set.copyOf(clients), Set.of());
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
	 * Every client bound to one of the given users.
	 * @param users user names, as the handshake's principal gives them
	 * @return the recipients
	 */
	public static Recipients users(Collection<String> users) {
		return meant(keysOf(USER, users), Set.of());
	}

	/**
	 * Every client bound to one of the given users.
	 * @param users user names
	 * @return the recipients
	 */
	public static Recipients users(String... users) {
		return users(Arrays.asList(users));
	}

	/**
	 * Every client whose user has one of the given authorities.
	 * @param authorities authorities, such as {@code ROLE_ADMIN}
	 * @return the recipients
	 */
	public static Recipients authorities(String... authorities) {
		return meant(keysOf(AUTHORITY, Arrays.asList(authorities)), Set.of());
	}

	/**
	 * Every client but the given ones.
	 * @param clients client uids left out
	 * @return the recipients
	 */
	public static Recipients allExcept(Collection<String> clients) {
		return clients.isEmpty() ? ALL : new Recipients(true, Set.copyOf(clients), Set.of());
	}

	/**
	 * Recipients as a log keeps them: see {@link #listed()}.
	 * @param everyone {@link #isEveryone()}
	 * @param listed {@link #listed()}
	 * @return the recipients
	 */
	public static Recipients fromListed(boolean everyone, Collection<String> listed) {
		if (everyone) {
			return allExcept(listed);
		}
		Set<String> meant = new HashSet<>();
		Set<String> excluded = new HashSet<>();
		for (String key : listed) {
			if (key.startsWith(EXCLUDED)) {
				excluded.add(key.substring(EXCLUDED.length()));
			}
			else {
				meant.add(key);
			}
		}
		return meant(meant, excluded);
	}

	/**
	 * Those who receive either these or the others, such as a record's owner and every
	 * administrator: {@code users(owner).and(authorities("ROLE_ADMIN"))}.
	 * @param other other recipients
	 * @return the union
	 * @throws IllegalStateException for a union of {@link #all() all but some} and
	 * {@link #only only some} (unless the some left out are among the some meant, which
	 * makes everyone), or of recipients that exclude keys from those they mean
	 */
	public Recipients and(Recipients other) {
		if (this.excluded.isEmpty() && other.excluded.isEmpty() && this.everyone != other.everyone) {
			// everyone but those matching a key of E, and those matching a key of K: when every
			// key of E is one of K, whoever the first leaves out the second has
			Recipients allBut = this.everyone ? this : other;
			Recipients some = this.everyone ? other : this;
			if (some.keys.containsAll(allBut.keys)) {
				return all();
			}
		}
		if (this.everyone != other.everyone || !this.excluded.isEmpty() || !other.excluded.isEmpty()) {
			throw new IllegalStateException("No union of " + this + " and " + other);
		}
		if (this.everyone) {
			// left out of both: the clients that match a key of each
			return allExcept(pairs(this.keys, other.keys));
		}
		Set<String> either = new HashSet<>(this.keys);
		either.addAll(other.keys);
		return meant(either, Set.of());
	}

	/**
	 * Whether these are every client but those of {@link #listed()}; otherwise they are
	 * those meant by the keys of {@link #listed()}.
	 * @return whether everyone is meant, less the listed keys
	 */
	public boolean isEveryone() {
		return this.everyone;
	}

	/**
	 * The keys as logs keep them: for {@link #isEveryone() everyone}, the keys left out;
	 * otherwise the keys meant and, prefixed with {@code !}, the keys left out of those.
	 * @return the keys
	 */
	public Set<String> listed() {
		if (this.excluded.isEmpty()) {
			return this.keys;
		}
		Set<String> listed = new TreeSet<>(this.keys);
		this.excluded.forEach((key) -> listed.add(EXCLUDED + key));
		return listed;
	}

	/**
	 * Whether the given anonymous client is among these recipients.
	 * @param client a client uid
	 * @return whether it receives
	 */
	public boolean includes(String client) {
		return includes(Identity.anonymous(client));
	}

	/**
	 * Whether the given client is among these recipients.
	 * @param who the client
	 * @return whether it receives
	 */
	public boolean includes(Identity who) {
		return includesAny(who.keys());
	}

	/**
	 * Whether a client that matches the given keys is among these recipients.
	 * @param keys the client's {@link Identity#keys()}
	 * @return whether it receives
	 */
	public boolean includesAny(Set<String> keys) {
		// on every delivery's path: plain loops, and nothing to look at for "all"
		if (this.everyone) {
			return !namesAny(this.keys, keys);
		}
		return namesAny(this.keys, keys) && !namesAny(this.excluded, keys);
	}

	private static boolean namesAny(Set<String> listed, Set<String> keys) {
		for (String key : listed) {
			if (keys.contains(key)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Whether no client at all is meant.
	 * @return whether empty
	 */
	public boolean isEmpty() {
		return !this.everyone && this.keys.isEmpty();
	}

	/**
	 * The clients not among these.
	 * @return the complement
	 * @throws IllegalStateException if these exclude keys from those they mean
	 */
	public Recipients complement() {
		if (!this.excluded.isEmpty()) {
			throw new IllegalStateException("No complement of " + this);
		}
		return this.everyone ? meant(this.keys, Set.of()) : allExcept(this.keys);
	}

	/**
	 * The clients among both these and the others.
	 * @param other other recipients
	 * @return the intersection
	 */
	public Recipients intersect(Recipients other) {
		if (this.everyone && other.everyone) {
			Set<String> left = new HashSet<>(this.keys);
			left.addAll(other.keys);
			return allExcept(left);
		}
		if (this.everyone || other.everyone) {
			Recipients listing = this.everyone ? other : this;
			Recipients excluding = this.everyone ? this : other;
			Set<String> left = new HashSet<>(listing.excluded);
			left.addAll(excluding.keys);
			return meant(listing.keys, left);
		}
		Set<String> left = new HashSet<>(this.excluded);
		left.addAll(other.excluded);
		return meant(pairs(this.keys, other.keys), left);
	}

	/**
	 * The clients among these but not among the others.
	 * @param other other recipients
	 * @return the difference
	 */
	public Recipients minus(Recipients other) {
		return intersect(other.complement());
	}

	static String userKey(String user) {
		return USER + escape(user);
	}

	static String authorityKey(String authority) {
		return AUTHORITY + escape(authority);
	}

	static String pairKey(String one, String two) {
		return (one.compareTo(two) < 0) ? one + PAIR + two : two + PAIR + one;
	}

	/** The keys of the clients that match a key of each. */
	private static Set<String> pairs(Set<String> ones, Set<String> twos) {
		Set<String> pairs = new HashSet<>();
		for (String one : ones) {
			for (String two : twos) {
				String both = both(one, two);
				if (both != null) {
					pairs.add(both);
				}
			}
		}
		return pairs;
	}

	/** The key of the clients that match both keys, or {@code null} when none can. */
	private static @Nullable String both(String one, String two) {
		if (one.equals(two)) {
			return one;
		}
		if (one.contains(PAIR) || two.contains(PAIR)) {
			Set<String> atoms = new TreeSet<>(Arrays.asList(one.split(PAIR)));
			atoms.addAll(Arrays.asList(two.split(PAIR)));
			if (atoms.size() > 2) {
				throw new IllegalStateException("Audiences intersected more than once: " + one + " and " + two);
			}
			String[] pair = atoms.toArray(String[]::new);
			return (pair.length == 1) ? pair[0] : both(pair[0], pair[1]);
		}
		return disjoint(one, two) ? null : pairKey(one, two);
	}

	/** Whether no client matches both atoms: a client has one uid and at most one user. */
	private static boolean disjoint(String one, String two) {
		boolean uids = !one.startsWith(USER) && !one.startsWith(AUTHORITY) && !two.startsWith(USER)
				&& !two.startsWith(AUTHORITY);
		boolean users = one.startsWith(USER) && two.startsWith(USER);
		return !one.equals(two) && (uids || users);
	}

	private static Recipients meant(Set<String> keys, Set<String> excluded) {
		Set<String> meant = new HashSet<>(keys);
		meant.removeAll(excluded);
		if (meant.isEmpty()) {
			return NONE;
		}
		// an excluded key no meant key can share a client with changes nothing
		Set<String> left = new HashSet<>();
		for (String key : excluded) {
			if (meant.stream().anyMatch((one) -> both(one, key) != null)) {
				left.add(key);
			}
		}
		return new Recipients(false, Set.copyOf(meant), Set.copyOf(left));
	}

	private static Set<String> keysOf(String prefix, Collection<String> names) {
		Set<String> keys = new LinkedHashSet<>();
		names.forEach((name) -> keys.add(prefix + escape(name)));
		return keys;
	}

	/** Keeps the separators out of names: {@code %} and {@code &} as in a URL. */
	private static String escape(String name) {
		return name.replace("%", "%25").replace(PAIR, "%26");
	}

	@Override
	public boolean equals(@Nullable Object obj) {
		return (obj instanceof Recipients other) && this.everyone == other.everyone && this.keys.equals(other.keys)
				&& this.excluded.equals(other.excluded);
	}

	@Override
	public int hashCode() {
		return (Boolean.hashCode(this.everyone) * 31 + this.keys.hashCode()) * 31 + this.excluded.hashCode();
	}

	@Override
	public String toString() {
		if (this.everyone) {
			return this.keys.isEmpty() ? "all" : "all except " + new TreeSet<>(this.keys);
		}
		return "only " + new TreeSet<>(this.keys) + (this.excluded.isEmpty() ? "" : " except " + new TreeSet<>(this.excluded));
	}

}
