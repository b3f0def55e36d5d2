package io.syncro.sample.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.syncro.sample.SampleUsers;
import io.syncro.session.Session;
import io.syncro.session.SyncroEngine;
import io.syncro.testing.WireClient;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.syncro.sample.reliability.Measurements.percentile;
import static io.syncro.sample.reliability.Measurements.usedHeapAfterGc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 7, item 8: a client that stops reading while large Pages of its user keep coming
 * for it is closed with 1013, once its pushes have gone unanswered for
 * {@code syncro.request-timeout} (the pushes beyond {@code syncro.session.window} wait in
 * the log) or more than {@code syncro.session.max-pending} messages wait for it, whichever
 * comes first; the server's queue for it stays bounded meanwhile, the clients of another
 * user keep getting their changes (their latency is printed, not asserted) and none of
 * those Pages, and on reconnecting the slow client catches up from its last position with
 * every scribe exactly once.
 * <p>
 * Rerun: {@code mvn -B -pl sample-app -am verify -Dtest=SlowConsumerTests
 * -Dsurefire.failIfNoSpecifiedTests=false}
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.datasource.url=jdbc:h2:mem:reliability-slow;DB_CLOSE_DELAY=-1",
				"syncro.session.max-pending=" + SlowConsumerTests.MAX_PENDING, "syncro.request-timeout=2s" })
class SlowConsumerTests {

	static final int MAX_PENDING = 20;

	private static final int BODY_CHARS = 60_000;

	private static final int MAX_PAGES = 1_000;

	private static final int OTHERS = 3;

	@LocalServerPort
	private int port;

	@Autowired
	private SyncroEngine engine;

	@Test
	void aClientThatStopsReadingIsClosedWith1013AndCatchesUpExactlyOnceWhileOthersKeepReceiving() throws Exception {
		// the slow client is bob's, the others alice's: bob's Pages reach only him
		WireClient.Builder server = SampleUsers.alice(this.port);
		WireClient.Builder bob = SampleUsers.signedIn("bob", this.port);
		Rest rest = new Rest(this.port, "alice");
		Rest bobsRest = new Rest(this.port, "bob");
		String run = UUID.randomUUID().toString().substring(0, 8);
		String slowUid = "slow-" + run;
		List<WireClient> others = new ArrayList<>();
		for (int i = 0; i < OTHERS; i++) {
			others.add(server.live("other-" + i + "-" + run));
		}
		WireClient slow = bob.live(slowUid);
		Session slowSession = this.engine.sessions()
			.stream()
			.filter((session) -> session.peer().equals(slowUid))
			.findFirst()
			.orElseThrow();
		TodoWriter todos = new TodoWriter(rest, others, run);

		// everyone reading
		todos.write(20);
		List<Long> before = todos.awaitLatencies();
		long heapBefore = usedHeapAfterGc();

		// the slow client stops reading; large Pages for it fill the network's buffers, then
		// the server's queue, while small Todos keep going to everyone
		slow.pause();
		AtomicInteger maxPending = new AtomicInteger();
		AtomicBoolean sampling = new AtomicBoolean(true);
		Thread sampler = new Thread(() -> {
			while (sampling.get()) {
				maxPending.accumulateAndGet(slowSession.pendingMessages(), Math::max);
				Thread.onSpinWait();
			}
		}, "pending-sampler");
		sampler.start();
		List<String> pages = new ArrayList<>();
		String body = "p".repeat(BODY_CHARS);
		long stallStarted = System.nanoTime();
		todos.clear();
		while (!slowSession.isClosed() && pages.size() < MAX_PAGES) {
			pages.add(bobsRest.post("/api/pages", "{\"title\":\"big " + pages.size() + "\",\"body\":\"" + body + "\"}")
				.path("id")
				.asString());
			if (pages.size() % 4 == 0) {
				todos.write(1);
			}
		}
		long closedAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stallStarted);
		await().atMost(Duration.ofSeconds(30)).until(slowSession::isClosed);
		sampling.set(false);
		sampler.join();
		// written after the last Page: once the others have it, every Page's scribe is in the log
		todos.write(1);
		List<Long> during = todos.awaitLatencies();
		long heapAfter = usedHeapAfterGc();

		// reading again: what was in the buffers, then the close
		slow.resume();
		int closeCode = slow.closeCode().get(60, TimeUnit.SECONDS);
		List<WireClient.Arrival> firstConnection = slow.arrivals();
		long position = slow.position();
		List<JsonNode> caughtUp;
		List<JsonNode> everything;
		try (WireClient again = bob.connect(slowUid)) {
			caughtUp = again.syncToEnd(position);
			everything = again.syncToEnd(null);
		}

