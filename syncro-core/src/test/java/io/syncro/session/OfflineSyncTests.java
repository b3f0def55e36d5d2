package io.syncro.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.syncro.protocol.ErrorCodes;
import io.syncro.protocol.SyncroException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests that a client's offline changes reach the server exactly once when it reconnects
 * (PROTOCOL.md section 5, steps 2 and 5), however the link fails, and that a client
 * resends from where the server expects after a gap (section 4).
 */
class OfflineSyncTests {

	private static final int OFFLINE_SCRIBES = 1200;

	private static final Duration WAIT = Duration.ofSeconds(20);

	private ServerSide server;

	private ClientSide client;

	@BeforeEach
	void createEngines() {
		this.server = new ServerSide(EngineSettings.server(), Policies.open());
		this.client = new ClientSide("alice");
	}

	@AfterEach
	void closeEngines() {
		this.client.close();
		this.server.close();
	}

	@Test
	void offlineScribesArePulledInBatchesOf500AndEachIsPlayedOnce() {
		recordOffline(OFFLINE_SCRIBES);
		List<Integer> batches = new CopyOnWriteArrayList<>();
		RecordingListener listener = new RecordingListener();
		InMemoryLink.between(this.server.engine, this.client.engine)
			.clientListener(listener)
			.tapToServer((text) -> batchSize(text, batches))
			.connect();
		// the tap sees a message once the server has handled it, so the client may hear
		// that everything settled before the tap has counted the last batch
		await().atMost(WAIT).until(() -> listener.settled() == OFFLINE_SCRIBES && batches.size() >= 3);
		assertThat(batches).startsWith(500, 500, 200);
		assertThat(batches.subList(3, batches.size())).containsOnly(0);
		assertEveryOfflineScribePlayedOnceAndStatesEqual();
	}

	@Test
	void linkDroppedAfterABatchOfThePullLosesNothingAndPlaysNothingTwice() {
		recordOffline(OFFLINE_SCRIBES);
		AtomicReference<InMemoryLink> first = new AtomicReference<>();
		AtomicBoolean droppedOnce = new AtomicBoolean();
		first.set(InMemoryLink.between(this.server.engine, this.client.engine).tapToServer((text) -> {
			// the server has just played the first batch: the network fails
			if (batchSize(text, new ArrayList<>()) > 0 && droppedOnce.compareAndSet(false, true)) {
				first.get().drop();
			}
		}).connect());
		await().atMost(WAIT).until(() -> first.get() != null && first.get().isDropped());
		await().atMost(WAIT)
			.until(() -> first.get().serverSession().isClosed() && first.get().clientSession().isClosed());
		assertThat(this.server.clients.mark("alice")).isEqualTo(500);
		assertThat(this.server.engine.sessions()).isEmpty();
		assertThat(this.client.engine.sessions()).isEmpty();

		RecordingListener listener = new RecordingListener();
		InMemoryLink.between(this.server.engine, this.client.engine).clientListener(listener).connect();
		await().atMost(WAIT).until(() -> listener.settled() == OFFLINE_SCRIBES);
		assertEveryOfflineScribePlayedOnceAndStatesEqual();
	}

	@Test
	void linkDroppedWhileABatchIsPlayedLosesNothingAndPlaysNothingTwice() {
		recordOffline(OFFLINE_SCRIBES);
		AtomicReference<InMemoryLink> first = new AtomicReference<>();
		this.server.beforePlay = (scribe, uid) -> {
			if (scribe.id() == 700 && first.get() != null) {
				first.get().drop();
			}
		};
		first.set(InMemoryLink.connect(this.server.engine, this.client.engine));
		await().atMost(WAIT).until(() -> first.get().isDropped());
		await().atMost(WAIT).until(() -> this.server.engine.sessions().isEmpty() && this.client.engine.sessions().isEmpty());
		assertThat(this.server.clients.mark("alice")).isBetween(700L, (long) OFFLINE_SCRIBES);

		RecordingListener listener = new RecordingListener();
		InMemoryLink.between(this.server.engine, this.client.engine).clientListener(listener).connect();
		await().atMost(WAIT).until(() -> listener.settled() == OFFLINE_SCRIBES);
		assertEveryOfflineScribePlayedOnceAndStatesEqual();
	}

	@Test
	void changesMadeWhileReconnectingAreNotLost() {
		recordOffline(300);
		InMemoryLink link = InMemoryLink.connect(this.server.engine, this.client.engine);
		recordOffline(OFFLINE_SCRIBES - 300);
		link.drop();
		recordOffline(100);
		RecordingListener listener = new RecordingListener();
		InMemoryLink.between(this.server.engine, this.client.engine).clientListener(listener).connect();
		await().atMost(WAIT).until(() -> listener.settled() == OFFLINE_SCRIBES + 100);
		for (long id = 1; id <= OFFLINE_SCRIBES + 100; id++) {
			assertThat(this.server.plays("alice", id)).as("plays of scribe %d", id).isOne();
		}
		assertThat(this.server.todos.all()).containsExactlyInAnyOrderElementsOf(this.client.todos.all());
	}

