package io.syncro.scribe;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;

/**
 * Who a client is: its uid, the user its uid is bound to (if any), and that user's
 * authorities (roles, groups) as the handshake established them. Policies see it, and
 * {@link Recipients} that name users or authorities reach it.
 *
 * @param client the client uid
 * @param user the user the uid is bound to, or {@code null} for an anonymous client
 * @param authorities the user's authorities; empty for none
 * @since 0.2.0
 */
public record Identity(String client, @Nullable String user, Set<String> authorities) {

	public Identity {
		if (client == null) {
			throw new IllegalArgumentException("Client must not be null");
		}
		authorities = Set.copyOf(new TreeSet<>(authorities));
	}

	/**
	 * An anonymous client: known by its uid only.
	 * @param client the client uid
	 * @return the identity
	 */
	public static Identity anonymous(String client) {
		return new Identity(client, null, Set.of());
	}

	/**
	 * A client bound to a user.
	 * @param client the client uid
	 * @param user the user, or {@code null} for none
	 * @param authorities the user's authorities
	 * @return the identity
	 */
	public static Identity of(String client, @Nullable String user, Collection<String> authorities) {
		return new Identity(client, user, Set.copyOf(authorities));
	}

	/**
	 * Whether the user has an authority.
	 * @param authority an authority, such as {@code ROLE_ADMIN}
	 * @return whether it has it
	 */
	public boolean hasAuthority(String authority) {
		return this.authorities.contains(authority);
	}

	/**
	 * The recipient keys this client matches: its uid, its user's and its authorities'
	 * keys, and every pair of them (the keys of intersected audiences, see
	 * {@link Recipients#intersect}). Logs find a client's scribes by these keys.
	 * @return the keys
	 */
	public Set<String> keys() {
		List<String> atoms = new ArrayList<>();
		atoms.add(this.client);
		if (this.user != null) {
			atoms.add(Recipients.userKey(this.user));
		}
		this.authorities.forEach((authority) -> atoms.add(Recipients.authorityKey(authority)));
		Set<String> keys = new LinkedHashSet<>(atoms);
		for (int i = 0; i < atoms.size(); i++) {
			for (int j = i + 1; j < atoms.size(); j++) {
				keys.add(Recipients.pairKey(atoms.get(i), atoms.get(j)));
			}
		}
		return keys;
	}

}
