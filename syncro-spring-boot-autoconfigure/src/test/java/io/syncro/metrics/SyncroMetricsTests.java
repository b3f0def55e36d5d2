package io.syncro.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.syncro.play.SyncClasses;
import io.syncro.rpc.RpcRegistry;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import io.syncro.session.Connection;
import io.syncro.session.EngineSettings;
import io.syncro.session.Session;
import io.syncro.session.SyncroEngine;
import io.syncro.store.InMemoryClientStore;
import io.syncro.store.InMemoryScribeLog;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests that {@link SyncroMetrics} moves as a real engine works: a server engine on an
 * in-memory log whose peers are played by hand, message by message, over in-memory
 * connections.
 */
class SyncroMetricsTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final JsonMapper json = new JsonMapper();

	private final MeterRegistry registry = new SimpleMeterRegistry();

	private final InMemoryScribeLog log = new InMemoryScribeLog();

	private final SyncroEngine engine = new SyncroEngine(EngineSettings.server(), this.log, new InMemoryClientStore(),
			new SyncClasses(), new RpcRegistry(), new SyncroMetrics(this.registry));

	@AfterEach
	void closeEngine() {
		this.engine.close();
	}

	@Test
	void sessionsGaugeCountsOpenSessions() {
		Peer alice = new Peer();
		Session aliceSession = connect("alice", alice);
		connect("bob", new Peer());
		assertThat(gauge("syncro.sessions")).isEqualTo(2);
		aliceSession.closed();
		assertThat(gauge("syncro.sessions")).isEqualTo(1);
	}

	@Test
	void syncAnswersCountRequestsAndTheScribesTheyDelivered() {
		append(2);
		connect("alice", new Peer());
		connect("bob", new Peer());
		assertThat(counter("syncro.sync.requests")).isEqualTo(2);
		assertThat(delivered("sync")).isEqualTo(4);
		assertThat(delivered("push")).isZero();
	}

	@Test
	void liveAppendsCountAsAppendedAndAsPushedToEachPeerWithTheirLag() {
		// the first report of the log only tells where it stands
		append(1);
		Peer alice = new Peer();
		Peer bob = new Peer();
		connect("alice", alice);
		connect("bob", bob);
		append(3);
		assertThat(alice.scribeIds(3)).containsExactly(2L, 3L, 4L);
		assertThat(bob.scribeIds(3)).containsExactly(2L, 3L, 4L);
		await().atMost(WAIT).untilAsserted(() -> {
			assertThat(delivered("push")).isEqualTo(6);
			assertThat(this.registry.get("syncro.delivery.lag").timer().count()).isEqualTo(6);
		});
		assertThat(counter("syncro.scribes.appended")).isEqualTo(3);
		assertThat(delivered("sync")).isEqualTo(2);
	}

	@Test
	void errorsSentAreCountedByCode() {
		Peer alice = new Peer();
		Session session = connect("alice", alice);
		session.receiveMessage("{\"type\":\"dance\",\"id\":2}");
		session.receiveMessage("{\"type\":\"sync\",\"id\":3,\"from\":-1}");
		session.receiveMessage("{\"type\":\"add_scribe\",\"id\":4,"
				+ "\"scribe\":{\"id\":3,\"klass\":\"Todo\",\"type\":\"destroy\",\"data\":[\"x\"]}}");
		session.receiveMessage("{\"type\":\"noop\",\"id\":5}");
		assertThat(alice.next().path("code").intValue()).isEqualTo(501);
		assertThat(alice.next().path("code").intValue()).isEqualTo(400);
		assertThat(alice.next().path("code").intValue()).isEqualTo(409);
		assertThat(errors("501")).isEqualTo(1);
		assertThat(errors("400")).isEqualTo(1);
		assertThat(errors("409")).isEqualTo(1);
		assertThat(this.registry.find("syncro.errors").counters()).hasSize(3);
	}

	@Test
	void pendingGaugesShowTheBacklogOfAConnectionThatDoesNotRead() {
		Peer alice = new Peer();
		Peer bob = new Peer();
		connect("alice", alice);
		connect("bob", bob);
		bob.stall();
		append(1);
		append(20);
		assertThat(alice.scribeIds(21)).hasSize(21);
		await().atMost(WAIT).until(() -> gauge("syncro.sessions.pending.max") > 0);
		assertThat(gauge("syncro.sessions.pending")).isEqualTo(gauge("syncro.sessions.pending.max"));
		bob.unstall();
		assertThat(bob.scribeIds(21)).hasSize(21);
		await().atMost(WAIT).until(() -> gauge("syncro.sessions.pending.max") == 0);
	}

	/**
	 * Opens a session for a peer, which answers the server's pull with nothing and syncs
	 * until it is live.
	 */
	private Session connect(String uid, Peer peer) {
		Session session = this.engine.open(uid, peer);
		JsonNode pull = peer.next();
		assertThat(pull.path("type").asString()).isEqualTo("sync");
		session.receiveMessage("{\"type\":\"response\",\"id\":" + pull.path("id").longValue() + ",\"result\":[]}");
		session.receiveMessage("{\"type\":\"sync\",\"id\":1}");
		JsonNode answer = peer.next();
		assertThat(answer.path("type").asString()).isEqualTo("response");
		assertThat(answer.path("more").asBoolean()).isFalse();
		return session;
	}

	private void append(int count) {
		List<ScribeEntry> entries = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			entries.add(new ScribeEntry(Scribe.destroy("Todo", "todo-" + i), Recipients.all(), null));
		}
		this.log.append(entries);
	}

	private double gauge(String name) {
		return this.registry.get(name).gauge().value();
	}

	private double counter(String name) {
		return this.registry.get(name).counter().count();
	}

	private double delivered(String via) {
		return this.registry.get("syncro.scribes.delivered").tag("via", via).counter().count();
	}

	private double errors(String code) {
		return this.registry.get("syncro.errors").tag("code", code).counter().count();
	}

	/**
	 * A peer played by hand: keeps what the server sends, and can stop reading, as a slow
	 * consumer does.
	 */
	private static final class Peer implements Connection {

		private final BlockingQueue<String> sent = new LinkedBlockingQueue<>();

		private volatile @Nullable CountDownLatch stall;

		@Override
		public void send(String message) {
			CountDownLatch stalled = this.stall;
			if (stalled != null) {
				try {
					stalled.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			this.sent.add(message);
		}

		@Override
		public void close(int code, String reason) {
		}

		void stall() {
			this.stall = new CountDownLatch(1);
		}

		void unstall() {
			CountDownLatch stalled = this.stall;
			this.stall = null;
			if (stalled != null) {
				stalled.countDown();
			}
		}

		JsonNode next() {
			try {
				String message = this.sent.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
				assertThat(message).as("a message from the server").isNotNull();
				return json.readTree(message);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}

		/** Waits for the next pushes and returns their scribes' ids. */
		List<Long> scribeIds(int count) {
			List<Long> ids = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				JsonNode push = next();
				assertThat(push.path("type").asString()).isEqualTo("add_scribe");
				ids.add(push.path("scribe").path("id").longValue());
			}
			return ids;
		}

	}

}
