package io.syncro.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.syncro.protocol.MessageCodec;
import io.syncro.scribe.ScribeType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import static io.syncro.client.TestServer.json;
import static io.syncro.client.TestServer.todo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests how the Java client's own writes leave its queue in protocol version 2
 * (docs/v2-draft.md), with the test playing the server by hand so that its messages come
 * in exact orders, some of which a real server never produces: the negotiation, writes
 * answered with {@code at} above, at or below the position, with {@code at: null} or
 * without {@code at}, the conflict event, batched pushes and refusals.
 */
class SyncroClientLandingTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final String HELLO = "{\"type\":\"hello\",\"version\":2}";

	private final ScriptedServer server = new ScriptedServer();

	private SyncroClient client;

	private SyncroCollection<ObjectNode> todos;

	private final List<ConflictEvent> conflicts = new CopyOnWriteArrayList<>();

	private final List<ChangeEvent<ObjectNode>> changes = new CopyOnWriteArrayList<>();

	// the id of the client's last request seen by the test
	private long requestId;

	@AfterEach
	void close() {
		if (this.client != null) {
			this.client.close();
		}
	}

	private void client(int protocolVersion) {
		this.client = SyncroClient.builder(URI.create("ws://localhost/syncro"))
			.uid("alice")
			.klasses("Todo")
			.backoff(new Backoff(Duration.ofMillis(5), Duration.ofMillis(50), 2, 0.5))
			.heartbeat(Duration.ZERO)
			.requestTimeout(Duration.ofSeconds(5))
			.protocolVersion(protocolVersion)
			.transport(this.server)
			.build();
		this.todos = this.client.collection("Todo");
		this.client.onConflict(this.conflicts::add);
		this.todos.onChange(this.changes::add);
	}

	/**
	 * Connects in version 2 and syncs: the server's sync answer holds the given scribes.
	 * The client syncs once the hello came.
	 */
	private void connect(String... scribes) throws Exception {
		this.client.connect();
		this.server.awaitOpen();
		this.server.send(HELLO);
		JsonNode pull = this.server.next("sync");
		this.server.send("{\"type\":\"sync\",\"id\":1,\"from\":null}");
		assertThat(this.server.next("response").get("result")).isEmpty();
		this.server.send("{\"type\":\"response\",\"id\":" + pull.get("id") + ",\"result\":[" + String.join(",", scribes)
				+ "]}");
		this.client.whenOnline().get(WAIT.toSeconds(), TimeUnit.SECONDS);
	}

	/**
	 * Waits for the client to send a write, and gives its request id.
	 */
	private JsonNode nextWrite() {
		JsonNode write = this.server.next("add_scribe");
		this.requestId = write.get("id").asLong();
		return write.get("scribe");
	}

	private void answer(long requestId, String at) {
		this.server.send("{\"type\":\"response\",\"id\":" + requestId + ",\"result\":true" + at + "}");
	}

	/**
	 * Pushes scribes as one {@code add_scribes} and checks the client's one answer.
	 */
	private void push(long pushId, String... scribes) {
		this.server.send("{\"type\":\"add_scribes\",\"id\":" + pushId + ",\"scribes\":[" + String.join(",", scribes) + "]}");
		assertThat(this.server.next("response"))
			.isEqualTo(MessageCodec.readTree("{\"type\":\"response\",\"id\":" + pushId + ",\"result\":true}"));
	}

	private static String create(long id, ObjectNode record) {
		return "{\"id\":" + id + ",\"klass\":\"Todo\",\"type\":\"create\",\"data\":" + record + "}";
	}

	private static String update(long id, String recordId, ObjectNode changes) {
		return "{\"id\":" + id + ",\"klass\":\"Todo\",\"type\":\"update\",\"data\":[\"" + recordId + "\"," + changes + "]}";
	}

	private static ObjectNode title(String title) {
		return json.objectNode().put("title", title);
	}

	@Test
	void asksForVersionTwoAnswersThePullEmptyAndSendsItsWritesOneByOne() throws Exception {
		client(2);
		this.todos.create(todo("t1", "Offline"));
		this.todos.update("t1", Map.of("done", true));
		connect();
		assertThat(this.server.askedVersions).containsExactly(2);
		assertThat(nextWrite().get("id").asLong()).isEqualTo(1);
		long first = this.requestId;
		assertThat(nextWrite().get("id").asLong()).isEqualTo(2);
		push(100, create(4, todo("t1", "Offline")), update(5, "t1", json.objectNode().put("done", true)));
		answer(first, ",\"at\":4");
		answer(this.requestId, ",\"at\":5");
		this.client.whenSettled().get(WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(this.client.position()).isEqualTo(5);
		assertThat(this.todos.all()).containsExactly(todo("t1", "Offline").put("done", true));
		assertThat(this.conflicts).isEmpty();
	}

	@Test
	void speaksVersionOneToAServerThatPullsBeforeAnyHello() throws Exception {
		client(2);
		this.todos.create(todo("t1", "Offline"));
		this.client.connect();
		this.server.awaitOpen();
		// the client syncs once the server's first message told the version
		assertThat(this.server.sentNothingMore()).isTrue();
		this.server.send("{\"type\":\"sync\",\"id\":1,\"from\":null}");
		JsonNode pull = this.server.next("sync");
		JsonNode answer = this.server.next("response");
		assertThat(answer.get("result")).hasSize(1);
		assertThat(answer.get("result").get(0).get("id").asLong()).isEqualTo(1);
		this.server.send("{\"type\":\"response\",\"id\":" + pull.get("id") + ",\"result\":[]}");
		this.client.whenOnline().get(WAIT.toSeconds(), TimeUnit.SECONDS);
		// the pull settled the create; a v1 answer settles the update at once
		this.server.send("{\"type\":\"sync\",\"id\":2,\"from\":1}");
		assertThat(this.server.next("response").get("result")).isEmpty();
		this.todos.update("t1", Map.of("done", true));
		nextWrite();
		answer(this.requestId, "");
		this.client.whenSettled().get(WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(this.client.position()).isZero();
		this.server.send("{\"type\":\"add_scribe\",\"id\":3,\"scribe\":" + update(7, "t1", title("From bob")) + "}");
		assertThat(this.server.next("response").get("result").asBoolean()).isTrue();
		assertThat(this.todos.all()).containsExactly(todo("t1", "From bob").put("done", true));
		assertThat(this.client.position()).isEqualTo(7);
	}

	@Test
	void asksForNothingNewerWhenToldToSpeakVersionOne() throws Exception {
		client(1);
		this.client.connect();
		this.server.awaitOpen();
		assertThat(this.server.askedVersions).containsExactly(1);
	}

	@Test
	void aWriteAnsweredAtAnIdAboveThePositionStaysPendingUntilThePositionReachesIt() throws Exception {
		client(2);
		connect(create(3, todo("t1", "Server's")));
		this.todos.update("t1", Map.of("title", "Mine"));
		nextWrite();
		answer(this.requestId, ",\"at\":6");
		assertThat(this.client.pendingWrites()).isOne();
		push(101, create(4, todo("t2", "Other")));
		push(102, update(5, "t2", title("Other, edited")));
		assertThat(this.client.position()).isEqualTo(5);
		assertThat(this.client.pendingWrites()).isOne();
		assertThat(this.todos.get("t1").get()).isEqualTo(todo("t1", "Mine"));
		push(103, update(6, "t1", title("Mine")));
		assertThat(this.client.pendingWrites()).isZero();
		assertThat(this.todos.get("t1").get()).isEqualTo(todo("t1", "Mine"));
		assertThat(this.conflicts).isEmpty();
	}

	@Test
	void aWriteAnsweredAtAnIdAtOrBelowThePositionLeavesAtOnce() throws Exception {
		client(2);
		connect(create(3, todo("t1", "Server's")));
		this.todos.update("t1", Map.of("title", "Mine"));
		nextWrite();
		push(101, update(4, "t1", title("Mine")), create(5, todo("t2", "Other")));
		assertThat(this.client.pendingWrites()).isOne();
		answer(this.requestId, ",\"at\":4");
		assertThat(this.client.pendingWrites()).isZero();
		assertThat(this.todos.get("t1").get()).isEqualTo(todo("t1", "Mine"));
	}

	@Test
	void aWriteThatAppendedNothingForThisClientLeavesAtOnce() throws Exception {
		client(2);
		connect(create(3, todo("t1", "Server's")));
		this.todos.update("t1", Map.of("title", "Same"));
		assertThat(nextWrite().get("data").get(1)).isEqualTo(title("Same"));
		long same = this.requestId;
		this.todos.update("t1", Map.of("done", true));
		nextWrite();
		// bob set the same title first: the server records nothing for this write
		push(101, update(4, "t1", title("Same")));
		answer(same, ",\"at\":null");
		assertThat(this.client.pendingWrites()).isOne();
		assertThat(this.todos.get("t1").get()).isEqualTo(todo("t1", "Same").put("done", true));
		assertThat(this.conflicts).isEmpty();
	}

	@Test
	void aWriteAnsweredWithoutALandingLeavesOnceThePositionReachesTheLogAsItWasAfterTheAnswer() throws Exception {
		client(2);
		connect(create(3, todo("t1", "Server's")));
		this.todos.update("t1", Map.of("title", "Mine"));
		nextWrite();
		answer(this.requestId, "");
		JsonNode lastId = this.server.next("rpc");
		assertThat(lastId.get("klass").asString()).isEqualTo("Syncro");
		assertThat(lastId.get("method").asString()).isEqualTo("last_scribe_id");
		assertThat(this.client.pendingWrites()).isOne();
		this.server.send("{\"type\":\"response\",\"id\":" + lastId.get("id") + ",\"result\":5}");
		push(101, update(4, "t1", title("Mine")));
		assertThat(this.client.pendingWrites()).isOne();
		push(102, update(5, "t1", title("Bob's, later")));
		assertThat(this.client.pendingWrites()).isZero();
		assertThat(this.todos.get("t1").get()).isEqualTo(todo("t1", "Bob's, later"));
		assertThat(this.conflicts).singleElement().satisfies((conflict) -> {
			assertThat(conflict.previous()).isEqualTo(todo("t1", "Mine"));
			assertThat(conflict.record()).isEqualTo(todo("t1", "Bob's, later"));
		});
	}

	@Test
	void answersWithoutALandingThatComeDuringACatchUpWaitForTheNext() throws Exception {
		client(2);
		connect(create(3, todo("t1", "Server's")));
		this.todos.update("t1", Map.of("title", "First"));
		nextWrite();
		answer(this.requestId, "");
		JsonNode firstCatchUp = this.server.next("rpc");
		this.todos.update("t1", Map.of("done", true));
		nextWrite();
		answer(this.requestId, "");
		assertThat(this.server.sentNothingMore()).isTrue();
		this.server.send("{\"type\":\"response\",\"id\":" + firstCatchUp.get("id") + ",\"result\":4}");
		JsonNode secondCatchUp = this.server.next("rpc");
		push(101, update(4, "t1", title("First")));
		assertThat(this.client.pendingWrites()).isOne();
		this.server.send("{\"type\":\"response\",\"id\":" + secondCatchUp.get("id") + ",\"result\":5}");
		push(102, update(5, "t1", json.objectNode().put("done", true)));
		assertThat(this.client.pendingWrites()).isZero();
		assertThat(this.todos.get("t1").get()).isEqualTo(todo("t1", "First").put("done", true));
	}

	@Test
	void aConflictIsToldExactlyWhenAWriteLeavingTheQueueChangesWhatTheAppSees() throws Exception {
		client(2);
		connect(create(3, todo("t1", "Server's")));

		// bob's title, ordered after this client's, arrives before the answer
		this.todos.update("t1", Map.of("title", "Mine"));
		nextWrite();
		push(101, update(4, "t1", title("Mine")), update(5, "t1", title("Bob's")));
		assertThat(this.todos.get("t1").get()).isEqualTo(todo("t1", "Mine"));
		this.changes.clear();
		answer(this.requestId, ",\"at\":4");
		assertThat(this.todos.get("t1").get()).isEqualTo(todo("t1", "Bob's"));
		assertThat(this.changes).singleElement().satisfies((change) -> {
			assertThat(change.source()).isEqualTo(ChangeEvent.Source.REMOTE);
			assertThat(change.record()).isEqualTo(todo("t1", "Bob's"));
		});
		assertThat(this.conflicts).containsExactly(new ConflictEvent("Todo", "t1", 1, ScribeType.UPDATE, title("Mine"),
				todo("t1", "Mine"), todo("t1", "Bob's")));

		// the server stored what was sent: nothing to tell
		this.todos.update("t1", Map.of("done", true));
		nextWrite();
		push(102, update(6, "t1", json.objectNode().put("done", true)));
		answer(this.requestId, ",\"at\":6");
		assertThat(this.conflicts).hasSize(1);

		// the server stored something else than was sent
		this.todos.update("t1", Map.of("title", "  Trimmed  "));
		nextWrite();
		push(103, update(7, "t1", title("Trimmed")));
		answer(this.requestId, ",\"at\":7");
		assertThat(this.todos.get("t1").get()).isEqualTo(todo("t1", "Trimmed").put("done", true));
		assertThat(this.conflicts).hasSize(2);
		assertThat(this.conflicts.get(1).scribeId()).isEqualTo(3);
		assertThat(this.conflicts.get(1).written()).isEqualTo(title("  Trimmed  "));
		assertThat(this.conflicts.get(1).record()).isEqualTo(todo("t1", "Trimmed").put("done", true));
		assertThat(this.client.pendingWrites()).isZero();
	}

	@Test
	void aBatchedPushIsPlayedInOrderSkippingWhatTheClientHasOrDoesNotKeepAndAnsweredOnce() throws Exception {
		client(2);
		connect(create(3, todo("t1", "One")));
		push(100, update(2, "t1", title("Old, already seen")), create(4, todo("t2", "Two")),
				"{\"id\":5,\"klass\":\"Page\",\"type\":\"create\",\"data\":{\"id\":\"p1\",\"owner\":\"alice\"}}",
				update(6, "t2", json.objectNode().put("done", true)), update(7, "t1", title("One, edited")));
		assertThat(this.client.position()).isEqualTo(7);
		assertThat(this.todos.all()).containsExactly(todo("t1", "One, edited"), todo("t2", "Two").put("done", true));
	}

	@Test
	void aRefusedWriteRollsBackAndIsNoConflict() throws Exception {
		client(2);
		List<RefusedEvent> refusals = new CopyOnWriteArrayList<>();
		this.client.onRefused(refusals::add);
		connect(create(3, todo("t1", "Server's")));
		this.todos.update("t1", Map.of("title", "Mine"));
		nextWrite();
		this.server.send("{\"type\":\"error\",\"id\":" + this.requestId
				+ ",\"code\":403,\"message\":\"Not yours.\",\"scribe\":1}");
		assertThat(refusals).singleElement().satisfies((refusal) -> {
			assertThat(refusal.scribeId()).isEqualTo(1);
			assertThat(refusal.record()).isEqualTo(todo("t1", "Server's"));
		});
		assertThat(this.todos.get("t1").get()).isEqualTo(todo("t1", "Server's"));
		assertThat(this.client.pendingWrites()).isZero();
		assertThat(this.conflicts).isEmpty();
	}

	@Test
	void aWriteWhoseAnswerWasLostIsSentAgainOnTheNextConnectionAndLeavesAfterACatchUp() throws Exception {
		client(2);
		connect(create(3, todo("t1", "Server's")));
		this.todos.update("t1", Map.of("title", "Mine"));
		nextWrite();
		this.server.drop();
		await().atMost(WAIT).until(() -> this.server.askedVersions.size() == 2);
		this.server.awaitOpen();
		this.server.send(HELLO);
		JsonNode pull = this.server.next("sync");
		assertThat(pull.get("from").asLong()).isEqualTo(3);
		this.server.send("{\"type\":\"sync\",\"id\":1,\"from\":1}");
		assertThat(this.server.next("response").get("result")).isEmpty();
		assertThat(nextWrite().get("id").asLong()).isEqualTo(1);
		this.server.send("{\"type\":\"response\",\"id\":" + pull.get("id") + ",\"result\":["
				+ update(4, "t1", title("Mine")) + "," + update(5, "t1", title("Bob's")) + "]}");
		this.client.whenOnline().get(WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(this.todos.get("t1").get()).isEqualTo(todo("t1", "Mine"));
		// a duplicate: the server answers with the first outcome, without at
		answer(this.requestId, "");
		JsonNode lastId = this.server.next("rpc");
		this.server.send("{\"type\":\"response\",\"id\":" + lastId.get("id") + ",\"result\":5}");
		assertThat(this.client.pendingWrites()).isZero();
		assertThat(this.todos.get("t1").get()).isEqualTo(todo("t1", "Bob's"));
		assertThat(this.conflicts).hasSize(1);
	}

}
