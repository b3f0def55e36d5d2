package io.syncro.store.jdbc;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link JdbcClientStore} on a real PostgreSQL server, where a failed
 * statement aborts the whole transaction it runs in.
 */
class JdbcClientStorePostgresTests extends AbstractJdbcClientStoreTests {

	@Override
	protected TestDatabase createDatabase() {
		return TestDatabase.postgres();
	}

	@Test
	void losingTheRaceToCreateAUidLeavesTheCallersTransactionUsable() throws Exception {
		CountDownLatch firstCreated = new CountDownLatch(1);
		CountDownLatch firstMayCommit = new CountDownLatch(1);
		CompletableFuture<Boolean> first = CompletableFuture.supplyAsync(() -> transaction().execute((status) -> {
			boolean advanced = store().advanceMark("alice", 0, 1, null);
			firstCreated.countDown();
			awaitLatch(firstMayCommit);
			return advanced;
		}));
		awaitLatch(firstCreated);
		CompletableFuture<Boolean> second = CompletableFuture.supplyAsync(() -> transaction().execute((status) -> {
			// Blocks on the first transaction's uncommitted row, then hits its key.
			boolean advanced = store().advanceMark("alice", 0, 1, null);
			store().markSynced("bob");
			return advanced;
		}));
		await().atMost(Duration.ofSeconds(30)).until(database()::someoneWaitsForALock);
		firstMayCommit.countDown();
		assertThat(first).succeedsWithin(30, TimeUnit.SECONDS).isEqualTo(true);
		assertThat(second).succeedsWithin(30, TimeUnit.SECONDS).isEqualTo(false);
		assertThat(store().mark("alice")).isEqualTo(1);
		assertThat(store().isSynced("bob")).as("the losing transaction committed its other work").isTrue();
	}

	private static void awaitLatch(CountDownLatch latch) {
		try {
			assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
