package io.syncro.client;

/**
 * A {@link LocalStore} kept in this JVM's memory: nothing survives the process, but the
 * state outlives a {@link SyncroClient}, so a new client on the same store carries on
 * where the last one stopped. For tests and for apps that need no persistence. Safe for
 * use from many threads.
 *
 * @since 0.1.0
 */
public final class MemoryLocalStore implements LocalStore {

	private final StoredState state = new StoredState();

	@Override
	public synchronized State load() {
		return this.state.toState();
	}

	@Override
	public synchronized void write(Change change) {
		this.state.apply(change);
	}

	@Override
	public synchronized java.util.List<StoredSubscription> subscriptions() {
		return this.state.subscriptions;
	}

	@Override
	public synchronized void writeSubscriptions(java.util.List<StoredSubscription> subscriptions) {
		this.state.subscriptions = java.util.List.copyOf(subscriptions);
	}

	/**
	 * Keeps the state, so that a later client can load it.
	 */
	@Override
	public void close() {
	}

}
