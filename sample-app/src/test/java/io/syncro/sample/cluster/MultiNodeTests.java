package io.syncro.sample.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.syncro.testing.PostgresServer;
import io.syncro.testing.ReconnectingClient;
import io.syncro.testing.RedisServer;
import io.syncro.testing.Scribes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static io.syncro.sample.SampleRecords.page;
import static io.syncro.sample.SampleRecords.todo;
import static io.syncro.testing.ReconnectingClient.fullSync;
import static io.syncro.testing.ReconnectingClient.live;
import static io.syncro.testing.Scribes.create;
import static io.syncro.testing.Scribes.ids;
import static io.syncro.testing.Scribes.recordId;
import static io.syncro.testing.Scribes.update;
import static io.syncro.testing.WireMessages.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two nodes of the sample app share one Redis scribe log and one PostgreSQL database, as
 * in docker-compose.yml: clients of either node see the writes of both, in one order,
 * and a user's Pages reach every client of that user on either node and no other user's.
 */
class MultiNodeTests {

	private static final AtomicInteger uids = new AtomicInteger();

	private static final Duration CONVERGENCE = Duration.ofSeconds(20);

	private static SampleAppCluster cluster;

	@BeforeAll
	static void startTwoNodes() {
		RedisServer redis = RedisServer.shared();
		PostgresServer postgres = PostgresServer.shared();
		cluster = SampleAppCluster.start(2, redis.host(), redis.port(), "multi-node-" + UUID.randomUUID(), postgres,
				postgres.createDatabase());
	}

	@AfterAll
	static void stopNodes() {
		if (cluster != null) {
			cluster.close();
		}
	}

	private static String uid(String name) {
		return name + "-" + uids.incrementAndGet();
	}

	@Test
	void concurrentWritesOnBothNodesReachClientsOfEitherNodeInOneOrderAndColdSyncsAgree() throws Exception {
		String run = "run" + uids.incrementAndGet();
		try (ReconnectingClient watcher1 = live(cluster.clients(1), uid("watcher-on-1"));
				ReconnectingClient watcher2 = live(cluster.clients(2), uid("watcher-on-2"));
				ReconnectingClient writer1 = live(cluster.clients(1), uid("writer-on-1"));
				ReconnectingClient writer2 = live(cluster.clients(2), uid("writer-on-2"))) {
			ExecutorService writers = Executors.newFixedThreadPool(4);
			List<Future<List<String>>> writes = new ArrayList<>();
			try {
				writes.add(writers.submit(() -> writeByWebSocket(writer1, run, 30)));
				writes.add(writers.submit(() -> writeByWebSocket(writer2, run, 30)));
				writes.add(writers.submit(() -> writeByRest(1, run, 30)));
				writes.add(writers.submit(() -> writeByRest(2, run, 30)));
				for (Future<List<String>> write : writes) {
					write.get(60, TimeUnit.SECONDS);
				}
			}
			finally {
				writers.shutdownNow();
			}
			List<String> written = new ArrayList<>();
			for (Future<List<String>> write : writes) {
				written.addAll(write.get());
			}
			// every write was acknowledged after its scribe was appended, so the log is complete
			List<JsonNode> log = fullSync(cluster.clients(1), uid("cold-on-1"));
			assertThat(fullSync(cluster.clients(2), uid("cold-on-2"))).isEqualTo(log);
			assertThat(ids(log)).isSorted().doesNotHaveDuplicates();
			assertEveryWriteIsInTheLogOnce(log, run, written);

			await().atMost(CONVERGENCE).untilAsserted(() -> {
				assertThat(watcher1.applied()).isEqualTo(log);
				assertThat(watcher2.applied()).isEqualTo(log);
				assertThat(writer1.applied()).isEqualTo(withoutRecordsOf(log, writer1.uid()));
				assertThat(writer2.applied()).isEqualTo(withoutRecordsOf(log, writer2.uid()));
			});
			for (ReconnectingClient client : List.of(watcher1, watcher2, writer1, writer2)) {
				assertThat(client.violations()).isEmpty();
			}
		}
	}

