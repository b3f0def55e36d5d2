package io.syncro.web;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.syncro.protocol.SyncroException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.web.socket.CloseStatus;

/**
 * Counts the open connections of the endpoint, in total, per client uid and per user,
 * against the {@link ConnectionLimits}.
 */
final class ConnectionCounter {

	static final CloseStatus TOO_MANY_FOR_CLIENT = CloseStatus.POLICY_VIOLATION
		.withReason("Too many connections with this client uid");

	static final CloseStatus TOO_MANY_FOR_USER = CloseStatus.POLICY_VIOLATION
		.withReason("Too many connections of this user");

	static final CloseStatus TOO_MANY_IN_TOTAL = new CloseStatus(1013, "Too many connections; try again later");

	private final ConnectionLimits limits;

	private final AtomicInteger total = new AtomicInteger();

	private final Map<String, Integer> perClient = new ConcurrentHashMap<>();

	private final Map<String, Integer> perUser = new ConcurrentHashMap<>();

	ConnectionCounter(ConnectionLimits limits) {
		this.limits = limits;
	}

	/**
	 * Whether one more anonymous connection of this uid would be within the limits now.
	 * @throws SyncroException with code 429 or 503 if it would not
	 */
	void check(String client) {
		check(client, null);
	}

	/**
	 * Whether one more connection of this uid and user would be within the limits now.
	 * @param user the user, or {@code null} for an anonymous connection
	 * @throws SyncroException with code 429 or 503 if it would not
	 */
	void check(String client, @Nullable String user) {
		if (this.total.get() >= this.limits.maxTotal()) {
			throw new SyncroException(HttpStatus.SERVICE_UNAVAILABLE.value(),
					"The server has as many connections as it takes; try again later.");
		}
		if (this.perClient.getOrDefault(client, 0) >= this.limits.maxPerClient()) {
			throw new SyncroException(HttpStatus.TOO_MANY_REQUESTS.value(),
					"This client uid has as many connections open as it may.");
		}
		if (user != null && this.perUser.getOrDefault(user, 0) >= this.limits.maxPerUser()) {
			throw new SyncroException(HttpStatus.TOO_MANY_REQUESTS.value(),
					"This user has as many connections open as it may.");
		}
	}

	/**
	 * Counts an anonymous connection that opened.
	 * @return {@code null} if it is within the limits, else how to close it (it is then
	 * not counted)
	 */
	@Nullable CloseStatus open(String client) {
		return open(client, null);
	}

	/**
	 * Counts a connection that opened.
	 * @param user the user, or {@code null} for an anonymous connection
	 * @return {@code null} if it is within the limits, else how to close it (it is then
	 * not counted)
	 */
	@Nullable CloseStatus open(String client, @Nullable String user) {
		if (this.total.incrementAndGet() > this.limits.maxTotal()) {
			this.total.decrementAndGet();
			return TOO_MANY_IN_TOTAL;
		}
		if (!countIn(this.perClient, client, this.limits.maxPerClient())) {
			this.total.decrementAndGet();
			return TOO_MANY_FOR_CLIENT;
		}
		if (user != null && !countIn(this.perUser, user, this.limits.maxPerUser())) {
			uncountIn(this.perClient, client);
			this.total.decrementAndGet();
			return TOO_MANY_FOR_USER;
		}
		return null;
	}

	private static boolean countIn(Map<String, Integer> counts, String key, int max) {
		boolean[] within = { true };
		counts.compute(key, (name, count) -> {
			int open = (count != null) ? count : 0;
			if (open >= max) {
				within[0] = false;
				return count;
			}
			return open + 1;
		});
		return within[0];
	}

	private static void uncountIn(Map<String, Integer> counts, String key) {
		counts.computeIfPresent(key, (name, count) -> (count > 1) ? count - 1 : null);
	}

	/**
	 * Counts an anonymous connection that was counted by {@link #open} as closed.
	 */
	void closed(String client) {
		closed(client, null);
	}

	/**
	 * Counts a connection that was counted by {@link #open} as closed.
	 * @param user the user it was counted with
	 */
	void closed(String client, @Nullable String user) {
		this.total.decrementAndGet();
		uncountIn(this.perClient, client);
		if (user != null) {
			uncountIn(this.perUser, user);
		}
	}

	int total() {
		return this.total.get();
	}

}
