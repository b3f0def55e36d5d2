package io.syncro.sample;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.syncro.protocol.MessageCodec;
import io.syncro.testing.WireClient;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.syncro.sample.SampleRecords.todo;
import static io.syncro.testing.Scribes.create;
import static io.syncro.testing.Scribes.destroy;
import static io.syncro.testing.Scribes.update;
import static io.syncro.testing.WireMessages.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Walks PROTOCOL.md end to end against the sample app on a real Tomcat, with real
 * WebSocket clients and the JDBC scribe log on H2.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.datasource.url=jdbc:h2:mem:sample-sync;DB_CLOSE_DELAY=-1", "syncro.sync.batch-size=5",
				"syncro.max-message-bytes=4096" })
class SampleAppSyncTests {

	private static final AtomicInteger uids = new AtomicInteger();

	@LocalServerPort
	private int port;

	@Autowired
	private io.syncro.sample.todo.TodoRepository todos;

	private WireClient.Builder alice() {
		return SampleUsers.alice(this.port);
	}

	private WireClient live(String uid) {
		return alice().live(uid);
	}

	private WireClient bobLive(String uid) {
		return SampleUsers.signedIn("bob", this.port).live(uid);
	}

	private static String uid(String name) {
		return name + "-" + uids.incrementAndGet();
	}

	private static ObjectNode page(String id, String owner, String title) {
		return SampleRecords.page(id, owner, title, "text");
	}

	@Test
	void clientChangesReachOtherClientsLiveWithoutEcho() {
		try (WireClient a = live(uid("a")); WireClient b = live(uid("b"))) {
			String id = "todo-" + uids.incrementAndGet();
			assertThat(a.addScribe(create(1, "Todo", todo(id, "Buy milk"))).path("result").asBoolean()).isTrue();
			assertThat(a.addScribe(update(2, "Todo", id, json.objectNode().put("done", true))).path("result").asBoolean())
				.isTrue();
			assertThat(a.addScribe(destroy(3, "Todo", id)).path("result").asBoolean()).isTrue();
			b.awaitPushed((scribe) -> true, 3);
			List<JsonNode> pushed = b.pushed().stream().filter((scribe) -> scribe.toString().contains(id)).toList();
			assertThat(pushed).extracting((scribe) -> scribe.path("type").asString())
				.containsExactly("create", "update", "destroy");
			assertThat(pushed.get(0).path("data").path("title").asString()).isEqualTo("Buy milk");
			assertThat(pushed.get(1).path("data").get(1)).isEqualTo(json.objectNode().put("done", true));
			assertThat(a.pushed()).noneMatch((scribe) -> scribe.toString().contains(id));
		}
	}

	@Test
	void restChangesReachClientsWithOnlyChangedAttributes() throws Exception {
		try (WireClient a = live(uid("a"))) {
			JsonNode created = http("POST", "/api/todos", "{\"title\":\"From REST\"}", 201);
			String id = created.path("id").asString();
			http("PATCH", "/api/todos/" + id, "{\"done\":true}", 200);
			http("DELETE", "/api/todos/" + id, null, 204);
			List<JsonNode> pushed = awaitScribesOf(a, id, 3);
			assertThat(pushed).extracting((scribe) -> scribe.path("type").asString())
				.containsExactly("create", "update", "destroy");
			assertThat(pushed.get(0).path("data")).isEqualTo(todo(id, "From REST"));
			assertThat(pushed.get(1).path("data")).isEqualTo(json.arrayNode().add(id).add(json.objectNode().put("done", true)));
			assertThat(pushed.get(2).path("data")).isEqualTo(json.arrayNode().add(id));
		}
	}

