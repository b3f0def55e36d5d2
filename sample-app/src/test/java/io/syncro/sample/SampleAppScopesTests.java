package io.syncro.sample;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.syncro.client.FileLocalStore;
import io.syncro.client.SyncroClient;
import io.syncro.protocol.SyncroException;
import io.syncro.recording.SyncroScope;
import io.syncro.sample.todo.Todo;
import io.syncro.testing.Scribes;
import io.syncro.testing.WireClient;
import io.syncro.testing.WireVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import static io.syncro.testing.Scribes.create;
import static io.syncro.testing.Scribes.update;
import static io.syncro.testing.WireMessages.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Subscriptions (protocol v2) on the sample: a client subscribed to a list's Todos gets
 * them in batches, then their live changes; a Todo moving in or out of its scopes arrives
 * as a create or a destroy; other klasses, and a klass without subscriptions, arrive as
 * before; scopes are refused with 404, 400 and 403 as they should, and their parameters are
 * bound, never part of a query's text.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "spring.datasource.url=jdbc:h2:mem:sample-scopes;DB_CLOSE_DELAY=-1")
@Import(SampleAppScopesTests.TitleScope.class)
class SampleAppScopesTests {

	private static final AtomicInteger uids = new AtomicInteger();

	private static final Duration WAIT = Duration.ofSeconds(20);

	@LocalServerPort
	private int port;

	@Test
	void aSubscriptionDeliversItsRecordsInBatchesThenTheirLiveChangesAndOnlyThose() throws Exception {
		String list = createList("alice", "Big");
		String other = createList("alice", "Other");
		for (int i = 0; i < 1_100; i++) {
			todo("alice", "Item " + i, list);
		}
		String elsewhere = todo("alice", "Elsewhere", other);
		String shared = todo("alice", "Shared", null);
		try (WireClient alice = v2("alice")) {
			JsonNode answer = alice.subscribe("listTodos", params(list));
			long since = alice.position();
			assertThat(answer.path("result").path("klass").asString()).as("%s", answer).isEqualTo("Todo");
			List<JsonNode> batches = alice.records();
			assertThat(batches).hasSizeGreaterThanOrEqualTo(3);
			assertThat(batches.get(0).path("first").asBoolean()).isTrue();
			assertThat(batches.subList(0, batches.size() - 1)).allSatisfy((batch) -> assertThat(batch.path("more").asBoolean()).isTrue());
			assertThat(batches.get(batches.size() - 1).has("more")).isFalse();
			Map<String, JsonNode> held = new HashMap<>();
			batches.forEach((batch) -> batch.path("records").forEach((record) -> held.put(record.path("id").asString(), record)));
			assertThat(held).hasSize(1_100);
			assertThat(held.values()).allSatisfy((record) -> assertThat(record.path("listId").asString()).isEqualTo(list));

			// live: a change in the scope arrives; one outside it (another list, a shared
			// Todo) does not, though the policy gives both to alice
			String added = todo("alice", "Added", list);
			http("alice", "PATCH", "/api/todos/" + elsewhere, "{\"done\":true}", 200);
			http("alice", "PATCH", "/api/todos/" + shared, "{\"done\":true}", 200);
			awaitScribe(alice, since, added, "create");
			// a list of hers arrives as always: TodoList has no subscriptions
			String third = createList("alice", "Third");
			awaitScribe(alice, since, third, "create");
			assertThat(recordsOf(alice, since)).doesNotContain(elsewhere, shared);

			// moves: out of the scope arrives as a destroy, into it as a create with every attribute
			http("alice", "PATCH", "/api/todos/" + added, "{\"listId\":\"" + other + "\"}", 200);
			awaitScribe(alice, since, added, "destroy");
			http("alice", "PATCH", "/api/todos/" + elsewhere, "{\"listId\":\"" + list + "\"}", 200);
			JsonNode moved = awaitScribe(alice, since, elsewhere, "create");
			assertThat(moved.path("data").path("title").asString()).isEqualTo("Elsewhere");
			assertThat(moved.path("data").path("done").asBoolean()).isTrue();
			assertThat(alice.violations()).isEmpty();
		}
	}

