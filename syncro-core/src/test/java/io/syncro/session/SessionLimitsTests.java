package io.syncro.session;

import java.time.Duration;
import java.util.List;

import io.syncro.protocol.InputLimits;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests that a server {@link Session} keeps a peer within its {@link RateLimit} and
 * {@link InputLimits}: requests over the rate are answered 429 and settle nothing, a peer
 * that goes on is closed with 1008, replies to the server's own requests are never
 * limited while replies to nothing take from the limit and replies larger than expected
 * are dropped unread, scribes of an answer to the server's pull take from the limit as
 * {@code add_scribe}s do, the connections of one user share a limit of their own, and
 * scribes or rpcs over the input limits are refused with 400.
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
		// one token for the sync that makes the connection live, one for the ping
		open(EngineSettings.server().withRateLimit(new RateLimit(0.001, 2, 0, Duration.ofHours(1))));
		// replies to what the server asked: the answers to 50 pushes
		this.session.receiveMessage("{\"type\":\"sync\",\"id\":1,\"from\":null}");
		this.peer.next();
		for (int i = 0; i < 50; i++) {
			this.server.log.append(List.of(new ScribeEntry(Scribe.create("Todo", Json.todo("t" + i, "x")), Recipients.all(), null)));
			JsonNode push = this.peer.next();
			assertThat(push.path("type").asString()).isEqualTo("add_scribe");
			this.session.receiveMessage("{\"type\":\"response\",\"id\":" + push.path("id").asLong() + ",\"result\":true}");
		}
		this.session.receiveMessage("{\"type\":\"noop\",\"id\":2}");
		assertThat(this.peer.next().path("result").asBoolean()).isTrue();
		assertThat(this.peer.closeCode).isNull();
	}

	@Test
	void repliesToNothingTakeFromTheRateLimitAndAPeerThatGoesOnIsClosed1008WithoutAnAnswer() {
		open(EngineSettings.server().withRateLimit(new RateLimit(0.001, 2, 2, Duration.ofHours(1))));
		this.session.receiveMessage("{\"type\":\"response\",\"id\":1000,\"result\":true}");
		this.session.receiveMessage("{\"type\":\"error\",\"code\":400,\"message\":\"unsolicited\"}");
		// the two tokens are gone: the request is refused
		this.session.receiveMessage("{\"type\":\"noop\",\"id\":1}");
		assertThat(this.peer.next().path("code").asInt()).isEqualTo(429);
		// a refused reply is dropped without a word, and counts toward the close
		this.session.receiveMessage("{\"type\":\"response\",\"id\":1001,\"result\":true}");
		assertThat(this.peer.closeCode).isNull();
		this.session.receiveMessage("{\"type\":\"error\",\"id\":1002,\"code\":500,\"message\":\"x\"}");
		await().until(() -> this.peer.closeCode != null);
		assertThat(this.peer.closeCode).isEqualTo(1008);
		assertThat(this.peer.events().stream().filter((event) -> event.startsWith("send "))).hasSize(2);
	}

	@Test
	void repliesLargerThanAnythingAskedAreDroppedUnreadAndCountTowardTheClose() {
		open(EngineSettings.server().withRateLimit(new RateLimit(1000, 1000, 2, Duration.ofHours(1))));
		String large = "{\"type\":\"response\",\"result\":[\"" + "x".repeat(Channel.MAX_SMALL_REPLY_BYTES)
				+ "\"],\"id\":";
		// an answer to a push, a ping, or nothing at all is small
		this.session.receiveMessage(large + "1000}");
		this.session.receiveMessage("{\"type\":\"error\",\"code\":400,\"message\":\"" + "y".repeat(9000) + "\"}");
		this.session.receiveMessage("{\"type\":\"noop\",\"id\":1}");
		assertThat(this.peer.next().path("result").asBoolean()).isTrue();
		assertThat(this.peer.closeCode).isNull();
		this.session.receiveMessage(large + "1}");
		await().until(() -> this.peer.closeCode != null);
		assertThat(this.peer.closeCode).isEqualTo(1008);
	}

	@Test
	void aLargeAnswerToThePullIsRead() {
		this.server = new ServerSide(EngineSettings.server().withRateLimit(new RateLimit(1000, 1000, 0, Duration.ofHours(1))),
				Policies.open());
		this.peer = new CapturingConnection();
		this.session = this.server.engine.open("alice", this.peer);
		JsonNode pull = this.peer.next();
		String title = "t".repeat(3 * Channel.MAX_SMALL_REPLY_BYTES);
		this.session.receiveMessage("{\"type\":\"response\",\"id\":" + pull.path("id").asLong() + ",\"result\":["
				+ "{\"id\":1,\"klass\":\"Todo\",\"type\":\"create\",\"data\":{\"id\":\"t1\",\"title\":\"" + title + "\"}}]}");
		await().until(() -> this.server.clients.mark("alice") == 1);
		assertThat(this.server.todos.all()).hasSize(1);
		assertThat(this.peer.closeCode).isNull();
	}

	@Test
	void scribesOfAnAnswerToThePullTakeFromTheRateLimitAndOneOverItEndsThePullWith429() {
		this.server = new ServerSide(EngineSettings.server().withRateLimit(new RateLimit(0.001, 3, 10, Duration.ofHours(1))),
				Policies.open());
		this.peer = new CapturingConnection();
		this.session = this.server.engine.open("alice", this.peer);
		JsonNode pull = this.peer.next();
		StringBuilder scribes = new StringBuilder();
		for (int id = 1; id <= 5; id++) {
			scribes.append((id > 1) ? "," : "")
				.append("{\"id\":" + id + ",\"klass\":\"Todo\",\"type\":\"create\",\"data\":{\"id\":\"t" + id
						+ "\",\"title\":\"x\"}}");
		}
		this.session.receiveMessage("{\"type\":\"response\",\"id\":" + pull.path("id").asLong() + ",\"result\":["
				+ scribes + "],\"more\":true}");
		JsonNode refused = this.peer.next();
		assertThat(refused.path("type").asString()).isEqualTo("error");
		assertThat(refused.path("code").asInt()).isEqualTo(429);
		assertThat(refused.path("scribe").asLong()).isEqualTo(4);
		assertThat(refused.has("id")).isFalse();
		// nothing beyond the limit was played, and the pull ended: no new pull follows
		assertThat(this.server.clients.mark("alice")).isEqualTo(3);
		assertThat(this.server.todos.all()).hasSize(3);
		assertThat(this.peer.hasNext()).isFalse();
		// the add_scribe the client sends it with later is limited as well
		this.session.receiveMessage(
				"{\"type\":\"add_scribe\",\"id\":1,\"scribe\":{\"id\":4,\"klass\":\"Todo\",\"type\":\"create\",\"data\":{\"id\":\"t4\",\"title\":\"x\"}}}");
		assertThat(this.peer.next().path("code").asInt()).isEqualTo(429);
		assertThat(this.server.clients.mark("alice")).isEqualTo(3);
	}

	@Test
	void theConnectionsOfOneUserShareItsLimitBesideTheirOwn() {
		this.server = new ServerSide(EngineSettings.server()
			.withRateLimit(new RateLimit(0.001, 3, 10, Duration.ofHours(1)))
			.withUserRateLimit(new RateLimit(0.001, 4, 10, Duration.ofHours(1))), Policies.open());
		CapturingConnection laptop = new CapturingConnection();
		CapturingConnection phone = new CapturingConnection();
		CapturingConnection bobs = new CapturingConnection();
		Session onLaptop = openAs("alice-laptop", "alice", laptop);
		Session onPhone = openAs("alice-phone", "alice", phone);
		Session ofBob = openAs("bob-laptop", "bob", bobs);
		for (int id = 1; id <= 3; id++) {
			onLaptop.receiveMessage("{\"type\":\"noop\",\"id\":" + id + "}");
			assertThat(laptop.next().path("result").asBoolean()).isTrue();
		}
		onPhone.receiveMessage("{\"type\":\"noop\",\"id\":1}");
		assertThat(phone.next().path("result").asBoolean()).isTrue();
		// the phone's own limit has two more, alice's none
		onPhone.receiveMessage("{\"type\":\"noop\",\"id\":2}");
		assertThat(phone.next().path("code").asInt()).isEqualTo(429);
		ofBob.receiveMessage("{\"type\":\"noop\",\"id\":1}");
		assertThat(bobs.next().path("result").asBoolean()).isTrue();
		// closing every connection and opening a new one gives alice nothing back
		onLaptop.close(1000, "bye");
		onPhone.close(1000, "bye");
		CapturingConnection again = new CapturingConnection();
		Session reopened = openAs("alice-laptop", "alice", again);
		reopened.receiveMessage("{\"type\":\"noop\",\"id\":1}");
		assertThat(again.next().path("code").asInt()).isEqualTo(429);
	}

	private Session openAs(String uid, String user, CapturingConnection connection) {
		Session opened = this.server.engine.open(uid, connection, 1, user, new SessionListener() {
		});
		JsonNode pull = connection.next();
		opened.receiveMessage("{\"type\":\"response\",\"id\":" + pull.path("id").asLong() + ",\"result\":[]}");
		return opened;
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
