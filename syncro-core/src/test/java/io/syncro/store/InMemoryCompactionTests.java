package io.syncro.store;

/**
 * {@link CompactionContractTests} on the log in memory.
 */
class InMemoryCompactionTests extends CompactionContractTests {

	@Override
	protected ScribeLog createLog() {
		return new InMemoryScribeLog();
	}

}
