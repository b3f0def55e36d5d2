package io.syncro.sample.reliability;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.syncro.sample.SampleUsers;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import io.syncro.session.Session;
import io.syncro.session.SyncroEngine;
import io.syncro.store.ScribeLog;
import io.syncro.testing.WireClient;
import io.syncro.testing.WireVersion;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 11, item 4: a burst far larger than {@code syncro.session.max-pending} reaches
 * every live client, in order, none twice, and closes none of them: pushes are read from
 * the log at each session's own position, with at most {@code syncro.session.window}
 * unanswered, so the burst waits in the log and not in memory. Prints the heap the burst
 * costs while in flight, per session, and each session's largest queue.
 * <p>
 * In {@code bin/test} it runs 20 v2 clients and 20,000 scribes; the figures of the issue,
 * 100 clients and 100,000 scribes:
 * {@code mvn -B -pl sample-app -am verify -Dtest=BurstTests -Dburst.clients=100
 * -Dburst.scribes=100000 -Dsurefire.failIfNoSpecifiedTests=false}
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.datasource.url=jdbc:h2:mem:reliability-burst;DB_CLOSE_DELAY=-1",
				"syncro.session.max-pending=100", "syncro.rate-limit.enabled=false" })
class BurstTests {

	private static final int CLIENTS = Integer.getInteger("burst.clients", 20);

	private static final int SCRIBES = Integer.getInteger("burst.scribes", 20_000);

	private static final int PER_APPEND = 1000;

	@LocalServerPort
	private int port;

	@Autowired
	private SyncroEngine engine;

	@Autowired
	private ScribeLog log;

	@Test
	void aBurstLargerThanMaxPendingReachesEveryLiveClientInOrderAndClosesNone() {
		String run = UUID.randomUUID().toString().substring(0, 8);
		List<Counting> clients = new ArrayList<>();
		for (int i = 0; i < CLIENTS; i++) {
			Counting counting = new Counting();
			WireClient client = SampleUsers.alice(this.port)
				.version(WireVersion.V2)
				.keepArrivals(false)
				.recordMessages(false)
				.onArrival((arrival) -> counting.arrived(arrival.id()))
				.live("burst-" + i + "-" + run);
			counting.client = client;
			clients.add(counting);
		}
		long heapBefore = usedHeapAfterGc();
		AtomicLong maxQueued = new AtomicLong();
		long started = System.nanoTime();
		// appended straight to the log, as the recorder would append them, so that the burst
		// outruns delivery instead of waiting for a thousand saves per transaction
		for (int written = 0; written < SCRIBES; written += PER_APPEND) {
			List<ScribeEntry> batch = new ArrayList<>(PER_APPEND);
			for (int i = 0; i < PER_APPEND; i++) {
				ObjectNode todo = JsonNodeFactory.instance.objectNode()
					.put("id", UUID.randomUUID().toString())
					.put("title", "burst " + run + " " + (written + i))
					.put("done", false);
				batch.add(new ScribeEntry(Scribe.create("Todo", todo), Recipients.all(), null));
			}
			this.log.append(batch);
			this.engine.sessions().forEach((session) -> maxQueued.accumulateAndGet(session.pendingMessages(), Math::max));
		}
		long appendedMillis = (System.nanoTime() - started) / 1_000_000;
		long heapInFlight = usedHeapAfterGc();
		long deliveredAtMeasure = clients.stream().mapToLong(Counting::count).sum();
		await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
			this.engine.sessions().forEach((session) -> maxQueued.accumulateAndGet(session.pendingMessages(), Math::max));
			return clients.stream().allMatch((client) -> client.count() >= SCRIBES);
		});
		long deliveredMillis = (System.nanoTime() - started) / 1_000_000;
		long heapAfter = usedHeapAfterGc();

		System.out.printf("burst: %d scribes to %d live v2 clients: appended in %d ms, all delivered in %d ms "
				+ "(%.0f deliveries/s); largest queue of a session %d messages (max-pending 100, window %d)%n", SCRIBES,
				CLIENTS, appendedMillis, deliveredMillis, (double) SCRIBES * CLIENTS * 1000 / deliveredMillis,
				maxQueued.get(), this.engine.settings().window());
		System.out.printf("burst: used heap after GC %d MiB before, %d MiB with the burst in flight (%d of %d deliveries "
				+ "done), %d MiB once delivered: in flight %d KiB per session over the delivered state%n",
				heapBefore >> 20, heapInFlight >> 20, deliveredAtMeasure, (long) SCRIBES * CLIENTS, heapAfter >> 20,
				Math.max(0, heapInFlight - heapAfter) / CLIENTS >> 10);

		for (Counting client : clients) {
			assertThat(client.failure.get()).as(client.client.uid() + " got ids in order, none twice").isNull();
			assertThat(client.count()).as(client.client.uid() + " got every scribe").isEqualTo(SCRIBES);
			assertThat(client.client.closeCode()).as(client.client.uid() + " stays connected").isNotDone();
		}
		assertThat(maxQueued.get()).as("the largest queue of a session").isLessThanOrEqualTo(100);
		assertThat(this.engine.sessions()).hasSize(CLIENTS);
		assertThat(this.engine.sessions()).allMatch(Session::isLive);
		clients.forEach((client) -> client.client.close());
	}

	private static long usedHeapAfterGc() {
		System.gc();
		return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}

	/**
	 * Counts the scribes a client gets and checks that their ids only go up.
	 */
	private static final class Counting {

		WireClient client;

		private final AtomicLong count = new AtomicLong();

		private volatile long last;

		final AtomicReference<String> failure = new AtomicReference<>();

		void arrived(long id) {
			if (id <= this.last) {
				this.failure.compareAndSet(null, "id " + id + " after " + this.last);
			}
			this.last = id;
			this.count.incrementAndGet();
		}

		long count() {
			return this.count.get();
		}

	}

}
