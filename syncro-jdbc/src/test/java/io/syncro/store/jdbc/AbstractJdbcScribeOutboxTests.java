package io.syncro.store.jdbc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import io.syncro.store.ForwardingScribeLog;
import io.syncro.store.InMemoryScribeLog;
import io.syncro.store.Relayed;
import io.syncro.store.ScribeLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link JdbcScribeOutbox}, run on each database by a subclass: rows commit
 * with their transaction, are relayed in order and each once, also by a relay that
 * stopped half-way and by two nodes relaying the same table.
 */
abstract class AbstractJdbcScribeOutboxTests {

	private TestDatabase database;

	private final InMemoryScribeLog log = new InMemoryScribeLog();

	private final List<JdbcScribeOutbox> outboxes = new ArrayList<>();

	/**
	 * Creates an empty database for one test.
	 * @return the database
	 */
	protected abstract TestDatabase createDatabase();

	@BeforeEach
	void createDatabaseUnderTest() {
		this.database = createDatabase();
	}

	@AfterEach
	void closeDatabase() {
		this.outboxes.forEach(JdbcScribeOutbox::close);
		this.database.close();
	}

	@Test
	void addedScribesAreKeptOnlyWhenTheirTransactionCommits() {
		JdbcScribeOutbox outbox = outbox(this.log);
		TransactionTemplate transaction = new TransactionTemplate(this.database.transactionManager());
		assertThatIllegalStateException().isThrownBy(() -> transaction.executeWithoutResult((status) -> {
			outbox.add(List.of(todo(1)));
			throw new IllegalStateException("rolled back");
		}));
		assertThat(outbox.pending()).isZero();
		transaction.executeWithoutResult((status) -> outbox.add(List.of(todo(2), todo(3))));
		assertThat(outbox.pending()).isOne();
	}

	@Test
	void relayAppendsEachTransactionTogetherInOrderAndEmptiesTheOutbox() {
		JdbcScribeOutbox outbox = outbox(this.log);
		outbox.add(List.of(todo(1), todo(2)));
		outbox.add(List.of(todo(3)));
		outbox.relay();
		assertThat(titles(this.log)).containsExactly("1", "2", "3");
		assertThat(this.log.read("alice", 0, 10)).extracting(Scribe::id).containsExactly(1L, 2L, 3L);
		assertThat(outbox.pending()).isZero();
	}

	@Test
	void relayKeepsRecipientsAndOrigin() {
		JdbcScribeOutbox outbox = outbox(this.log);
		ScribeEntry entry = new ScribeEntry(Scribe.create("Todo", attributes(1)), Recipients.allExcept(List.of("carol")),
				"bob");
		outbox.add(List.of(entry));
		outbox.relay();
		assertThat(this.log.read("alice", 0, 10)).hasSize(1);
		assertThat(this.log.read("bob", 0, 10)).isEmpty();
		assertThat(this.log.read("carol", 0, 10)).isEmpty();
	}

	@Test
	void rowsOfARelayThatStoppedAfterItsAppendAreNotAppendedAgain() {
		AtomicBoolean crash = new AtomicBoolean(true);
		// appends, then fails as a process killed before the outbox rows were deleted
		ScribeLog crashing = new ForwardingScribeLog(this.log) {

			@Override
			public List<ScribeEntry> appendRelayed(List<Relayed> transactions) {
				List<ScribeEntry> appended = super.appendRelayed(transactions);
				if (crash.get()) {
					throw new IllegalStateException("killed");
				}
				return appended;
			}

		};
		JdbcScribeOutbox outbox = outbox(crashing);
		outbox.add(List.of(todo(1)));
		outbox.add(List.of(todo(2)));
		outbox.relay();
		assertThat(outbox.pending()).isEqualTo(2);
		outbox.add(List.of(todo(3)));
		crash.set(false);
		JdbcScribeOutbox restarted = outbox(this.log);
		restarted.relayNow();
		assertThat(titles(this.log)).containsExactly("1", "2", "3");
		assertThat(restarted.pending()).isZero();
	}

