package io.syncro.session;

import java.time.Duration;

/**
 * How many requests one connection may send (PROTOCOL.md section 3, error 429): a token
 * bucket that holds {@code burst} requests and refills at {@code perSecond}. A request
 * over the limit is answered 429 and not handled; a scribe refused so settles nothing, and
 * the client retries it later. A connection refused more than {@code maxRefused} times
 * within {@code refusedWindow} goes on abusing the server and is closed with 1008
 * (policy violation). Replies ({@code response}, {@code error}) are not limited: a client
 * answers what the server sends it, however fast that comes.
 *
 * @param perSecond requests per second a connection may send, sustained
 * @param burst requests a connection may send at once after a quiet time
 * @param maxRefused requests refused with 429 within the window before the connection
 * is closed
 * @param refusedWindow the window in which refusals are counted
 * @since 0.1.0
 */
public record RateLimit(double perSecond, int burst, int maxRefused, Duration refusedWindow) {

	/** No limit: what a client applies to its server. */
	public static final RateLimit NONE = new RateLimit(Double.POSITIVE_INFINITY, Integer.MAX_VALUE, Integer.MAX_VALUE,
			Duration.ofSeconds(1));

	private static final RateLimit DEFAULTS = new RateLimit(100, 1000, 1000, Duration.ofSeconds(10));

	public RateLimit {
		if (!(perSecond > 0) || burst < 1 || maxRefused < 0) {
			throw new IllegalArgumentException("perSecond and burst must be positive, maxRefused not negative");
		}
		if (refusedWindow == null || refusedWindow.isNegative() || refusedWindow.isZero()) {
			throw new IllegalArgumentException("refusedWindow must be positive");
		}
	}

	/**
	 * The defaults of a server ({@code syncro.rate-limit.*}): 100 requests per second with
	 * bursts of 1,000; closed after 1,000 refusals within 10 s. Refusals are counted
	 * generously because a well-behaved client may have many requests in flight when the
	 * first 429 reaches it.
	 * @return the defaults
	 */
	public static RateLimit defaults() {
		return DEFAULTS;
	}

	/**
	 * Whether this limits anything.
	 * @return {@code false} for {@link #NONE}
	 */
	public boolean isLimited() {
		return this != NONE && !Double.isInfinite(this.perSecond);
	}

}
