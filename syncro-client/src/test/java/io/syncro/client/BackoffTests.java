package io.syncro.client;

import java.time.Duration;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link Backoff}: delays grow by the factor up to the maximum, and each is
 * drawn from the jitter's share below its ceiling.
 */
class BackoffTests {

	@Test
	void ceilingsGrowByTheFactorUpToTheMaximum() {
		Backoff backoff = Backoff.defaults();
		assertThat(backoff.ceiling(0)).isEqualTo(500);
		assertThat(backoff.ceiling(1)).isEqualTo(1000);
		assertThat(backoff.ceiling(5)).isEqualTo(16000);
		assertThat(backoff.ceiling(6)).isEqualTo(30000);
		assertThat(backoff.ceiling(Integer.MAX_VALUE)).isEqualTo(30000);
	}

	@Test
	void delaysAreDrawnBetweenHalfTheCeilingAndTheCeiling() {
		Backoff backoff = Backoff.defaults();
		SplittableRandom random = new SplittableRandom(42);
		for (int attempt = 0; attempt < 10; attempt++) {
			long ceiling = (long) backoff.ceiling(attempt);
			for (int i = 0; i < 200; i++) {
				assertThat(backoff.delay(attempt, random).toMillis()).isBetween(ceiling / 2, ceiling);
			}
		}
	}

	@Test
	void delaysSpreadAcrossTheJitter() {
		Backoff backoff = Backoff.defaults();
		SplittableRandom random = new SplittableRandom(7);
		long shortest = Long.MAX_VALUE;
		long longest = 0;
		for (int i = 0; i < 1000; i++) {
			long delay = backoff.delay(3, random).toMillis();
			shortest = Math.min(shortest, delay);
			longest = Math.max(longest, delay);
		}
		assertThat(shortest).isLessThan(2400);
		assertThat(longest).isGreaterThan(3600);
	}

	@Test
	void withoutJitterEveryDelayIsItsCeiling() {
		Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 3, 0);
		assertThat(backoff.delay(0)).isEqualTo(Duration.ofMillis(100));
		assertThat(backoff.delay(2)).isEqualTo(Duration.ofMillis(900));
		assertThat(backoff.delay(3)).isEqualTo(Duration.ofSeconds(1));
	}

	@Test
	void badSettingsAreRejected() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 0.5));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(2), 0.5, 0.5));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(2), 2, 1.5));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(2), Double.NaN, 0.5));
	}

}
