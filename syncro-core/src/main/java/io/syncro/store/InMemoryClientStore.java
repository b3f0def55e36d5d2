package io.syncro.store;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.jspecify.annotations.Nullable;

/**
 * A {@link ClientStore} kept in this JVM's memory, for a single node and for tests. Safe
 * for use from many threads: each uid's state has its own lock, so uids never wait on
 * each other.
 * <p>
 * Of each uid's refusals it keeps the {@link ClientStore#REFUSALS_KEPT} with the highest
 * scribe ids and forgets older ones, and it forgets a uid with everything kept for it
 * once {@link #expire} finds it unseen for long enough. Times are kept to the
 * millisecond, as the other stores keep them. Counting a principal's uids looks at every
 * uid: this store is meant for few of them.
 *
 * @since 0.1.0
 */
public final class InMemoryClientStore implements ClientStore {

	private final Map<String, ClientState> clients = new ConcurrentHashMap<>();

	@Override
	public long mark(String client) {
		ClientState state = this.clients.get(client);
		return (state != null) ? state.mark : 0;
	}

	@Override
	public boolean advanceMark(String client, long expected, long next, @Nullable Refusal refusal) {
		if (next <= expected) {
			throw new IllegalArgumentException("The next mark " + next + " must be above the expected " + expected);
		}
		ClientState state = stateOf(client);
		synchronized (state) {
			if (state.mark != expected) {
				return false;
			}
			state.mark = next;
			if (refusal != null) {
				state.refusals.put(next, refusal);
				while (state.refusals.size() > REFUSALS_KEPT) {
					state.refusals.pollFirstEntry();
				}
			}
			return true;
		}
	}

	@Override
	public long forgottenBelow(String client) {
		ClientState state = this.clients.get(client);
		if (state == null) {
			return 0;
		}
		synchronized (state) {
			return (state.refusals.size() >= REFUSALS_KEPT) ? state.refusals.firstKey() : 0;
		}
	}

	@Override
	public Optional<Refusal> refusal(String client, long scribeId) {
		ClientState state = this.clients.get(client);
		if (state == null) {
			return Optional.empty();
		}
		synchronized (state) {
			return Optional.ofNullable(state.refusals.get(scribeId));
		}
	}

	@Override
	public boolean isSynced(String client) {
		ClientState state = this.clients.get(client);
		return state != null && state.synced;
	}

	@Override
	public void markSynced(String client) {
		stateOf(client).synced = true;
	}

	@Override
	public Optional<String> principal(String client) {
		ClientState state = this.clients.get(client);
		return (state != null) ? Optional.ofNullable(state.principal.get()) : Optional.empty();
	}

	@Override
	public boolean bindPrincipal(String client, String principal) {
		return bind(stateOf(client), principal, System.currentTimeMillis());
	}

	@Override
	public boolean connected(String client, @Nullable String principal, Instant now) {
		long millis = now.toEpochMilli();
		boolean[] connected = { false };
		this.clients.compute(client, (uid, current) -> {
			ClientState state = (current != null) ? current : new ClientState(millis);
			connected[0] = (principal != null) ? bind(state, principal, millis) : state.principal.get() == null;
			if (connected[0]) {
				state.lastSeen = Math.max(state.lastSeen, millis);
			}
			return (connected[0] || current != null) ? state : null;
		});
		return connected[0];
	}

	private static boolean bind(ClientState state, String principal, long millis) {
		if (state.principal.compareAndSet(null, principal)) {
			state.boundAt = millis;
			return true;
		}
		return principal.equals(state.principal.get());
	}

	@Override
	public boolean isKnown(String client) {
		return this.clients.containsKey(client);
	}

	@Override
	public int clientsOf(String principal) {
		return (int) this.clients.values().stream().filter((state) -> principal.equals(state.principal.get())).count();
	}

	@Override
	public int clientsBoundSince(String principal, Instant since) {
		long millis = since.toEpochMilli();
		return (int) this.clients.values()
			.stream()
			.filter((state) -> principal.equals(state.principal.get()) && state.boundAt >= millis)
			.count();
	}

	@Override
	public Optional<Instant> lastSeen(String client) {
		ClientState state = this.clients.get(client);
		return (state != null) ? Optional.of(Instant.ofEpochMilli(state.lastSeen)) : Optional.empty();
	}

	@Override
	public void touch(Collection<String> clients, Instant now) {
		long millis = now.toEpochMilli();
		for (String client : clients) {
			this.clients.computeIfPresent(client, (uid, state) -> {
				state.lastSeen = Math.max(state.lastSeen, millis);
				return state;
			});
		}
	}

	@Override
	public synchronized int expire(Instant seenBefore) {
		long millis = seenBefore.toEpochMilli();
		AtomicInteger expired = new AtomicInteger();
		for (String client : this.clients.keySet()) {
			this.clients.computeIfPresent(client, (uid, state) -> {
				if (state.lastSeen >= millis) {
					return state;
				}
				expired.incrementAndGet();
				return null;
			});
		}
		return expired.get();
	}

	private ClientState stateOf(String client) {
		return this.clients.computeIfAbsent(client, (uid) -> new ClientState(System.currentTimeMillis()));
	}

	private static final class ClientState {

		/** Written under the state's lock; read without it. */
		volatile long mark;

		volatile boolean synced;

		/** Refusals by scribe id, guarded by the state's lock. */
		final TreeMap<Long, Refusal> refusals = new TreeMap<>();

		final AtomicReference<@Nullable String> principal = new AtomicReference<>();

		/** When the principal was bound, in epoch milliseconds; 0 while unbound. */
		volatile long boundAt;

		/** In epoch milliseconds; written inside the map's compute of the uid. */
		volatile long lastSeen;

		ClientState(long lastSeen) {
			this.lastSeen = lastSeen;
		}

	}

}