	@Test
	void syncAnswersInBatchesWithMoreUntilCaughtUp() throws Exception {
		String marker = "batch-" + uids.incrementAndGet();
		for (int i = 0; i < 12; i++) {
			http("POST", "/api/todos", "{\"title\":\"" + marker + " " + i + "\"}", 201);
		}
		try (WireClient c = alice().connect(uid("c"))) {
			JsonNode first = c.sync(null);
			assertThat(first.path("result")).hasSize(5);
			assertThat(first.path("more").asBoolean()).isTrue();
			List<JsonNode> all = c.syncToEnd(null);
			List<Long> ids = all.stream().map((scribe) -> scribe.path("id").asLong()).toList();
			assertThat(ids).isSorted().doesNotHaveDuplicates();
			assertThat(all.stream().filter((scribe) -> scribe.toString().contains(marker))).hasSize(12);
			long last = ids.get(ids.size() - 1);
			assertThat(c.lastScribeId()).isEqualTo(last);
			JsonNode caughtUp = c.sync(last);
			assertThat(caughtUp.path("result")).isEmpty();
			assertThat(caughtUp.has("more")).isFalse();
		}
	}

	@Test
	void offlineScribesArePulledOnConnectAndPlayedOnceAcrossRetries() throws Exception {
		String owner = uid("offline");
		String prefix = "off-" + uids.incrementAndGet() + "-";
		List<ObjectNode> offline = List.of(create(1, "Todo", todo(prefix + 1, "one")),
				create(2, "Todo", todo(prefix + 2, "two")), update(3, "Todo", prefix + 1, json.objectNode().put("done", true)));
		try (WireClient watcher = live(uid("watcher"))) {
			WireClient first = alice().answerPullWith(offline).connect(owner);
			awaitScribesOf(watcher, prefix, 3);
			first.abort();
			try (WireClient again = alice().answerPullWith(offline).connect(owner)) {
				JsonNode pull = again.awaitPull();
				assertThat(pull.path("from").asLong()).isEqualTo(3);
				assertThat(again.addScribe(offline.get(1)).path("result").asBoolean()).isTrue();
				assertThat(again.addScribe(create(4, "Todo", todo(prefix + 4, "four"))).path("result").asBoolean()).isTrue();
				List<JsonNode> seen = awaitScribesOf(watcher, prefix, 4);
				assertThat(seen).extracting((scribe) -> scribe.path("type").asString())
					.containsExactly("create", "create", "update", "create");
				assertThat(this.todos.findById(prefix + 1).orElseThrow().isDone()).isTrue();
			}
		}
	}

	@Test
	void anUpdateOfTheTitleAloneLeavesDoneAsItWas() {
		try (WireClient a = live(uid("a"))) {
			String id = "rename-" + uids.incrementAndGet();
			assertThat(a.addScribe(create(1, "Todo", todo(id, "Old").put("done", true))).path("result").asBoolean()).isTrue();
			assertThat(a.addScribe(update(2, "Todo", id, json.objectNode().put("title", "New"))).path("result").asBoolean())
				.isTrue();
			io.syncro.sample.todo.Todo todo = this.todos.findById(id).orElseThrow();
			assertThat(todo.getTitle()).isEqualTo("New");
			assertThat(todo.isDone()).isTrue();
		}
	}

	@Test
	void aGapIsAnswered409WithTheExpectedId() {
		try (WireClient a = live(uid("a"))) {
			JsonNode reply = a.addScribe(create(5, "Todo", todo("gap-" + uids.incrementAndGet(), "gap")));
			assertThat(reply.path("type").asString()).isEqualTo("error");
			assertThat(reply.path("code").asInt()).isEqualTo(409);
			assertThat(reply.path("expected").asLong()).isEqualTo(1);
			assertThat(reply.path("scribe").asLong()).isEqualTo(5);
		}
	}

