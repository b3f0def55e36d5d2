package io.syncro.web;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import io.syncro.protocol.SyncroException;
import io.syncro.store.ClientStore;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.web.socket.CloseStatus;

/**
 * Which user a client uid belongs to: a handshake only checks the uid's binding, and,
 * for a uid not bound yet, the user's {@link ClientUidLimits}; the uid is bound (and its
 * state created in the {@link ClientStore}) once the WebSocket is open. So a handshake
 * that is refused, or a plain GET that never upgrades, leaves nothing behind.
 */
final class ClientBindings {

	static final CloseStatus ANOTHER_USERS = CloseStatus.POLICY_VIOLATION
		.withReason("This client uid belongs to another user");

	static final CloseStatus TOO_MANY_UIDS = CloseStatus.POLICY_VIOLATION
		.withReason("Too many client uids for this user");

	private static final Duration HOUR = Duration.ofHours(1);

	private final ClientStore clients;

	private final ClientUidLimits limits;

	private final Clock clock;

	ClientBindings(ClientStore clients, ClientUidLimits limits, Clock clock) {
		this.clients = clients;
		this.limits = limits;
		this.clock = clock;
	}

	/**
	 * Checks the uid of a handshake, binding nothing.
	 * @param client the uid
	 * @param user the handshake's principal, or {@code null} for an anonymous client
	 * @throws SyncroException with code 403 for a uid bound to another user (or to any,
	 * for an anonymous client), 429 for a new uid over the user's limits
	 */
	void check(String client, @Nullable String user) {
		Optional<String> bound = this.clients.principal(client);
		if (bound.isPresent()) {
			if (user == null) {
				throw SyncroException.forbidden("This client uid belongs to an authenticated user.");
			}
			if (!bound.get().equals(user)) {
				throw SyncroException.forbidden("This client uid belongs to another user.");
			}
			return;
		}
		if (user != null) {
			checkNewUid(user);
		}
	}

	private void checkNewUid(String user) {
		if (this.clients.clientsOf(user) >= this.limits.maxPerUser()) {
			throw new SyncroException(HttpStatus.TOO_MANY_REQUESTS.value(),
					"This user has as many client uids as it may keep; reuse one (unused uids are forgotten after a while).");
		}
		if (this.clients.clientsBoundSince(user, this.clock.instant().minus(HOUR)) >= this.limits.maxNewPerHour()) {
			throw new SyncroException(HttpStatus.TOO_MANY_REQUESTS.value(),
					"This user started as many new client uids within the hour as it may; reuse one or try again later.");
		}
	}

	/**
	 * Binds the uid of a connection that opened to its user, and marks it seen. A uid
	 * still unbound is checked against the user's limits again, as handshakes of one user
	 * may have raced past the check.
	 * @param client the uid
	 * @param user the connection's user, or {@code null} for an anonymous client
	 * @return {@code null} when bound, else how to close the connection
	 */
	@Nullable CloseStatus bind(String client, @Nullable String user) {
		if (user != null && this.clients.principal(client).isEmpty()) {
			try {
				checkNewUid(user);
			}
			catch (SyncroException ex) {
				return TOO_MANY_UIDS;
			}
		}
		return this.clients.connected(client, user, this.clock.instant()) ? null : ANOTHER_USERS;
	}

}
