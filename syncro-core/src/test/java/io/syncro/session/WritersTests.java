package io.syncro.session;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests that the writer threads keep writing while some writes block.
 */
class WritersTests {

	private final Writers writers = new Writers(2, Executors.defaultThreadFactory());

	private final ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor();

	private final CountDownLatch unblocked = new CountDownLatch(1);

	WritersTests() {
		this.watch.scheduleWithFixedDelay(this.writers::watch, 20, 20, TimeUnit.MILLISECONDS);
	}

	@AfterEach
	void stop() {
		this.unblocked.countDown();
		this.watch.shutdownNow();
		this.writers.shutdown();
	}

	@Test
	void writesGoOnWhileMoreWritesBlockThanThereAreThreads() {
		AtomicInteger blocked = new AtomicInteger();
		for (int i = 0; i < 3; i++) {
			this.writers.execute(() -> {
				blocked.incrementAndGet();
				block(this.unblocked);
			});
		}
		AtomicInteger written = new AtomicInteger();
		for (int i = 0; i < 100; i++) {
			this.writers.execute(written::incrementAndGet);
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> written.get() == 100);
		assertThat(blocked).hasValue(3);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.writers.size() == 5);
	}

	@Test
	void threadsAddedForBlockedWritesGoOnceTheyEnd() {
		this.writers.execute(() -> block(this.unblocked));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.writers.size() == 3);
		this.unblocked.countDown();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.writers.size() == 2);
	}

	private static void block(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