	@Test
	void aPageWrittenOnOneNodeReachesEveryClientOfItsOwnerOnEitherNodeAndNoOtherUser() throws Exception {
		// carol owns the Pages and has two devices, her phone on node 2 and her laptop on
		// node 1; alice and bob are strangers to them
		String owner = "carol";
		String phone = uid("carol-phone");
		try (ReconnectingClient phoneOn2 = live(cluster.clients(2, owner), phone);
				ReconnectingClient laptopOn1 = live(cluster.clients(1, owner), uid("carol-laptop"));
				ReconnectingClient strangerOn1 = live(cluster.clients(1, "alice"), uid("alice-on-1"));
				ReconnectingClient strangerOn2 = live(cluster.clients(2, "bob"), uid("bob-on-2"))) {
			// the owner writes through the REST API of node 1; both her devices receive it
			JsonNode page = cluster.expect(201, 1, owner, "POST", "/api/pages",
					"{\"owner\":\"" + owner + "\",\"title\":\"Written on node 1\",\"body\":\"b\"}");
			String byRest = page.path("id").asString();
			cluster.expect(200, 1, owner, "PATCH", "/api/pages/" + byRest, "{\"title\":\"Renamed on node 1\"}");
			// and through her phone's uid on node 1, which gets no echo on any connection of
			// that uid, while her laptop gets it
			String byClient = "page-" + UUID.randomUUID();
			try (ReconnectingClient phoneOn1 = live(cluster.clients(1, owner), phone)) {
				assertThat(phoneOn1.addScribe(create(1, "Page", page(byClient, owner, "Mine", "text")),
						new ReconnectingClient.Failures())
					.path("result")
					.asBoolean()).isTrue();
				cluster.expect(200, 2, owner, "PATCH", "/api/pages/" + byClient, "{\"body\":\"edited on node 2\"}");
				await().atMost(CONVERGENCE)
					.untilAsserted(() -> assertThat(phoneOn1.applied()).filteredOn((s) -> recordId(s).equals(byClient))
						.extracting((s) -> s.path("type").asString())
						.containsExactly("update"));
			}
			await().atMost(CONVERGENCE)
				.untilAsserted(() -> assertThat(pages(phoneOn2.applied())).extracting(Scribes::recordId)
					.containsExactly(byRest, byRest, byClient));
			await().atMost(CONVERGENCE)
				.untilAsserted(() -> assertThat(pages(laptopOn1.applied())).extracting(Scribes::recordId)
					.containsExactly(byRest, byRest, byClient, byClient));
			List<JsonNode> received = pages(phoneOn2.applied());
			assertThat(received.get(0).path("type").asString()).isEqualTo("create");
			assertThat(received.get(0).path("data"))
				.isEqualTo(json.objectNode().put("id", byRest).put("owner", owner).put("title", "Written on node 1")
					.put("body", "b"));
			assertThat(received.get(1).path("data").path(1)).isEqualTo(json.objectNode().put("title", "Renamed on node 1"));
			assertThat(received.get(2).path("data").path(1)).isEqualTo(json.objectNode().put("body", "edited on node 2"));
			List<JsonNode> onTheLaptop = pages(laptopOn1.applied());
			assertThat(onTheLaptop.subList(0, 2)).isEqualTo(received.subList(0, 2));
			assertThat(onTheLaptop.get(2).path("type").asString()).isEqualTo("create");
			assertThat(onTheLaptop.get(2).path("data")).isEqualTo(page(byClient, owner, "Mine", "text"));
			assertThat(onTheLaptop.get(3)).isEqualTo(received.get(2));
			// the REST API of either node lists them to their owner only
			assertThat(listed(cluster.expect(200, 2, owner, "GET", "/api/pages", null)))
				.containsExactlyInAnyOrder(byRest, byClient);
			assertThat(listed(cluster.expect(200, 1, "alice", "GET", "/api/pages", null))).doesNotContain(byRest, byClient);

			// once the strangers have a Todo written after the Pages, they have seen all the Pages could give them
			String marker = cluster.expect(201, 1, "POST", "/api/todos", "{\"title\":\"after the pages\"}")
				.path("id")
				.asString();
			for (ReconnectingClient stranger : List.of(strangerOn1, strangerOn2)) {
				await().atMost(CONVERGENCE)
					.untilAsserted(() -> assertThat(stranger.applied()).extracting(Scribes::recordId).contains(marker));
				assertThat(stranger.applied()).noneMatch((scribe) -> scribe.path("klass").asString().equals("Page"));
			}
			for (int node : List.of(1, 2)) {
				for (String stranger : List.of("alice", "bob")) {
					assertThat(fullSync(cluster.clients(node, stranger), uid("cold-" + stranger)))
						.noneMatch((scribe) -> scribe.path("klass").asString().equals("Page"));
				}
				assertThat(pages(fullSync(cluster.clients(node, owner), phone))).extracting(Scribes::recordId)
					.containsExactly(byRest, byRest, byClient);
				// a device of hers never seen before gets them all, her phone's writes included
				assertThat(pages(fullSync(cluster.clients(node, owner), uid("carol-new-device"))))
					.extracting(Scribes::recordId)
					.containsExactly(byRest, byRest, byClient, byClient);
			}
		}
	}

