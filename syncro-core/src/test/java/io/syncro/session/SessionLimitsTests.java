package io.syncro.session;

import java.time.Duration;

import io.syncro.protocol.InputLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests that a server {@link Session} keeps a peer within its {@link RateLimit} and
 * {@link InputLimits}: requests over the rate are answered 429 and settle nothing, a peer
 * that goes on is closed with 1008, replies are never limited, and scribes or rpcs over
 * the input limits are refused with 400.
 */
class SessionLimitsTests {

	private ServerSide server;

	private CapturingConnection peer;

	private Session session;

	private void open(EngineSettings settings) {
		this.server = new ServerSide(settings, Policies.open());
		this.peer = new CapturingConnection();
		this.session = this.server.engine.open("alice", this.peer);
		assertThat(this.peer.next().path("type").asString()).isEqualTo("sync");
		this.session.receiveMessage("{\"type\":\"response\",\"id\":1,\"result\":[]}");
	}

	@AfterEach
	void closeEngine() {
		this.server.close();
	}

	@Test
	void requestsBeyondTheBurstAreAnswered429WithTheScribeIdAndSettleNothing() {
		// practically no refill: the burst is all there is during the test
		open(EngineSettings.server().withRateLimit(new RateLimit(0.001, 2, 10, Duration.ofHours(1))));
		this.session.receiveMessage("{\"type\":\"noop\",\"id\":1}");
		this.session.receiveMessage("{\"type\":\"noop\",\"id\":2}");
		assertThat(this.peer.next().path("result").asBoolean()).isTrue();
		assertThat(this.peer.next().path("result").asBoolean()).isTrue();
		this.session.receiveMessage(
				"{\"type\":\"add_scribe\",\"id\":3,\"scribe\":{\"id\":1,\"klass\":\"Todo\",\"type\":\"create\",\"data\":{\"id\":\"t1\",\"title\":\"x\"}}}");
		JsonNode refused = this.peer.next();
		assertThat(refused.path("type").asString()).isEqualTo("error");
		assertThat(refused.path("id").asLong()).isEqualTo(3);
		assertThat(refused.path("code").asInt()).isEqualTo(429);
		assertThat(refused.path("scribe").asLong()).isEqualTo(1);
		assertThat(this.server.clients.mark("alice")).isZero();
		assertThat(this.server.todos.all()).isEmpty();
		this.session.receiveMessage("not json");
		assertThat(this.peer.next().path("code").asInt()).isEqualTo(429);
		assertThat(this.peer.closeCode).isNull();
	}

	@Test
	void repliesAreNeverLimited() {
		open(EngineSettings.server().withRateLimit(new RateLimit(0.001, 1, 0, Duration.ofHours(1))));
		for (int i = 0; i < 50; i++) {
			this.session.receiveMessage("{\"type\":\"response\",\"id\":" + (1000 + i) + ",\"result\":true}");
		}
		this.session.receiveMessage("{\"type\":\"noop\",\"id\":1}");
		assertThat(this.peer.next().path("result").asBoolean()).isTrue();
		assertThat(this.peer.closeCode).isNull();
	}

	@Test
	void aPeerThatGoesOnAfterMoreThanMaxRefusedIsClosed1008AfterItsLast429() {
		open(EngineSettings.server().withRateLimit(new RateLimit(0.001, 1, 2, Duration.ofHours(1))));
		for (int id = 1; id <= 4; id++) {
			this.session.receiveMessage("{\"type\":\"noop\",\"id\":" + id + "}");
		}
		assertThat(this.peer.next().path("result").asBoolean()).isTrue();
		for (int id = 2; id <= 4; id++) {
			assertThat(this.peer.next().path("code").asInt()).isEqualTo(429);
		}
		await().until(() -> this.peer.closeCode != null);
		assertThat(this.peer.closeCode).isEqualTo(1008);
		assertThat(this.peer.events()).last().isEqualTo("close 1008");
		this.session.receiveMessage("{\"type\":\"noop\",\"id\":5}");
		assertThat(this.peer.events().stream().filter((event) -> event.startsWith("send "))).hasSize(5);
	}

	@Test
	void withoutARateLimitNothingIsRefused() {
		open(EngineSettings.server());
		for (int id = 1; id <= 3000; id++) {
			this.session.receiveMessage("{\"type\":\"noop\",\"id\":" + id + "}");
		}
		for (int id = 1; id <= 3000; id++) {
			assertThat(this.peer.next().path("result").asBoolean()).isTrue();
		}
	}

	@Test
	void scribesAndRpcsOverTheInputLimitsAreRefused400() {
		open(EngineSettings.server().withInputLimits(new InputLimits(100, 2, 64, 8, 8)));
		this.session.receiveMessage(
				"{\"type\":\"add_scribe\",\"id\":1,\"scribe\":{\"id\":1,\"klass\":\"Todo\",\"type\":\"create\",\"data\":{\"id\":\"t1\",\"title\":\""
						+ "x".repeat(100) + "\"}}}");
		JsonNode large = this.peer.next();
		assertThat(large.path("code").asInt()).isEqualTo(400);
		assertThat(large.path("scribe").asLong()).isEqualTo(1);
		assertThat(large.path("message").asString()).isEqualTo("A scribe's data is larger than 100 bytes.");
		this.session.receiveMessage(
				"{\"type\":\"add_scribe\",\"id\":2,\"scribe\":{\"id\":2,\"klass\":\"Todo\",\"type\":\"create\",\"data\":{\"id\":\"t1\",\"title\":[[1]]}}}");
		assertThat(this.peer.next().path("message").asString()).isEqualTo("A scribe's data is nested deeper than 2 levels.");
		this.session.receiveMessage("{\"type\":\"rpc\",\"id\":3,\"klass\":\"Syncro\",\"method\":\"last_scribe_id_\",\"args\":[]}");
		JsonNode method = this.peer.next();
		assertThat(method.path("id").asLong()).isEqualTo(3);
		assertThat(method.path("message").asString()).isEqualTo("An rpc method must have 1 to 8 characters.");
		this.session.receiveMessage("{\"type\":\"rpc\",\"id\":4,\"klass\":\"Syncro\",\"method\":\"x\",\"args\":[[[1]]]}");
		assertThat(this.peer.next().path("message").asString()).isEqualTo("An rpc's arguments are nested deeper than 2 levels.");
		// refused for good: the mark moved past both scribes
		assertThat(this.server.clients.mark("alice")).isEqualTo(2);
	}

}
