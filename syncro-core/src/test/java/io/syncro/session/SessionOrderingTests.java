package io.syncro.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests that every reader gets exactly the scribes meant for it, in strictly increasing
 * id order, none twice and none missing, across the hand-over from {@code sync} answers
 * to live pushes while many writers append (PROTOCOL.md section 5, step 4). Order is
 * checked as the client receives it, on the wire.
 */
class SessionOrderingTests {

	private static final int WRITERS = 8;

	private static final int SCRIBES = 10_000;

	private static final Duration LONG_WAIT = Duration.ofSeconds(40);

	private final List<AutoCloseable> resources = new ArrayList<>();

	private final ExecutorService threads = Executors.newCachedThreadPool();

	@AfterEach
	void closeEverything() throws Exception {
		this.threads.shutdownNow();
		for (AutoCloseable resource : this.resources) {
			resource.close();
		}
	}

	@Test
	void everyReaderReceivesExactlyItsScribesInIdOrderWhileEightWritersAppend() throws Exception {
		ServerSide server = server();
		Reader a = connect(server, "reader-a");
		await().atMost(LONG_WAIT).until(() -> a.link.serverSession().isLive());
		CountDownLatch start = new CountDownLatch(1);
		List<Future<?>> writers = new ArrayList<>();
		for (int w = 0; w < WRITERS; w++) {
			int writer = w;
			writers.add(this.threads.submit(() -> {
				start.await();
				for (int i = 0; i < SCRIBES / WRITERS; i++) {
					server.log.append(List.of(mixedEntry(writer, i)));
				}
				return null;
			}));
		}
		start.countDown();
		await().atMost(LONG_WAIT).until(() -> server.log.size() >= SCRIBES / 4);
		Reader b = connect(server, "reader-b");
		await().atMost(LONG_WAIT).until(() -> server.log.size() >= SCRIBES / 2);
		Reader c = connect(server, "reader-c");
		for (Future<?> writer : writers) {
			writer.get(60, TimeUnit.SECONDS);
		}
		assertThat(server.log.size()).isEqualTo(SCRIBES);
		for (Reader reader : List.of(a, b, c)) {
			List<Long> expected = idsMeantFor(server, reader.client.uid);
			assertThat(expected).isNotEmpty();
			await().atMost(LONG_WAIT)
				.until(() -> reader.arrivals.scribeIds().size() >= expected.size()
						&& reader.client.position() == expected.get(expected.size() - 1));
			List<Long> arrived = reader.arrivals.scribeIds();
			assertThat(arrived).as("arrival order at %s", reader.client.uid).isSorted().doesNotHaveDuplicates();
			assertThat(arrived).as("scribes at %s", reader.client.uid).isEqualTo(expected);
			assertThat(reader.client.todos.all()).hasSize(expected.size());
			assertThat(reader.link.clientSession().isLive()).isTrue();
		}
		// reader-a was live before the first append: it got every scribe by push
		assertThat(a.arrivals.pushedIds()).isEqualTo(idsMeantFor(server, "reader-a"));
	}

