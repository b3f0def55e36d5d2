package io.syncro.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.syncro.play.SyncroPolicy;
import io.syncro.scribe.Scribe;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests that scribes go only to the clients the policy names, that refused scribes are
 * reported without blocking the ones behind them, that an audience change hands a
 * record over with a destroy and a create, and that writers get no echo (PROTOCOL.md
 * sections 5 and 6).
 */
class RecipientsAndAuthorizationTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private final List<AutoCloseable> resources = new ArrayList<>();

	@AfterEach
	void closeEngines() throws Exception {
		for (AutoCloseable resource : this.resources) {
			resource.close();
		}
	}

	@Test
	void scribeMeantForOneClientNeverReachesAnotherByPushSyncOrLastScribeId() throws Exception {
		ServerSide server = server(Policies.ownerOnly());
		Peer bob = connect(server, "bob");
		server.todos.save(Json.todo("a1", "alice's secret", "alice"));
		server.todos.save(Json.todo("b1", "bob's", "bob"));
		server.todos.update("a1", changes("title", "still secret"));
		server.todos.save(Json.todo("b2", "bob's too", "bob"));
		long lastForBob = server.log.read("bob", 0, 100).get(1).id();
		server.todos.save(Json.todo("a2", "alice's last", "alice"));
		// pushes arrive in id order: once bob has b2, anything of alice's before it would be there
		await().atMost(WAIT).until(() -> bob.client.todos.get("b2").isPresent());
		assertThat(recordIds(bob.arrivals)).containsExactly("b1", "b2");
		assertThat(bob.client.todos.all()).extracting((todo) -> todo.get("id").asString())
			.containsExactlyInAnyOrder("b1", "b2");

		// a second device of bob syncs from scratch
		Peer bobsPhone = connect(server, "bob", new ClientSide("bob"));
		await().atMost(WAIT).until(() -> bobsPhone.client.position() == lastForBob);
		assertThat(recordIds(bobsPhone.arrivals)).containsExactly("b1", "b2");
		assertThat(bobsPhone.arrivals.pushedIds()).isEmpty();

		JsonNode last = bob.link.clientSession()
			.rpc("Syncro", "last_scribe_id", JsonNodeFactory.instance.arrayNode())
			.get(10, TimeUnit.SECONDS);
		assertThat(last.longValue()).isEqualTo(lastForBob).isLessThan(server.log.read("alice", 0, 100).get(2).id());
		assertThat(bob.client.position()).isEqualTo(lastForBob);

		Peer alice = connect(server, "alice");
		await().atMost(WAIT).until(() -> alice.client.todos.get("a2").isPresent());
		assertThat(recordIds(alice.arrivals)).containsExactly("a1", "a1", "a2");
		assertThat(alice.client.todos.get("a1").get().get("title").asString()).isEqualTo("still secret");
	}

	@Test
	void refusedScribeInThePullIsReportedWithItsIdAndDoesNotBlockTheOnesBehind() {
		ServerSide server = server(Policies.ownerOnly());
		ClientSide alice = client("alice");
		alice.todos.save(Json.todo("r1", "mine", "alice"));
		alice.todos.save(Json.todo("r2", "pretending to be bob's", "bob"));
		alice.todos.save(Json.todo("r3", "mine too", "alice"));
		alice.todos.update("r1", changes("title", "mine, edited"));
		Peer peer = connect(server, "alice", alice);
		await().atMost(WAIT).until(() -> server.clients.mark("alice") == 4 && peer.listener.settled() == 4);
		assertThat(server.todos.all()).containsExactlyInAnyOrder(Json.todo("r1", "mine, edited", "alice"),
				Json.todo("r3", "mine too", "alice"));
		assertThat(server.plays("alice", 2)).isZero();
		assertThat(List.of(server.plays("alice", 1), server.plays("alice", 3), server.plays("alice", 4)))
			.containsOnly(1);
		assertThat(peer.arrivals.errors()).singleElement().satisfies((error) -> {
			assertThat(error.has("id")).isFalse();
			assertThat(error.get("code").intValue()).isEqualTo(403);
			assertThat(error.get("scribe").longValue()).isEqualTo(2);
			assertThat(error.get("message").asString()).isNotBlank();
		});
		assertThat(peer.listener.refused()).singleElement().satisfies((refused) -> {
			assertThat(refused.scribeId()).isEqualTo(2);
			assertThat(refused.code()).isEqualTo(403);
		});
		// nobody else hears of the refused record
		assertThat(server.log.read("bob", 0, 100)).extracting(Scribe::recordId).doesNotContain("r2");
	}

	@Test
	void refusedPushIsReportedAndDoesNotBlockTheOnesBehind() {
		ServerSide server = server(Policies.ownerOnly());
		Peer alice = connect(server, "alice");
		await().atMost(WAIT).until(() -> alice.link.clientSession().isLive());
		alice.client.todos.save(Json.todo("r1", "bob's?", "bob"));
		alice.client.todos.save(Json.todo("r2", "mine", "alice"));
		await().atMost(WAIT).until(() -> server.clients.mark("alice") == 2 && alice.listener.settled() == 2);
		assertThat(server.todos.all()).containsExactly(Json.todo("r2", "mine", "alice"));
		assertThat(alice.listener.refused()).singleElement().satisfies((refused) -> {
			assertThat(refused.scribeId()).isEqualTo(1);
			assertThat(refused.code()).isEqualTo(403);
		});
		assertThat(alice.arrivals.errors()).singleElement().satisfies((error) -> {
			assertThat(error.has("id")).isTrue();
			assertThat(error.get("code").intValue()).isEqualTo(403);
			assertThat(error.get("scribe").longValue()).isEqualTo(1);
		});
	}

	@Test
	void audienceChangeGivesTheOldOwnerADestroyAndTheNewOwnerACreateWithEveryAttribute() {
		ServerSide server = server(Policies.ownerOnly());
		Peer alice = connect(server, "alice");
		Peer bob = connect(server, "bob");
		server.todos.save(Json.todo("t1", "shared", "alice").put("priority", 3));
		await().atMost(WAIT).until(() -> alice.client.todos.get("t1").isPresent());
		server.todos.update("t1", changes("owner", "bob").put("title", "handed over"));
		await().atMost(WAIT)
			.until(() -> bob.client.todos.get("t1").isPresent() && alice.client.todos.get("t1").isEmpty());
		List<JsonNode> toAlice = alice.arrivals.scribes();
		assertThat(toAlice).hasSize(2);
		assertThat(toAlice.get(1).get("type").asString()).isEqualTo("destroy");
		assertThat(toAlice.get(1).get("data")).isEqualTo(Json.parse("[\"t1\"]"));
		List<JsonNode> toBob = bob.arrivals.scribes();
		assertThat(toBob).singleElement().satisfies((scribe) -> {
			assertThat(scribe.get("type").asString()).isEqualTo("create");
			assertThat(scribe.get("data"))
				.isEqualTo(Json.parse("{\"id\":\"t1\",\"title\":\"handed over\",\"owner\":\"bob\",\"priority\":3}"));
			assertThat(scribe.get("id").longValue()).isNotEqualTo(toAlice.get(1).get("id").longValue());
		});
		assertThat(bob.client.todos.get("t1")).contains(server.todos.get("t1").get());
	}

	@Test
	void writerThatGivesItsRecordAwayGetsItsDestroyAndTheNewOwnerItsCreate() {
		ServerSide server = server(Policies.ownerOnly());
		Peer alice = connect(server, "alice");
		Peer bob = connect(server, "bob");
		await().atMost(WAIT).until(() -> alice.link.clientSession().isLive());
		alice.client.todos.save(Json.todo("t2", "a gift", "alice"));
		await().atMost(WAIT).until(() -> server.todos.get("t2").isPresent());
		alice.client.todos.update("t2", changes("owner", "bob"));
		await().atMost(WAIT)
			.until(() -> bob.client.todos.get("t2").isPresent() && alice.client.todos.get("t2").isEmpty());
		assertThat(alice.arrivals.scribes()).singleElement()
			.satisfies((scribe) -> assertThat(scribe.get("type").asString()).isEqualTo("destroy"));
		assertThat(bob.client.todos.get("t2")).contains(Json.todo("t2", "a gift", "bob"));
	}

	@Test
	void writerDoesNotGetItsOwnChangeBackButOtherClientsDo() {
		ServerSide server = server(Policies.open());
		Peer alice = connect(server, "alice");
		Peer bob = connect(server, "bob");
		await().atMost(WAIT).until(() -> alice.link.clientSession().isLive() && bob.link.serverSession().isLive());
		alice.client.todos.save(Json.todo("n1", "from alice"));
		alice.client.todos.update("n1", changes("title", "from alice, edited"));
		await().atMost(WAIT).until(() -> server.clients.mark("alice") == 2);
		// a change of the server's own, after alice's: once alice has it, an echo would be there too
		server.todos.save(Json.todo("m1", "from the server"));
		await().atMost(WAIT)
			.until(() -> alice.client.todos.get("m1").isPresent() && bob.client.todos.get("m1").isPresent());
		assertThat(recordIds(alice.arrivals)).containsExactly("m1");
		assertThat(recordIds(bob.arrivals)).containsExactly("n1", "n1", "m1");
		List<JsonNode> toBob = bob.arrivals.scribes();
		assertThat(toBob.get(1).get("data")).isEqualTo(Json.parse("[\"n1\",{\"title\":\"from alice, edited\"}]"));
		assertThat(bob.client.todos.get("n1")).contains(Json.todo("n1", "from alice, edited"));
		// and the echo would not have been recorded back into alice's log either
		assertThat(alice.client.log.size()).isEqualTo(2);
	}

	private ServerSide server(SyncroPolicy<ObjectNode> policy) {
		ServerSide server = new ServerSide(EngineSettings.server(), policy);
		this.resources.add(server);
		return server;
	}

	private ClientSide client(String uid) {
		ClientSide client = new ClientSide(uid);
		this.resources.add(client);
		return client;
	}

	private Peer connect(ServerSide server, String uid) {
		return connect(server, uid, client(uid));
	}

	private Peer connect(ServerSide server, String uid, ClientSide client) {
		if (!this.resources.contains(client)) {
			this.resources.add(client);
		}
		Arrivals arrivals = new Arrivals();
		RecordingListener listener = new RecordingListener();
		InMemoryLink link = InMemoryLink.between(server.engine, client.engine)
			.clientListener(listener)
			.tapToClient(arrivals)
			.connect();
		await().atMost(WAIT).until(() -> link.serverSession().isLive());
		return new Peer(client, link, arrivals, listener);
	}

	private static ObjectNode changes(String name, String value) {
		return JsonNodeFactory.instance.objectNode().put(name, value);
	}

	private static List<String> recordIds(Arrivals arrivals) {
		return arrivals.scribes().stream().map((scribe) -> {
			JsonNode data = scribe.get("data");
			return data.isArray() ? data.get(0).asString() : data.get("id").asString();
		}).toList();
	}

	private record Peer(ClientSide client, InMemoryLink link, Arrivals arrivals, RecordingListener listener) {
	}

}
