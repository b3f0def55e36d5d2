package io.syncro.sample.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

import io.syncro.protocol.MessageCodec;
import io.syncro.sample.SampleUsers;
import io.syncro.testing.PostgresServer;
import io.syncro.testing.ReconnectingClient;
import io.syncro.testing.RedisServer;
import io.syncro.testing.Scribes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static io.syncro.sample.SampleRecords.todo;
import static io.syncro.sample.SampleUsers.alice;
import static io.syncro.testing.Processes.sleep;
import static io.syncro.testing.ReconnectingClient.fullSync;
import static io.syncro.testing.ReconnectingClient.live;
import static io.syncro.testing.Scribes.create;
import static io.syncro.testing.Scribes.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sample-app nodes killed with {@code kill -9} at random moments while clients write by
 * add_scribe and REST and others watch: every change the database committed reaches the
 * log once and every client once, whether the node came back or its clients moved to
 * the other node. The seed of the random moments is printed; set
 * {@code -Dsyncro.crash.seed} to run the same moments again.
 */
class ServerCrashTests {

	private static final HttpClient http = HttpClient.newHttpClient();

	private static RedisServer redis;

	private static final long seed = Long.getLong("syncro.crash.seed", System.nanoTime());

	private static final Random random = new Random(seed);

	@BeforeAll
	static void startRedis() {
		redis = RedisServer.start();
	}

	@AfterAll
	static void stopRedis() {
		if (redis != null) {
			redis.close();
		}
	}

	@Test
	void everyCommittedChangeReachesEveryClientOnceAcrossKillsAndRestartsOfTheNode() throws Exception {
		PostgresServer postgres = PostgresServer.shared();
		String database = postgres.createDatabase();
		try (SampleAppProcess node = SampleAppProcess.of("crash", redis.port(), "crash-" + UUID.randomUUID(), postgres,
				database)) {
			node.start();
			int kills = 3;
			Outcome outcome = underLoad(node::port, List.of(node.port()), () -> {
				for (int i = 0; i < kills; i++) {
					sleep(1500 + random.nextInt(2000));
					node.kill();
					sleep(random.nextInt(500));
					node.start();
				}
			});
			System.out.println("Sample app killed with kill -9 " + kills + " times under load (seed " + seed + "): "
					+ outcome);
			outcome.assertNothingLostOrDuplicated();
		}
	}

	@Test
	void everyAcknowledgedWriteSurvivesKillsOfTheEmbeddedDefault(@TempDir Path folder) throws Exception {
		try (SampleAppProcess node = SampleAppProcess.embedded("embedded-crash", folder)) {
			node.start();
			int kills = 3;
			Outcome outcome = underLoad(node::port, List.of(node.port()), () -> {
				for (int i = 0; i < kills; i++) {
					sleep(1500 + random.nextInt(2000));
					node.kill();
					sleep(random.nextInt(500));
					node.start();
				}
			});
			System.out.println("Sample app on its embedded default (H2 in a file) killed with kill -9 " + kills
					+ " times under load (seed " + seed + "): " + outcome);
			outcome.assertNothingLostOrDuplicated();
		}
	}

	@Test
	void clientsOfAKilledNodeMoveToTheOtherAndEveryCommittedChangeReachesThemOnce() throws Exception {
		PostgresServer postgres = PostgresServer.shared();
		String database = postgres.createDatabase();
		String namespace = "failover-" + UUID.randomUUID();
		try (SampleAppProcess first = SampleAppProcess.of("first", redis.port(), namespace, postgres, database);
				SampleAppProcess second = SampleAppProcess.of("second", redis.port(), namespace, postgres, database)) {
			first.start();
			second.start();
			try (Balancer balancer = new Balancer(List.of(first.port(), second.port()))) {
				Outcome outcome = underLoad(balancer::port, List.of(second.port()), () -> {
					sleep(1500 + random.nextInt(2000));
					first.kill();
					sleep(3000);
				});
				System.out.println("One of two nodes killed with kill -9 under load, its clients moved to the other (seed "
						+ seed + "): " + outcome);
				outcome.assertNothingLostOrDuplicated();
			}
		}
	}

