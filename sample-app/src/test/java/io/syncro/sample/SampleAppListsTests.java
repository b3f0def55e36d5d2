package io.syncro.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import io.syncro.testing.Scribes;
import io.syncro.testing.WireClient;
import io.syncro.testing.WireVersion;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.syncro.testing.Scribes.create;
import static io.syncro.testing.Scribes.destroy;
import static io.syncro.testing.Scribes.update;
import static io.syncro.testing.WireMessages.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample's lists: a list and its Todos reach only its members, by REST, push and
 * sync; sharing a list with bob brings it and its Todos to his clients, live, and taking
 * him off takes them away; deleting a list deletes its Todos, by REST and by a client's
 * destroy.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "spring.datasource.url=jdbc:h2:mem:sample-lists;DB_CLOSE_DELAY=-1")
class SampleAppListsTests {

	private static final AtomicInteger uids = new AtomicInteger();

	private static final Duration WAIT = Duration.ofSeconds(20);

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Test
	void aListAndItsTodosReachOnlyItsMembersByRest() throws Exception {
		String list = createList("alice", "Groceries");
		String todo = http("alice", "POST", "/api/todos", "{\"title\":\"Milk\",\"listId\":\"" + list + "\"}", 201)
			.path("id").asString();
		assertThat(ids(http("alice", "GET", "/api/lists", null, 200))).contains(list);
		assertThat(ids(http("alice", "GET", "/api/todos", null, 200))).contains(todo);
		assertThat(ids(http("bob", "GET", "/api/lists", null, 200))).doesNotContain(list);
		assertThat(ids(http("bob", "GET", "/api/todos", null, 200))).doesNotContain(todo);
		http("bob", "GET", "/api/lists/" + list, null, 404);
		http("bob", "PATCH", "/api/lists/" + list, "{\"name\":\"Mine now\"}", 404);
		http("bob", "DELETE", "/api/lists/" + list, null, 404);
		http("bob", "GET", "/api/todos/" + todo, null, 404);
		http("bob", "PATCH", "/api/todos/" + todo, "{\"done\":true}", 404);
		http("bob", "POST", "/api/todos", "{\"title\":\"Sneaked in\",\"listId\":\"" + list + "\"}", 403);
		http("bob", "POST", "/api/todos", "{\"title\":\"Nowhere\",\"listId\":\"no-such-list\"}", 403);

		http("alice", "PATCH", "/api/lists/" + list, "{\"members\":[\"alice\",\"bob\"]}", 200);
		assertThat(ids(http("bob", "GET", "/api/lists", null, 200))).contains(list);
		assertThat(ids(http("bob", "GET", "/api/todos", null, 200))).contains(todo);
		http("bob", "PATCH", "/api/todos/" + todo, "{\"done\":true}", 200);
	}

	@Test
	void whoCreatesAListIsAMember() throws Exception {
		JsonNode created = http("carol", "POST", "/api/lists", "{\"name\":\"Carol's\",\"members\":[\"bob\"]}", 201);
		assertThat(created.path("members")).extracting(JsonNode::asString).containsExactly("carol", "bob");
		http("carol", "POST", "/api/lists", "{\"members\":[\"bob\"]}", 400);
		http("carol", "POST", "/api/lists", "{\"name\":\"Bad\",\"members\":[\"not a name\"]}", 400);
	}

	@Test
	void sharingAListBringsItAndItsTodosToEveryClientOfTheNewMemberLiveAndUnsharingTakesThemAway()
			throws Exception {
		String list = createList("alice", "Trip");
		String todo = http("alice", "POST", "/api/todos", "{\"title\":\"Tickets\",\"listId\":\"" + list + "\"}", 201)
			.path("id").asString();
		try (WireClient phone = SampleUsers.signedIn("bob", this.port).live(uid("bob-phone"));
				WireClient laptop = SampleUsers.signedIn("bob", this.port).live(uid("bob-laptop"))) {
			http("alice", "PATCH", "/api/lists/" + list, "{\"members\":[\"alice\",\"bob\"]}", 200);
			for (WireClient bob : List.of(phone, laptop)) {
				List<JsonNode> arrived = arrivals(bob, List.of(list, todo), 2);
				assertThat(arrived).extracting((scribe) -> scribe.path("type").asString()).containsOnly("create");
				assertThat(arrived).anySatisfy((scribe) -> {
					assertThat(scribe.path("klass").asString()).isEqualTo("Todo");
					assertThat(scribe.path("data").path("title").asString()).isEqualTo("Tickets");
					assertThat(scribe.path("data").path("listId").asString()).isEqualTo(list);
				});
			}
			http("alice", "PATCH", "/api/lists/" + list, "{\"members\":[\"alice\"]}", 200);
			for (WireClient bob : List.of(phone, laptop)) {
				List<JsonNode> arrived = arrivals(bob, List.of(list, todo), 4);
				assertThat(arrived.subList(2, 4)).extracting((scribe) -> scribe.path("type").asString())
					.containsOnly("destroy");
			}
		}
		// a client of bob's that syncs from nothing now ends with none of it
		try (WireClient fresh = SampleUsers.signedIn("bob", this.port).connect(uid("bob-new"))) {
			Set<String> held = new HashSet<>();
			for (JsonNode scribe : fresh.syncToEnd(null)) {
				String record = Scribes.recordId(scribe);
				if ("destroy".equals(scribe.path("type").asString())) {
					held.remove(record);
				}
				else {
					held.add(record);
				}
			}
			assertThat(held).doesNotContain(list, todo);
		}
	}

