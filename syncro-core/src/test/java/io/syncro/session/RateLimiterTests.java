package io.syncro.session;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static io.syncro.session.RateLimiter.Outcome.ABUSIVE;
import static io.syncro.session.RateLimiter.Outcome.ALLOWED;
import static io.syncro.session.RateLimiter.Outcome.REFUSED;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RateLimiter}, on a clock the test moves: a bucket of {@code burst}
 * that refills at the rate, and refusals counted per window.
 */
class RateLimiterTests {

	private static final long SECOND = 1_000_000_000L;

	@Test
	void allowsTheBurstThenRefillsAtTheRate() {
		RateLimiter limiter = new RateLimiter(new RateLimit(10, 3, 100, Duration.ofSeconds(10)), 0);
		assertThat(limiter.acquire(0)).isEqualTo(ALLOWED);
		assertThat(limiter.acquire(0)).isEqualTo(ALLOWED);
		assertThat(limiter.acquire(0)).isEqualTo(ALLOWED);
		assertThat(limiter.acquire(0)).isEqualTo(REFUSED);
		// a tenth of a second brings one request back, never more than the burst
		assertThat(limiter.acquire(SECOND / 10)).isEqualTo(ALLOWED);
		assertThat(limiter.acquire(SECOND / 10)).isEqualTo(REFUSED);
		assertThat(limiter.acquire(100 * SECOND)).isEqualTo(ALLOWED);
		assertThat(limiter.acquire(100 * SECOND)).isEqualTo(ALLOWED);
		assertThat(limiter.acquire(100 * SECOND)).isEqualTo(ALLOWED);
		assertThat(limiter.acquire(100 * SECOND)).isEqualTo(REFUSED);
	}

	@Test
	void moreThanMaxRefusedWithinTheWindowIsAbuseAndANewWindowStartsAfresh() {
		RateLimiter limiter = new RateLimiter(new RateLimit(0.000001, 1, 2, Duration.ofSeconds(10)), 0);
		assertThat(limiter.acquire(0)).isEqualTo(ALLOWED);
		assertThat(limiter.acquire(1)).isEqualTo(REFUSED);
		assertThat(limiter.acquire(2)).isEqualTo(REFUSED);
		assertThat(limiter.acquire(3)).isEqualTo(ABUSIVE);
		RateLimiter patient = new RateLimiter(new RateLimit(0.000001, 1, 2, Duration.ofSeconds(10)), 0);
		assertThat(patient.acquire(0)).isEqualTo(ALLOWED);
		assertThat(patient.acquire(1)).isEqualTo(REFUSED);
		assertThat(patient.acquire(2)).isEqualTo(REFUSED);
		assertThat(patient.acquire(11 * SECOND)).isEqualTo(REFUSED);
		assertThat(patient.acquire(11 * SECOND)).isEqualTo(REFUSED);
		assertThat(patient.acquire(11 * SECOND)).isEqualTo(ABUSIVE);
	}

	@Test
	void refusalsWithoutATokenCountTowardAbuseAndLeaveTheBucketAlone() {
		RateLimiter limiter = new RateLimiter(new RateLimit(10, 2, 1, Duration.ofSeconds(10)), 0);
		assertThat(limiter.refuse(0)).isEqualTo(REFUSED);
		assertThat(limiter.acquire(0)).isEqualTo(ALLOWED);
		assertThat(limiter.acquire(0)).isEqualTo(ALLOWED);
		assertThat(limiter.refuse(0)).isEqualTo(ABUSIVE);
	}

	@Test
	void aLimiterIsIdleOnceItsBucketIsFullAgainAndItsWindowOver() {
		RateLimiter limiter = new RateLimiter(new RateLimit(1, 2, 5, Duration.ofSeconds(10)), 0);
		assertThat(limiter.acquire(0)).isEqualTo(ALLOWED);
		assertThat(limiter.isIdle(5 * SECOND)).isFalse();
		assertThat(limiter.isIdle(11 * SECOND)).isTrue();
		assertThat(limiter.acquire(11 * SECOND)).isEqualTo(ALLOWED);
		assertThat(limiter.acquire(11 * SECOND)).isEqualTo(ALLOWED);
		assertThat(limiter.acquire(11 * SECOND)).isEqualTo(REFUSED);
		assertThat(limiter.isIdle(14 * SECOND)).isFalse();
		assertThat(limiter.isIdle(22 * SECOND)).isTrue();
	}

}