	/**
	 * Runs two add_scribe writers, two REST writers and two watchers against the port
	 * given, runs the faults, writes a while longer, and counts.
	 */
	private Outcome underLoad(IntSupplier port, List<Integer> auditPorts, Fault faults) throws Exception {
		String run = "run" + System.nanoTime();
		List<ReconnectingClient> watchers = List.of(live(alice(port.getAsInt()), run + "-watcher-1"),
				live(alice(port.getAsInt()), run + "-watcher-2"));
		List<ReconnectingClient> writers = List.of(live(alice(port.getAsInt()), run + "-writer-1"),
				live(alice(port.getAsInt()), run + "-writer-2"));
		Outcome outcome = new Outcome();
		AtomicBoolean stop = new AtomicBoolean();
		ExecutorService executor = Executors.newFixedThreadPool(4);
		try {
			List<Future<?>> writing = new ArrayList<>();
			for (ReconnectingClient writer : writers) {
				writing.add(executor.submit(() -> writeByWebSocket(writer, outcome, stop)));
			}
			for (int i = 1; i <= 2; i++) {
				String writer = run + "-rest-" + i;
				writing.add(executor.submit(() -> writeByRest(port, writer, outcome, stop)));
			}
			faults.run();
			sleep(2000);
			stop.set(true);
			for (Future<?> future : writing) {
				future.get(120, TimeUnit.SECONDS);
			}
			int audit = auditPorts.get(0);
			// the database is the truth: every record of this run it holds
			Set<String> committed = ConcurrentHashMap.newKeySet();
			for (JsonNode todo : MessageCodec.readTree(get(audit, "/api/todos"))) {
				if (todo.path("title").asString().startsWith(run)) {
					committed.add(todo.path("id").asString());
				}
			}
			outcome.committed = committed;
			// the outbox of a restarted node is relayed by it soon after it starts
			await().atMost(Duration.ofSeconds(60))
				.pollInterval(Duration.ofMillis(500))
				.until(() -> Scribes.countByRecord(fullSync(alice(audit), run + "-waiter-" + System.nanoTime()), "create")
					.keySet()
					.containsAll(committed));
			List<ReconnectingClient> clients = new ArrayList<>(watchers);
			clients.addAll(writers);
			for (ReconnectingClient client : clients) {
				await().atMost(Duration.ofSeconds(60))
					.pollInterval(Duration.ofMillis(500))
					.until(() -> ids(client.applied()).equals(ids(fullSync(alice(audit), client.uid()))));
			}
			outcome.log = fullSync(alice(audit), run + "-auditor");
			for (ReconnectingClient client : clients) {
				outcome.count(client);
			}
			return outcome;
		}
		finally {
			stop.set(true);
			executor.shutdownNow();
			watchers.forEach(ReconnectingClient::close);
			writers.forEach(ReconnectingClient::close);
		}
	}

	private static void writeByWebSocket(ReconnectingClient writer, Outcome outcome, AtomicBoolean stop) {
		long scribeId = 0;
		while (!stop.get()) {
			String id = writer.uid() + "-" + (scribeId + 1);
			JsonNode reply = writer.addScribe(create(++scribeId, "Todo", todo(id, id)), outcome.failures);
			if (reply.path("result").asBoolean(false)) {
				outcome.acknowledged.put(id, writer.uid());
			}
			else {
				outcome.unexpected.add(reply.toString());
			}
			sleep(5);
		}
	}