		Collections.sort(before);
		Collections.sort(during);
		long pageBytes = (long) pages.size() * BODY_CHARS;
		System.out.printf(
				"slow consumer: closed with %d after %d Pages of %d KB (%d MB) in %d ms; its queue peaked at %d messages "
						+ "(max-pending %d); it had read %d scribes, then caught up with %d from position %d; the log holds %d for it%n",
				closeCode, pages.size(), BODY_CHARS / 1000, pageBytes >> 20, closedAfterMillis, maxPending.get(), MAX_PENDING,
				firstConnection.size(), caughtUp.size(), position, everything.size());
		System.out.printf("slow consumer: %d other clients' latency ms, all reading: p50 %s p99 %s max %s (%d changes)%n",
				OTHERS, percentile(before, 50), percentile(before, 99), percentile(before, 100), before.size());
		System.out.printf("slow consumer: %d other clients' latency ms, while it stalled: p50 %s p99 %s max %s (%d changes)%n",
				OTHERS, percentile(during, 50), percentile(during, 99), percentile(during, 100), during.size());
		System.out.printf("slow consumer: used heap after GC %d MiB before the stall, %d MiB after its close (%d MB of Pages stored)%n",
				heapBefore >> 20, heapAfter >> 20, pageBytes >> 20);

		assertThat(closeCode).isEqualTo(1013);
		assertThat(pages.size()).as("Pages written before the close").isLessThan(MAX_PAGES);
		assertThat(maxPending.get()).as("the slow client's queue").isLessThanOrEqualTo(MAX_PENDING + 1);
		// the closed session is let go (the server hears the close handshake end a moment
		// after the client does, and the catch-up connection may still be closing)
		await().atMost(Duration.ofSeconds(10)).until(() -> !this.engine.sessions().contains(slowSession));
		for (WireClient other : others) {
			assertThat(other.closeCode()).as(other.uid() + " stays connected").isNotDone();
		}
		assertThat(todos.deliveredOnceToEveryone()).as("Todos each other client got exactly once").isTrue();
		for (WireClient other : others) {
			assertThat(other.arrivals()).as("bob's Pages at " + other.uid())
				.noneMatch((arrival) -> pages.contains(createdId(arrival.scribe())));
		}

		List<Long> firstIds = firstConnection.stream().map(WireClient.Arrival::id).toList();
		List<Long> caughtUpIds = caughtUp.stream().map((scribe) -> scribe.path("id").asLong()).toList();
		List<Long> allIds = everything.stream().map((scribe) -> scribe.path("id").asLong()).toList();
		assertThat(firstIds).as("ids on the first connection").isSorted().doesNotHaveDuplicates();
		assertThat(caughtUpIds).as("ids of the catch-up").isSorted().doesNotHaveDuplicates().allMatch((id) -> id > position);
		List<Long> combined = new ArrayList<>(firstIds);
		combined.addAll(caughtUpIds);
		assertThat(combined).as("what the slow client got, against the log").containsExactlyElementsOf(allIds);
		List<String> pagesGot = new ArrayList<>();
		firstConnection.forEach((arrival) -> pagesGot.add(createdId(arrival.scribe())));
		caughtUp.forEach((scribe) -> pagesGot.add(createdId(scribe)));
		assertThat(pagesGot).containsAll(pages);
		assertThat(pagesGot.stream().filter(pages::contains)).hasSize(pages.size());
		others.forEach(WireClient::close);
	}

	private static String createdId(JsonNode scribe) {
		return scribe.path("type").asString().equals("create") ? scribe.path("data").path("id").asString("") : "";
	}

	/**
	 * Writes small Todos over REST and tells how long each took to reach every other
	 * client.
	 */
	private static final class TodoWriter {

		private final Rest rest;

		private final List<WireClient> readers;

		private final String run;

		private final Map<String, Long> written = new LinkedHashMap<>();

		private final List<String> all = new ArrayList<>();

		private int count;

		TodoWriter(Rest rest, List<WireClient> readers, String run) {
			this.rest = rest;
			this.readers = readers;
			this.run = run;
		}

		void write(int todos) {
			for (int i = 0; i < todos; i++) {
				long sent = System.nanoTime();
				String id = this.rest.post("/api/todos", "{\"title\":\"todo " + this.run + " " + (this.count++) + "\"}")
					.path("id")
					.asString();
				this.written.put(id, sent);
				this.all.add(id);
			}
		}

		void clear() {
			this.written.clear();
		}

		/**
		 * Waits for every reader to have every Todo written since the last clear.
		 * @return the latency of each Todo at each reader, in ms
		 */
		List<Long> awaitLatencies() {
			List<Long> latencies = new ArrayList<>();
			for (WireClient reader : this.readers) {
				await().atMost(Duration.ofSeconds(30))
					.until(() -> this.written.keySet().stream().allMatch((id) -> arrival(reader, id) != null));
				this.written.forEach((id, sent) -> latencies.add(TimeUnit.NANOSECONDS.toMillis(arrival(reader, id).nanos() - sent)));
			}
			return latencies;
		}

		boolean deliveredOnceToEveryone() {
			for (WireClient reader : this.readers) {
				for (String id : this.all) {
					long count = reader.arrivals().stream().filter((arrival) -> id.equals(createdId(arrival.scribe()))).count();
					if (count != 1) {
						return false;
					}
				}
			}
			return true;
		}

		private static WireClient.@org.jspecify.annotations.Nullable Arrival arrival(WireClient reader, String id) {
			return reader.arrivals().stream().filter((arrival) -> id.equals(createdId(arrival.scribe()))).findFirst().orElse(null);
		}

	}

}