	@Test
	void pagesReachEveryClientOfTheirOwnerAndNoOtherUsersByPushAndBySync() throws Exception {
		String id = "page-" + uids.incrementAndGet();
		try (WireClient owner = live(uid("owner")); WireClient ownersOther = live(uid("owners-other"));
				WireClient other = bobLive(uid("other"))) {
			assertThat(owner.addScribe(create(1, "Page", page(id, "alice", "Mine " + id))).path("result").asBoolean())
				.isTrue();
			JsonNode rest = http("POST", "/api/pages", "{\"owner\":\"alice\",\"title\":\"Server made " + id
					+ "\",\"body\":\"b\"}", 201);
			awaitScribesOf(owner, rest.path("id").asString(), 1);
			awaitScribesOf(ownersOther, id, 2);
			http("POST", "/api/todos", "{\"title\":\"marker " + id + "\"}", 201);
			awaitScribesOf(other, id, 1);
			// both pages' titles hold the id
			assertThat(other.pushed()).noneMatch((scribe) -> isPageWith(scribe, id));
			assertThat(other.syncToEnd(null)).noneMatch((scribe) -> isPageWith(scribe, id));
			assertThat(owner.syncToEnd(null)).anyMatch((scribe) -> scribe.toString().contains("Server made " + id));
			assertThat(ownersOther.syncToEnd(null)).anyMatch((scribe) -> scribe.toString().contains("Mine " + id))
				.anyMatch((scribe) -> scribe.toString().contains("Server made " + id));
		}
	}

	@Test
	void aServerSideTransferDestroysForTheOldOwnerAndCreatesForTheNew() throws Exception {
		try (WireClient from = live(uid("from")); WireClient to = bobLive(uid("to"))) {
			JsonNode page = http("POST", "/api/pages", "{\"owner\":\"alice\",\"title\":\"Moving\"}", 201);
			String id = page.path("id").asString();
			awaitScribesOf(from, id, 1);
			http("PATCH", "/api/pages/" + id, "{\"owner\":\"bob\"}", 200);
			assertThat(awaitScribesOf(from, id, 2).get(1).path("type").asString()).isEqualTo("destroy");
			JsonNode created = awaitScribesOf(to, id, 1).get(0);
			assertThat(created.path("type").asString()).isEqualTo("create");
			assertThat(created.path("data").path("title").asString()).isEqualTo("Moving");
			assertThat(created.path("data").path("owner").asString()).isEqualTo("bob");
		}
	}

	@Test
	void everyForbiddenPageWriteIsRefusedAsIfThePageWereMissingAndBlocksNothingBehindIt() {
		String id = "page-" + uids.incrementAndGet();
		try (WireClient owner = live(uid("owner")); WireClient other = bobLive(uid("other"))) {
			assertThat(owner.addScribe(create(1, "Page", page(id, "alice", "Mine"))).path("result").asBoolean()).isTrue();
			// another user's page is answered as a missing one: nothing tells that it exists
			JsonNode missing = other.addScribe(update(1, "Page", id, json.objectNode().put("title", "stolen")));
			assertThat(missing.path("code").asInt()).isEqualTo(404);
			assertThat(missing.path("message").asString()).isEqualTo("There is no Page with id " + id + ".");
			assertThat(other.addScribe(destroy(2, "Page", id)).path("result").asBoolean()).isTrue();
			assertForbidden(other.addScribe(create(3, "Page", page("p-" + id, "alice", "for someone else"))), 3);
			assertForbidden(other.addScribe(create(4, "Page", page(id, "bob", "taking over"))), 4);
			assertForbidden(owner.addScribe(update(2, "Page", id, json.objectNode().put("owner", "bob"))), 2);
			assertForbidden(owner.addScribe(create(3, "Page",
					json.objectNode().put("id", "p2-" + id).put("title", "no owner").put("body", ""))), 3);
			assertForbidden(owner.addScribe(create(4, "Nope", json.objectNode().put("id", "x"))), 4);
			assertThat(owner.addScribe(update(5, "Page", id, json.objectNode().put("title", "still mine")))
				.path("result")
				.asBoolean()).isTrue();
			assertThat(other.addScribe(update(3, "Page", id, json.objectNode().put("title", "stolen again")))
				.path("code")
				.asInt()).isEqualTo(403);
		}
	}