	private static void writeByRest(IntSupplier port, String writer, Outcome outcome, AtomicBoolean stop) {
		int count = 0;
		while (!stop.get()) {
			String title = writer + "-" + (++count);
			HttpRequest request = HttpRequest
				.newBuilder(URI.create("http://localhost:" + port.getAsInt() + "/api/todos"))
				.timeout(Duration.ofSeconds(10))
				.header("Content-Type", "application/json")
				.header("Authorization", SampleUsers.basic("alice"))
				.POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"" + title + "\"}"))
				.build();
			try {
				HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
				if (response.statusCode() == 201) {
					outcome.acknowledged.put(MessageCodec.readTree(response.body()).path("id").asString(), writer);
				}
				else {
					outcome.restFailures.incrementAndGet();
				}
			}
			catch (IOException ex) {
				// killed mid-request: the create may or may not have committed
				outcome.restFailures.incrementAndGet();
				sleep(100);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			sleep(5);
		}
	}

	private static String get(int port, String path) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
			.timeout(Duration.ofSeconds(15))
			.header("Authorization", SampleUsers.basic("alice"))
			.build();
		HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		return response.body();
	}

	@FunctionalInterface
	private interface Fault {

		void run() throws Exception;

	}

	/**
	 * What the writers did and what the log and the clients hold.
	 */
	private static final class Outcome {

		/** Acknowledged records by id, with their writer. */
		final Map<String, String> acknowledged = new ConcurrentHashMap<>();

		final ReconnectingClient.Failures failures = new ReconnectingClient.Failures();

		final AtomicInteger restFailures = new AtomicInteger();

		final List<String> unexpected = new CopyOnWriteArrayList<>();

		Set<String> committed = Set.of();

		List<JsonNode> log = List.of();

		final List<String> lost = new ArrayList<>();

		final List<String> duplicated = new ArrayList<>();

		final List<String> violations = new ArrayList<>();

		int pulls;

		int deliveries;

		int clients;

		void count(ReconnectingClient client) {
			this.clients++;
			Map<String, Long> received = Scribes.countByRecord(client.applied(), "create");
			for (String record : this.committed) {
				boolean own = record.startsWith(client.uid() + "-");
				long times = received.getOrDefault(record, 0L);
				if (!own && times == 0) {
					this.lost.add(client.uid() + " never got " + record);
				}
				this.deliveries += (int) times;
			}
			received.forEach((record, times) -> {
				if (times > 1) {
					this.duplicated.add(client.uid() + " got " + record + " " + times + " times");
				}
			});
			this.violations.addAll(client.violations());
			this.pulls += client.connections();
		}

		void assertNothingLostOrDuplicated() {
			Map<String, Long> logged = Scribes.countByRecord(this.log, "create");
			assertThat(this.unexpected).as("replies that are neither true nor a transient error").isEmpty();
			assertThat(this.committed).as("acknowledged writes the database does not hold")
				.containsAll(this.acknowledged.keySet());
			assertThat(logged.keySet()).as("committed changes missing from the log").containsAll(this.committed);
			assertThat(logged.values()).as("changes logged more than once").allMatch((times) -> times == 1);
			assertThat(ids(this.log)).isSorted().doesNotHaveDuplicates();
			assertThat(this.lost).as("committed changes a client never got").isEmpty();
			assertThat(this.duplicated).as("changes a client got more than once").isEmpty();
			assertThat(this.violations).as("protocol violations, marks gone back included").isEmpty();
		}

		@Override
		public String toString() {
			Map<String, Long> logged = Scribes.countByRecord(this.log, "create");
			long inLog = this.committed.stream().filter(logged::containsKey).count();
			long loggedTwice = logged.values().stream().filter((times) -> times > 1).count();
			return "committed " + this.committed.size() + " (acknowledged " + this.acknowledged.size()
					+ ", committed without an answer " + (this.committed.size() - this.acknowledged.size())
					+ "); in the log " + inLog + "; deliveries to " + this.clients + " clients " + this.deliveries
					+ "; lost " + (this.committed.size() - inLog + this.lost.size()) + "; duplicated "
					+ (loggedTwice + this.duplicated.size()) + "; add_scribe attempts that failed " + this.failures
					+ "; REST requests that failed " + this.restFailures + "; connections " + this.pulls
					+ ", violations (marks gone back included) " + this.violations.size();
		}

	}

}