	@Test
	void clientResendsFromTheExpectedIdAfterAGapAndAllIsPlayedOnce() {
		Arrivals arrivals = new Arrivals();
		RecordingListener listener = new RecordingListener();
		InMemoryLink link = InMemoryLink.between(this.server.engine, this.client.engine)
			.clientListener(listener)
			.tapToClient(arrivals)
			.connect();
		await().atMost(WAIT).until(() -> link.clientSession().isLive() && link.serverSession().isLive());
		// the first scribe fails once for a moment, so the two behind it arrive with a gap
		AtomicBoolean limited = new AtomicBoolean();
		this.server.beforePlay = (scribe, uid) -> {
			if (scribe.id() == 1 && limited.compareAndSet(false, true)) {
				throw new SyncroException(ErrorCodes.RATE_LIMITED, "Slow down.");
			}
		};
		link.toServer.hold();
		for (int i = 1; i <= 3; i++) {
			this.client.todos.save(Json.todo("r" + i, "live " + i));
		}
		await().atMost(WAIT).until(() -> link.toServer.heldCount() == 3);
		link.toServer.release();
		await().atMost(WAIT).until(() -> listener.settled() == 3);
		assertThat(this.server.clients.mark("alice")).isEqualTo(3);
		for (long id = 1; id <= 3; id++) {
			assertThat(this.server.plays("alice", id)).as("plays of scribe %d", id).isOne();
		}
		List<JsonNode> errors = arrivals.errors();
		assertThat(errors).anySatisfy((error) -> {
			assertThat(error.get("code").intValue()).isEqualTo(409);
			assertThat(error.get("scribe").longValue()).isEqualTo(2);
			assertThat(error.get("expected").longValue()).isEqualTo(1);
		});
		assertThat(errors).anySatisfy((error) -> {
			assertThat(error.get("code").intValue()).isEqualTo(429);
			assertThat(error.get("scribe").longValue()).isEqualTo(1);
		});
		assertThat(this.server.todos.all()).containsExactlyInAnyOrderElementsOf(this.client.todos.all());
		assertThat(listener.refused()).isEmpty();
	}

	@Test
	void transientFailureOfAPulledScribeIsRetriedByTheClient() {
		assertPulledScribeFailingOnceIsRetried(10, 5);
	}

	@Test
	void transientFailureInAnUnfinishedPullIsRetriedAndTheScribesBehindItFollow() {
		// the failure is in the first of three batches: the pull ends with more to come
		assertPulledScribeFailingOnceIsRetried(OFFLINE_SCRIBES, 100);
	}

	private void assertPulledScribeFailingOnceIsRetried(int offline, long failing) {
		recordOffline(offline);
		AtomicBoolean failed = new AtomicBoolean();
		this.server.beforePlay = (scribe, uid) -> {
			if (scribe.id() == failing && failed.compareAndSet(false, true)) {
				throw new IllegalStateException("The database is restarting");
			}
		};
		Arrivals arrivals = new Arrivals();
		RecordingListener listener = new RecordingListener();
		InMemoryLink.between(this.server.engine, this.client.engine)
			.clientListener(listener)
			.tapToClient(arrivals)
			.connect();
		// the pull ends at the failed scribe; the client retries it without any new change
		await().atMost(WAIT).until(() -> this.server.clients.mark("alice") == offline);
		assertThat(arrivals.errors()).singleElement().satisfies((error) -> {
			assertThat(error.has("id")).isFalse();
			assertThat(error.get("code").intValue()).isEqualTo(500);
			assertThat(error.get("scribe").longValue()).isEqualTo(failing);
		});
		for (long id = 1; id <= offline; id++) {
			assertThat(this.server.plays("alice", id)).as("plays of scribe %d", id).isOne();
		}
		await().atMost(WAIT).until(() -> listener.settled() == offline);
		assertThat(listener.refused()).isEmpty();
		assertThat(this.server.todos.all()).containsExactlyInAnyOrderElementsOf(this.client.todos.all());
	}

	private void assertEveryOfflineScribePlayedOnceAndStatesEqual() {
		assertThat(this.server.clients.mark("alice")).isEqualTo(OFFLINE_SCRIBES);
		for (long id = 1; id <= OFFLINE_SCRIBES; id++) {
			assertThat(this.server.plays("alice", id)).as("plays of scribe %d", id).isOne();
		}
		assertThat(this.server.totalPlays()).isEqualTo(OFFLINE_SCRIBES);
		assertThat(this.server.todos.all()).isNotEmpty().containsExactlyInAnyOrderElementsOf(this.client.todos.all());
	}

	/**
	 * Makes local changes until the client's log holds {@code count} more scribes: a mix
	 * of creates, updates and destroys, each recording exactly one scribe.
	 */
	private void recordOffline(int count) {
		Random random = new Random(count);
		long target = this.client.log.size() + count;
		List<String> ids = new ArrayList<>();
		this.client.todos.all().forEach((todo) -> ids.add(todo.get("id").asString()));
		int serial = this.client.log.size();
		while (this.client.log.size() < target) {
			serial++;
			double dice = random.nextDouble();
			if (ids.isEmpty() || dice < 0.5) {
				String id = "o" + serial;
				this.client.todos.save(Json.todo(id, "new " + serial).put("n", serial));
				ids.add(id);
			}
			else if (dice < 0.85) {
				String id = ids.get(random.nextInt(ids.size()));
				ObjectNode changes = Json.todo(id, "changed " + serial);
				changes.remove("id");
				this.client.todos.update(id, changes);
			}
			else {
				this.client.todos.destroy(ids.remove(random.nextInt(ids.size())));
			}
		}
	}

	/**
	 * The number of scribes in a client's answer to the server's pull, or -1 for other
	 * messages.
	 */
	private static int batchSize(String text, List<Integer> batches) {
		JsonNode message = Json.parse(text);
		if (message.path("type").asString("").equals("response") && message.path("result").isArray()) {
			batches.add(message.get("result").size());
			return message.get("result").size();
		}
		return -1;
	}

}
