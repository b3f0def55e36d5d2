package io.syncro.client;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.syncro.protocol.SyncroException;
import io.syncro.scribe.Reader;
import io.syncro.scribe.ScribeType;
import io.syncro.session.EngineSettings;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.node.IntNode;
import tools.jackson.databind.node.ObjectNode;

import static io.syncro.client.TestServer.json;
import static io.syncro.client.TestServer.page;
import static io.syncro.client.TestServer.todo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Tests the Java client on the engine against a server engine, linked in memory: local
 * changes, the offline queue sent exactly once, live changes both ways, refusals rolled
 * back, reconnects, restarts on the same store, rpc and typed records. Each runs in
 * protocol version 2 and in version 1, which must behave as before version 2.
 */
@ParameterizedClass(name = "protocol v{0}")
@ValueSource(ints = { 2, 1 })
class SyncroClientTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private final int protocolVersion;

	private final TestServer server = new TestServer();

	private final InMemoryTransport transport = new InMemoryTransport(this.server.engine);

	private final List<AutoCloseable> resources = new ArrayList<>();

	@TempDir
	Path folder;

	SyncroClientTests(int protocolVersion) {
		this.protocolVersion = protocolVersion;
	}

	@AfterEach
	void close() throws Exception {
		for (AutoCloseable resource : this.resources) {
			resource.close();
		}
		this.server.close();
	}

	private SyncroClient client(String uid) {
		return client(uid, new MemoryLocalStore());
	}

	private SyncroClient client(@Nullable String uid, LocalStore store) {
		SyncroClient.Builder builder = SyncroClient.builder(URI.create("ws://localhost/syncro"));
		if (uid != null) {
			builder.uid(uid);
		}
		SyncroClient client = builder.store(store)
			.klasses("Todo", "Page")
			.backoff(new Backoff(Duration.ofMillis(5), Duration.ofMillis(50), 2, 0.5))
			.heartbeat(Duration.ZERO)
			.requestTimeout(Duration.ofSeconds(5))
			.protocolVersion(this.protocolVersion)
			.transport(this.transport)
			.build();
		this.resources.add(client);
		return client;
	}

	private static void awaitOnlineAndSettled(SyncroClient client) throws Exception {
		client.whenOnline().get(WAIT.toSeconds(), TimeUnit.SECONDS);
		client.whenSettled().get(WAIT.toSeconds(), TimeUnit.SECONDS);
	}

	/**
	 * The position of a client that processed every scribe the server has for it: in
	 * version 2 its own scribes count too.
	 */
	private long lastIdFor(String uid) {
		return this.server.log.lastId((this.protocolVersion >= 2) ? Reader.withOwn(uid) : Reader.of(uid));
	}

	private static Set<ObjectNode> records(SyncroCollection<ObjectNode> collection) {
		return new HashSet<>(collection.all());
	}

	@Test
	void localChangesApplyAtOnceAreToldAsLocalAndWaitInTheQueue() {
		SyncroClient client = client("alice");
		SyncroCollection<ObjectNode> todos = client.collection("Todo");
		List<ChangeEvent<ObjectNode>> changes = new CopyOnWriteArrayList<>();
		todos.onChange(changes::add);

		ObjectNode created = todos.create(json.objectNode().put("title", "Buy milk").put("done", false));
		String id = created.get("id").asString();
		todos.update(id, Map.of("done", true));
		todos.create(todo("t2", "Walk the dog"));
		todos.destroy("t2");

		assertThat(todos.get(id)).contains(json.objectNode().put("id", id).put("title", "Buy milk").put("done", true));
		assertThat(todos.all()).hasSize(1);
		assertThat(client.pendingWrites()).isEqualTo(4);
		assertThat(client.status()).isEqualTo(SyncroClient.Status.OFFLINE);
		assertThat(changes).extracting(ChangeEvent::type)
			.containsExactly(ScribeType.CREATE, ScribeType.UPDATE, ScribeType.CREATE, ScribeType.DESTROY);
		assertThat(changes).extracting(ChangeEvent::source).containsOnly(ChangeEvent.Source.LOCAL);
		assertThat(changes.get(1).previous().get("done").asBoolean()).isFalse();
		assertThat(changes.get(3).record()).isNull();
	}

	@Test
	void aChangeThatChangesNothingRecordsNothing() {
		SyncroClient client = client("alice");
		SyncroCollection<ObjectNode> todos = client.collection("Todo");
		todos.create(todo("t1", "Same"));
		todos.update("t1", Map.of("title", "Same", "done", false));
		todos.save(todo("t1", "Same"));
		assertThat(todos.destroy("missing")).isFalse();
		assertThat(client.pendingWrites()).isEqualTo(1);
	}

	@Test
	void writesThatCannotBeRecordedAreRejectedAndLeaveNoTrace() {
		SyncroClient client = client("alice");
		SyncroCollection<ObjectNode> todos = client.collection("Todo");
		todos.create(todo("t1", "First"));
		assertThatIllegalArgumentException().isThrownBy(() -> todos.create(todo("t1", "Again")));
		assertThatExceptionOfType(NoSuchElementException.class).isThrownBy(() -> todos.update("t2", Map.of("done", true)));
		assertThatIllegalArgumentException().isThrownBy(() -> todos.update("t1", Map.of("id", "t3")));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> todos.create(todo("t4", "x".repeat(EngineSettings.DEFAULT_MAX_MESSAGE_BYTES))));
		assertThat(client.pendingWrites()).isEqualTo(1);
		assertThat(todos.all()).containsExactly(todo("t1", "First"));
	}

	@Test
	void offlineChangesReachTheServerExactlyOnceWhenItBecomesReachable() throws Exception {
		this.transport.reachable(false);
		SyncroClient client = client("alice");
		List<SyncroClient.Status> statuses = new CopyOnWriteArrayList<>();
		client.onStatus(statuses::add);
		SyncroCollection<ObjectNode> todos = client.collection("Todo");
		client.connect();
		for (int i = 0; i < 30; i++) {
			todos.create(todo("o" + i, "offline " + i));
		}
		todos.update("o1", Map.of("done", true));
		todos.destroy("o2");
		await().atMost(WAIT).until(() -> this.transport.attempts.get() >= 3);
		assertThat(client.status()).isIn(SyncroClient.Status.OFFLINE, SyncroClient.Status.CONNECTING);
		assertThat(client.pendingWrites()).isEqualTo(32);

		this.transport.reachable(true);
		awaitOnlineAndSettled(client);

		assertThat(new HashSet<>(this.server.todos.all())).isEqualTo(records(todos)).hasSize(29);
		assertThat(this.server.todos.get("o1").get().get("done").asBoolean()).isTrue();
		assertThat(this.server.playsOf("alice")).hasSize(32).allSatisfy((id, plays) -> assertThat(plays).isOne());
		assertThat(statuses).containsSubsequence(SyncroClient.Status.CONNECTING, SyncroClient.Status.OFFLINE,
				SyncroClient.Status.CONNECTING, SyncroClient.Status.SYNCING, SyncroClient.Status.ONLINE);
	}

	@Test
	void changesOfTheServerAndOtherClientsArriveLiveAndAreToldAsRemote() throws Exception {
		this.server.todos.save(todo("s1", "From before"));
		SyncroClient alice = client("alice");
		SyncroClient bob = client("bob");
		SyncroCollection<ObjectNode> bobsTodos = bob.collection("Todo");
		List<ChangeEvent<ObjectNode>> bobsChanges = new CopyOnWriteArrayList<>();
		bobsTodos.onChange(bobsChanges::add);
		SyncroCollection<ObjectNode> alicesTodos = alice.collection("Todo");
		alice.connect();
		bob.connect();
		awaitOnlineAndSettled(alice);
		awaitOnlineAndSettled(bob);
		assertThat(bobsTodos.all()).containsExactly(todo("s1", "From before"));

		alicesTodos.create(todo("a1", "From alice"));
		this.server.todos.update("s1", json.objectNode().put("done", true));
		await().atMost(WAIT).until(() -> bobsTodos.all().size() == 2 && bobsTodos.get("s1").get().get("done").asBoolean());
		await().atMost(WAIT).until(() -> records(alicesTodos).equals(records(bobsTodos)));
		assertThat(bobsChanges).extracting(ChangeEvent::source).containsOnly(ChangeEvent.Source.REMOTE);
		assertThat(bobsChanges).extracting(ChangeEvent::id).containsExactlyInAnyOrder("s1", "a1", "s1");
		assertThat(bob.position()).isEqualTo(lastIdFor("bob"));
	}

	@Test
	void aRefusedChangeIsRolledBackToTheServersStateKeepingOtherPendingChanges() throws Exception {
		this.server.todos.save(todo("locked", "Server's title").put("locked", true));
		this.server.todos.save(todo("open", "Open"));
		SyncroClient client = client("alice");
		SyncroCollection<ObjectNode> todos = client.collection("Todo");
		SyncroCollection<ObjectNode> pages = client.collection("Page");
		List<RefusedEvent> refusals = new CopyOnWriteArrayList<>();
		client.onRefused(refusals::add);
		List<ChangeEvent<ObjectNode>> changes = new CopyOnWriteArrayList<>();
		client.onChange(changes::add);
		client.connect();
		awaitOnlineAndSettled(client);
		changes.clear();

		this.transport.reachable(false);
		this.transport.drop();
		todos.update("locked", Map.of("title", "Mine now"));
		todos.update("open", Map.of("title", "Edited"));
		todos.update("locked", Map.of("done", true));
		pages.create(page("p1", "bob", "Pretending to be bob's"));
		pages.create(page("p2", "alice", "Alice's own"));
		this.transport.reachable(true);
		awaitOnlineAndSettled(client);

		assertThat(refusals).extracting(RefusedEvent::code).containsExactly(403, 403, 403);
		assertThat(refusals).extracting(RefusedEvent::id).containsExactly("locked", "locked", "p1");
		assertThat(refusals.get(2).record()).isNull();
		assertThat(todos.get("locked").get()).isEqualTo(todo("locked", "Server's title").put("locked", true));
		assertThat(todos.get("open").get().get("title").asString()).isEqualTo("Edited");
		assertThat(pages.all()).containsExactly(page("p2", "alice", "Alice's own"));
		assertThat(this.server.pages.get("p1")).isEmpty();
		// each refusal of the locked record rolls one attribute back
		assertThat(changes).filteredOn((change) -> change.source() == ChangeEvent.Source.REMOTE)
			.extracting(ChangeEvent::id)
			.containsExactly("locked", "locked", "p1");
		assertThat(client.pendingWrites()).isZero();
	}

	@Test
	void aRefusalAnsweringAPushRollsBackTheRecordToo() throws Exception {
		this.server.todos.save(todo("locked", "Server's title").put("locked", true));
		SyncroClient client = client("alice");
		SyncroCollection<ObjectNode> todos = client.collection("Todo");
		List<RefusedEvent> refusals = new CopyOnWriteArrayList<>();
		client.onRefused(refusals::add);
		client.connect();
		awaitOnlineAndSettled(client);
		todos.create(todo("t1", "Fine"));
		todos.update("locked", Map.of("title", "Mine now"));
		todos.update("t1", Map.of("done", true));
		client.whenSettled().get(WAIT.toSeconds(), TimeUnit.SECONDS);
		await().atMost(WAIT).until(() -> refusals.size() == 1);
		assertThat(refusals.get(0).record()).isEqualTo(todo("locked", "Server's title").put("locked", true));
		assertThat(records(todos)).isEqualTo(new HashSet<>(this.server.todos.all()));
	}

	@Test
	void aRefusalLostWithTheConnectionIsLearntAgainOnReconnect() throws Exception {
		this.server.todos.save(todo("locked", "Server's title").put("locked", true));
		SyncroClient client = client("alice");
		SyncroCollection<ObjectNode> todos = client.collection("Todo");
		List<RefusedEvent> refusals = new CopyOnWriteArrayList<>();
		client.onRefused(refusals::add);
		client.connect();
		awaitOnlineAndSettled(client);
		this.transport.holdResponses();
		todos.update("locked", Map.of("title", "Mine now"));
		todos.create(todo("t1", "Fine"));
		// the server settled both (refused the first, played the second), and the
		// connection drops before its answers arrive
		await().atMost(WAIT).until(() -> this.server.clients.mark("alice") == 2);
		this.transport.drop();
		this.transport.releaseResponses();
		client.whenSettled().get(WAIT.toSeconds(), TimeUnit.SECONDS);

		assertThat(refusals).extracting(RefusedEvent::code).containsExactly(403);
		assertThat(todos.get("locked").get()).isEqualTo(todo("locked", "Server's title").put("locked", true));
		assertThat(records(todos)).isEqualTo(new HashSet<>(this.server.todos.all()));
		assertThat(this.server.playsOf("alice")).containsEntry(2L, 1);
	}

	@Test
	void changesOnBothSidesWhileDisconnectedConvergeOnReconnect() throws Exception {
		this.server.todos.save(todo("shared", "Shared"));
		SyncroClient client = client("alice");
		SyncroCollection<ObjectNode> todos = client.collection("Todo");
		List<SyncroClient.Status> statuses = new CopyOnWriteArrayList<>();
		client.onStatus(statuses::add);
		client.connect();
		awaitOnlineAndSettled(client);
		this.transport.reachable(false);
		this.transport.drop();
		await().atMost(WAIT).until(() -> client.status() != SyncroClient.Status.ONLINE);

		todos.update("shared", Map.of("title", "Title by the client"));
		this.server.todos.update("shared", json.objectNode().put("done", true));
		for (int i = 0; i < 700; i++) {
			this.server.todos.save(todo("s" + i, "server " + i));
			todos.create(todo("c" + i, "client " + i));
		}
		this.transport.reachable(true);
		awaitOnlineAndSettled(client);
		await().atMost(WAIT).until(() -> client.position() == lastIdFor("alice"));

		assertThat(records(todos)).hasSize(1401).isEqualTo(new HashSet<>(this.server.todos.all()));
		assertThat(todos.get("shared").get()).isEqualTo(todo("shared", "Title by the client").put("done", true));
		assertThat(statuses).containsSubsequence(SyncroClient.Status.ONLINE, SyncroClient.Status.OFFLINE,
				SyncroClient.Status.ONLINE);
	}

	@Test
	void aServerChangeToARecordWhoseCreateIsStillUnansweredIsKept() throws Exception {
		SyncroClient client = client("alice");
		SyncroCollection<ObjectNode> todos = client.collection("Todo");
		client.connect();
		awaitOnlineAndSettled(client);
		this.transport.holdResponses();
		todos.create(todo("t1", "Created"));
		todos.create(todo("t2", "Created too"));
		await().atMost(WAIT).until(() -> this.server.todos.get("t2").isPresent());
		this.server.todos.update("t1", json.objectNode().put("done", true));
		this.server.todos.destroy("t2");
		await().atMost(WAIT).until(() -> client.position() == lastIdFor("alice"));
		if (this.protocolVersion == 1) {
			// the server's changes apply on top of the creates it must have played
			assertThat(todos.get("t1").get().get("done").asBoolean()).isTrue();
			assertThat(todos.get("t2")).isEmpty();
		}
		else {
			// the creates stay on top until their answers say where they landed
			assertThat(todos.all()).containsExactly(todo("t1", "Created"), todo("t2", "Created too"));
		}
		this.transport.releaseResponses();
		client.whenSettled().get(WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(todos.all()).containsExactly(todo("t1", "Created").put("done", true));
		assertThat(records(todos)).isEqualTo(new HashSet<>(this.server.todos.all()));
	}

	@Test
	void aRestartedClientOnTheSameFileSendsItsQueueExactlyOnce() throws Exception {
		Path file = this.folder.resolve("alice/store.json");
		this.transport.reachable(false);
		String uid;
		try (SyncroClient first = client(null, FileLocalStore.open(file))) {
			uid = first.uid();
			SyncroCollection<ObjectNode> todos = first.collection("Todo");
			first.connect();
			todos.create(todo("r1", "one"));
			todos.create(todo("r2", "two"));
			todos.update("r1", Map.of("done", true));
			todos.destroy("r2");
		}
		this.transport.reachable(true);
		SyncroClient second = client(null, FileLocalStore.open(file));
		assertThat(second.uid()).isEqualTo(uid);
		assertThat(second.pendingWrites()).isEqualTo(4);
		assertThat(second.collection("Todo").all()).containsExactly(todo("r1", "one").put("done", true));
		second.connect();
		awaitOnlineAndSettled(second);
		assertThat(this.server.todos.all()).containsExactly(todo("r1", "one").put("done", true));
		assertThat(this.server.playsOf(uid)).isEqualTo(Map.of(1L, 1, 2L, 1, 3L, 1, 4L, 1));
		second.close();

		SyncroClient third = client(null, FileLocalStore.open(file));
		assertThat(third.pendingWrites()).isZero();
		assertThat(third.position()).isEqualTo(second.position());
		assertThat(third.collection("Todo").all()).containsExactly(todo("r1", "one").put("done", true));
	}

	@Test
	void aNewStoreGetsAUidThatItKeeps() {
		MemoryLocalStore store = new MemoryLocalStore();
		String uid;
		try (SyncroClient first = client(null, store)) {
			uid = first.uid();
		}
		assertThat(uid).matches("[0-9a-f-]{36}");
		try (SyncroClient again = client(null, store)) {
			assertThat(again.uid()).isEqualTo(uid);
		}
		assertThatIllegalStateException().isThrownBy(() -> client("someone-else", store));
	}

	@Test
	void rpcCallsTheServersExposedMethodsAndWaitsForAConnection() throws Exception {
		this.server.rpc.expose("Calculator", "add",
				(client, args) -> IntNode.valueOf(args.get(0).intValue() + args.get(1).intValue()));
		SyncroClient client = client("alice");
		var sum = client.rpc("Calculator", "add", 2, 3);
		client.connect();
		assertThat(sum.get(WAIT.toSeconds(), TimeUnit.SECONDS).intValue()).isEqualTo(5);
		assertThatExceptionOfType(ExecutionException.class)
			.isThrownBy(() -> client.rpc("Calculator", "divide", 1).get(WAIT.toSeconds(), TimeUnit.SECONDS))
			.havingCause()
			.isInstanceOfSatisfying(SyncroException.class, (ex) -> assertThat(ex.getCode()).isEqualTo(405));
	}

	@Test
	void typedCollectionsConvertRecordsBothWays() throws Exception {
		SyncroClient client = client("alice");
		SyncroCollection<Todo> todos = client.collection(Todo.class);
		List<ChangeEvent<Todo>> changes = new CopyOnWriteArrayList<>();
		todos.onChange(changes::add);
		client.connect();
		Todo created = todos.create(new Todo(null, "Typed", false));
		assertThat(created.id()).isNotBlank();
		todos.save(new Todo(created.id(), "Typed", true));
		awaitOnlineAndSettled(client);
		assertThat(this.server.todos.get(created.id()).get())
			.isEqualTo(json.objectNode().put("id", created.id()).put("title", "Typed").put("done", true));
		assertThat(todos.all()).containsExactly(new Todo(created.id(), "Typed", true));
		assertThat(changes).extracting(ChangeEvent::record)
			.containsExactly(new Todo(created.id(), "Typed", false), new Todo(created.id(), "Typed", true));
	}

	@Test
	void klassesCannotBeAddedOnceConnected() {
		SyncroClient client = client("alice");
		client.connect();
		assertThat(client.collection("Todo").klass()).isEqualTo("Todo");
		assertThatIllegalArgumentException().isThrownBy(() -> client.collection("Note"));
	}

	@Test
	void closingStopsReconnectingAndKeepsTheQueue() throws Exception {
		MemoryLocalStore store = new MemoryLocalStore();
		this.transport.reachable(false);
		SyncroClient client = client("alice", store);
		client.connect();
		client.collection("Todo").create(todo("t1", "Kept"));
		await().atMost(WAIT).until(() -> this.transport.attempts.get() >= 2);
		client.close();
		int attempts = this.transport.attempts.get();
		assertThat(client.status()).isEqualTo(SyncroClient.Status.OFFLINE);
		assertThat(client.whenOnline()).isCompletedExceptionally();
		this.transport.reachable(true);
		Thread.sleep(200);
		assertThat(this.transport.attempts.get()).isEqualTo(attempts);
		assertThat(store.load().pending()).hasSize(1);
	}

	/**
	 * A typed record, as an app would declare it.
	 */
	record Todo(String id, String title, boolean done) {
	}

}
