package io.syncro.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import io.syncro.scribe.ScribeEntry;

/**
 * How a {@link ScribeLog} compacts itself (docs/PROTOCOL.md section 8.8): each record's
 * scribes older than the newest {@code keepRecent} are folded into one {@code create}, and a
 * tombstone {@code destroy} for the clients that no longer receive the record; tombstones go
 * once older than {@code tombstoneRetention}, which raises the log's horizon.
 *
 * @param keepRecent how many of the newest scribes stay as they are (at least 1)
 * @param tombstoneRetention how long a tombstone stays
 * @since 0.2.0
 */
public record Compaction(long keepRecent, Duration tombstoneRetention) {

	public Compaction {
		if (keepRecent < 1) {
			throw new IllegalArgumentException("keepRecent must be at least 1");
		}
		if (tombstoneRetention.isNegative()) {
			throw new IllegalArgumentException("tombstoneRetention must not be negative");
		}
	}

	/**
	 * Folds the scribes up to a cut-off.
	 * @param entries every scribe up to the cut-off, in id order
	 * @return what changes
	 */
	static RecordFolds.Result fold(Iterable<ScribeEntry> entries) {
		RecordFolds folds = new RecordFolds();
		entries.forEach(folds::add);
		return folds.result();
	}

	/**
	 * What one compaction did.
	 *
	 * @param cutoff the highest id it folded, 0 when the log holds no more than
	 * {@code keepRecent} scribes
	 * @param records how many records it folded
	 * @param removed how many scribes it removed, tombstones included
	 * @param expired how many tombstones it removed
	 * @param horizon the log's horizon after it ({@link ScribeLog#horizon()})
	 */
	public record Report(long cutoff, int records, int removed, int expired, long horizon) {

		/**
		 * A compaction that found nothing to do.
		 * @param horizon the log's horizon
		 * @return the report
		 */
		public static Report nothing(long horizon) {
			return new Report(0, 0, 0, 0, horizon);
		}

	}

	/**
	 * When each tombstone of a log was first seen, so that it goes once older than the
	 * retention. Not thread-safe: a log guards it.
	 */
	static final class Tombstones {

		private final Map<Long, Instant> since = new HashMap<>();

		/**
		 * Notes the tombstones of a fold and says which have expired.
		 * @param tombstones the ids of the tombstones the fold keeps
		 * @param now the time now
		 * @param retention how long a tombstone stays
		 * @return the ids of the tombstones to remove, in id order
		 */
		List<Long> expired(Collection<Long> tombstones, Instant now, Duration retention) {
			Map<Long, Instant> seen = new HashMap<>();
			List<Long> expired = new ArrayList<>();
			for (long id : new TreeSet<>(tombstones)) {
				Instant first = this.since.getOrDefault(id, now);
				if (!first.plus(retention).isAfter(now)) {
					expired.add(id);
				}
				else {
					seen.put(id, first);
				}
			}
			this.since.clear();
			this.since.putAll(seen);
			return expired;
		}

	}

}
