package io.syncro.store.jdbc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;

import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.jdbc.datasource.DataSourceTransactionManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Proves on PostgreSQL and MariaDB that {@link JdbcScribeLog} avoids the trap of ids
 * taken in one order and committed in another: two nodes share one database, commits are
 * slowed down to widen the window in which the trap would show, and every scribe is meant
 * for every reader, so that a reader must see the ids 1, 2, 3, … with no gap at any moment.
 * A gap would be an id that a slower transaction still holds, and that would appear
 * after the reader moved past it. Both tests fail when the ids are reserved in a
 * transaction of their own, as a database sequence would hand them out.
 */
class JdbcScribeLogOrderingTests {

	private static final Duration WAIT = Duration.ofSeconds(60);

	abstract static class OnDatabase {

		private TestDatabase database;

		private CommitDelayingDataSource dataSource;

		private JdbcScribeLog first;

		private JdbcScribeLog second;

		protected abstract TestDatabase createDatabase();

		@BeforeEach
		void startTwoNodes() {
			this.database = createDatabase();
			this.dataSource = new CommitDelayingDataSource(this.database.dataSource(), 300);
			DataSourceTransactionManager transactionManager = new DataSourceTransactionManager(this.dataSource);
			this.first = new JdbcScribeLog(this.dataSource, transactionManager);
			this.first.initializeSchema();
			this.second = new JdbcScribeLog(this.dataSource, transactionManager);
		}

		@AfterEach
		void closeDatabase() {
			this.database.close();
		}

		@Test
		void appendWaitsForAnEarlierUncommittedAppendSoReadersNeverSeeItsIdsFirst() throws Exception {
			CommitDelayingDataSource.Hold hold = this.dataSource.holdNextCommit();
			CompletableFuture<List<ScribeEntry>> earlier = CompletableFuture
				.supplyAsync(() -> this.first.append(List.of(entry("r1"), entry("r2"))));
			try {
				hold.awaitReached();
				CompletableFuture<List<ScribeEntry>> later = CompletableFuture
					.supplyAsync(() -> this.second.append(List.of(entry("r3"))));
				await().atMost(Duration.ofSeconds(20)).until(this.database::someoneWaitsForALock);
				assertThat(this.first.read("alice", 0, 10)).isEmpty();
				assertThat(this.second.lastId("alice")).isZero();
				assertThat(later).isNotDone();
				hold.release();
				assertThat(later).succeedsWithin(WAIT).extracting(JdbcScribeLogOrderingTests::ids).isEqualTo(List.of(3L));
			}
			finally {
				hold.release();
			}
			assertThat(earlier).succeedsWithin(WAIT).extracting(JdbcScribeLogOrderingTests::ids).isEqualTo(List.of(1L, 2L));
			assertThat(this.second.read("alice", 0, 10)).extracting(Scribe::recordId).containsExactly("r1", "r2", "r3");
		}

		@Test
		void readersPollingWhileTwoNodesAppendSeeEveryIdOnceInOrderWithNoGap() throws Exception {
			int writerCount = 8;
			int appendsPerWriter = 100;
			List<String> readers = List.of("reader-0", "reader-1", "reader-2", "reader-3");
			ExecutorService executor = Executors.newFixedThreadPool(writerCount + readers.size());
			try {
				CountDownLatch start = new CountDownLatch(1);
				CountDownLatch writersLeft = new CountDownLatch(writerCount);
				AtomicBoolean failed = new AtomicBoolean();
				List<Future<Long>> writers = new ArrayList<>();
				for (int w = 0; w < writerCount; w++) {
					JdbcScribeLog node = (w % 2 == 0) ? this.first : this.second;
					writers.add(executor.submit(() -> {
						try {
							start.await();
							long written = 0;
							for (int a = 0; a < appendsPerWriter && !failed.get(); a++) {
								int count = 1 + ThreadLocalRandom.current().nextInt(3);
								List<ScribeEntry> entries = new ArrayList<>();
								for (int i = 0; i < count; i++) {
									entries.add(entry("w" + a + "-" + i));
								}
								written += node.append(entries).size();
							}
							return written;
						}
						catch (Throwable ex) {
							failed.set(true);
							throw ex;
						}
						finally {
							writersLeft.countDown();
						}
					}));
				}
				List<Future<List<Long>>> readResults = new ArrayList<>();
				for (int r = 0; r < readers.size(); r++) {
					String client = readers.get(r);
					JdbcScribeLog node = (r % 2 == 0) ? this.first : this.second;
					readResults.add(executor.submit(() -> {
						try {
							start.await();
							List<Long> seen = new ArrayList<>();
							long position = 0;
							while (!failed.get()) {
								boolean writersDone = writersLeft.getCount() == 0;
								List<Scribe> batch = node.read(client, position, 100);
								for (Scribe scribe : batch) {
									// The next id, always: anything else is a lower id still to come.
									assertThat(scribe.id()).as("%s after %d", client, position).isEqualTo(position + 1);
									position = scribe.id();
									seen.add(position);
								}
								if (batch.isEmpty() && writersDone) {
									return seen;
								}
							}
							return seen;
						}
						catch (Throwable ex) {
							failed.set(true);
							throw ex;
						}
					}));
				}
				start.countDown();
				long total = 0;
				for (Future<Long> writer : writers) {
					total += writer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
				}
				List<Long> all = LongStream.rangeClosed(1, total).boxed().toList();
				for (Future<List<Long>> read : readResults) {
					assertThat(read.get(WAIT.toSeconds(), TimeUnit.SECONDS)).containsExactlyElementsOf(all);
				}
				assertThat(this.first.read("reader-0", 0, Integer.MAX_VALUE)).extracting(Scribe::id)
					.containsExactlyElementsOf(all);
				assertThat(this.second.lastId("reader-1")).isEqualTo(total);
			}
			finally {
				executor.shutdownNow();
				assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
			}
		}

	}

	@Nested
	class OnPostgres extends OnDatabase {

		@Override
		protected TestDatabase createDatabase() {
			return TestDatabase.postgres();
		}

	}

	@Nested
	class OnMariaDb extends OnDatabase {

		@Override
		protected TestDatabase createDatabase() {
			return TestDatabase.mariadb();
		}

	}

	private static ScribeEntry entry(String recordId) {
		ObjectNode record = JsonNodeFactory.instance.objectNode();
		record.put("id", recordId);
		return new ScribeEntry(Scribe.create("Todo", record), Recipients.all(), null);
	}

	private static List<Long> ids(List<ScribeEntry> entries) {
		return entries.stream().map(ScribeEntry::id).toList();
	}

}
