package io.syncro.sample.cluster;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.syncro.protocol.MessageCodec;
import io.syncro.testing.PostgresServer;
import io.syncro.testing.ReconnectingClient;
import io.syncro.testing.RedisServer;
import io.syncro.testing.Scribes;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static io.syncro.sample.SampleRecords.todo;
import static io.syncro.testing.Processes.sleep;
import static io.syncro.testing.ReconnectingClient.fullSync;
import static io.syncro.testing.ReconnectingClient.live;
import static io.syncro.testing.Scribes.create;
import static io.syncro.testing.Scribes.ids;
import static io.syncro.testing.Scribes.recordId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis, the scribe log of two sample-app nodes, crashes and comes back (from its
 * append-only file) while clients of both nodes write continuously by add_scribe and
 * REST. Writes commit to the database meanwhile and their scribes wait in the outbox;
 * reads that need Redis fail and clients retry. Once it is back every client converges
 * on the log, and no acknowledged write is lost or delivered twice, and every committed
 * record is recorded.
 */
class RedisRestartTests {

	/** Longer than the sample's 3 s Redis command timeout, so writes meanwhile fail. */
	private static final Duration OUTAGE = Duration.ofMillis(4500);

	/** Acknowledged writes each writer makes before the crash, and again after it. */
	private static final int WRITES_BEFORE_AND_AFTER = 15;

	private static RedisServer redis;

	private static SampleAppCluster cluster;

	@BeforeAll
	static void startTwoNodesOnARedisOfTheirOwn() {
		redis = RedisServer.start();
		PostgresServer postgres = PostgresServer.shared();
		cluster = SampleAppCluster.start(2, redis.host(), redis.port(), "restart-" + UUID.randomUUID(), postgres,
				postgres.createDatabase(), AppendHook.class);
	}

	@AfterEach
	void resetHook() {
		AppendHook.reset();
	}

	@AfterAll
	static void stop() {
		if (cluster != null) {
			cluster.close();
		}
		if (redis != null) {
			redis.close();
		}
	}

	@Test
	void writesDuringARedisRestartFailVisiblyAndEveryAcknowledgedOneReachesEveryClientExactlyOnce() throws Exception {
		String run = "restart" + System.nanoTime();
		Tally tally = new Tally();
		List<Client> clients = List.of(new Client(1, live(cluster.clients(1), "watcher-on-1")),
				new Client(2, live(cluster.clients(2), "watcher-on-2")), new Client(1, live(cluster.clients(1), "writer-on-1")),
				new Client(2, live(cluster.clients(2), "writer-on-2")));
		AtomicBoolean stop = new AtomicBoolean();
		ExecutorService writers = Executors.newFixedThreadPool(4);
		try {
			List<Future<?>> writing = List.of(
					writers.submit(() -> writeByWebSocket(clients.get(2).client, run, tally, stop)),
					writers.submit(() -> writeByWebSocket(clients.get(3).client, run, tally, stop)),
					writers.submit(() -> writeByRest(1, run, tally, stop)),
					writers.submit(() -> writeByRest(2, run, tally, stop)));
			tally.awaitEachWriterBeyond(Map.of(), WRITES_BEFORE_AND_AFTER);
			redis.restart(() -> sleep(OUTAGE.toMillis()));
			tally.awaitEachWriterBeyond(tally.perWriter(), WRITES_BEFORE_AND_AFTER);
			stop.set(true);
			for (Future<?> write : writing) {
				write.get(120, TimeUnit.SECONDS);
			}
		}
		finally {
			stop.set(true);
			writers.shutdownNow();
		}
		try {
			// the scribes written while Redis was down wait in the outbox until the relay
			// reaches Redis again (Lettuce reconnects with a growing delay)
			await().atMost(Duration.ofSeconds(60)).until(() -> cluster.outboxPending() == 0);
			// every client converges on what a full sync of its uid gives
			List<String> diverged = new ArrayList<>();
			for (Client client : clients) {
				try {
					await().atMost(Duration.ofSeconds(40))
						.pollInterval(Duration.ofMillis(500))
						.until(() -> ids(client.client.applied())
							.equals(ids(fullSync(cluster.clients(client.node), client.client.uid()))));
				}
				catch (ConditionTimeoutException ex) {
					diverged.add(client.client.uid());
				}
			}
			List<JsonNode> log = fullSync(cluster.clients(1), "auditor-on-1");
			Counts counts = count(run, tally, log, clients);
			System.out.println(counts);
			assertThat(diverged).as("clients that did not converge on a full sync of their uid").isEmpty();
			assertThat(fullSync(cluster.clients(2), "auditor-on-2")).isEqualTo(log);
			assertThat(ids(log)).isSorted().doesNotHaveDuplicates();
			for (Client client : clients) {
				assertThat(client.client.applied()).isEqualTo(client.expected(log));
				assertThat(client.client.violations()).isEmpty();
			}
			assertThat(tally.unexpected).as("replies that are neither true nor a transient error").isEmpty();
			assertThat(counts.lost).as("acknowledged writes missing from the log or a client: " + counts.lostRecords)
				.isZero();
			assertThat(counts.duplicated).as("writes logged or delivered more than once: " + counts.duplicatedRecords)
				.isZero();
			assertThat(counts.unrecorded).as("records committed but never recorded").isEmpty();
		}
		finally {
			clients.forEach((client) -> client.client.close());
		}
	}

