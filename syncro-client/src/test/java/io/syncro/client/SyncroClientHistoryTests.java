package io.syncro.client;

import java.net.ConnectException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import io.syncro.protocol.MessageCodec;
import io.syncro.protocol.SyncroException;
import io.syncro.scribe.Reader;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import static io.syncro.client.TestServer.json;
import static io.syncro.client.TestServer.todo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests how the Java client follows the history of the server's log: the epoch its
 * {@code hello} names, stored with the position and named in syncs from it (protocol
 * v2), the reset when the history changed (another epoch, or a 410 to a sync from the
 * position), and the report of a server whose mark of this client's scribes went back,
 * after which the queued scribes are renumbered from the server's mark. Exact orders are
 * played by hand with a {@link ScriptedServer}; whole stories run against server engines
 * linked in memory, one of them restarted on a store set back to a backup, one that
 * forgot the client's uid.
 */
class SyncroClientHistoryTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private final List<AutoCloseable> resources = new ArrayList<>();

	private final List<ResetEvent> resets = new CopyOnWriteArrayList<>();

	private final List<Throwable> errors = new CopyOnWriteArrayList<>();

	private final List<ChangeEvent<ObjectNode>> changes = new CopyOnWriteArrayList<>();

	@TempDir
	Path folder;

	@AfterEach
	void close() throws Exception {
		for (int i = this.resources.size() - 1; i >= 0; i--) {
			this.resources.get(i).close();
		}
	}

	private SyncroClient client(Transport transport, int protocolVersion, LocalStore store) {
		SyncroClient client = SyncroClient.builder(URI.create("ws://localhost/syncro"))
			.uid("alice")
			.store(store)
			.klasses("Todo")
			.backoff(new Backoff(Duration.ofMillis(5), Duration.ofMillis(50), 2, 0.5))
			.heartbeat(Duration.ZERO)
			.requestTimeout(Duration.ofSeconds(5))
			.protocolVersion(protocolVersion)
			.transport(transport)
			.build();
		client.onReset(this.resets::add);
		client.onError(this.errors::add);
		client.onChange(this.changes::add);
		this.resources.add(client);
		return client;
	}

	private TestServer server() {
		TestServer server = new TestServer();
		this.resources.add(server);
		return server;
	}

	private static void awaitOnlineAndSettled(SyncroClient client) throws Exception {
		client.whenOnline().get(WAIT.toSeconds(), TimeUnit.SECONDS);
		client.whenSettled().get(WAIT.toSeconds(), TimeUnit.SECONDS);
	}

	/**
	 * The errors told, but for the attempts to reach a server made unreachable.
	 */
	private List<Throwable> problems() {
		return this.errors.stream().filter((error) -> !(error instanceof ConnectException)).toList();
	}

	private List<String> destroyed() {
		return this.changes.stream().filter((change) -> change.type() == ScribeType.DESTROY).map(ChangeEvent::id).toList();
	}

	// Played by hand

	private static String hello(String epoch) {
		return "{\"type\":\"hello\",\"version\":2,\"epoch\":\"" + epoch + "\"}";
	}

	private static String create(long id, ObjectNode record) {
		return "{\"id\":" + id + ",\"klass\":\"Todo\",\"type\":\"create\",\"data\":" + record + "}";
	}

	private static String answer(JsonNode request, String result) {
		return "{\"type\":\"response\",\"id\":" + request.get("id") + ",\"result\":" + result + "}";
	}

	private static String gone(JsonNode sync) {
		return "{\"type\":\"error\",\"id\":" + sync.get("id") + ",\"code\":410,\"message\":\"Gone.\"}";
	}

	private static String conflict(JsonNode push, long expected) {
		return "{\"type\":\"error\",\"id\":" + push.get("id") + ",\"code\":409,\"message\":\"Out of order.\",\"scribe\":"
				+ push.get("scribe").get("id") + ",\"expected\":" + expected + "}";
	}

	/**
	 * A store of alice's that holds queued creates of records {@code w<id>} under the given
	 * ids, having seen the server's mark at {@code serverMark}: what a client left offline
	 * holds.
	 */
	private static MemoryLocalStore holding(long serverMark, long... ids) {
		MemoryLocalStore store = new MemoryLocalStore();
		List<Scribe> queued = LongStream.of(ids)
			.mapToObj((id) -> Scribe.create("Todo", todo("w" + id, "W" + id)).withId(id))
			.toList();
		store.write(new LocalStore.Change("alice", ids[ids.length - 1] + 1, 0, null, serverMark, serverMark, List.of(),
				queued, List.of(), true));
		return store;
	}

	/**
	 * The queued changes as {@code <client scribe id>:<record id>}.
	 */
	private static List<String> queued(LocalStore store) {
		return store.load().pending().stream().map((scribe) -> scribe.id() + ":" + scribe.recordId()).toList();
	}

	private static String scribeOf(JsonNode push) {
		JsonNode scribe = push.get("scribe");
		return scribe.get("id").asLong() + ":" + scribe.get("data").get("id").asString();
	}

	/**
	 * Plays a server whose mark for alice is {@code mark} until the client has nothing
	 * queued: each {@code add_scribe} above the id it expects next is answered 409, the
	 * others {@code true}.
	 * @return the scribes played, as {@code <client scribe id>:<record id>}, and how many
	 * 409s were sent, as {@code 409 x<count>} last
	 */
	private static List<String> serve(SyncroClient client, ScriptedServer server, long mark) {
		List<String> played = new ArrayList<>();
		long expected = mark + 1;
		int conflicts = 0;
		while (client.pendingWrites() > 0 && conflicts < 100) {
			JsonNode push = server.next("add_scribe");
			long id = push.get("scribe").get("id").asLong();
			if (id > expected) {
				server.send(conflict(push, expected));
				conflicts++;
				continue;
			}
			if (id == expected) {
				played.add(scribeOf(push));
				expected++;
			}
			server.send(answer(push, "true,\"at\":null"));
		}
		played.add("409 x" + conflicts);
		return played;
	}

	/**
	 * Waits for the client to open its n-th connection.
	 */
	private static void awaitConnection(ScriptedServer server, int n) {
		await().atMost(WAIT).until(() -> server.askedVersions.size() == n);
		server.awaitOpen();
	}

	/**
	 * The server's pull from a mark (0 for none), answered by a v2 client with nothing.
	 */
	private static void pull(ScriptedServer server, long from) {
		server.send("{\"type\":\"sync\",\"id\":1,\"from\":" + ((from > 0) ? from : "null") + "}");
		assertThat(server.next("response").get("result")).isEmpty();
	}

	/**
	 * Connects in v2 with a hello that names an epoch, and syncs the given scribes.
	 */
	private static void connect(SyncroClient client, ScriptedServer server, String epoch, String... scribes)
			throws Exception {
		client.connect();
		server.awaitOpen();
		server.send(hello(epoch));
		JsonNode sync = server.next("sync");
		assertThat(sync.get("from").isNull()).isTrue();
		assertThat(sync.has("epoch")).isFalse();
		pull(server, 0);
		server.send(answer(sync, "[" + String.join(",", scribes) + "]"));
		client.whenOnline().get(WAIT.toSeconds(), TimeUnit.SECONDS);
	}

	@Test
	void aSyncFromAPositionNamesItsEpochOnAVersionTwoConnectionOnly() throws Exception {
		ScriptedServer server = new ScriptedServer();
		SyncroClient client = client(server, 2, new MemoryLocalStore());
		connect(client, server, "e1", create(3, todo("t1", "One")));

		server.drop();
		awaitConnection(server, 2);
		server.send(hello("e1"));
		JsonNode sync = server.next("sync");
		assertThat(sync.get("from").asLong()).isEqualTo(3);
		assertThat(sync.get("epoch").asString()).isEqualTo("e1");
		pull(server, 0);
		server.send(answer(sync, "[]"));
		client.whenOnline().get(WAIT.toSeconds(), TimeUnit.SECONDS);

		// a server that pulls before any hello speaks v1: no epoch in the sync
		server.drop();
		awaitConnection(server, 3);
		server.send("{\"type\":\"sync\",\"id\":1,\"from\":null}");
		sync = server.next("sync");
		assertThat(sync.get("from").asLong()).isEqualTo(3);
		assertThat(sync.has("epoch")).isFalse();
		assertThat(this.resets).isEmpty();
	}

	@Test
	void aHelloThatNamesAnotherEpochResetsBeforeTheClientSyncsAndPendingChangesSurviveAndAreSent() throws Exception {
		ScriptedServer server = new ScriptedServer();
		SyncroClient client = client(server, 2, new MemoryLocalStore());
		SyncroCollection<ObjectNode> todos = client.collection("Todo");
		connect(client, server, "e1", create(3, todo("t1", "One")), create(4, todo("t2", "Two")));
		server.drop();
		awaitConnection(server, 2);
		todos.update("t1", Map.of("title", "Mine"));
		todos.create(todo("t3", "Three"));
		this.changes.clear();

		server.send(hello("e2"));
		await().atMost(WAIT).until(() -> !this.resets.isEmpty());
		assertThat(this.resets).containsExactly(new ResetEvent(ResetEvent.Reason.EPOCH));
		JsonNode sync = server.next("sync");
		assertThat(sync.get("from").isNull()).as("a sync from nothing: %s", sync).isTrue();
		assertThat(sync.has("epoch")).isFalse();
		assertThat(client.position()).isZero();
		// nothing changed for the app yet: the records stay until the sync caught up
		assertThat(todos.all()).hasSize(3);
		pull(server, 0);
		JsonNode first = server.next("add_scribe");
		JsonNode second = server.next("add_scribe");
		assertThat(List.of(first.get("scribe").get("id").asLong(), second.get("scribe").get("id").asLong()))
			.containsExactly(1L, 2L);
		// the restored log holds t1 with another title and no t2, under ids handed out again
		server.send(answer(sync, "[" + create(2, todo("t1", "Restored")) + "," + create(3, todo("t4", "Four")) + "]"));
		client.whenOnline().get(WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(client.position()).isEqualTo(3);
		assertThat(new HashSet<>(todos.all())).containsExactlyInAnyOrder(todo("t1", "Mine"), todo("t3", "Three"),
				todo("t4", "Four"));
		// listeners may be told on another thread a moment later
		await().atMost(WAIT).untilAsserted(() -> assertThat(destroyed()).containsExactly("t2"));

		server.send(answer(first, "true,\"at\":5"));
		server.send(answer(second, "true,\"at\":6"));
		server.send("{\"type\":\"add_scribes\",\"id\":2,\"scribes\":[{\"id\":5,\"klass\":\"Todo\",\"type\":\"update\","
				+ "\"data\":[\"t1\",{\"title\":\"Mine\"}]}," + create(6, todo("t3", "Three")) + "]}");
		client.whenSettled().get(WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(new HashSet<>(todos.all())).containsExactlyInAnyOrder(todo("t1", "Mine"), todo("t3", "Three"),
				todo("t4", "Four"));
		assertThat(this.resets).hasSize(1);
	}

	@Test
	void aFirstHelloIsStoredWithoutAReset() throws Exception {
		ScriptedServer server = new ScriptedServer();
		MemoryLocalStore store = new MemoryLocalStore();
		SyncroClient client = client(server, 2, store);
		connect(client, server, "e1", create(3, todo("t1", "One")));
		assertThat(store.load().epoch()).isEqualTo("e1");
		assertThat(this.resets).isEmpty();
	}

	@Test
	void a410ToASyncFromAPositionResetsAndSyncsFromNothingOnANewConnection() throws Exception {
		ScriptedServer server = new ScriptedServer();
		SyncroClient client = client(server, 2, new MemoryLocalStore());
		SyncroCollection<ObjectNode> todos = client.collection("Todo");
		connect(client, server, "e1", create(3, todo("t1", "One")), create(4, todo("t2", "Two")));
		server.drop();
		awaitConnection(server, 2);
		todos.update("t1", Map.of("title", "Mine"));
		this.changes.clear();

		server.send(hello("e1"));
		JsonNode sync = server.next("sync");
		assertThat(sync.get("from").asLong()).isEqualTo(4);
		server.send(gone(sync));
		awaitConnection(server, 3);
		await().atMost(WAIT).until(() -> !this.resets.isEmpty());
		assertThat(this.resets).containsExactly(new ResetEvent(ResetEvent.Reason.GONE));
		server.send(hello("e1"));
		sync = server.next("sync");
		assertThat(sync.get("from").isNull()).isTrue();
		pull(server, 0);
		assertThat(server.next("add_scribe").get("scribe").get("id").asLong()).isEqualTo(1);
		server.send(answer(sync, "[" + create(2, todo("t1", "Restored")) + "]"));
		client.whenOnline().get(WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(todos.all()).containsExactly(todo("t1", "Mine"));
		// listeners may be told on another thread a moment later
		await().atMost(WAIT).untilAsserted(() -> assertThat(destroyed()).containsExactly("t2"));
		assertThat(this.errors).isEmpty();
	}

	@Test
	void a410ToASyncFromNothingIsAFailureNotAReset() throws Exception {
		ScriptedServer server = new ScriptedServer();
		SyncroClient client = client(server, 2, new MemoryLocalStore());
		client.connect();
		server.awaitOpen();
		server.send(hello("e1"));
		server.send(gone(server.next("sync")));
		awaitConnection(server, 2);
		await().atMost(WAIT).until(() -> !this.errors.isEmpty());
		assertThat(this.resets).isEmpty();
		assertThat(this.errors).singleElement()
			.isInstanceOfSatisfying(SyncroException.class, (error) -> assertThat(error.getCode()).isEqualTo(410));
	}

	@Test
	void aPullFromBelowAMarkTheServerHadIsReportedAsLostWrites() throws Exception {
		ScriptedServer server = new ScriptedServer();
		SyncroClient client = client(server, 2, new MemoryLocalStore());
		SyncroCollection<ObjectNode> todos = client.collection("Todo");
		connect(client, server, "e1");
		todos.create(todo("t1", "One"));
		todos.create(todo("t2", "Two"));
		server.send(answer(server.next("add_scribe"), "true,\"at\":null"));
		server.send(answer(server.next("add_scribe"), "true,\"at\":null"));
		client.whenSettled().get(WAIT.toSeconds(), TimeUnit.SECONDS);

		server.drop();
		awaitConnection(server, 2);
		server.send(hello("e1"));
		server.next("sync");
		pull(server, 1);
		await().atMost(WAIT).until(() -> !this.errors.isEmpty());
		assertThat(this.errors).singleElement().isInstanceOfSatisfying(LostWritesException.class, (lost) -> {
			assertThat(lost.lost()).isEqualTo(1);
			assertThat(lost.mark()).isEqualTo(1);
		});
		// the lower mark is the server's from now on: told once
		server.send("{\"type\":\"sync\",\"id\":2,\"from\":1}");
		server.next("response");
		assertThat(this.errors).hasSize(1);
	}

	@Test
	void aPullFromNothingOfAServerThatForgotTheUidRenumbersTheQueueFromOneBeforeAnyChangeGoesOut() throws Exception {
		ScriptedServer server = new ScriptedServer();
		// alice holds 57 to 60 and saw 56 settled; the server forgot her
		MemoryLocalStore store = holding(56, 57, 58, 59, 60);
		SyncroClient client = client(server, 2, store);
		connect(client, server, "e1");
		List<JsonNode> pushes = List.of(server.next("add_scribe"), server.next("add_scribe"), server.next("add_scribe"),
				server.next("add_scribe"));
		assertThat(pushes).extracting(SyncroClientHistoryTests::scribeOf)
			.containsExactly("1:w57", "2:w58", "3:w59", "4:w60");
		// stored so before they went
		assertThat(queued(store)).containsExactly("1:w57", "2:w58", "3:w59", "4:w60");
		assertThat(store.load().nextScribeId()).isEqualTo(5);
		assertThat(store.load().acknowledged()).isZero();
		pushes.forEach((push) -> server.send(answer(push, "true,\"at\":null")));
		client.whenSettled().get(WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(this.errors).singleElement().isInstanceOfSatisfying(LostWritesException.class, (lost) -> {
			assertThat(lost.lost()).isEqualTo(56);
			assertThat(lost.mark()).isZero();
		});
		client.collection("Todo").create(todo("next", "Next"));
		assertThat(scribeOf(server.next("add_scribe"))).isEqualTo("5:next");
	}

	@Test
	void a409ThatExpectsAChangeNoLongerQueuedRenumbersTheQueueInsteadOfResendingIt() throws Exception {
		ScriptedServer server = new ScriptedServer();
		SyncroClient client = client(server, 2, new MemoryLocalStore());
		SyncroCollection<ObjectNode> todos = client.collection("Todo");
		connect(client, server, "e1");
		todos.create(todo("t1", "One"));
		todos.create(todo("t2", "Two"));
		assertThat(serve(client, server, 0)).containsExactly("1:t1", "2:t2", "409 x0");

		// set back while the connection stays: the server's mark went back to 1
		todos.create(todo("t3", "Three"));
		todos.create(todo("t4", "Four"));
		List<String> played = serve(client, server, 1);
		// one 409 for each change pushed under its old id (t4 may have gone before the
		// 409 to t3 came back), and none after the renumbering
		assertThat(played).startsWith("2:t3", "3:t4").hasSize(3);
		assertThat(played.get(2)).isIn("409 x1", "409 x2");
		assertThat(server.sentNothingMore()).isTrue();
		assertThat(this.errors).singleElement().isInstanceOfSatisfying(LostWritesException.class, (lost) -> {
			assertThat(lost.lost()).isEqualTo(1);
			assertThat(lost.mark()).isEqualTo(1);
		});
		todos.create(todo("t5", "Five"));
		assertThat(scribeOf(server.next("add_scribe"))).isEqualTo("4:t5");
	}

	@Test
	void a409ForAChangeLostOnTheWayResendsFromTheOneExpected() throws Exception {
		ScriptedServer server = new ScriptedServer();
		SyncroClient client = client(server, 2, new MemoryLocalStore());
		SyncroCollection<ObjectNode> todos = client.collection("Todo");
		connect(client, server, "e1");
		todos.create(todo("t1", "One"));
		todos.create(todo("t2", "Two"));
		JsonNode one = server.next("add_scribe");
		JsonNode two = server.next("add_scribe");
		assertThat(List.of(scribeOf(one), scribeOf(two))).containsExactly("1:t1", "2:t2");
		// the first went missing on the way
		server.send(conflict(two, 1));
		JsonNode again = server.next("add_scribe");
		JsonNode twoAgain = server.next("add_scribe");
		assertThat(List.of(scribeOf(again), scribeOf(twoAgain))).containsExactly("1:t1", "2:t2");
		server.send(answer(again, "true,\"at\":null"));
		server.send(answer(twoAgain, "true,\"at\":null"));
		client.whenSettled().get(WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(server.sentNothingMore()).isTrue();
		assertThat(this.errors).isEmpty();
	}

	// Against server engines

	private static long lastIdFor(TestServer server, int protocolVersion) {
		return server.log.lastId((protocolVersion >= 2) ? Reader.withOwn("alice") : Reader.of("alice"));
	}

	/**
	 * A server restarted on a store set back to a backup taken after its first record: a
	 * new log (a new epoch) with that record, alice's mark as it was then, and records made
	 * since.
	 */
	private TestServer restored(TestServer before, long mark, int since) {
		TestServer restored = server();
		restored.todos.save(before.todos.get("t1").orElseThrow());
		if (mark > 0) {
			restored.clients.advanceMark("alice", 0, mark, null);
		}
		for (int i = 0; i < since; i++) {
			restored.todos.save(todo("n" + i, "New " + i));
		}
		return restored;
	}

	@ParameterizedTest(name = "protocol v{0}")
	@ValueSource(ints = { 2, 1 })
	void aServerSetBackToABackupIsSyncedFromNothingAndTheClientEndsWithItsRecords(int protocolVersion)
			throws Exception {
		TestServer before = server();
		for (int i = 1; i <= 6; i++) {
			before.todos.save(todo("t" + i, "Before " + i));
		}
		InMemoryTransport transport = new InMemoryTransport(before.engine);
		SyncroClient client = client(transport, protocolVersion, new MemoryLocalStore());
		SyncroCollection<ObjectNode> todos = client.collection("Todo");
		client.connect();
		awaitOnlineAndSettled(client);
		assertThat(client.position()).isEqualTo(6);

		transport.reachable(false);
		transport.drop();
		await().atMost(WAIT).until(() -> client.status() != SyncroClient.Status.ONLINE);
		// the restored log is shorter than the client's position, whatever its epoch
		TestServer restored = restored(before, 0, 2);
		transport.serve(restored.engine);
		this.changes.clear();
		transport.reachable(true);
		awaitOnlineAndSettled(client);
		await().atMost(WAIT).until(() -> client.position() == lastIdFor(restored, protocolVersion));

		assertThat(this.resets).singleElement()
			.extracting(ResetEvent::reason)
			.isEqualTo((protocolVersion >= 2) ? ResetEvent.Reason.EPOCH : ResetEvent.Reason.GONE);
		assertThat(new HashSet<>(todos.all())).isEqualTo(new HashSet<>(restored.todos.all())).hasSize(3);
		// listeners may be told on another thread a moment later
		await().atMost(WAIT)
			.untilAsserted(() -> assertThat(destroyed()).containsExactlyInAnyOrder("t2", "t3", "t4", "t5", "t6"));
		assertThat(problems()).isEmpty();
	}

	@Test
	void pendingChangesSurviveAResetAndArePlayedOnceOnTheRestoredServer() throws Exception {
		TestServer before = server();
		before.todos.save(todo("t1", "One"));
		before.todos.save(todo("t2", "Two"));
		InMemoryTransport transport = new InMemoryTransport(before.engine);
		SyncroClient client = client(transport, 2, new MemoryLocalStore());
		SyncroCollection<ObjectNode> todos = client.collection("Todo");
		client.connect();
		awaitOnlineAndSettled(client);
		todos.update("t2", Map.of("done", true));
		awaitOnlineAndSettled(client);

		transport.reachable(false);
		transport.drop();
		await().atMost(WAIT).until(() -> client.status() != SyncroClient.Status.ONLINE);
		todos.update("t1", Map.of("title", "Mine"));
		todos.create(todo("t9", "Offline"));
		TestServer restored = restored(before, 1, 5);
		transport.serve(restored.engine);
		transport.reachable(true);
		awaitOnlineAndSettled(client);
		await().atMost(WAIT).until(() -> client.position() == lastIdFor(restored, 2));

		assertThat(this.resets).containsExactly(new ResetEvent(ResetEvent.Reason.EPOCH));
		assertThat(restored.playsOf("alice")).containsExactly(Map.entry(2L, 1), Map.entry(3L, 1));
		assertThat(restored.todos.get("t1")).contains(todo("t1", "Mine"));
		assertThat(new HashSet<>(todos.all())).isEqualTo(new HashSet<>(restored.todos.all())).hasSize(7);
		assertThat(todos.get("t2")).isEmpty();
	}

	@Test
	void theEpochIsKeptWithThePositionAcrossARestartOnAFileStore() throws Exception {
		Path file = this.folder.resolve("alice.json");
		TestServer before = server();
		before.todos.save(todo("t1", "One"));
		before.todos.save(todo("t2", "Two"));
		InMemoryTransport transport = new InMemoryTransport(before.engine);
		SyncroClient first = client(transport, 2, FileLocalStore.open(file));
		first.connect();
		first.collection("Todo").create(todo("t3", "Mine"));
		awaitOnlineAndSettled(first);
		first.close();
		try (FileLocalStore store = FileLocalStore.open(file)) {
			LocalStore.State state = store.load();
			assertThat(state.epoch()).isEqualTo(before.log.epoch());
			assertThat(state.position()).isEqualTo(3);
			assertThat(state.serverMark()).isEqualTo(1);
			assertThat(MessageCodec.readTree(java.nio.file.Files.readString(file)).path("epoch").asString())
				.isEqualTo(before.log.epoch());
		}

		TestServer restored = restored(before, 1, 5);
		transport.serve(restored.engine);
		SyncroClient second = client(transport, 2, FileLocalStore.open(file));
		assertThat(second.collection("Todo").all()).hasSize(3);
		second.connect();
		awaitOnlineAndSettled(second);
		assertThat(this.resets).containsExactly(new ResetEvent(ResetEvent.Reason.EPOCH));
		assertThat(new HashSet<>(second.collection("Todo").all())).isEqualTo(new HashSet<>(restored.todos.all()));
		second.close();
		try (FileLocalStore store = FileLocalStore.open(file)) {
			assertThat(store.load().epoch()).isEqualTo(restored.log.epoch());
		}
	}

	private static long conflictsSent(InMemoryTransport transport) {
		return transport.sentTo("alice").stream().filter((message) -> message.contains("\"code\":409")).count();
	}

	@ParameterizedTest(name = "protocol v{0}")
	@ValueSource(ints = { 2, 1 })
	void aClientWhoseUidTheServerForgotRenumbersItsQueueFromOneAndEachChangeIsPlayedOnce(int protocolVersion)
			throws Exception {
		// the server expired alice: its mark is 0, while she holds 57 to 60 and saw 56 settled
		TestServer server = server();
		MemoryLocalStore store = holding(56, 57, 58, 59, 60);
		InMemoryTransport transport = new InMemoryTransport(server.engine);
		SyncroClient client = client(transport, protocolVersion, store);
		client.connect();
		awaitOnlineAndSettled(client);

		assertThat(server.playsOf("alice")).containsExactly(Map.entry(1L, 1), Map.entry(2L, 1), Map.entry(3L, 1),
				Map.entry(4L, 1));
		assertThat(server.todos.all()).extracting((todo) -> todo.get("id").asString())
			.containsExactlyInAnyOrder("w57", "w58", "w59", "w60");
		assertThat(conflictsSent(transport)).isZero();
		assertThat(problems()).singleElement().isInstanceOfSatisfying(LostWritesException.class, (lost) -> {
			assertThat(lost.lost()).isEqualTo(56);
			assertThat(lost.mark()).isZero();
		});
		client.collection("Todo").create(todo("next", "Next"));
		awaitOnlineAndSettled(client);
		assertThat(server.playsOf("alice")).containsEntry(5L, 1).hasSize(5);
		LocalStore.State state = store.load();
		assertThat(state.pending()).isEmpty();
		assertThat(state.nextScribeId()).isEqualTo(6);
		assertThat(state.serverMark()).isEqualTo(5);
	}

	@ParameterizedTest(name = "protocol v{0}")
	@ValueSource(ints = { 2, 1 })
	void aClientOfAServerSetBackRenumbersItsQueueFromTheServersMarkAndReportsTheLostChangesOnce(int protocolVersion)
			throws Exception {
		// restored from a backup: alice's mark is 40, while she saw 55 settled and holds 56 to 58
		TestServer server = server();
		server.clients.advanceMark("alice", 0, 40, null);
		InMemoryTransport transport = new InMemoryTransport(server.engine);
		SyncroClient client = client(transport, protocolVersion, holding(55, 56, 57, 58));
		client.connect();
		awaitOnlineAndSettled(client);

		assertThat(server.playsOf("alice")).containsExactly(Map.entry(41L, 1), Map.entry(42L, 1), Map.entry(43L, 1));
		assertThat(server.clients.mark("alice")).isEqualTo(43);
		assertThat(conflictsSent(transport)).isZero();
		assertThat(problems()).singleElement().isInstanceOfSatisfying(LostWritesException.class, (lost) -> {
			assertThat(lost.lost()).isEqualTo(15);
			assertThat(lost.mark()).isEqualTo(40);
		});
		transport.drop();
		await().atMost(WAIT).until(() -> transport.attempts.get() == 2);
		awaitOnlineAndSettled(client);
		assertThat(problems()).hasSize(1);
		assertThat(server.playsOf("alice")).hasSize(3);
	}

	@ParameterizedTest(name = "protocol v{0}")
	@ValueSource(ints = { 2, 1 })
	void aServerThatLostSettledChangesIsReportedAndTheClientGoesOn(int protocolVersion) throws Exception {
		TestServer before = server();
		before.todos.save(todo("t1", "One"));
		InMemoryTransport transport = new InMemoryTransport(before.engine);
		SyncroClient client = client(transport, protocolVersion, new MemoryLocalStore());
		SyncroCollection<ObjectNode> todos = client.collection("Todo");
		client.connect();
		for (int i = 0; i < 3; i++) {
			todos.create(todo("a" + i, "Alice's " + i));
		}
		awaitOnlineAndSettled(client);
		assertThat(before.clients.mark("alice")).isEqualTo(3);

		transport.reachable(false);
		transport.drop();
		await().atMost(WAIT).until(() -> client.status() != SyncroClient.Status.ONLINE);
		TestServer restored = restored(before, 1, 5);
		transport.serve(restored.engine);
		transport.reachable(true);
		client.whenOnline().get(WAIT.toSeconds(), TimeUnit.SECONDS);
		await().atMost(WAIT).until(() -> !problems().isEmpty());
		assertThat(problems()).singleElement().isInstanceOfSatisfying(LostWritesException.class, (lost) -> {
			assertThat(lost.lost()).isEqualTo(2);
			assertThat(lost.mark()).isEqualTo(1);
			assertThat(lost.getMessage()).contains("lost 2 of this client's changes");
		});
		assertThat(client.status()).isEqualTo(SyncroClient.Status.ONLINE);
		restored.todos.save(todo("late", "Late"));
		await().atMost(WAIT).until(() -> todos.get("late").isPresent());
	}

}