	private static void assertForbidden(JsonNode reply, long scribe) {
		assertThat(reply.path("type").asString()).isEqualTo("error");
		assertThat(reply.path("code").asInt()).isEqualTo(403);
		assertThat(reply.path("scribe").asLong()).isEqualTo(scribe);
	}

	@Test
	void eachErrorCodeIsAnsweredAndTheConnectionKeepsServing() throws Exception {
		try (WireClient a = live(uid("a"))) {
			a.sendText("not json");
			assertThat(a.awaitMessage((m) -> m.path("code").asInt() == 400 && !m.has("id")).path("message").asString())
				.isNotBlank();
			assertThat(a.request(json.objectNode().put("type", "teleport")).path("code").asInt()).isEqualTo(501);
			assertThat(a.addScribe(json.objectNode().put("id", 1).put("klass", "Todo").put("type", "create"))
				.path("code")
				.asInt()).isEqualTo(400);
			assertThat(a.addScribe(update(2, "Todo", "missing-" + uids.incrementAndGet(), json.objectNode().put("done", true)))
				.path("code")
				.asInt()).isEqualTo(404);
			assertThat(a.addScribe(create(3, "Todo", todo("bad-" + uids.incrementAndGet(), "")))
				.path("code")
				.asInt()).isEqualTo(400);
			assertThat(a.addScribe(create(4, "Todo", todo("bad-" + uids.incrementAndGet(), "x").put("colour", "red")))
				.path("code")
				.asInt()).isEqualTo(400);
			assertThat(a.addScribe(create(5, "Todo", todo("bad-" + uids.incrementAndGet(), "x").put("done", "maybe")))
				.path("code")
				.asInt()).isEqualTo(400);
			assertThat(a.rpc("Weather", "today", json.arrayNode()).path("code").asInt()).isEqualTo(404);
			assertThat(a.rpc("Syncro", "drop_tables", json.arrayNode()).path("code").asInt()).isEqualTo(405);
			assertThat(a.noop().path("result").asBoolean()).isTrue();
			a.sendText(MessageCodec.writeTree(json.objectNode().put("type", "noop").put("id", 99).put("pad", "x".repeat(5000))));
			assertThat(a.awaitMessage((m) -> m.path("code").asInt() == 413).path("type").asString()).isEqualTo("error");
			assertThat(a.awaitClose()).isEqualTo(1009);
		}
	}

	@Test
	void handshakesWithABadUidOrTheServersUidAreRefused() {
		assertThat(alice().handshakeStatus("")).isEqualTo(400);
		assertThat(alice().handshakeStatus("bad uid!")).isEqualTo(400);
		assertThat(alice().handshakeStatus("x".repeat(65))).isEqualTo(400);
		assertThat(alice().handshakeStatus("server")).isEqualTo(403);
	}

	@Test
	void crossOriginHandshakesAreRefusedAndSameOriginAccepted() {
		assertThat(alice().origin("http://evil.example").handshakeStatus(uid("x"))).isEqualTo(403);
		try (WireClient same = alice().origin("http://localhost:" + this.port).connect(uid("same"))) {
			assertThat(same.sync(null).path("type").asString()).isEqualTo("response");
		}
	}

	private static boolean isPageWith(JsonNode scribe, String marker) {
		return scribe.path("klass").asString().equals("Page") && scribe.toString().contains(marker);
	}

	private static List<JsonNode> awaitScribesOf(WireClient client, String marker, int count) {
		return client.awaitPushed((scribe) -> scribe.toString().contains(marker), count);
	}

	private JsonNode http(String method, String path, String body, int expectedStatus) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + this.port + path))
			.header("Content-Type", "application/json")
			.header("Authorization", SampleUsers.basic("alice"))
			.method(method, (body != null) ? HttpRequest.BodyPublishers.ofString(body) : HttpRequest.BodyPublishers.noBody());
		HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(expectedStatus);
		return response.body().isEmpty() ? json.nullNode() : MessageCodec.readTree(response.body());
	}

}