	@Test
	void aScribeAnsweredTrueIsInTheLogEvenWhenRedisCrashesBetweenItsCommitAndItsAppend() throws Exception {
		String record = "crash-" + UUID.randomUUID();
		AtomicBoolean crashed = new AtomicBoolean();
		CountDownLatch down = new CountDownLatch(1);
		Thread crash = new Thread(() -> redis.restart(() -> {
			down.countDown();
			sleep(OUTAGE.toMillis());
		}), "redis-crash");
		// Redis goes down after the play committed (and the mark moved), as the outbox relays the scribe
		AppendHook.beforeAppend((entries) -> {
			if (entries.toString().contains(record) && crashed.compareAndSet(false, true)) {
				crash.start();
				awaitLatch(down);
			}
		});
		try (ReconnectingClient writer = live(cluster.clients(1), "crash-writer");
				ReconnectingClient watcher = live(cluster.clients(2), "crash-watcher")) {
			ReconnectingClient.Failures failures = new ReconnectingClient.Failures();
			JsonNode reply = writer.addScribe(create(1, "Todo", todo(record, "written as Redis crashed")), failures);
			crash.join(30_000);
			assertThat(crashed).isTrue();
			assertThat(reply.path("result").asBoolean()).as(reply.toString()).isTrue();
			// answered true: the write is settled, so its scribe reaches the log once Redis
			// is back and the outbox has relayed it
			await().atMost(Duration.ofSeconds(20))
				.untilAsserted(() -> assertThat(fullSync(cluster.clients(2), "crash-auditor-" + System.nanoTime()))
					.extracting(Scribes::recordId)
					.as("the log after client scribe 1 of crash-writer was answered true (attempts that failed: %s)",
							failures)
					.contains(record));
			await().atMost(Duration.ofSeconds(20))
				.untilAsserted(() -> assertThat(watcher.applied()).extracting(Scribes::recordId).contains(record));
		}
	}

