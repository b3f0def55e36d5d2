package io.syncro.session;

/**
 * The token bucket of one connection, and its count of recent refusals; used by one
 * thread at a time (a session handles its inbound messages in order).
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

	Outcome acquire(long now) {
		this.tokens = Math.min(this.limit.burst(), this.tokens + (now - this.refilledAt) * this.tokensPerNano);
		this.refilledAt = now;
		if (this.tokens >= 1) {
			this.tokens -= 1;
			return Outcome.ALLOWED;
		}
		if (now - this.windowStart > this.windowNanos) {
			this.windowStart = now;
			this.refusedInWindow = 0;
		}
		this.refusedInWindow++;
		return (this.refusedInWindow > this.limit.maxRefused()) ? Outcome.ABUSIVE : Outcome.REFUSED;
	}

}
