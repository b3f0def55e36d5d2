package io.syncro.store.redis;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;

import io.syncro.protocol.MessageCodec;
import io.syncro.store.ClientStore;
import io.syncro.store.ClientStoreContractTests;
import io.syncro.store.Refusal;
import io.syncro.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link RedisClientStore} on a real Redis server: the {@link ClientStore}
 * contract, the key layout, and the mark moving back with a rolled back transaction.
 */
class RedisClientStoreTests extends ClientStoreContractTests {

	private final RedisServer redis = RedisServer.shared();

	private final RedisConnections connections = new RedisConnections(this.redis);

	@Override
	protected ClientStore createStore() {
		this.redis.flushAll();
		return new RedisClientStore(this.connections.newFactory());
	}

	@AfterEach
	void closeConnections() {
		this.connections.close();
	}

	@Test
	void advanceMarkRejectsANextMarkThatIsNotAboveTheExpectedOne() {
		assertThatIllegalArgumentException().isThrownBy(() -> store().advanceMark("alice", 0, 0, null));
		assertThatIllegalArgumentException().isThrownBy(() -> store().advanceMark("alice", 3, 2, null));
		assertThat(store().mark("alice")).isZero();
	}

	@Test
	void keysFollowTheLayoutOfTheClassJavadoc() {
		store().advanceMark("alice", 0, 11, null);
		store().advanceMark("alice", 11, 12, new Refusal(403, "Not yours."));
		store().markSynced("alice");
		store().bindPrincipal("alice", "Alice Liddell");
		assertThat(this.redis.command("HGET", "syncro:client:alice", "mark")).isEqualTo("12");
		assertThat(this.redis.command("HGET", "syncro:client:alice", "synced")).isEqualTo("1");
		assertThat(this.redis.command("HGET", "syncro:client:alice", "principal")).isEqualTo("Alice Liddell");
		String[] refusals = this.redis.command("ZRANGE", "syncro:refusals:alice", "0", "-1", "WITHSCORES").split("\n");
		assertThat(refusals).hasSize(2);
		assertThat(MessageCodec.readTree(refusals[0]))
			.isEqualTo(MessageCodec.readTree("{\"scribe\": 12, \"code\": 403, \"message\": \"Not yours.\"}"));
		assertThat(refusals[1]).isEqualTo("12");
	}

	@Test
	void keysOfBindingsAndLastSeenTimesFollowTheLayoutOfTheClassJavadoc() {
		Instant now = Instant.ofEpochMilli(1767225600000L);
		store().connected("alice", "Alice Liddell", now);
		store().connected("kiosk", null, now.plusSeconds(1));
		assertThat(this.redis.command("HGET", "syncro:client:alice", "principal")).isEqualTo("Alice Liddell");
		assertThat(this.redis.command("HGET", "syncro:client:alice", "bound")).isEqualTo("1767225600000");
		assertThat(this.redis.command("ZSCORE", "syncro:clients-of:Alice Liddell", "alice")).isEqualTo("1767225600000");
		assertThat(this.redis.command("ZSCORE", "syncro:clients-seen", "alice")).isEqualTo("1767225600000");
		assertThat(this.redis.command("ZSCORE", "syncro:clients-seen", "kiosk")).isEqualTo("1767225601000");
		assertThat(this.redis.command("HGET", "syncro:client:kiosk", "principal")).isEmpty();
		store().expire(now.plusSeconds(2));
		assertThat(this.redis.command("EXISTS", "syncro:client:alice")).isEqualTo("0");
		assertThat(this.redis.command("ZCARD", "syncro:clients-of:Alice Liddell")).isEqualTo("0");
		assertThat(this.redis.command("ZCARD", "syncro:clients-seen")).isEqualTo("0");
		assertThat(this.redis.command("EXISTS", "syncro:client-expiry")).isEqualTo("0");
	}

	@Test
	void expireLeavesTheWorkToTheNodeHoldingTheLease() {
		Instant now = Instant.now();
		store().connected("old", "alice", now.minus(40, ChronoUnit.DAYS));
		this.redis.command("SET", "syncro:client-expiry", "another-node", "PX", "60000");
		assertThat(store().expire(now.minus(30, ChronoUnit.DAYS))).isZero();
		assertThat(store().isKnown("old")).isTrue();
		assertThat(this.redis.command("GET", "syncro:client-expiry")).isEqualTo("another-node");
		this.redis.command("DEL", "syncro:client-expiry");
		assertThat(store().expire(now.minus(30, ChronoUnit.DAYS))).isEqualTo(1);
	}