	@Test
	void unsubscribingKeepsWhatOtherSubscriptionsHoldAndTheLastOneGivesBackEverythingThePolicyGives()
			throws Exception {
		String first = createList("alice", "First");
		String second = createList("alice", "Second");
		String inFirst = todo("alice", "In first", first);
		String inSecond = todo("alice", "In second", second);
		String shared = todo("alice", "Shared", null);
		try (WireClient alice = v2("alice")) {
			alice.subscribe("listTodos", params(first));
			assertThat(lastReset(alice)).containsExactly(inFirst);
			alice.subscribe("listTodos", params(second));
			assertThat(lastReset(alice)).containsExactlyInAnyOrder(inFirst, inSecond);
			alice.subscribe("sharedTodos", json.objectNode());
			assertThat(lastReset(alice)).contains(inFirst, inSecond, shared).doesNotContain(bobsTodo());
			alice.unsubscribe("sharedTodos", json.objectNode());
			alice.unsubscribe("listTodos", params(first));
			assertThat(lastReset(alice)).containsExactly(inSecond);
			JsonNode last = alice.unsubscribe("listTodos", params(second));
			assertThat(last.path("result").path("klass").asString()).isEqualTo("Todo");
			// no subscription left: every Todo the policy gives alice, as in v1
			assertThat(lastReset(alice)).contains(inFirst, inSecond, shared);
		}
	}

	@Test
	void operatorsLearnWhichScopesAClientHoldsARecordBy() throws Exception {
		String list = createList("alice", "Explained");
		String other = createList("alice", "Not subscribed");
		String held = todo("alice", "Held", list);
		String notHeld = todo("alice", "Not held", other);
		try (WireClient alice = v2("alice")) {
			alice.subscribe("listTodos", params(list));
			JsonNode in = http("admin", "GET", "/actuator/syncro/explain?client=" + alice.uid() + "&klass=Todo&id=" + held,
					null, 200);
			assertThat(in.path("receives").asBoolean()).isTrue();
			assertThat(in.path("scopes")).extracting(JsonNode::asString).singleElement().asString().contains("listTodos", list);
			JsonNode out = http("admin", "GET",
					"/actuator/syncro/explain?client=" + alice.uid() + "&klass=Todo&id=" + notHeld, null, 200);
			assertThat(out.path("receives").asBoolean()).isFalse();
			assertThat(out.path("reason").asString()).contains("do not hold");
		}
	}

	@Test
	void unknownScopesBadParametersAndForbiddenScopesAreRefused() throws Exception {
		String list = createList("alice", "Hers");
		try (WireClient bob = v2("bob")) {
			assertThat(bob.subscribe("noSuchScope", json.objectNode()).path("code").asInt()).isEqualTo(404);
			assertThat(bob.subscribe("listTodos", json.objectNode()).path("code").asInt()).isEqualTo(400);
			assertThat(bob.subscribe("listTodos", params(list).put("extra", 1)).path("code").asInt()).isEqualTo(400);
			assertThat(bob.subscribe("listTodos", json.objectNode().putNull("listId")).path("code").asInt()).isEqualTo(400);
			assertThat(bob.subscribe("listTodos", json.objectNode().set("listId", json.arrayNode())).path("code").asInt())
				.isEqualTo(400);
			assertThat(bob.subscribe("sharedTodos", params(list)).path("code").asInt()).isEqualTo(400);
			assertThat(bob.subscribe("listTodos", params(list)).path("code").asInt()).isEqualTo(403);
			assertThat(bob.subscribe("listTodos", params("no-such-list")).path("code").asInt()).isEqualTo(403);
			ObjectNode notAnObject = json.objectNode().put("type", "subscribe").put("scope", "listTodos").put("params", "x");
			assertThat(bob.request(notAnObject).path("code").asInt()).isEqualTo(400);
			assertThat(bob.records()).isEmpty();
		}
		try (WireClient v1 = SampleUsers.signedIn("bob", this.port).live(uid("bob-v1"))) {
			assertThat(v1.subscribe("sharedTodos", json.objectNode()).path("code").asInt()).isEqualTo(501);
		}
	}

	@Test
	void scopeParametersAreBoundNeverPartOfTheQuery() throws Exception {
		String quoted = "It's \"quoted\"; DROP TABLE todo; --";
		String exact = todo("alice", quoted, null);
		todo("alice", "Plain", null);
		try (WireClient alice = v2("alice")) {
			for (String injection : List.of("' OR '1'='1", "x' OR 1=1 --", "%", "*", "') OR ('a'='a", "\\' OR 1=1 #")) {
				assertThat(alice.subscribe("titled", json.objectNode().put("title", injection)).path("result").has("klass"))
					.isTrue();
				assertThat(lastReset(alice)).as(injection).isEmpty();
			}
			alice.subscribe("titled", json.objectNode().put("title", quoted));
			alice.unsubscribe("titled", json.objectNode().put("title", "Plain"));
			assertThat(lastReset(alice)).containsExactly(exact);
			assertThat(alice.subscribe("listTodos", params("x' OR '1'='1")).path("code").asInt()).isEqualTo(403);
		}
		assertThat(ids(http("alice", "GET", "/api/todos", null, 200))).contains(exact);
	}