	/**
	 * Creates Todos by add_scribe, updating every third one right after; returns the ids.
	 */
	private static List<String> writeByWebSocket(ReconnectingClient writer, String run, int count) {
		List<String> created = new ArrayList<>();
		long scribeId = 0;
		for (int i = 1; i <= count; i++) {
			String id = run + "-" + writer.uid() + "-" + i;
			assertThat(writer.addScribe(create(++scribeId, "Todo", todo(id, id)), new ReconnectingClient.Failures())
				.path("result")
				.asBoolean()).isTrue();
			created.add(id);
			if (i % 3 == 0) {
				assertThat(writer.addScribe(update(++scribeId, "Todo", id, json.objectNode().put("done", true)),
						new ReconnectingClient.Failures())
					.path("result")
					.asBoolean()).isTrue();
			}
		}
		return created;
	}

	/**
	 * Creates Todos through a node's REST API, updating every third one right after;
	 * returns the ids.
	 */
	private static List<String> writeByRest(int node, String run, int count) throws Exception {
		List<String> created = new ArrayList<>();
		for (int i = 1; i <= count; i++) {
			String id = cluster.expect(201, node, "POST", "/api/todos", "{\"title\":\"" + run + "-rest-" + node + "-" + i + "\"}")
				.path("id")
				.asString();
			created.add(id);
			if (i % 3 == 0) {
				cluster.expect(200, node, "PATCH", "/api/todos/" + id, "{\"done\":true}");
			}
		}
		return created;
	}

	private static void assertEveryWriteIsInTheLogOnce(List<JsonNode> log, String run, List<String> written) {
		Set<String> records = Set.copyOf(written);
		assertThat(records).hasSize(4 * 30);
		List<JsonNode> ofThisRun = log.stream().filter((scribe) -> records.contains(recordId(scribe))).toList();
		Map<String, Long> creates = Scribes.countByRecord(ofThisRun, "create");
		Map<String, Long> updates = Scribes.countByRecord(ofThisRun, "update");
		assertThat(creates.keySet()).isEqualTo(records);
		assertThat(creates.values()).containsOnly(1L);
		assertThat(updates).hasSize(4 * 10);
		assertThat(updates.values()).containsOnly(1L);
		assertThat(ofThisRun).hasSize(4 * 40);
		assertThat(ofThisRun).filteredOn((scribe) -> scribe.path("type").asString().equals("create"))
			.allMatch((scribe) -> scribe.path("data").path("title").asString().startsWith(run + "-"));
	}

	/** The ids of the records of a REST answer, a JSON array. */
	private static List<String> listed(JsonNode records) {
		List<String> ids = new ArrayList<>();
		records.forEach((record) -> ids.add(record.path("id").asString()));
		return ids;
	}

	private static List<JsonNode> pages(List<JsonNode> scribes) {
		return scribes.stream().filter((scribe) -> scribe.path("klass").asString().equals("Page")).toList();
	}

	/** The log as a client sees it that wrote the records whose ids hold its uid: no echo. */
	private static List<JsonNode> withoutRecordsOf(List<JsonNode> log, String uid) {
		return log.stream().filter((scribe) -> !recordId(scribe).contains("-" + uid + "-")).toList();
	}

}
