package io.syncro.web;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.syncro.protocol.SyncroException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.web.socket.CloseStatus;

/**
 * Counts the open connections of the endpoint, in total and per client uid, against the
 * {@link ConnectionLimits}.
 */
final class ConnectionCounter {

	static final CloseStatus TOO_MANY_FOR_CLIENT = CloseStatus.POLICY_VIOLATION
		.withReason("Too many connections with this client uid");

	static final CloseStatus TOO_MANY_IN_TOTAL = new CloseStatus(1013, "Too many connections; try again later");

	private final ConnectionLimits limits;

	private final AtomicInteger total = new AtomicInteger();

	private final Map<String, Integer> perClient = new ConcurrentHashMap<>();

	ConnectionCounter(ConnectionLimits limits) {
		this.limits = limits;
	}

	/**
	 * Whether one more connection of this uid would be within the limits now.
	 * @throws SyncroException with code 429 or 503 if it would not
	 */
	void check(String client) {
		if (this.total.get() >= this.limits.maxTotal()) {
			throw new SyncroException(HttpStatus.SERVICE_UNAVAILABLE.value(),
					"The server has as many connections as it takes; try again later.");
		}
		if (this.perClient.getOrDefault(client, 0) >= this.limits.maxPerClient()) {
			throw new SyncroException(HttpStatus.TOO_MANY_REQUESTS.value(),
					"This client uid has as many connections open as it may.");
		}
	}

	/**
	 * Counts a connection that opened.
	 * @return {@code null} if it is within the limits, else how to close it (it is then
	 * not counted)
	 */
	@Nullable CloseStatus open(String client) {
		if (this.total.incrementAndGet() > this.limits.maxTotal()) {
			this.total.decrementAndGet();
			return TOO_MANY_IN_TOTAL;
		}
		boolean[] within = { true };
		this.perClient.compute(client, (uid, count) -> {
			int open = (count != null) ? count : 0;
			if (open >= this.limits.maxPerClient()) {
				within[0] = false;
				return count;
			}
			return open + 1;
		});
		if (!within[0]) {
			this.total.decrementAndGet();
			return TOO_MANY_FOR_CLIENT;
		}
		return null;
	}

	/**
	 * Counts a connection that was counted by {@link #open} as closed.
	 */
	void closed(String client) {
		this.total.decrementAndGet();
		this.perClient.computeIfPresent(client, (uid, count) -> (count > 1) ? count - 1 : null);
	}

	int total() {
		return this.total.get();
	}

}