	@Test
	void refusalsBeyondTheThousandNewestAreTrimmed() {
		for (int id = 1; id <= 1005; id++) {
			store().advanceMark("alice", id - 1, id, new Refusal(400, "Bad " + id + "."));
		}
		assertThat(this.redis.command("ZCARD", "syncro:refusals:alice")).isEqualTo("1000");
		assertThat(store().refusal("alice", 5)).isEmpty();
		assertThat(store().refusal("alice", 6)).contains(new Refusal(400, "Bad 6."));
	}

	@Test
	void uidsThatContainColonsDoNotShareKeys() {
		store().advanceMark("alice", 0, 3, new Refusal(404, "Gone."));
		store().bindPrincipal("alice", "Alice");
		for (String other : new String[] { "alice:refusals", "refusals:alice", "client:alice", "alice:" }) {
			assertThat(store().mark(other)).as(other).isZero();
			assertThat(store().refusal(other, 3)).as(other).isEmpty();
			assertThat(store().principal(other)).as(other).isEmpty();
			assertThat(store().bindPrincipal(other, "Mallory")).as(other).isTrue();
			assertThat(store().advanceMark(other, 0, 7, null)).as(other).isTrue();
		}
		assertThat(store().mark("alice")).isEqualTo(3);
		assertThat(store().refusal("alice", 3)).contains(new Refusal(404, "Gone."));
		assertThat(store().principal("alice")).contains("Alice");
	}

	@Test
	void markMovedInATransactionStaysWhenItCommits() {
		TransactionTemplate transaction = new TransactionTemplate(new ResourcelessTransactionManager(false));
		transaction.executeWithoutResult((status) -> assertThat(store().advanceMark("alice", 0, 1, null)).isTrue());
		assertThat(store().mark("alice")).isEqualTo(1);
	}

	@Test
	void markMovesBackWhenTheTransactionThatMovedItRollsBack() {
		store().advanceMark("alice", 0, 4, null);
		TransactionTemplate transaction = new TransactionTemplate(new ResourcelessTransactionManager(false));
		assertThatIllegalStateException().isThrownBy(() -> transaction.executeWithoutResult((status) -> {
			assertThat(store().advanceMark("alice", 4, 5, new Refusal(403, "Refused."))).isTrue();
			assertThat(store().mark("alice")).isEqualTo(5);
			throw new IllegalStateException("rollback provoked by a test");
		}));
		assertThat(store().mark("alice")).isEqualTo(4);
		assertThat(store().refusal("alice", 5)).isEmpty();
		assertThat(store().advanceMark("alice", 4, 5, null)).isTrue();
	}

	@Test
	void markMovesBackWhenTheCommitFailsAndRollsBack() {
		ResourcelessTransactionManager manager = new ResourcelessTransactionManager(true);
		manager.setRollbackOnCommitFailure(true);
		TransactionTemplate transaction = new TransactionTemplate(manager);
		assertThatExceptionOfType(TransactionSystemException.class).isThrownBy(() -> transaction
			.executeWithoutResult((status) -> assertThat(store().advanceMark("alice", 0, 1, null)).isTrue()));
		assertThat(store().mark("alice")).isZero();
	}

	@Test
	void markStaysWhenItMovedOnBeforeTheRollback() {
		TransactionTemplate transaction = new TransactionTemplate(new ResourcelessTransactionManager(false));
		assertThatIllegalStateException().isThrownBy(() -> transaction.executeWithoutResult((status) -> {
			assertThat(store().advanceMark("alice", 0, 1, null)).isTrue();
			// another node, outside this transaction, settles the next scribe before it ends
			ClientStore otherNode = new RedisClientStore(this.connections.newFactory());
			assertThat(CompletableFuture.supplyAsync(() -> otherNode.advanceMark("alice", 1, 2, null)))
				.succeedsWithin(Duration.ofSeconds(30))
				.isEqualTo(true);
			throw new IllegalStateException("rollback provoked by a test");
		}));
		assertThat(store().mark("alice")).isEqualTo(2);
	}

	/**
	 * A transaction manager with no resource behind it, whose commit may fail.
	 */
	private static final class ResourcelessTransactionManager extends AbstractPlatformTransactionManager {

		private final boolean failCommit;

		ResourcelessTransactionManager(boolean failCommit) {
			this.failCommit = failCommit;
		}

		@Override
		protected Object doGetTransaction() {
			return new Object();
		}

		@Override
		protected void doBegin(Object transaction, TransactionDefinition definition) {
		}

		@Override
		protected void doCommit(DefaultTransactionStatus status) {
			if (this.failCommit) {
				throw new TransactionSystemException("commit failure provoked by a test");
			}
		}

		@Override
		protected void doRollback(DefaultTransactionStatus status) {
		}

	}

}
