package io.syncro.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.syncro.protocol.ProtocolVersion;
import io.syncro.protocol.SyncroException;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A server session speaking protocol v2 (docs/PROTOCOL.md section 8): hello first, the
 * client's own scribes read too, batched pushes within a window, and the answer to a
 * played {@code add_scribe} carrying where it landed, sent after the scribes up to there.
 */
class SessionV2Tests {

	private static final int WINDOW = 4;

	private ServerSide server;

	private CapturingConnection alice;

	private Session session;

	@BeforeEach
	void openALiveV2Session() {
		this.server = new ServerSide(EngineSettings.server().withWindow(WINDOW).withRequestTimeout(Duration.ofSeconds(2)),
				Policies.open());
		this.alice = new CapturingConnection();
		this.session = this.server.engine.open("alice", this.alice, ProtocolVersion.V2, new SessionListener() {
		});
		assertThat(this.alice.next()).isEqualTo(Json.parse("{\"type\":\"hello\",\"version\":2}"));
		assertThat(this.alice.next()).isEqualTo(Json.parse("{\"type\":\"sync\",\"id\":1,\"from\":null}"));
		this.session.receiveMessage("{\"type\":\"response\",\"id\":1,\"result\":[]}");
		this.session.receiveMessage("{\"type\":\"sync\",\"id\":1,\"from\":null}");
		assertThat(this.alice.next()).isEqualTo(Json.parse("{\"type\":\"response\",\"id\":1,\"result\":[]}"));
		assertThat(this.session.isLive()).isTrue();
	}

	@AfterEach
	void closeEngine() {
		this.server.close();
	}

	@Test
	void theVersionAskedIsSpokenUpToTheNewestKnown() {
		assertThat(ProtocolVersion.negotiate(null)).isEqualTo(1);
		assertThat(ProtocolVersion.negotiate("1")).isEqualTo(1);
		assertThat(ProtocolVersion.negotiate("2")).isEqualTo(2);
		assertThat(ProtocolVersion.negotiate("7")).isEqualTo(ProtocolVersion.LATEST);
		for (String bad : new String[] { "", "0", "-1", "two", "1.5", "99999999999" }) {
			assertThatExceptionOfType(SyncroException.class).as(bad).isThrownBy(() -> ProtocolVersion.negotiate(bad));
		}
	}

	@Test
	void aV1SessionGetsNoHelloAndNoEchoOfItsOwnScribes() {
		CapturingConnection bob = new CapturingConnection();
		Session v1 = this.server.engine.open("bob", bob);
		assertThat(bob.next().path("type").asString()).isEqualTo("sync");
		v1.receiveMessage("{\"type\":\"response\",\"id\":1,\"result\":[]}");
		v1.receiveMessage(add(3, Json.createTodo(1, "t1", "mine")));
		assertThat(bob.next()).isEqualTo(Json.parse("{\"type\":\"response\",\"id\":3,\"result\":true}"));
		v1.receiveMessage("{\"type\":\"sync\",\"id\":4,\"from\":null}");
		assertThat(bob.next()).isEqualTo(Json.parse("{\"type\":\"response\",\"id\":4,\"result\":[]}"));
	}

	@Test
	void theAnswerToAPlayedScribeSaysWhereItLandedRightBehindItsEcho() {
		this.session.receiveMessage(add(3, Json.createTodo(1, "t1", "mine")));
		JsonNode push = this.alice.next();
		assertThat(push.path("type").asString()).isEqualTo("add_scribes");
		assertThat(push.path("scribes")).extracting((scribe) -> scribe.path("id").asLong()).containsExactly(1L);
		assertThat(this.alice.next()).isEqualTo(Json.parse("{\"type\":\"response\",\"id\":3,\"result\":true,\"at\":1}"));
		this.session.receiveMessage("{\"type\":\"rpc\",\"id\":4,\"klass\":\"Syncro\",\"method\":\"last_scribe_id\",\"args\":[]}");
		assertThat(this.alice.next().path("result").asLong()).isEqualTo(1);
	}

	@Test
	void aPlayThatAppendsNothingIsAnsweredWithAtNullAndADuplicateWithoutAt() {
		this.session.receiveMessage(add(3, Json.createTodo(1, "t1", "mine")));
		this.alice.next();
		this.alice.next();
		this.session.receiveMessage(
				"{\"type\":\"add_scribe\",\"id\":4,\"scribe\":{\"id\":2,\"klass\":\"Todo\",\"type\":\"update\",\"data\":[\"t1\",{\"title\":\"mine\"}]}}");
		assertThat(this.alice.next()).isEqualTo(Json.parse("{\"type\":\"response\",\"id\":4,\"result\":true,\"at\":null}"));
		this.session.receiveMessage(add(5, Json.createTodo(1, "t1", "mine")));
		assertThat(this.alice.next()).isEqualTo(Json.parse("{\"type\":\"response\",\"id\":5,\"result\":true}"));
	}