	@Test
	void deletingAListDeletesItsTodosByRestAndByAClientsDestroy() throws Exception {
		for (boolean byClient : List.of(false, true)) {
			String list = createList("alice", "Doomed " + byClient);
			String todo = http("alice", "POST", "/api/todos", "{\"title\":\"Gone\",\"listId\":\"" + list + "\"}", 201)
				.path("id").asString();
			try (WireClient watcher = SampleUsers.signedIn("alice", this.port).live(uid("alice-watch"))) {
				if (byClient) {
					try (WireClient writer = SampleUsers.signedIn("alice", this.port).live(uid("alice-write"))) {
						assertThat(writer.addScribe(destroy(1, "TodoList", list)).path("result").asBoolean()).isTrue();
					}
				}
				else {
					http("alice", "DELETE", "/api/lists/" + list, null, 204);
				}
				List<JsonNode> arrived = arrivals(watcher, List.of(list, todo), 2);
				assertThat(arrived).extracting((scribe) -> scribe.path("type").asString() + " " + scribe.path("klass").asString())
					.containsExactly("destroy Todo", "destroy TodoList");
			}
			assertThat(ids(http("alice", "GET", "/api/todos", null, 200))).doesNotContain(todo);
			http("alice", "GET", "/api/lists/" + list, null, 404);
		}
	}

	@Test
	void onlyMembersWriteAListOrItsTodosByWebSocketAndAForbiddenListIsAnsweredAsAMissingOne() throws Exception {
		String list = createList("alice", "Alice's");
		String todo = http("alice", "POST", "/api/todos", "{\"title\":\"Hers\",\"listId\":\"" + list + "\"}", 201)
			.path("id").asString();
		try (WireClient bob = SampleUsers.signedIn("bob", this.port).live(uid("bob"))) {
			JsonNode renamed = bob.addScribe(update(1, "TodoList", list, json.objectNode().put("name", "Bob's")));
			JsonNode missing = bob.addScribe(update(2, "TodoList", "no-such-list", json.objectNode().put("name", "x")));
			assertThat(renamed.path("code").asInt()).isEqualTo(404).isEqualTo(missing.path("code").asInt());
			assertThat(bob.addScribe(update(3, "Todo", todo, json.objectNode().put("done", true))).path("code").asInt())
				.isEqualTo(404);
			assertThat(bob.addScribe(create(4, "Todo", json.objectNode().put("id", "t-" + uid("x"))
				.put("title", "In her list")
				.put("done", false)
				.put("listId", list))).path("code").asInt()).isEqualTo(403);
			assertThat(bob.addScribe(create(5, "TodoList", json.objectNode().put("id", "l-" + uid("x"))
				.put("name", "Without me")
				.set("members", json.arrayNode().add("alice")))).path("code").asInt()).isEqualTo(403);
			assertThat(bob.addScribe(create(6, "TodoList", json.objectNode().put("id", "l-" + uid("x"))
				.put("name", "With me")
				.set("members", json.arrayNode().add("bob")))).path("result").asBoolean()).isTrue();
		}
		assertThat(http("alice", "GET", "/api/lists/" + list, null, 200).path("name").asString()).isEqualTo("Alice's");
	}

	@Test
	void aV2ClientLearnsWhereItsWriteToARecordOfItsUserLanded() {
		try (WireClient alice = SampleUsers.signedIn("alice", this.port).version(WireVersion.V2).live(uid("alice-v2"))) {
			String list = "l-" + uid("landing");
			JsonNode listAnswer = alice.addScribe(create(1, "TodoList", json.objectNode().put("id", list)
				.put("name", "Landed")
				.set("members", json.arrayNode().add("alice"))));
			JsonNode pageAnswer = alice.addScribe(create(2, "Page", json.objectNode().put("id", "p-" + uid("landing"))
				.put("owner", "alice")
				.put("title", "Landed too")
				.put("body", "")));
			for (JsonNode answer : List.of(listAnswer, pageAnswer)) {
				long at = answer.path("at").asLong();
				assertThat(at).as("where %s landed", answer).isPositive();
				assertThat(alice.scribes()).extracting((scribe) -> scribe.path("id").asLong()).contains(at);
			}
		}
	}

