package io.syncro.client;

/**
 * Tests for {@link MemoryLocalStore}: the {@link LocalStore} contract, where a later
 * client uses the same instance.
 */
class MemoryLocalStoreTests extends LocalStoreContractTests {

	@Override
	protected LocalStore createStore() {
		return new MemoryLocalStore();
	}

	@Override
	protected LocalStore reopen(LocalStore store) {
		store.close();
		return store;
	}

}