	@Test
	void aScribeAppendedBeforeAPlayIsPushedBeforeItsAnswerAndOneAfterItBehindIt() {
		this.server.beforePlay = (scribe, client) -> this.server.log
			.append(List.of(ServerSideEntries.create("before", Recipients.all())));
		this.session.receiveMessage(add(3, Json.createTodo(1, "t1", "mine")));
		this.server.beforePlay = null;
		this.server.log.append(List.of(ServerSideEntries.create("after", Recipients.all())));
		List<Long> pushed = new ArrayList<>();
		JsonNode answer = null;
		while (pushed.size() < 3) {
			JsonNode message = this.alice.next();
			if (message.path("type").asString().equals("response")) {
				answer = message;
				assertThat(pushed).as("pushed before the answer").containsExactly(1L, 2L);
			}
			else {
				message.path("scribes").forEach((scribe) -> pushed.add(scribe.path("id").asLong()));
				answerPush(message);
			}
		}
		assertThat(pushed).containsExactly(1L, 2L, 3L);
		if (answer == null) {
			answer = this.alice.next();
		}
		assertThat(answer.path("at").asLong()).isEqualTo(2);
	}

	@Test
	void aClientCannotSendSeveralScribesInOneMessage() {
		this.session.receiveMessage("{\"type\":\"add_scribes\",\"id\":3,\"scribes\":[" + Json.createTodo(1, "t1", "a") + ","
				+ Json.createTodo(2, "t2", "b") + "]}");
		JsonNode error = this.alice.next();
		assertThat(error.path("type").asString()).isEqualTo("error");
		assertThat(error.path("code").asInt()).isEqualTo(400);
		assertThat(this.server.totalPlays()).isZero();
	}

	@Test
	void aBurstWaitsInTheLogWhileTheWindowIsFullAndFlowsAsAnswersComeBack() {
		for (int i = 0; i < 1000; i++) {
			this.server.log.append(List.of(ServerSideEntries.create("r" + i, Recipients.all())));
		}
		List<JsonNode> pushes = new ArrayList<>();
		for (int i = 0; i < WINDOW; i++) {
			pushes.add(this.alice.next());
		}
		await().during(Duration.ofMillis(200)).until(() -> !this.alice.hasNext());
		assertThat(this.session.pendingMessages()).isZero();
		long received = pushes.stream().mapToLong((push) -> push.path("scribes").size()).sum();
		answerPush(pushes.get(pushes.size() - 1));
		while (received < 1000) {
			JsonNode push = this.alice.next();
			received += push.path("scribes").size();
			answerPush(push);
		}
		assertThat(received).isEqualTo(1000);
		assertThat(this.alice.closeCode).isNull();
	}

	@Test
	void aClientThatAnswersNoPushIsClosedWith1013AfterTheRequestTimeout() {
		this.server.log.append(List.of(ServerSideEntries.create("r", Recipients.all())));
		assertThat(this.alice.next().path("type").asString()).isEqualTo("add_scribes");
		await().atMost(Duration.ofSeconds(10)).until(() -> this.alice.closeCode != null);
		assertThat(this.alice.closeCode).isEqualTo(1013);
	}

	@Test
	void aSilentClientIsPingedAndClosedWith1013WhenItDoesNotAnswer() {
		try (ServerSide quick = new ServerSide(EngineSettings.server()
			.withHeartbeat(Duration.ofMillis(100))
			.withRequestTimeout(Duration.ofSeconds(1)), Policies.open())) {
			CapturingConnection carol = new CapturingConnection();
			quick.engine.open("carol", carol, ProtocolVersion.V2, new SessionListener() {
			});
			List<String> types = new ArrayList<>();
			await().atMost(Duration.ofSeconds(10)).until(() -> {
				while (carol.hasNext()) {
					types.add(carol.next().path("type").asString());
				}
				return carol.closeCode != null;
			});
			assertThat(types).contains("noop");
			assertThat(carol.closeCode).isEqualTo(1013);
		}
	}

	private static String add(long requestId, String scribe) {
		return "{\"type\":\"add_scribe\",\"id\":" + requestId + ",\"scribe\":" + scribe + "}";
	}

	private void answerPush(JsonNode push) {
		this.session.receiveMessage("{\"type\":\"response\",\"id\":" + push.path("id").asLong() + ",\"result\":true}");
	}

	/**
	 * Scribes appended by the server itself.
	 */
	private static final class ServerSideEntries {

		static io.syncro.scribe.ScribeEntry create(String id, Recipients recipients) {
			return new io.syncro.scribe.ScribeEntry(Scribe.create(ServerSide.KLASS, Json.todo(id, "server's")), recipients,
					null);
		}

	}

}
