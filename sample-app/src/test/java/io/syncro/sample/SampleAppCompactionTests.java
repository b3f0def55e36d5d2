package io.syncro.sample;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.syncro.client.MemoryLocalStore;
import io.syncro.client.ResetEvent;
import io.syncro.client.SyncroClient;
import io.syncro.store.Compaction;
import io.syncro.store.LogCompactor;
import io.syncro.testing.Scribes;
import io.syncro.testing.WireClient;
import io.syncro.testing.WireVersion;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.syncro.testing.WireMessages.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample with a compacted log ({@code syncro.log.compaction.*}): a new client gets one
 * scribe per live record, not the history, and ends with the server's state; a client whose
 * position is older than a tombstone removed gets 410 on its sync, in v1 and v2, and one
 * synced after compaction goes on from its position.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.datasource.url=jdbc:h2:mem:sample-compaction;DB_CLOSE_DELAY=-1",
				"syncro.log.compaction.enabled=true", "syncro.log.compaction.keep-recent=20",
				"syncro.log.compaction.tombstone-retention=0s", "syncro.log.compaction.interval=1h",
				// answers of ten: a new client pages through the compacted log past the horizon;
				// no cached tail, which keeps the newest scribes as they were appended
				"syncro.sync.batch-size=10", "syncro.sync.cached-tail=0" })
class SampleAppCompactionTests {

	private static final AtomicInteger uids = new AtomicInteger();

	@LocalServerPort
	private int port;

	@Autowired
	private LogCompactor compactor;

	@Autowired
	private org.springframework.jdbc.core.JdbcTemplate jdbc;

	@Test
	void aNewClientGetsTheStateNotTheHistoryAndAClientOlderThanTheHorizonStartsOver() throws Exception {
		String list = http("alice", "POST", "/api/lists", "{\"name\":\"Compacted\"}", 201).path("id").asString();
		List<String> todos = new java.util.ArrayList<>();
		for (int i = 0; i < 30; i++) {
			todos.add(http("alice", "POST", "/api/todos", "{\"title\":\"t" + i + "\",\"listId\":\"" + list + "\"}", 201)
				.path("id").asString());
		}
		long before;
		try (WireClient old = SampleUsers.signedIn("alice", this.port).version(WireVersion.V2).live(uid("old"))) {
			before = old.position();
		}
		for (int round = 0; round < 5; round++) {
			for (String todo : todos.subList(0, 20)) {
				http("alice", "PATCH", "/api/todos/" + todo, "{\"title\":\"round " + round + "\"}", 200);
			}
		}
		for (String todo : todos.subList(20, 30)) {
			http("alice", "DELETE", "/api/todos/" + todo, null, 204);
		}
		for (int i = 0; i < 25; i++) {
			http("alice", "PATCH", "/api/todos/" + todos.get(i % 20), "{\"title\":\"last " + i + "\"}", 200);
		}
		Compaction.Report report = this.compactor.compact();
		assertThat(report.removed()).isPositive();
		assertThat(report.horizon()).as("%s; %s", report,
				this.jdbc.queryForList("SELECT id, type, audience, tombstone_at FROM syncro_scribe WHERE type = 'destroy'"))
			.isGreaterThan(before);

		// a new client: one scribe per live record of alice's, and the keep-recent window, in
		// pages of ten whose positions are below the horizon: let through on the connection
		// that started from nothing under that horizon
		try (WireClient fresh = SampleUsers.signedIn("alice", this.port).version(WireVersion.V2).connect(uid("fresh"))) {
			List<JsonNode> scribes = fresh.syncToEnd(null);
			Map<String, JsonNode> held = apply(scribes, "Todo");
			Map<String, JsonNode> server = new HashMap<>();
			for (JsonNode todo : http("alice", "GET", "/api/todos", null, 200)) {
				server.put(todo.path("id").asString(), todo);
			}
			assertThat(held).isEqualTo(server);
			assertThat(scribes.size()).as("scribes for %d live records", server.size() + 1)
				.isLessThanOrEqualTo(server.size() + 1 + 20 + 10);
			assertThat(fresh.violations()).isEmpty();
		}
		// older than the horizon: 410, in v2 and in v1
		for (WireVersion version : List.of(WireVersion.V2, WireVersion.V1)) {
			try (WireClient old = SampleUsers.signedIn("alice", this.port).version(version).connect(uid("again"))) {
				JsonNode answer = old.sync(before);
				assertThat(answer.path("code").asInt()).as("%s: %s", version, answer).isEqualTo(410);
			}
		}
		// synced after compaction: goes on from its position
		long after;
		try (WireClient current = SampleUsers.signedIn("alice", this.port).version(WireVersion.V2).live(uid("current"))) {
			after = current.position();
		}
		http("alice", "PATCH", "/api/todos/" + todos.get(0), "{\"title\":\"after\"}", 200);
		try (WireClient again = SampleUsers.signedIn("alice", this.port).version(WireVersion.V2).connect(uid("later"))) {
			List<JsonNode> scribes = again.syncToEnd(after);
			assertThat(scribes).extracting(Scribes::recordId).contains(todos.get(0));
		}
	}

