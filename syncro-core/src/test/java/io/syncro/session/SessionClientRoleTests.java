package io.syncro.session;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests a {@link Session} of a client engine, with the test playing the server by hand:
 * the client pulls from its position, answers the server's pull in batches, ignores
 * scribes at or below its position, and follows the outcome of each scribe it pushes
 * (PROTOCOL.md sections 4 and 5).
 */
class SessionClientRoleTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private ClientSide client;

	private final CapturingConnection server = new CapturingConnection();

	private final RecordingListener listener = new RecordingListener();

	private Session session;

	@AfterEach
	void closeEngine() {
		if (this.client != null) {
			this.client.close();
		}
	}

	@Test
	void clientPullsFromItsPositionAndRepeatsWhileThereIsMore() {
		this.client = new ClientSide("alice");
		this.client.store.advanceMark("server", 0, 3, null);
		open();
		assertThat(this.server.next()).isEqualTo(Json.parse("{\"type\":\"sync\",\"id\":1,\"from\":3}"));
		this.session.receiveMessage("{\"type\":\"response\",\"id\":1,\"result\":[" + Json.createTodo(5, "r5", "five")
				+ "," + Json.createTodo(9, "r9", "nine") + "],\"more\":true}");
		assertThat(this.server.next()).isEqualTo(Json.parse("{\"type\":\"sync\",\"id\":2,\"from\":9}"));
		assertThat(this.client.position()).isEqualTo(9);
		assertThat(this.client.todos.get("r5")).contains(Json.todo("r5", "five"));
		assertThat(this.listener.synced()).isZero();
		this.session.receiveMessage("{\"type\":\"response\",\"id\":2,\"result\":[]}");
		await().atMost(WAIT).until(() -> this.listener.synced() == 1);
		// the server's scribes are played, not recorded as the client's own
		assertThat(this.client.log.size()).isZero();
	}

	@Test
	void clientPullsFromNullWhenItHasNoPosition() {
		this.client = new ClientSide("alice");
		open();
		assertThat(this.server.next()).isEqualTo(Json.parse("{\"type\":\"sync\",\"id\":1,\"from\":null}"));
	}

	@Test
	void clientIgnoresAScribeAtOrBelowItsPosition() {
		this.client = new ClientSide("alice");
		openAndSync("[" + Json.createTodo(9, "r9", "nine") + "]");
		assertThat(this.client.position()).isEqualTo(9);
		JsonNode below = push(50, Json.createTodo(7, "r7", "late"));
		assertThat(below).isEqualTo(Json.parse("{\"type\":\"response\",\"id\":50,\"result\":true}"));
		JsonNode again = push(51, "{\"id\":9,\"klass\":\"Todo\",\"type\":\"update\",\"data\":[\"r9\",{\"title\":\"x\"}]}");
		assertThat(again).isEqualTo(Json.parse("{\"type\":\"response\",\"id\":51,\"result\":true}"));
		assertThat(this.client.todos.get("r7")).isEmpty();
		assertThat(this.client.todos.get("r9")).contains(Json.todo("r9", "nine"));
		JsonNode above = push(52, Json.createTodo(12, "r12", "twelve"));
		assertThat(above).isEqualTo(Json.parse("{\"type\":\"response\",\"id\":52,\"result\":true}"));
		assertThat(this.client.position()).isEqualTo(12);
		assertThat(this.client.todos.get("r12")).isPresent();
	}

	@Test
	void clientAnswersTheServersPullWithItsOwnScribesInBatches() {
		this.client = new ClientSide(EngineSettings.client("alice").withBatchSize(2));
		for (int i = 1; i <= 5; i++) {
			this.client.todos.save(Json.todo("c" + i, "offline"));
		}
		open();
		this.server.next();
		JsonNode first = askClient("{\"type\":\"sync\",\"id\":1,\"from\":null}");
		assertThat(first.get("more").asBoolean()).isTrue();
		assertThat(Json.scribeIds(first)).containsExactly(1L, 2L);
		JsonNode second = askClient("{\"type\":\"sync\",\"id\":2,\"from\":2}");
		assertThat(Json.scribeIds(second)).containsExactly(3L, 4L);
		assertThat(second.get("more").asBoolean()).isTrue();
		assertThat(this.session.isLive()).isFalse();
		JsonNode last = askClient("{\"type\":\"sync\",\"id\":3,\"from\":4}");
		assertThat(Json.scribeIds(last)).containsExactly(5L);
		assertThat(last.has("more")).isFalse();
		assertThat(this.session.isLive()).isTrue();
		assertThat(this.listener.settled()).isEqualTo(4);
		// live: a new change is pushed at once
		this.client.todos.save(Json.todo("c6", "online"));
		JsonNode pushed = this.server.next();
		assertThat(pushed.get("type").asString()).isEqualTo("add_scribe");
		assertThat(pushed.get("scribe").get("id").longValue()).isEqualTo(6);
	}

	@Test
	void clientResendsFromTheExpectedIdAfterAConflict() {
		this.client = new ClientSide("alice");
		openAndSync();
		this.client.todos.save(Json.todo("c1", "one"));
		this.client.todos.save(Json.todo("c2", "two"));
		JsonNode first = this.server.next();
		JsonNode second = this.server.next();
		assertThat(Json.scribeIds(first)).containsExactly(1L);
		assertThat(Json.scribeIds(second)).containsExactly(2L);
		answer(first, "true");
		this.session.receiveMessage("{\"type\":\"error\",\"id\":" + second.get("id")
				+ ",\"code\":409,\"message\":\"Out of order.\",\"scribe\":2,\"expected\":1}");
		JsonNode resentFirst = this.server.next();
		JsonNode resentSecond = this.server.next();
		assertThat(Json.scribeIds(resentFirst)).containsExactly(1L);
		assertThat(Json.scribeIds(resentSecond)).containsExactly(2L);
		assertThat(resentFirst.get("id").longValue()).isGreaterThan(second.get("id").longValue());
		answer(resentFirst, "true");
		answer(resentSecond, "true");
		await().atMost(WAIT).until(() -> this.listener.settled() == 2);
		assertThat(this.listener.refused()).isEmpty();
	}

	@Test
	void clientRetriesAConflictThatKeepsComingBackForTheSameIdAfterGrowingDelaysNotInATightLoop() throws Exception {
		this.client = new ClientSide("alice");
		openAndSync();
		this.client.todos.save(Json.todo("c1", "one"));
		// a server that answers 409 expecting scribe 1 even to scribe 1: nothing the client
		// does settles it
		int pushes = 0;
		long end = System.nanoTime() + Duration.ofMillis(1500).toNanos();
		while (System.nanoTime() < end) {
			if (!this.server.hasNext()) {
				Thread.sleep(1);
				continue;
			}
			JsonNode push = this.server.next();
			assertThat(Json.scribeIds(push)).containsExactly(1L);
			pushes++;
			this.session.receiveMessage("{\"type\":\"error\",\"id\":" + push.get("id")
					+ ",\"code\":409,\"message\":\"Out of order.\",\"scribe\":1,\"expected\":1}");
		}
		// the first, one at once, then after 100, 200, 400 and 800 ms
		assertThat(pushes).isBetween(3, 7);
		assertThat(this.session.isClosed()).isFalse();
	}

	@Test
	void clientResendsAfterATransientFailure() {
		this.client = new ClientSide("alice");
		openAndSync();
		this.client.todos.save(Json.todo("c1", "one"));
		JsonNode push = this.server.next();
		this.session.receiveMessage("{\"type\":\"error\",\"id\":" + push.get("id")
				+ ",\"code\":500,\"message\":\"Try again later.\",\"scribe\":1}");
		JsonNode resent = this.server.next();
		assertThat(resent.get("scribe")).isEqualTo(push.get("scribe"));
		assertThat(resent.get("id")).isNotEqualTo(push.get("id"));
		this.session.receiveMessage("{\"type\":\"error\",\"id\":" + resent.get("id")
				+ ",\"code\":429,\"message\":\"Slow down.\",\"scribe\":1}");
		JsonNode again = this.server.next();
		assertThat(again.get("scribe")).isEqualTo(push.get("scribe"));
		answer(again, "true");
		await().atMost(WAIT).until(() -> this.listener.settled() == 1);
		assertThat(this.listener.refused()).isEmpty();
	}

	@Test
	void clientResendsAPushThatGotNoAnswerInTime() {
		this.client = new ClientSide(EngineSettings.client("alice").withRequestTimeout(Duration.ofMillis(300)));
		openAndSync();
		this.client.todos.save(Json.todo("c1", "one"));
		JsonNode push = this.server.next();
		JsonNode resent = this.server.next();
		assertThat(resent.get("type").asString()).isEqualTo("add_scribe");
		assertThat(resent.get("scribe")).isEqualTo(push.get("scribe"));
		assertThat(resent.get("id")).isNotEqualTo(push.get("id"));
		answer(resent, "true");
		await().atMost(WAIT).until(() -> this.listener.settled() == 1);
	}

	@Test
	void clientReportsARefusedScribeAndNeverResendsIt() {
		this.client = new ClientSide("alice");
		openAndSync();
		this.client.todos.save(Json.todo("c1", "one"));
		JsonNode push = this.server.next();
		this.session.receiveMessage("{\"type\":\"error\",\"id\":" + push.get("id")
				+ ",\"code\":403,\"message\":\"Not yours.\",\"scribe\":1}");
		await().atMost(WAIT).until(() -> !this.listener.refused().isEmpty());
		assertThat(this.listener.refused()).containsExactly(new RecordingListener.Refused(1, 403, "Not yours."));
		assertThat(this.listener.settled()).isEqualTo(1);
		this.client.todos.save(Json.todo("c2", "two"));
		JsonNode next = this.server.next();
		assertThat(Json.scribeIds(next)).containsExactly(2L);
	}

	@Test
	void clientGivesUpAConnectionWhoseServerDoesNotAnswerItsPull() {
		this.client = new ClientSide(EngineSettings.client("alice").withRequestTimeout(Duration.ofMillis(300)));
		open();
		assertThat(this.server.next().get("type").asString()).isEqualTo("sync");
		await().atMost(WAIT).until(() -> this.server.closeCode != null);
		assertThat(this.server.closeCode).isEqualTo(1013);
	}

	@Test
	void clientReportsAScribeRefusedDuringTheServersPull() {
		this.client = new ClientSide("alice");
		this.client.todos.save(Json.todo("c1", "one"));
		open();
		this.server.next();
		askClient("{\"type\":\"sync\",\"id\":1,\"from\":null}");
		this.session.receiveMessage("{\"type\":\"error\",\"code\":404,\"message\":\"Gone.\",\"scribe\":1}");
		await().atMost(WAIT).until(() -> !this.listener.refused().isEmpty());
		assertThat(this.listener.refused()).containsExactly(new RecordingListener.Refused(1, 404, "Gone."));
		// an error that answers no request is never answered
		assertThat(askClient("{\"type\":\"noop\",\"id\":9}"))
			.isEqualTo(Json.parse("{\"type\":\"response\",\"id\":9,\"result\":true}"));
	}

	private void open() {
		this.session = this.client.engine.open("server", this.server, this.listener);
	}

	/**
	 * Opens the session, answers the client's pull with nothing and pulls the client's
	 * (empty) log, so that the client is live.
	 */
	private void openAndSync() {
		openAndSync("[]");
	}

	/**
	 * Opens the session, answers the client's pull with the given scribes and pulls the
	 * client's (empty) log, so that the client is live.
	 */
	private void openAndSync(String scribes) {
		open();
		JsonNode sync = this.server.next();
		assertThat(sync.get("type").asString()).isEqualTo("sync");
		// the client's own pull, answered so that it does not give the connection up
		this.session.receiveMessage("{\"type\":\"response\",\"id\":" + sync.get("id") + ",\"result\":" + scribes + "}");
		JsonNode answer = askClient("{\"type\":\"sync\",\"id\":1,\"from\":null}");
		assertThat(answer).isEqualTo(Json.parse("{\"type\":\"response\",\"id\":1,\"result\":[]}"));
		assertThat(this.session.isLive()).isTrue();
	}

	private JsonNode askClient(String message) {
		this.session.receiveMessage(message);
		return this.server.next();
	}

	private JsonNode push(long requestId, String scribe) {
		return askClient("{\"type\":\"add_scribe\",\"id\":" + requestId + ",\"scribe\":" + scribe + "}");
	}

	private void answer(JsonNode request, String result) {
		this.session.receiveMessage("{\"type\":\"response\",\"id\":" + request.get("id") + ",\"result\":" + result + "}");
	}

}