	@Test
	void aFailingLogLeavesTheRowsForALaterRelay() {
		AtomicBoolean down = new AtomicBoolean(true);
		ScribeLog unreachable = new ForwardingScribeLog(this.log) {

			@Override
			public List<ScribeEntry> appendRelayed(List<Relayed> transactions) {
				if (down.get()) {
					throw new IllegalStateException("down");
				}
				return super.appendRelayed(transactions);
			}

		};
		JdbcScribeOutbox outbox = outbox(unreachable);
		outbox.add(List.of(todo(1)));
		outbox.relay();
		down.set(false);
		outbox.add(List.of(todo(2)));
		outbox.relay();
		assertThat(titles(this.log)).isEmpty();
		outbox.relayNow();
		assertThat(titles(this.log)).containsExactly("1", "2");
		outbox.add(List.of(todo(3)));
		outbox.relay();
		assertThat(titles(this.log)).containsExactly("1", "2", "3");
	}

	@Test
	void twoNodesRelayingOneOutboxWhileWritersCommitAppendEveryRowOnce() throws Exception {
		JdbcScribeOutbox first = outbox(this.log);
		JdbcScribeOutbox second = outbox(this.log);
		first.setBatchSize(7);
		second.setBatchSize(5);
		TransactionTemplate transaction = new TransactionTemplate(this.database.transactionManager());
		int writers = 4;
		int perWriter = 150;
		ExecutorService executor = Executors.newFixedThreadPool(writers);
		try {
			List<Future<?>> futures = new ArrayList<>();
			for (int w = 0; w < writers; w++) {
				int writer = w;
				futures.add(executor.submit(() -> {
					for (int i = 0; i < perWriter; i++) {
						int n = writer * perWriter + i;
						transaction.executeWithoutResult((status) -> ((n % 2 == 0) ? first : second).add(List.of(todo(n))));
						((n % 2 == 0) ? first : second).relay();
					}
				}));
			}
			for (Future<?> future : futures) {
				future.get(120, TimeUnit.SECONDS);
			}
		}
		finally {
			executor.shutdownNow();
		}
		first.relayNow();
		second.relayNow();
		List<String> titles = titles(this.log);
		assertThat(titles).hasSize(writers * perWriter).doesNotHaveDuplicates();
		assertThat(first.pending()).isZero();
	}

	@Test
	void startRelayingRelaysWhatAnotherProcessLeft() {
		JdbcScribeOutbox stopped = outbox(new ForwardingScribeLog(this.log) {

			@Override
			public List<ScribeEntry> appendRelayed(List<Relayed> transactions) {
				throw new IllegalStateException("stopped");
			}

		});
		stopped.add(List.of(todo(1)));
		JdbcScribeOutbox started = outbox(this.log);
		started.startRelaying(Duration.ofMillis(20));
		await().untilAsserted(() -> assertThat(titles(this.log)).containsExactly("1"));
	}

	private JdbcScribeOutbox outbox(ScribeLog target) {
		JdbcScribeOutbox outbox = new JdbcScribeOutbox(this.database.dataSource(), this.database.transactionManager(),
				target);
		outbox.initializeSchema();
		this.outboxes.add(outbox);
		return outbox;
	}

	private static List<String> titles(ScribeLog log) {
		return log.read("alice", 0, 10_000).stream().map((scribe) -> scribe.attributes().get("title").asString()).toList();
	}

	private static ScribeEntry todo(int n) {
		return new ScribeEntry(Scribe.create("Todo", attributes(n)), Recipients.all(), null);
	}

	private static ObjectNode attributes(int n) {
		ObjectNode attributes = JsonNodeFactory.instance.objectNode();
		attributes.put("id", "t" + n);
		attributes.put("title", Integer.toString(n));
		attributes.put("done", false);
		return attributes;
	}

}