	@Test
	void aJavaClientOlderThanTheHorizonStartsOverAndEndsWithTheServersState() throws Exception {
		MemoryLocalStore store = new MemoryLocalStore();
		String uid = uid("java");
		List<String> todos = new java.util.ArrayList<>();
		for (int i = 0; i < 10; i++) {
			todos.add(http("alice", "POST", "/api/todos", "{\"title\":\"j" + i + "\"}", 201).path("id").asString());
		}
		try (SyncroClient client = javaClient(uid, store)) {
			client.connect().whenOnline().get(20, TimeUnit.SECONDS);
		}
		for (String todo : todos.subList(0, 5)) {
			http("alice", "DELETE", "/api/todos/" + todo, null, 204);
		}
		for (int i = 0; i < 30; i++) {
			http("alice", "PATCH", "/api/todos/" + todos.get(5 + i % 5), "{\"title\":\"again " + i + "\"}", 200);
		}
		assertThat(this.compactor.compact().expired()).isPositive();
		List<ResetEvent> resets = new java.util.concurrent.CopyOnWriteArrayList<>();
		try (SyncroClient client = javaClient(uid, store)) {
			client.onReset(resets::add);
			client.connect();
			Map<String, JsonNode> server = new HashMap<>();
			for (JsonNode todo : http("alice", "GET", "/api/todos", null, 200)) {
				server.put(todo.path("id").asString(), todo);
			}
			org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() -> {
				Map<String, JsonNode> held = new HashMap<>();
				client.collection("Todo").all().forEach((todo) -> held.put(todo.path("id").asString(), withoutNulls(todo)));
				assertThat(held).isEqualTo(server);
			});
			assertThat(resets).extracting(ResetEvent::reason).contains(ResetEvent.Reason.GONE);
		}
	}

	private SyncroClient javaClient(String uid, MemoryLocalStore store) {
		return SyncroClient.builder(java.net.URI.create("ws://localhost:" + this.port + "/syncro"))
			.uid(uid)
			.basicAuthentication("alice", "alice-secret")
			.klasses("Todo", "TodoList", "Page")
			.store(store)
			.build();
	}

	private static Map<String, JsonNode> apply(List<JsonNode> scribes, String klass) {
		Map<String, JsonNode> records = new HashMap<>();
		for (JsonNode scribe : scribes) {
			if (!klass.equals(scribe.path("klass").asString())) {
				continue;
			}
			String id = Scribes.recordId(scribe);
			switch (scribe.path("type").asString()) {
				case "create" -> records.put(id, withoutNulls(scribe.path("data")));
				case "update" -> {
					ObjectNode record = (ObjectNode) records.get(id);
					if (record != null) {
						ObjectNode changed = record.deepCopy();
						changed.setAll((ObjectNode) scribe.path("data").get(1));
						records.put(id, withoutNulls(changed));
					}
				}
				default -> records.remove(id);
			}
		}
		return records;
	}

	private static JsonNode withoutNulls(JsonNode record) {
		ObjectNode copy = ((ObjectNode) record).deepCopy();
		copy.remove(copy.properties().stream().filter((attribute) -> attribute.getValue().isNull())
			.map(Map.Entry::getKey).toList());
		return copy;
	}

	private static String uid(String name) {
		return name + "-" + uids.incrementAndGet();
	}

	private JsonNode http(String user, String method, String path, String body, int status) throws Exception {
		return SampleUsers.rest(this.port, user, method, path, body, status);
	}

}
