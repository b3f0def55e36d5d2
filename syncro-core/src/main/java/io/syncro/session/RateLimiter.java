package io.syncro.session;

/**
 * A token bucket and its count of recent refusals: the one of a connection, or the one a
 * user's connections share. Its methods are synchronized, as the connections of one user
 * take from it from their own threads.
 */
final class RateLimiter {

	enum Outcome {

		/** Handle the request. */
		ALLOWED,

		/** Answer 429. */
		REFUSED,

		/** Answer 429 and close the connection: the abuse goes on. */
		ABUSIVE

	}

	private final RateLimit limit;

	private final double tokensPerNano;

	private final long windowNanos;

	private double tokens;

	private long refilledAt;

	private long windowStart;

	private int refusedInWindow;

	RateLimiter(RateLimit limit, long now) {
		this.limit = limit;
		this.tokensPerNano = limit.perSecond() / 1e9;
		this.windowNanos = limit.refusedWindow().toNanos();
		this.tokens = limit.burst();
		this.refilledAt = now;
		this.windowStart = now;
	}

	/**
	 * Takes a token.
	 * @param now a {@link System#nanoTime()} reading
	 * @return whether there was one, and if not whether the refusals amount to abuse
	 */
	synchronized Outcome acquire(long now) {
		refill(now);
		if (this.tokens >= 1) {
			this.tokens -= 1;
			return Outcome.ALLOWED;
		}
		return refused(now);
	}

	/**
	 * Counts a refusal without looking for a token: for what is refused whatever the
	 * bucket holds (a reply larger than this side can expect).
	 * @param now a {@link System#nanoTime()} reading
	 * @return {@link Outcome#REFUSED}, or {@link Outcome#ABUSIVE} once the refusals amount
	 * to abuse
	 */
	synchronized Outcome refuse(long now) {
		return refused(now);
	}

	/**
	 * Whether this limiter is as a new one would be: its bucket full and its window of
	 * refusals over, so that dropping it gives nobody more than they would get anyway.
	 * @param now a {@link System#nanoTime()} reading
	 * @return whether idle
	 */
	synchronized boolean isIdle(long now) {
		refill(now);
		return this.tokens >= this.limit.burst() && now - this.windowStart > this.windowNanos;
	}

	private void refill(long now) {
		this.tokens = Math.min(this.limit.burst(), this.tokens + (now - this.refilledAt) * this.tokensPerNano);
		this.refilledAt = now;
	}

	private Outcome refused(long now) {
		if (now - this.windowStart > this.windowNanos) {
			this.windowStart = now;
			this.refusedInWindow = 0;
		}
		this.refusedInWindow++;
		return (this.refusedInWindow > this.limit.maxRefused()) ? Outcome.ABUSIVE : Outcome.REFUSED;
	}

}