	@Test
	void operatorsLearnWhoReceivesARecordAndWhy() throws Exception {
		String list = createList("alice", "Explained");
		String todo = http("alice", "POST", "/api/todos", "{\"title\":\"Why\",\"listId\":\"" + list + "\"}", 201)
			.path("id").asString();
		String forBob = "/actuator/syncro/explain?user=bob&klass=Todo&id=" + todo;
		JsonNode before = http("admin", "GET", forBob, null, 200);
		assertThat(before.path("receives").asBoolean()).isFalse();
		assertThat(before.path("exists").asBoolean()).isTrue();
		assertThat(before.path("policy").asString()).endsWith("TodoPolicy");
		assertThat(before.path("reason").asString()).contains("not among them");
		http("alice", "PATCH", "/api/lists/" + list, "{\"members\":[\"alice\",\"bob\"]}", 200);
		JsonNode after = http("admin", "GET", forBob, null, 200);
		assertThat(after.path("receives").asBoolean()).isTrue();
		assertThat(after.path("matched")).extracting(JsonNode::asString).containsExactly("@bob");

		try (WireClient phone = SampleUsers.signedIn("bob", this.port).live(uid("bob-explained"))) {
			JsonNode byClient = http("admin", "GET",
					"/actuator/syncro/explain?client=" + phone.uid() + "&klass=TodoList&id=" + list, null, 200);
			assertThat(byClient.path("receives").asBoolean()).isTrue();
		}
		assertThat(http("admin", "GET", "/actuator/syncro/explain?user=bob&klass=Todo&id=nothing", null, 200)
			.path("exists").asBoolean()).isFalse();
		assertThat(http("admin", "GET", "/actuator/syncro/explain?user=bob&klass=Nothing&id=1", null, 200)
			.path("reason").asString()).contains("no synchronised class");
		http("admin", "GET", "/actuator/syncro/explain?klass=Todo&id=" + todo, null, 400);
		http("alice", "GET", forBob, null, 403);
		HttpResponse<String> anonymous = this.http.send(
				HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + forBob)).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(anonymous.statusCode()).isEqualTo(401);
		HttpResponse<String> health = this.http.send(
				HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/actuator/health")).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(health.statusCode()).isEqualTo(200);
	}

	@Test
	void operatorsSeeTheNodesSessionsTheirLagAndTheOutbox() throws Exception {
		try (WireClient phone = SampleUsers.signedIn("bob", this.port).live(uid("bob-status"))) {
			http("alice", "POST", "/api/todos", "{\"title\":\"Counted\"}", 201);
			JsonNode status = await().atMost(WAIT)
				.until(() -> http("admin", "GET", "/actuator/syncro", null, 200),
						(node) -> node.path("sessions").valueStream()
							.anyMatch((session) -> session.path("client").asString().equals(phone.uid())
									&& session.path("lag").asLong() == 0));
			assertThat(status.path("store").asString()).isEqualTo("jdbc");
			assertThat(status.path("head").asLong()).isPositive();
			assertThat(status.path("sessionCount").asInt()).isGreaterThanOrEqualTo(1);
			assertThat(status.path("outboxPending").asLong()).isZero();
			JsonNode session = status.path("sessions").valueStream()
				.filter((candidate) -> candidate.path("client").asString().equals(phone.uid()))
				.findFirst()
				.orElseThrow();
			assertThat(session.path("user").asString()).isEqualTo("bob");
			assertThat(session.path("live").asBoolean()).isTrue();
			assertThat(session.path("position").asLong()).isEqualTo(status.path("head").asLong());
		}
		http("alice", "GET", "/actuator/syncro", null, 403);
	}

	private String createList(String user, String name) throws Exception {
		return http(user, "POST", "/api/lists", "{\"name\":\"" + name + "\"}", 201).path("id").asString();
	}

	/** The scribes of some records a client got, once it got as many as expected. */
	private static List<JsonNode> arrivals(WireClient client, List<String> records, int count) {
		return await().atMost(WAIT).until(() -> client.pushed().stream()
			.filter((scribe) -> records.stream().anyMatch((record) -> scribe.path("data").toString().contains(record)))
			.toList(), (arrived) -> arrived.size() >= count);
	}

	private static List<String> ids(JsonNode array) {
		return array.valueStream().map((item) -> item.path("id").asString()).toList();
	}

	private static String uid(String name) {
		return name + "-" + uids.incrementAndGet();
	}

	private JsonNode http(String user, String method, String path, String body, int status) throws Exception {
		return SampleUsers.rest(this.port, user, method, path, body, status);
	}

}