	private static void awaitLatch(CountDownLatch latch) {
		try {
			if (!latch.await(30, TimeUnit.SECONDS)) {
				throw new IllegalStateException("Redis did not go down");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static Counts count(String run, Tally tally, List<JsonNode> log, List<Client> clients) throws IOException {
		Map<String, Long> logged = Scribes.countByRecord(log, "create");
		Set<String> acknowledged = tally.acknowledged.keySet();
		Counts counts = new Counts();
		counts.written = acknowledged.size();
		counts.writtenByWebSocket = (int) tally.acknowledged.values().stream().filter("add_scribe"::equals).count();
		counts.failures = tally.failures;
		counts.failedRest = tally.failedRest.size();
		counts.restErrors = tally.restErrors;
		for (String record : acknowledged) {
			boolean inLog = logged.containsKey(record);
			boolean everywhere = true;
			for (Client client : clients) {
				if (client.receives(record) && !client.has(record)) {
					everywhere = false;
				}
			}
			if (inLog && everywhere) {
				counts.delivered++;
			}
			else {
				counts.lostRecords.add(record);
			}
		}
		counts.lost = counts.lostRecords.size();
		logged.forEach((record, times) -> {
			if (times > 1) {
				counts.duplicatedRecords.add(record);
			}
		});
		for (Client client : clients) {
			ids(client.client.applied()).stream()
				.collect(Collectors.groupingBy(Function.identity(), Collectors.counting()))
				.forEach((id, times) -> {
					if (times > 1) {
						counts.duplicatedRecords.add(client.client.uid() + " got scribe " + id + " " + times + " times");
					}
				});
			Scribes.countByRecord(client.client.applied(), "create").forEach((record, times) -> {
				if (times > 1) {
					counts.duplicatedRecords.add(client.client.uid() + " got " + record + " " + times + " times");
				}
			});
			counts.duplicatedRecords.addAll(client.client.violations());
			counts.reconnects += client.client.connections() - 1;
		}
		counts.duplicated = counts.duplicatedRecords.size();
		Map<String, String> titleOfLogged = log.stream()
			.filter((scribe) -> scribe.path("type").asString().equals("create"))
			.collect(Collectors.toMap(Scribes::recordId, (scribe) -> scribe.path("data").path("title").asString(),
					(a, b) -> a));
		counts.failedButRecorded = (int) tally.failedRest.stream().filter(titleOfLogged::containsValue).count();
		// what the database holds of this run that no scribe announced
		for (JsonNode todo : cluster.expect(200, 1, "GET", "/api/todos", null)) {
			String title = todo.path("title").asString();
			if (title.startsWith(run) && !logged.containsKey(todo.path("id").asString())) {
				counts.unrecorded.add(title);
			}
		}
		return counts;
	}

	private static void writeByWebSocket(ReconnectingClient writer, String run, Tally tally, AtomicBoolean stop) {
		long scribeId = 0;
		while (!stop.get()) {
			String id = run + "-" + writer.uid() + "-" + (scribeId + 1);
			JsonNode reply = writer.addScribe(create(++scribeId, "Todo", todo(id, id)), tally.failures);
			if (reply.path("result").asBoolean(false)) {
				tally.acknowledged(writer.uid(), id, "add_scribe");
			}
			else {
				tally.unexpected.add(reply.toString());
			}
			sleep(5);
		}
	}

	private static void writeByRest(int node, String run, Tally tally, AtomicBoolean stop) {
		String writer = "rest-on-" + node;
		int count = 0;
		while (!stop.get()) {
			String title = run + "-" + writer + "-" + (++count);
			try {
				HttpResponse<String> response = cluster.send(node, "POST", "/api/todos", "{\"title\":\"" + title + "\"}");
				if (response.statusCode() == 201) {
					tally.acknowledged(writer, MessageCodec.readTree(response.body()).path("id").asString(), "REST");
				}
				else {
					tally.restFailed(title, Integer.toString(response.statusCode()));
				}
			}
			catch (IOException ex) {
				tally.restFailed(title, ex.getClass().getSimpleName());
			}
			sleep(5);
		}
	}

	/**
	 * A client of the test and the node it is connected to.
	 */
	private record Client(int node, ReconnectingClient client) {

		/** Whether the client receives a record's scribes: all but the ones it wrote itself. */
		boolean receives(String record) {
			return !record.contains("-" + this.client.uid() + "-");
		}

		boolean has(String record) {
			return this.client.applied().stream().anyMatch((scribe) -> recordId(scribe).equals(record));
		}

		List<JsonNode> expected(List<JsonNode> log) {
			return log.stream().filter((scribe) -> receives(recordId(scribe))).toList();
		}

	}

	/**
	 * What the writers did, shared by their threads.
	 */
	private static final class Tally {

		/** Acknowledged records, by id, with the path they took. */
		final Map<String, String> acknowledged = new ConcurrentHashMap<>();

		final Map<String, AtomicInteger> perWriter = new ConcurrentHashMap<>();

		final ReconnectingClient.Failures failures = new ReconnectingClient.Failures();

		/** Titles of REST creates that were not answered 201. */
		final Set<String> failedRest = ConcurrentHashMap.newKeySet();

		final Map<String, AtomicInteger> restErrors = new ConcurrentHashMap<>();

		final List<String> unexpected = new CopyOnWriteArrayList<>();

		void acknowledged(String writer, String record, String path) {
			this.acknowledged.put(record, path);
			this.perWriter.computeIfAbsent(writer, (key) -> new AtomicInteger()).incrementAndGet();
		}

		void restFailed(String title, String outcome) {
			this.failedRest.add(title);
			this.restErrors.computeIfAbsent(outcome, (key) -> new AtomicInteger()).incrementAndGet();
		}

		Map<String, Integer> perWriter() {
			return this.perWriter.entrySet()
				.stream()
				.collect(Collectors.toMap(Map.Entry::getKey, (entry) -> entry.getValue().get()));
		}

		/** Waits until each of the four writers has had more writes acknowledged than it had. */
		void awaitEachWriterBeyond(Map<String, Integer> had, int writes) {
			await().atMost(Duration.ofSeconds(60))
				.until(() -> this.perWriter.size() == 4 && this.perWriter.entrySet()
					.stream()
					.allMatch((entry) -> entry.getValue().get() >= had.getOrDefault(entry.getKey(), 0) + writes));
		}

	}

	/**
	 * The outcome, as printed.
	 */
	private static final class Counts {

		int written;

		int writtenByWebSocket;

		ReconnectingClient.Failures failures;

		int failedRest;

		Map<String, AtomicInteger> restErrors;

		int delivered;

		int lost;

		final List<String> lostRecords = new ArrayList<>();

		int duplicated;

		final Set<String> duplicatedRecords = new HashSet<>();

		int failedButRecorded;

		final List<String> unrecorded = new ArrayList<>();

		int reconnects;

		int failedVisibly() {
			return this.failures.errorReplies() + this.failures.noReplies() + this.failedRest;
		}

		@Override
		public String toString() {
			return "Redis restart under two nodes: written (acknowledged) " + this.written + " [add_scribe "
					+ this.writtenByWebSocket + ", REST " + (this.written - this.writtenByWebSocket) + "]; failed visibly "
					+ failedVisibly() + " [add_scribe attempts: " + this.failures + "; REST creates: " + this.failedRest
					+ " " + this.restErrors + "]; delivered " + this.delivered + "; lost " + this.lost + "; duplicated "
					+ this.duplicated + "; failed REST creates that still reached the log " + this.failedButRecorded
					+ "; records committed but never recorded " + this.unrecorded.size() + "; client reconnects "
					+ this.reconnects;
		}

	}

}
