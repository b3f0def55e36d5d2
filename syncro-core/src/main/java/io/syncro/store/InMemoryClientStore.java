package io.syncro.store;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import org.jspecify.annotations.Nullable;

/**
 * A {@link ClientStore} kept in this JVM's memory, for a single node and for tests. Safe
 * for use from many threads: each uid's state has its own lock, so uids never wait on
 * each other.
 * <p>
 * Of each uid's refusals it keeps the {@link ClientStore#REFUSALS_KEPT} with the highest
 * scribe ids and forgets older ones. Nothing else is ever forgotten: memory grows with
 * the number of uids seen.
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
		AtomicReference<@Nullable String> bound = stateOf(client).principal;
		return bound.compareAndSet(null, principal) || principal.equals(bound.get());
	}

	private ClientState stateOf(String client) {
		return this.clients.computeIfAbsent(client, (uid) -> new ClientState());
	}

	private static final class ClientState {

		/** Written under the state's lock; read without it. */
		volatile long mark;

		volatile boolean synced;

		/** Refusals by scribe id, guarded by the state's lock. */
		final TreeMap<Long, Refusal> refusals = new TreeMap<>();

		final AtomicReference<@Nullable String> principal = new AtomicReference<>();

	}

}