	@Test
	void aWriteOutsideTheWritersScopesIsAnsweredAsLandingNowhereForIt() throws Exception {
		String list = createList("alice", "Scoped");
		try (WireClient alice = v2("alice")) {
			alice.subscribe("listTodos", params(list));
			long since = alice.position();
			String outside = "t-" + uid("outside");
			JsonNode answer = alice.addScribe(create(1, "Todo",
					json.objectNode().put("id", outside).put("title", "Shared one").put("done", false)));
			assertThat(answer.path("result").asBoolean()).as("%s", answer).isTrue();
			assertThat(answer.has("at")).isTrue();
			assertThat(answer.path("at").isNull()).as("%s", answer).isTrue();
			String inside = "t-" + uid("inside");
			JsonNode landed = alice.addScribe(create(2, "Todo",
					json.objectNode().put("id", inside).put("title", "Listed").put("done", false).put("listId", list)));
			assertThat(landed.path("at").asLong()).isPositive();
			assertThat(recordsOf(alice, since)).contains(inside).doesNotContain(outside);
			JsonNode moved = alice.addScribe(update(3, "Todo", inside, json.objectNode().putNull("listId")));
			long at = moved.path("at").asLong();
			assertThat(alice.scribes()).anySatisfy((scribe) -> {
				assertThat(scribe.path("id").asLong()).isEqualTo(at);
				assertThat(scribe.path("type").asString()).isEqualTo("destroy");
			});
		}
	}

	@Test
	void aReconnectingClientSubscribesAgainAndSyncsFromItsPosition() throws Exception {
		String list = createList("alice", "Again");
		String kept = todo("alice", "Kept", list);
		String leaving = todo("alice", "Leaving", list);
		long position;
		String uid = uid("alice");
		try (WireClient alice = SampleUsers.signedIn("alice", this.port).version(WireVersion.V2).live(uid)) {
			alice.subscribe("listTodos", params(list));
			position = alice.lastScribeId();
		}
		String other = createList("alice", "Elsewhere");
		http("alice", "PATCH", "/api/todos/" + leaving, "{\"listId\":\"" + other + "\"}", 200);
		String arrived = todo("alice", "Arrived", list);
		try (WireClient again = SampleUsers.signedIn("alice", this.port).version(WireVersion.V2).connect(uid)) {
			again.awaitPull();
			again.subscribe("listTodos", params(list));
			assertThat(lastReset(again)).containsExactlyInAnyOrder(kept, arrived);
			List<JsonNode> caughtUp = again.syncToEnd(position);
			// what moved out while it was away is gone with the reset, and not sent again
			assertThat(caughtUp).extracting(Scribes::recordId).doesNotContain(leaving).contains(arrived);
		}
	}

	@Test
	void theJavaClientSubscribesUnsubscribesAndKeepsItsSubscriptionsOffline(@TempDir Path directory) throws Exception {
		String list = createList("alice", "For Java");
		String inList = todo("alice", "Listed", list);
		String shared = todo("alice", "Shared", null);
		Path file = directory.resolve("client.json");
		String uid = uid("alice-java");
		try (SyncroClient client = javaClient(uid, file)) {
			client.connect().whenOnline().get(20, TimeUnit.SECONDS);
			assertThat(todoIds(client)).contains(inList, shared);
			JsonNode answer = client.subscribe("listTodos", Map.of("listId", list)).get(20, TimeUnit.SECONDS);
			assertThat(answer.path("klass").asString()).isEqualTo("Todo");
			assertThat(todoIds(client)).containsExactly(inList);
			String added = todo("alice", "Added", list);
			await().atMost(WAIT).until(() -> todoIds(client).contains(added));
			http("alice", "PATCH", "/api/todos/" + inList, "{\"listId\":null}", 200);
			await().atMost(WAIT).until(() -> !todoIds(client).contains(inList));
			assertThatThrownBy(() -> client.subscribe("listTodos", Map.of("listId", "nobodys")).get(20, TimeUnit.SECONDS))
				.hasCauseInstanceOf(SyncroException.class)
				.cause()
				.extracting((error) -> ((SyncroException) error).getCode())
				.isEqualTo(403);
		}
		// offline: the subscription is in the store; an unsubscribe waits there for the next connection
		try (SyncroClient client = javaClient(uid, file)) {
			assertThat(client.subscriptions()).extracting(Map.Entry::getKey).containsExactly("listTodos");
			CompletableFuture<JsonNode> unsubscribed = client.unsubscribe("listTodos", Map.of("listId", list));
			client.connect();
			unsubscribed.get(20, TimeUnit.SECONDS);
			assertThat(client.subscriptions()).isEmpty();
			await().atMost(WAIT).until(() -> todoIds(client).containsAll(List.of(inList, shared)));
		}
	}

