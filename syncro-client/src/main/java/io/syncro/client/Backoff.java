package io.syncro.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter, the delays between a {@link SyncroClient}'s attempts
 * to reconnect. The n-th delay (n from 0) has the ceiling
 * {@code min(max, initial * factor^n)} and is drawn from
 * {@code [ceiling * (1 - jitter), ceiling]}, so clients that lost the same server do not
 * come back in step. The same rule as the JavaScript client's.
 *
 * @param initial the first ceiling
 * @param max the highest ceiling
 * @param factor the growth of the ceiling per attempt, at least 1
 * @param jitter the share of the ceiling that is random, from 0 to 1
 * @since 0.1.0
 */
public record Backoff(Duration initial, Duration max, double factor, double jitter) {

	public Backoff {
		if (initial == null || max == null || initial.isNegative() || max.compareTo(initial) < 0) {
			throw new IllegalArgumentException("initial must not be negative and max not below initial");
		}
		if (!(factor >= 1) || Double.isInfinite(factor)) {
			throw new IllegalArgumentException("factor must be at least 1");
		}
		if (!(jitter >= 0 && jitter <= 1)) {
			throw new IllegalArgumentException("jitter must be from 0 to 1");
		}
	}

	/**
	 * The defaults: 500 ms growing by 2 up to 30 s, half of each delay random.
	 * @return the backoff
	 */
	public static Backoff defaults() {
		return new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), 2, 0.5);
	}

	/**
	 * The delay before an attempt.
	 * @param attempt how many attempts came before this one since the last success (0
	 * for the first)
	 * @return the delay
	 */
	public Duration delay(int attempt) {
		return delay(attempt, ThreadLocalRandom.current());
	}

	/**
	 * The delay before an attempt, with the given source of randomness.
	 * @param attempt how many attempts came before this one since the last success
	 * @param random draws the random share
	 * @return the delay
	 */
	public Duration delay(int attempt, RandomGenerator random) {
		return Duration.ofMillis(Math.round(ceiling(attempt) * (1 - this.jitter * random.nextDouble())));
	}

	/**
	 * The ceiling of an attempt's delay: its longest possible value.
	 * @param attempt how many attempts came before this one
	 * @return the ceiling in milliseconds
	 */
	double ceiling(int attempt) {
		double max = this.max.toMillis();
		double grown = this.initial.toMillis() * Math.pow(this.factor, Math.min(Math.max(attempt, 0), 1024));
		return Math.min(max, grown);
	}

}
