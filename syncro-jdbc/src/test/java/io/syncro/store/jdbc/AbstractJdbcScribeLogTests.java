package io.syncro.store.jdbc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.syncro.scribe.Identity;
import io.syncro.scribe.Reader;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import io.syncro.store.ScribeLog;
import io.syncro.store.ScribeLogContractTests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * The {@link ScribeLogContractTests} and the JDBC log's own behaviour, run on each
 * database by a subclass. Every test gets a fresh database; the two nodes of the
 * contract are two {@link JdbcScribeLog} instances on it, each polling for the other's
 * appends.
 */
abstract class AbstractJdbcScribeLogTests extends ScribeLogContractTests {

	private static final Duration POLL_INTERVAL = Duration.ofMillis(20);

	private TestDatabase database;

	private final List<JdbcScribeLog> nodes = new ArrayList<>();

	/**
	 * Creates an empty database for one test.
	 * @return the database
	 */
	protected abstract TestDatabase createDatabase();

	@Override
	protected ScribeLog createLog() {
		this.database = createDatabase();
		JdbcScribeLog log = this.database.scribeLog();
		log.initializeSchema();
		return node(log);
	}

	@Override
	protected ScribeLog createSecondNodeLog() {
		return node(this.database.scribeLog());
	}

	private JdbcScribeLog node(JdbcScribeLog log) {
		log.startPolling(POLL_INTERVAL);
		this.nodes.add(log);
		return log;
	}

	protected final TestDatabase database() {
		return this.database;
	}

	@AfterEach
	void closeDatabase() {
		this.nodes.forEach(JdbcScribeLog::close);
		this.database.close();
	}

	@Test
	void initializeSchemaAgainKeepsTheLog() {
		log().append(List.of(entry("r1"), entry("r2")));
		JdbcScribeLog again = this.database.scribeLog();
		again.initializeSchema();
		again.initializeSchema();
		assertThat(again.read("alice", 0, 10)).extracting(Scribe::id).containsExactly(1L, 2L);
		assertThat(ids(again.append(List.of(entry("r3"))))).containsExactly(3L);
	}

	@Test
	void nodesStartingTogetherAllInitializeTheSchema() throws Exception {
		int nodes = 4;
		CountDownLatch start = new CountDownLatch(1);
		ExecutorService executor = Executors.newFixedThreadPool(nodes);
		try {
			List<CompletableFuture<Void>> starts = new ArrayList<>();
			for (int i = 0; i < nodes; i++) {
				JdbcScribeLog node = new JdbcScribeLog(this.database.dataSource(),
						this.database.transactionManager(), "race_");
				starts.add(CompletableFuture.runAsync(() -> {
					awaitLatch(start);
					node.initializeSchema();
				}, executor));
			}
			start.countDown();
			for (CompletableFuture<Void> started : starts) {
				assertThat(started).succeedsWithin(Duration.ofSeconds(60));
			}
		}
		finally {
			executor.shutdownNow();
		}
		JdbcScribeLog log = new JdbcScribeLog(this.database.dataSource(), this.database.transactionManager(), "race_");
		assertThat(ids(log.append(List.of(entry("r1"), entry("r2"))))).containsExactly(1L, 2L);
		assertThat(this.database.jdbcTemplate().queryForObject("SELECT COUNT(*) FROM race_log_head", Integer.class))
			.isOne();
	}

	@Test
	void aTableOfVersion01IsWidenedForTheKeysOfUsers() {
		this.database.jdbcTemplate().execute("CREATE TABLE old_scribe_client (scribe_id BIGINT NOT NULL,"
				+ " client VARCHAR(64) NOT NULL, PRIMARY KEY (scribe_id, client))");
		JdbcScribeLog old = new JdbcScribeLog(this.database.dataSource(), this.database.transactionManager(), "old_");
		old.initializeSchema();
		String user = "a-user-whose-name-is-longer-than-any-uid-of-version-0.1-could-be@example.com";
		old.append(List.of(new ScribeEntry(Scribe.destroy("Todo", "r1"),
				Recipients.users(user).intersect(Recipients.authorities("ROLE_ADMIN")), null)));
		assertThat(old.read(Reader.of(Identity.of("x", user, Set.of("ROLE_ADMIN")), false), 0, 10))
			.extracting(Scribe::recordId)
			.containsExactly("r1");
		old.initializeSchema();
	}

