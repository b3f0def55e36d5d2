package io.syncro.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forgets the client uids nobody used for a while, so that what a {@link ClientStore}
 * keeps stays bounded: every run it first marks the uids connected to this node as seen
 * now, then forgets every uid not seen for {@code expireAfter}, with its mark, its
 * refusals and its binding. Each node of a deployment runs one; a store shared by nodes
 * lets one of them forget at a time ({@link ClientStore#expire}).
 * <p>
 * A client that comes back after its uid was forgotten is a new client to the server:
 * it is pulled from no mark (PROTOCOL.md section 4.5).
 *
 * @since 0.1.0
 */
public final class ClientExpiry implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(ClientExpiry.class);

	private final ClientStore store;

	private final Duration expireAfter;

	private final Supplier<? extends Collection<String>> connected;

	private final Clock clock;

	private final ScheduledExecutorService scheduler;

	/**
	 * Creates an expiry that runs when {@link #start started}.
	 * @param store the store whose uids expire
	 * @param expireAfter how long a uid may go unseen before it is forgotten
	 * @param connected the uids with a connection open on this node now
	 * @param clock the clock
	 */
	public ClientExpiry(ClientStore store, Duration expireAfter, Supplier<? extends Collection<String>> connected,
			Clock clock) {
		if (store == null || connected == null || clock == null) {
			throw new IllegalArgumentException("store, connected and clock must not be null");
		}
		if (expireAfter == null || expireAfter.isNegative() || expireAfter.isZero()) {
			throw new IllegalArgumentException("expireAfter must be positive");
		}
		this.store = store;
		this.expireAfter = expireAfter;
		this.connected = connected;
		this.clock = clock;
		this.scheduler = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "syncro-client-expiry");
			thread.setDaemon(true);
			return thread;
		});
	}

	/**
	 * Runs every {@code interval}, the first time one interval from now. The interval must
	 * be well below {@code expireAfter}: the uids of open connections are seen once a run.
	 * @param interval the time between two runs
	 */
	public void start(Duration interval) {
		if (interval == null || interval.isNegative() || interval.isZero() || interval.compareTo(this.expireAfter) >= 0) {
			throw new IllegalArgumentException("interval must be positive and below expireAfter");
		}
		this.scheduler.scheduleWithFixedDelay(this::runQuietly, interval.toMillis(), interval.toMillis(),
				TimeUnit.MILLISECONDS);
	}

	/**
	 * Marks the uids connected to this node as seen, then forgets those not seen for
	 * {@code expireAfter}.
	 * @return the number of uids forgotten (0 when another node was forgetting)
	 */
	public int runOnce() {
		Instant now = this.clock.instant();
		this.store.touch(this.connected.get(), now);
		int expired = this.store.expire(now.minus(this.expireAfter));
		if (expired > 0) {
			logger.info("Forgot {} client uids not seen for {}", expired, this.expireAfter);
		}
		return expired;
	}

	private void runQuietly() {
		try {
			runOnce();
		}
		catch (RuntimeException ex) {
			logger.warn("Forgetting the client uids not seen for {} failed; trying again next time", this.expireAfter,
					ex);
		}
	}

	/**
	 * Stops running.
	 */
	@Override
	public void close() {
		this.scheduler.shutdownNow();
	}

}
