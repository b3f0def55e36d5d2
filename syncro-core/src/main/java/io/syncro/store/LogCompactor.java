package io.syncro.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compacts a {@link ScribeLog} every interval, on a thread of its own, until closed; says
 * what each compaction did when it did something (docs/PROTOCOL.md section 8.8).
 *
 * @since 0.2.0
 */
public final class LogCompactor implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(LogCompactor.class);

	private final ScribeLog log;

	private final Compaction compaction;

	private final Clock clock;

	private volatile @Nullable Run last;

	private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "syncro-log-compactor");
		thread.setDaemon(true);
		return thread;
	});

	/**
	 * Creates a compactor.
	 * @param log the log
	 * @param compaction what compaction keeps
	 * @param clock the time, for tombstone retention
	 */
	public LogCompactor(ScribeLog log, Compaction compaction, Clock clock) {
		this.log = log;
		this.compaction = compaction;
		this.clock = clock;
	}

	/**
	 * Starts compacting.
	 * @param interval the time between two compactions
	 * @return this compactor
	 */
	public LogCompactor start(Duration interval) {
		long millis = Math.max(1, interval.toMillis());
		this.executor.scheduleWithFixedDelay(this::compact, millis, millis, TimeUnit.MILLISECONDS);
		return this;
	}

	/**
	 * Compacts once.
	 * @return what it did, or {@code null} when it failed
	 */
	public Compaction.Report compact() {
		long started = System.nanoTime();
		try {
			Instant at = this.clock.instant();
			Compaction.Report report = this.log.compact(this.compaction, at);
			this.last = new Run(at, report, null);
			if (report.removed() > 0) {
				logger.info("Compacted the scribe log up to id {} in {} ms: {} records folded, {} scribes removed, {} of them"
						+ " tombstones past their retention; horizon {}", report.cutoff(),
						TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), report.records(), report.removed(),
						report.expired(), report.horizon());
			}
			return report;
		}
		catch (RuntimeException ex) {
			logger.warn("Could not compact the scribe log; trying again in the next interval", ex);
			this.last = new Run(this.clock.instant(), null, String.valueOf(ex.getMessage()));
			return null;
		}
	}

	/**
	 * The latest compaction, for operators.
	 * @return it, or {@code null} before the first
	 * @since 0.2.0
	 */
	public @Nullable Run last() {
		return this.last;
	}

	@Override
	public void close() {
		this.executor.shutdownNow();
	}

	/**
	 * One compaction: when it ran, and what it did or why it failed.
	 *
	 * @param at when it started
	 * @param report what it did, or {@code null} when it failed
	 * @param error why it failed, or {@code null}
	 */
	public record Run(Instant at, Compaction.@Nullable Report report, @Nullable String error) {
	}

}
