package io.syncro.store;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link InMemoryClientStore}: the {@link ClientStore} contract and its
 * argument checks.
 */
class InMemoryClientStoreTests extends ClientStoreContractTests {

	@Override
	protected ClientStore createStore() {
		return new InMemoryClientStore();
	}

	@Test
	void advanceMarkRejectsANextMarkThatIsNotAboveTheExpectedOne() {
		assertThatIllegalArgumentException().isThrownBy(() -> store().advanceMark("alice", 0, 0, null));
		assertThatIllegalArgumentException().isThrownBy(() -> store().advanceMark("alice", 3, 2, null));
		assertThat(store().mark("alice")).isZero();
	}

}