	@Test
	void recipientKeysDifferingOnlyInCaseOrTrailingSpacesAreDifferentKeys() {
		// MariaDB compares text case-insensitively and pads spaces unless its tables say otherwise.
		log().append(List.of(new ScribeEntry(Scribe.destroy("Todo", "r1"), Recipients.users("Alice", "alice "), null),
				new ScribeEntry(Scribe.destroy("Todo", "r2"), Recipients.only("uid-A"), null)));
		assertThat(log().read(Reader.of(Identity.of("x", "Alice", Set.of()), false), 0, 10))
			.extracting(Scribe::recordId)
			.containsExactly("r1");
		assertThat(log().read(Reader.of(Identity.of("x", "alice", Set.of()), false), 0, 10)).isEmpty();
		assertThat(log().read(Reader.of(Identity.of("x", "ALICE", Set.of()), false), 0, 10)).isEmpty();
		assertThat(log().read("uid-a", 0, 10)).isEmpty();
		assertThat(log().read("uid-A", 0, 10)).extracting(Scribe::recordId).containsExactly("r2");
		assertThat(log().entries(0, 10).get(0).recipients().listed()).containsExactlyInAnyOrder("@Alice", "@alice ");
	}

	@Test
	void logsWithOtherTablePrefixesAreSeparate() {
		JdbcScribeLog other = new JdbcScribeLog(this.database.dataSource(), this.database.transactionManager(),
				"other_");
		other.initializeSchema();
		log().append(List.of(entry("r1"), entry("r2")));
		assertThat(ids(other.append(List.of(entry("r3"))))).containsExactly(1L);
		assertThat(other.read("alice", 0, 10)).extracting(Scribe::recordId).containsExactly("r3");
		assertThat(log().read("alice", 0, 10)).extracting(Scribe::recordId).containsExactly("r1", "r2");
	}

	@Test
	void tablePrefixThatIsNotAPlainNameIsRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> new JdbcScribeLog(this.database.dataSource(),
				this.database.transactionManager(), "x; DROP TABLE syncro_scribe; --"));
	}

	@Test
	void appendWithoutTheHeadRowSaysToInitializeTheSchema() {
		this.database.jdbcTemplate().update("DELETE FROM syncro_log_head");
		assertThatIllegalStateException().isThrownBy(() -> log().append(List.of(entry("r1"))))
			.withMessageContaining("initializeSchema()");
		assertThat(log().read("alice", 0, 10)).isEmpty();
	}

	@Test
	void appendCommitsInItsOwnTransactionWhenTheCallersTransactionRollsBack() {
		TransactionTemplate outer = new TransactionTemplate(this.database.transactionManager());
		outer.executeWithoutResult((status) -> {
			log().append(List.of(entry("r1")));
			status.setRollbackOnly();
		});
		assertThat(log().read("alice", 0, 10)).extracting(Scribe::recordId).containsExactly("r1");
	}

	@Test
	void appendWorksFromAnAfterCommitCallbackOfTheCallersTransaction() {
		// How the recorder calls it: once the change it mirrors has committed.
		AtomicReference<List<ScribeEntry>> appended = new AtomicReference<>();
		TransactionTemplate outer = new TransactionTemplate(this.database.transactionManager());
		outer.executeWithoutResult((status) -> TransactionSynchronizationManager
			.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCommit() {
					appended.set(log().append(List.of(entry("r1"), entry("r2"))));
				}
			}));
		assertThat(ids(appended.get())).containsExactly(1L, 2L);
		assertThat(log().read("alice", 0, 10)).extracting(Scribe::recordId).containsExactly("r1", "r2");
	}

	@Test
	void pollingTellsListenersOfAppendsByAnotherNodeOnly() {
		JdbcScribeLog listening = this.database.scribeLog();
		List<Long> told = new CopyOnWriteArrayList<>();
		listening.addListener(told::add);
		JdbcScribeLog other = this.database.scribeLog();
		other.append(List.of(entry("r1"), entry("r2")));
		listening.poll();
		assertThat(told).containsExactly(2L);
		listening.poll();
		assertThat(told).as("a poll that finds nothing new tells nothing").containsExactly(2L);
		listening.append(List.of(entry("r3")));
		listening.poll();
		assertThat(told).as("own appends are told once").containsExactly(2L, 3L);
	}

	@Test
	void pollingStartsOnceAndCanStartAgainOnceClosed() {
		JdbcScribeLog listening = this.database.scribeLog();
		List<Long> told = new CopyOnWriteArrayList<>();
		listening.addListener(told::add);
		listening.startPolling(POLL_INTERVAL);
		assertThatIllegalStateException().isThrownBy(() -> listening.startPolling(POLL_INTERVAL));
		JdbcScribeLog other = this.database.scribeLog();
		other.append(List.of(entry("r1")));
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(told).contains(1L));
		listening.close();
		listening.startPolling(POLL_INTERVAL);
		other.append(List.of(entry("r2")));
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(told).contains(2L));
		listening.close();
	}

	private static void awaitLatch(CountDownLatch latch) {
		try {
			assertThat(latch.await(60, TimeUnit.SECONDS)).isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	protected static ScribeEntry entry(String recordId) {
		ObjectNode record = JsonNodeFactory.instance.objectNode();
		record.put("id", recordId);
		return new ScribeEntry(Scribe.create("Todo", record), Recipients.all(), null);
	}

	protected static List<Long> ids(List<ScribeEntry> entries) {
		return entries.stream().map(ScribeEntry::id).toList();
	}

}
