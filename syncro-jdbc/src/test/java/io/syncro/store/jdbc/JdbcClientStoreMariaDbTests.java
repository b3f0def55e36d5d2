package io.syncro.store.jdbc;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.syncro.store.Refusal;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link JdbcClientStore} on a real MariaDB server, whose transactions are
 * REPEATABLE READ unless told otherwise: a transaction's reads keep seeing the database
 * as it was at its first read, while its updates see the rows committed since.
 */
class JdbcClientStoreMariaDbTests extends AbstractJdbcClientStoreTests {

	@Override
	protected TestDatabase createDatabase() {
		return TestDatabase.mariadb();
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
			// Blocks on the first transaction's uncommitted row, then finds it committed.
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

	@Test
	void aUidCreatedSinceTheCallersTransactionFirstReadIsNotCreatedAgain() {
		Boolean advanced = transaction().execute((status) -> {
			assertThat(store().mark("alice")).isZero();
			// Committed by another transaction, after this one's reads were fixed.
			assertThat(CompletableFuture.supplyAsync(() -> store().advanceMark("alice", 0, 1, null)))
				.succeedsWithin(30, TimeUnit.SECONDS)
				.isEqualTo(true);
			assertThat(store().isKnown("alice")).as("hidden from this transaction's reads").isFalse();
			boolean again = store().advanceMark("alice", 0, 1, new Refusal(403, "No."));
			assertThat(store().connected("alice", "Alice", Instant.now())).isTrue();
			store().markSynced("alice");
			return again;
		});
		assertThat(advanced).isFalse();
		assertThat(store().mark("alice")).isEqualTo(1);
		assertThat(store().refusal("alice", 1)).isEmpty();
		assertThat(store().principal("alice")).contains("Alice");
		assertThat(store().isSynced("alice")).isTrue();
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
