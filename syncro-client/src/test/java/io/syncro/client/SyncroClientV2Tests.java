package io.syncro.client;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.syncro.protocol.MessageCodec;
import io.syncro.scribe.Reader;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import static io.syncro.client.TestServer.json;
import static io.syncro.client.TestServer.page;
import static io.syncro.client.TestServer.todo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests the Java client in protocol version 2 against a server engine, linked in memory:
 * the negotiation and the fallback to version 1, own scribes counted in the position, a
 * concurrent write the server ordered after the client's own winning whichever of its
 * push and the client's answer comes first, batched pushes, and answers lost with the
 * connection. {@link SyncroClientTests} runs the rest in both versions.
 */
class SyncroClientV2Tests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private final TestServer server = new TestServer();

	private final InMemoryTransport transport = new InMemoryTransport(this.server.engine);

	private final List<AutoCloseable> resources = new ArrayList<>();

	@AfterEach
	void close() throws Exception {
		for (AutoCloseable resource : this.resources) {
			resource.close();
		}
		this.server.close();
	}

	private SyncroClient client(String uid, int protocolVersion, String... klasses) {
		SyncroClient client = SyncroClient.builder(URI.create("ws://localhost/syncro"))
			.uid(uid)
			.klasses(klasses)
			.backoff(new Backoff(Duration.ofMillis(5), Duration.ofMillis(50), 2, 0.5))
			.heartbeat(Duration.ZERO)
			.requestTimeout(Duration.ofSeconds(5))
			.protocolVersion(protocolVersion)
			.transport(this.transport)
			.build();
		this.resources.add(client);
		return client;
	}

	private SyncroClient connected(String uid) throws Exception {
		SyncroClient client = client(uid, 2, "Todo", "Page");
		client.connect();
		awaitOnlineAndSettled(client);
		return client;
	}

	private static void awaitOnlineAndSettled(SyncroClient client) throws Exception {
		client.whenOnline().get(WAIT.toSeconds(), TimeUnit.SECONDS);
		client.whenSettled().get(WAIT.toSeconds(), TimeUnit.SECONDS);
	}

	private long lastIdWithOwn(String uid) {
		return this.server.log.lastId(Reader.withOwn(uid));
	}

	private static ObjectNode title(String title) {
		return json.objectNode().put("title", title);
	}

	@Test
	void asksForVersionTwoAndCountsItsOwnScribesInItsPosition() throws Exception {
		SyncroClient alice = connected("alice");
		alice.collection("Todo").create(todo("t1", "Mine"));
		alice.whenSettled().get(WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(this.transport.askedVersions).containsExactly(2);
		assertThat(this.server.log.lastId("alice")).isZero();
		assertThat(alice.position()).isPositive().isEqualTo(lastIdWithOwn("alice"));
		assertThat(alice.rpc("Syncro", "last_scribe_id").get(WAIT.toSeconds(), TimeUnit.SECONDS).asLong())
			.isEqualTo(alice.position());
		assertThat(this.transport.sentTo("alice")).anyMatch((message) -> message.startsWith("{\"type\":\"hello\""));
	}

	@Test
	void aClientToldToSpeakVersionOneAsksForNothingAndLeavesItsOwnScribesOutOfItsPosition() throws Exception {
		SyncroClient alice = client("alice", 1, "Todo");
		alice.connect();
		alice.collection("Todo").create(todo("t1", "Mine"));
		awaitOnlineAndSettled(alice);
		assertThat(this.transport.askedVersions).containsExactly(1);
		assertThat(alice.position()).isZero();
		assertThat(this.transport.sentTo("alice")).noneMatch((message) -> message.startsWith("{\"type\":\"hello\""))
			.noneMatch((message) -> message.startsWith("{\"type\":\"add_scribes\""));
	}

	@Test
	void aServerThatKnowsOnlyVersionOneIsSpokenToInVersionOne() throws Exception {
		this.transport.serverVersion(1);
		SyncroClient alice = client("alice", 2, "Todo");
		SyncroCollection<ObjectNode> todos = alice.collection("Todo");
		alice.connect();
		todos.create(todo("t1", "Mine"));
		awaitOnlineAndSettled(alice);
		assertThat(this.transport.askedVersions).containsExactly(2);
		assertThat(alice.position()).isZero();
		this.server.todos.update("t1", title("The server's"));
		await().atMost(WAIT).until(() -> alice.position() == this.server.log.lastId("alice"));
		assertThat(todos.all()).containsExactly(todo("t1", "The server's"));
		assertThat(this.transport.sentTo("alice")).noneMatch((message) -> message.startsWith("{\"type\":\"hello\""));
	}

	@Test
	void aWriteTheServerOrderedAfterOwnWinsWhenItsPushComesBeforeTheAnswer() throws Exception {
		this.server.todos.save(todo("t1", "Start"));
		SyncroClient alice = connected("alice");
		SyncroCollection<ObjectNode> todos = alice.collection("Todo");
		List<ConflictEvent> conflicts = new CopyOnWriteArrayList<>();
		alice.onConflict(conflicts::add);

		this.transport.holdResponses();
		todos.update("t1", Map.of("title", "Alice's"));
		await().atMost(WAIT).until(() -> this.server.clients.mark("alice") == 1);
		this.server.todos.update("t1", title("Bob's"));
		await().atMost(WAIT).until(() -> alice.position() == lastIdWithOwn("alice"));
		// the server's order is known, but not yet where alice's write is in it
		assertThat(todos.get("t1").get()).isEqualTo(todo("t1", "Alice's"));
		assertThat(alice.pendingWrites()).isOne();

		this.transport.releaseResponses();
		alice.whenSettled().get(WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(todos.get("t1").get()).isEqualTo(todo("t1", "Bob's")).isEqualTo(this.server.todos.get("t1").get());
		assertThat(conflicts).singleElement().satisfies((conflict) -> {
			assertThat(conflict.written()).isEqualTo(title("Alice's"));
			assertThat(conflict.previous()).isEqualTo(todo("t1", "Alice's"));
			assertThat(conflict.record()).isEqualTo(todo("t1", "Bob's"));
		});
	}

	@Test
	void aWriteTheServerOrderedAfterOwnWinsWhenTheAnswerComesBeforeThePushes() throws Exception {
		this.server.todos.save(todo("t1", "Start"));
		SyncroClient alice = connected("alice");
		SyncroCollection<ObjectNode> todos = alice.collection("Todo");
		List<ConflictEvent> conflicts = new CopyOnWriteArrayList<>();
		alice.onConflict(conflicts::add);
		long start = alice.position();

		this.transport.holdPushes();
		todos.update("t1", Map.of("title", "Alice's"));
		long at = start + 1;
		await().atMost(WAIT)
			.until(() -> this.transport.sentTo("alice").stream().anyMatch((message) -> message.contains("\"at\":" + at)));
		this.server.todos.update("t1", title("Bob's"));
		// answered, but the client has not seen the scribes up to where it landed
		assertThat(alice.position()).isEqualTo(start);
		assertThat(alice.pendingWrites()).isOne();
		assertThat(todos.get("t1").get()).isEqualTo(todo("t1", "Alice's"));

		this.transport.releasePushes();
		await().atMost(WAIT).until(() -> alice.position() == lastIdWithOwn("alice"));
		alice.whenSettled().get(WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(todos.get("t1").get()).isEqualTo(todo("t1", "Bob's")).isEqualTo(this.server.todos.get("t1").get());
		// the write left as its echo was applied, before bob's scribe: no conflict to tell
		assertThat(conflicts).isEmpty();
	}

	@Test
	void scribesAppendedTogetherArriveInBatchedPushesAndThoseOfKlassesNotKeptAreSkipped() throws Exception {
		SyncroClient alice = client("alice", 2, "Todo");
		SyncroCollection<ObjectNode> todos = alice.collection("Todo");
		alice.connect();
		awaitOnlineAndSettled(alice);
		List<ScribeEntry> entries = new ArrayList<>();
		for (int i = 0; i < 150; i++) {
			entries.add(new ScribeEntry(Scribe.create("Page", page("p" + i, "alice", "page " + i)), Recipients.all(), null));
			entries.add(new ScribeEntry(Scribe.create("Todo", todo("t" + i, "todo " + i)), Recipients.all(), null));
		}
		this.server.log.append(entries);
		await().atMost(WAIT).until(() -> alice.position() == lastIdWithOwn("alice"));
		assertThat(todos.all()).hasSize(150);
		List<JsonNode> pushes = this.transport.sentTo("alice")
			.stream()
			.filter((message) -> message.startsWith("{\"type\":\"add_scribes\""))
			.map(MessageCodec::readTree)
			.toList();
		assertThat(pushes).hasSizeBetween(3, 299).allSatisfy((push) -> assertThat(push.get("scribes")).isNotEmpty());
		assertThat(pushes.stream().mapToInt((push) -> push.get("scribes").size()).sum()).isEqualTo(300);
		assertThat(this.transport.sentTo("alice")).noneMatch((message) -> message.startsWith("{\"type\":\"add_scribe\","));
	}

	@Test
	void aWriteThatLandedWhileTheClientStoppedLeavesTheQueueOfTheClientRestartedOnItsStore() throws Exception {
		this.server.todos.save(todo("t1", "Start"));
		MemoryLocalStore store = new MemoryLocalStore();
		SyncroClient first = SyncroClient.builder(URI.create("ws://localhost/syncro"))
			.uid("alice")
			.store(store)
			.klasses("Todo")
			.heartbeat(Duration.ZERO)
			.transport(this.transport)
			.build();
		first.connect();
		awaitOnlineAndSettled(first);
		this.transport.holdPushes();
		first.collection("Todo").update("t1", Map.of("title", "Mine"));
		await().atMost(WAIT)
			.until(() -> this.transport.sentTo("alice").stream().anyMatch((message) -> message.contains("\"at\":2")));
		this.server.todos.update("t1", title("Bob's"));
		first.close();
		this.transport.releasePushes();
		assertThat(store.load().pending()).hasSize(1);

		SyncroClient second = SyncroClient.builder(URI.create("ws://localhost/syncro"))
			.store(store)
			.klasses("Todo")
			.heartbeat(Duration.ZERO)
			.transport(this.transport)
			.build();
		this.resources.add(second);
		assertThat(second.collection("Todo").get("t1")).contains(todo("t1", "Mine"));
		second.connect();
		awaitOnlineAndSettled(second);
		assertThat(second.collection("Todo").get("t1")).contains(todo("t1", "Bob's"));
		assertThat(second.position()).isEqualTo(lastIdWithOwn("alice"));
		assertThat(this.server.playsOf("alice")).containsExactly(Map.entry(1L, 1));
	}

	@Test
	void writesWhoseAnswersWereLostWithTheConnectionLeaveOnceLearntAgainAndEveryoneConverges() throws Exception {
		this.server.todos.save(todo("shared", "Start"));
		SyncroClient alice = connected("alice");
		SyncroCollection<ObjectNode> todos = alice.collection("Todo");
		List<ConflictEvent> conflicts = new CopyOnWriteArrayList<>();
		alice.onConflict(conflicts::add);

		this.transport.holdResponses();
		todos.update("shared", Map.of("title", "Alice's"));
		for (int i = 0; i < 5; i++) {
			todos.create(todo("a" + i, "alice " + i));
		}
		await().atMost(WAIT).until(() -> this.server.clients.mark("alice") == 6);
		this.transport.reachable(false);
		this.transport.drop();
		this.transport.releaseResponses();
		await().atMost(WAIT).until(() -> alice.status() != SyncroClient.Status.ONLINE);
		this.server.todos.update("shared", title("Bob's"));
		assertThat(alice.pendingWrites()).isEqualTo(6);

		this.transport.reachable(true);
		awaitOnlineAndSettled(alice);
		assertThat(alice.position()).isEqualTo(lastIdWithOwn("alice"));
		assertThat(new HashSet<>(todos.all())).hasSize(6).isEqualTo(new HashSet<>(this.server.todos.all()));
		assertThat(todos.get("shared").get()).isEqualTo(todo("shared", "Bob's"));
		assertThat(this.server.playsOf("alice")).hasSize(6).allSatisfy((id, plays) -> assertThat(plays).isOne());
		assertThat(conflicts).singleElement().satisfies((conflict) -> assertThat(conflict.id()).isEqualTo("shared"));
	}


	@Test
	void checksItsRecordsAgainstTheServersDigestAfterEachSync() throws Exception {
		SyncroClient alice = connected("alice");
		alice.collection("Todo").create(todo("t1", "Mine"));
		alice.collection("Page").create(page("p1", "alice", "Mine too"));
		awaitOnlineAndSettled(alice);
		assertThat(alice.verify().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEmpty();
		assertThat(alice.mismatches()).isZero();
	}

	@Test
	void aDifferenceIsToldAndStartedOverFromOnceWhenTheServerCannotSendTheKlassAgain() throws Exception {
		// a record the log says alice receives, in a scribe that does not reach her: what a
		// lost scribe would leave
		this.server.log.append(List.of(new ScribeEntry(Scribe.create("Todo", todo("t9", "Not hers")),
				Recipients.only("bob"), null, null, Recipients.all())));
		SyncroClient alice = client("alice", 2, "Todo", "Page");
		List<MismatchEvent> mismatches = new CopyOnWriteArrayList<>();
		List<ResetEvent> resets = new CopyOnWriteArrayList<>();
		alice.onMismatch(mismatches::add);
		alice.onReset(resets::add);
		alice.connect();
		await().atMost(WAIT).until(() -> mismatches.size() == 2);
		assertThat(mismatches).extracting(MismatchEvent::klass).containsOnly("Todo");
		assertThat(mismatches.get(0).expected().count()).isEqualTo(1);
		assertThat(mismatches.get(0).actual().count()).isZero();
		assertThat(resets).extracting(ResetEvent::reason).containsExactly(ResetEvent.Reason.GONE);
		assertThat(alice.verify().get(WAIT.toSeconds(), TimeUnit.SECONDS)).containsExactly("Todo");
		assertThat(alice.mismatches()).isEqualTo(3);
		assertThat(resets).hasSize(1);
	}

	@Test
	void aSubscribeStillWaitingFailsWhenTheClientClosesAndStaysStored() throws Exception {
		MemoryLocalStore store = new MemoryLocalStore();
		SyncroClient offline = SyncroClient.builder(URI.create("ws://localhost/syncro"))
			.uid("alice")
			.klasses("Todo")
			.store(store)
			.transport(this.transport)
			.build();
		CompletableFuture<JsonNode> waiting = offline.subscribe("sharedTodos", Map.of());
		offline.close();
		assertThat(waiting).failsWithin(WAIT).withThrowableThat().withMessageContaining("The client is closed");
		assertThat(store.subscriptions()).extracting(LocalStore.StoredSubscription::scope).containsExactly("sharedTodos");
	}

}