	private SyncroClient javaClient(String uid, Path file) {
		return SyncroClient.builder(URI.create("ws://localhost:" + this.port + "/syncro"))
			.uid(uid)
			.basicAuthentication("alice", "alice-secret")
			.klasses("Todo", "TodoList", "Page")
			.store(FileLocalStore.open(file))
			.build();
	}

	private static List<String> todoIds(SyncroClient client) {
		return client.collection("Todo").all().stream().map((todo) -> todo.path("id").asString()).toList();
	}

	private WireClient v2(String user) {
		return SampleUsers.signedIn(user, this.port).version(WireVersion.V2).live(uid(user));
	}

	private String bobsTodo() throws Exception {
		return todo("bob", "Bob's own", createList("bob", "Bob's"));
	}

	/** The ids of the records the last reset of a client's Todos gave it. */
	private static Set<String> lastReset(WireClient client) {
		List<JsonNode> batches = client.records();
		int first = batches.size() - 1;
		while (first > 0 && !batches.get(first).path("first").asBoolean()) {
			first--;
		}
		Map<String, Boolean> ids = new TreeMap<>();
		batches.subList(first, batches.size())
			.forEach((batch) -> batch.path("records").forEach((record) -> ids.put(record.path("id").asString(), true)));
		return ids.keySet();
	}

	/**
	 * The Todos a client holds from its last reset and the scribes it received after it,
	 * those with ids above its position when the reset ended.
	 */
	private static Set<String> recordsOf(WireClient client, long since) {
		Set<String> held = new java.util.HashSet<>(lastReset(client));
		for (JsonNode scribe : client.scribes()) {
			if (scribe.path("id").asLong() <= since) {
				continue;
			}
			if ("destroy".equals(scribe.path("type").asString())) {
				held.remove(Scribes.recordId(scribe));
			}
			else if ("Todo".equals(scribe.path("klass").asString())) {
				held.add(Scribes.recordId(scribe));
			}
		}
		return held;
	}

	private static JsonNode awaitScribe(WireClient client, long since, String recordId, String type) {
		return await().atMost(WAIT)
			.until(() -> client.scribes()
				.stream()
				.filter((scribe) -> scribe.path("id").asLong() > since)
				.filter((scribe) -> Scribes.recordId(scribe).equals(recordId) && type.equals(scribe.path("type").asString()))
				.findFirst()
				.orElse(null), (scribe) -> scribe != null);
	}

	private static ObjectNode params(String listId) {
		return json.objectNode().put("listId", listId);
	}

	private String createList(String user, String name) throws Exception {
		return http(user, "POST", "/api/lists", "{\"name\":\"" + name + "\"}", 201).path("id").asString();
	}

	private String todo(String user, String title, String listId) throws Exception {
		ObjectNode body = json.objectNode().put("title", title);
		if (listId != null) {
			body.put("listId", listId);
		}
		return http(user, "POST", "/api/todos", body.toString(), 201).path("id").asString();
	}

	private static List<String> ids(JsonNode array) {
		List<String> ids = new ArrayList<>();
		array.forEach((item) -> ids.add(item.path("id").asString()));
		return ids;
	}

	private static String uid(String name) {
		return name + "-" + uids.incrementAndGet();
	}

	private JsonNode http(String user, String method, String path, String body, int status) throws Exception {
		return SampleUsers.rest(this.port, user, method, path, body, status);
	}

	/**
	 * A scope with a free-text parameter, for the injection test: the shared Todos of a
	 * title.
	 */
	@TestConfiguration(proxyBeanMethods = false)
	static class TitleScope {

		@Bean
		SyncroScope<Todo> titled() {
			return SyncroScope.of("titled", Todo.class, Title.class,
					(params, who) -> (root, query, builder) -> builder.and(builder.isNull(root.get("listId")),
							builder.equal(root.get("title"), params.title())));
		}

		record Title(String title) {
		}

	}

}