	@Test
	void secondSyncOnALiveConnectionDoesNotPausePushesOrSkipAnything() throws Exception {
		ServerSide server = server();
		HandDrivenReader reader = new HandDrivenReader(server.engine, "reader-a");
		Future<?> firstHalf = this.threads.submit(() -> appendConcurrently(server, 0, 2, 1500));
		firstHalf.get(60, TimeUnit.SECONDS);
		List<Long> firstIds = idsMeantFor(server, "reader-a");
		await().atMost(LONG_WAIT).until(() -> reader.position() == firstIds.get(firstIds.size() - 1));
		assertThat(reader.session().isLive()).isTrue();
		// a second sync from the start while writers are busy
		Future<?> secondHalf = this.threads.submit(() -> appendConcurrently(server, 1500, 2, 1500));
		await().atMost(LONG_WAIT).until(() -> server.log.size() >= 2000);
		int pushedBefore = reader.pushed().size();
		reader.sync(null);
		secondHalf.get(60, TimeUnit.SECONDS);
		await().atMost(LONG_WAIT).until(reader::isIdle);
		// and more scribes after the sync's answers are all done: they can only come by push
		List<Long> late = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			late.add(server.log.append(List.of(entry(Recipients.all(), null, "late" + i))).get(0).id());
		}
		List<Long> expected = idsMeantFor(server, "reader-a");
		await().atMost(LONG_WAIT).until(() -> reader.position() == expected.get(expected.size() - 1));
		List<Long> pushed = reader.pushed();
		assertThat(pushed).isSorted().doesNotHaveDuplicates();
		assertThat(pushed.size()).isGreaterThan(pushedBefore);
		assertThat(pushed).containsAll(late);
		assertThat(reader.applied()).isEqualTo(expected);
		assertThat(reader.received()).containsAll(expected);
		assertThat(reader.syncAnswersWithMore()).isPositive();
	}

	private ServerSide server() {
		ServerSide server = new ServerSide(EngineSettings.server().withBatchSize(50).withMaxPending(1_000_000),
				Policies.open());
		this.resources.add(server);
		return server;
	}

	private Reader connect(ServerSide server, String uid) {
		ClientSide client = new ClientSide(EngineSettings.client(uid).withBatchSize(50));
		this.resources.add(client);
		Arrivals arrivals = new Arrivals();
		InMemoryLink link = InMemoryLink.between(server.engine, client.engine).tapToClient(arrivals).connect();
		return new Reader(client, link, arrivals);
	}

	private static void appendConcurrently(ServerSide server, int first, int writers, int count) {
		List<Thread> threads = new ArrayList<>();
		for (int w = 0; w < writers; w++) {
			int writer = w;
			Thread thread = new Thread(() -> {
				for (int i = first + writer; i < first + count; i += writers) {
					server.log.append(List.of(mixedEntry(writer, i)));
				}
			});
			threads.add(thread);
			thread.start();
		}
		for (Thread thread : threads) {
			try {
				thread.join();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	/**
	 * One scribe of a mix of audiences: everyone, only reader-a, only reader-b, everyone
	 * but reader-a, and everyone but the reader it came from.
	 */
	private static ScribeEntry mixedEntry(int writer, int i) {
		String recordId = "w" + writer + "-" + i;
		return switch (i % 6) {
			case 0 -> entry(Recipients.all(), null, recordId);
			case 1 -> entry(Recipients.only("reader-a"), null, recordId);
			case 2 -> entry(Recipients.only("reader-b"), null, recordId);
			case 3 -> entry(Recipients.allExcept(Set.of("reader-a")), null, recordId);
			case 4 -> entry(Recipients.all(), "reader-" + "abc".charAt((i / 6) % 3), recordId);
			default -> entry(Recipients.only("reader-a", "reader-c"), "reader-c", recordId);
		};
	}

	private static ScribeEntry entry(Recipients recipients, @Nullable String origin, String recordId) {
		return new ScribeEntry(Scribe.create(ServerSide.KLASS, Json.todo(recordId, recordId)), recipients, origin);
	}

	private static List<Long> idsMeantFor(ServerSide server, String uid) {
		return server.log.read(uid, 0, Integer.MAX_VALUE).stream().map(Scribe::id).toList();
	}

	private record Reader(ClientSide client, InMemoryLink link, Arrivals arrivals) {
	}

	/**
	 * A reader played by the test over a raw connection, so that it can send a
	 * {@code sync} whenever it likes: it applies a scribe only when its id is above its
	 * position, repeats {@code sync} while {@code more}, and answers every push.
	 */
	private static final class HandDrivenReader implements Connection {

		private final CompletableFuture<Session> session = new CompletableFuture<>();

		private final List<Long> received = new ArrayList<>();

		private final List<Long> pushed = new ArrayList<>();

		private final List<Long> applied = new ArrayList<>();

		private long position;

		private long nextRequestId = 1_000_000;

		private int syncsInFlight;

		private int syncAnswersWithMore;

		HandDrivenReader(SyncroEngine server, String uid) {
			this.session.complete(server.open(uid, this));
			sync(null);
		}

		void sync(@Nullable Long from) {
			long id;
			synchronized (this) {
				id = this.nextRequestId++;
				this.syncsInFlight++;
			}
			session().receiveMessage("{\"type\":\"sync\",\"id\":" + id + ",\"from\":" + from + "}");
		}

		@Override
		public void send(String text) {
			JsonNode message = Json.parse(text);
			String type = message.get("type").asString();
			if (type.equals("sync")) {
				// the server's pull: this reader has written nothing
				session().receiveMessage("{\"type\":\"response\",\"id\":" + message.get("id") + ",\"result\":[]}");
			}
			else if (type.equals("add_scribe")) {
				long id = message.get("scribe").get("id").longValue();
				synchronized (this) {
					this.pushed.add(id);
					receive(id);
				}
				session().receiveMessage("{\"type\":\"response\",\"id\":" + message.get("id") + ",\"result\":true}");
			}
			else if (type.equals("response") && message.get("result").isArray()) {
				boolean more = message.path("more").asBoolean(false);
				long from;
				synchronized (this) {
					message.get("result").forEach((scribe) -> receive(scribe.get("id").longValue()));
					this.syncsInFlight--;
					if (more) {
						this.syncAnswersWithMore++;
					}
					from = this.position;
				}
				if (more) {
					sync(from);
				}
			}
		}

		private void receive(long id) {
			this.received.add(id);
			if (id > this.position) {
				this.applied.add(id);
				this.position = id;
			}
		}

		@Override
		public void close(int code, String reason) {
		}

		Session session() {
			return this.session.join();
		}

		synchronized long position() {
			return this.position;
		}

		synchronized boolean isIdle() {
			return this.syncsInFlight == 0;
		}

		synchronized int syncAnswersWithMore() {
			return this.syncAnswersWithMore;
		}

		synchronized List<Long> received() {
			return List.copyOf(this.received);
		}

		synchronized List<Long> pushed() {
			return List.copyOf(this.pushed);
		}

		synchronized List<Long> applied() {
			return List.copyOf(this.applied);
		}

	}

}
