package io.syncro.session;

import java.util.concurrent.locks.StampedLock;

/**
 * What an observed engine remembers of the log's append reports: the highest id reported
 * and, for the last {@value #SIZE} reports that raised it, when they came. From these it
 * tells how many ids a report added and how long ago this engine learnt of a given id.
 * <p>
 * Reports take a write lock; a lookup, once per pushed scribe, reads optimistically and
 * allocates nothing.
 */
final class AppendClock {

	static final int SIZE = 256;

	private final StampedLock lock = new StampedLock();

	// guarded by lock: ids[i % SIZE] and nanos[i % SIZE] for the reports i < reports that
	// raised the highest id, ids strictly increasing with i
	private final long[] ids = new long[SIZE];

	private final long[] nanos = new long[SIZE];

	private long reports;

	// guarded by lock: the highest id reported, or -1 before the first report
	private long highest = -1;

	// guarded by lock: ids up to this one were reported before the first remembered report
	private long forgotten;

	/**
	 * Notes a report of appends up to an id.
	 * @param lastId the highest id appended
	 * @param now {@link System#nanoTime()}
	 * @return how far the highest id grew; 0 for the first report, which only tells where
	 * the log stands
	 */
	long appended(long lastId, long now) {
		long stamp = this.lock.writeLock();
		try {
			if (this.highest < 0) {
				this.highest = lastId;
				this.forgotten = lastId;
				return 0;
			}
			if (lastId <= this.highest) {
				return 0;
			}
			long grown = lastId - this.highest;
			int slot = (int) (this.reports % SIZE);
			if (this.reports >= SIZE) {
				this.forgotten = this.ids[slot];
			}
			this.ids[slot] = lastId;
			this.nanos[slot] = now;
			this.reports++;
			this.highest = lastId;
			return grown;
		}
		finally {
			this.lock.unlockWrite(stamp);
		}
	}

	/**
	 * How long ago this engine learnt that a scribe was appended.
	 * @param id the scribe's id
	 * @param now {@link System#nanoTime()}
	 * @return the nanoseconds since the first report that covered the id; 0 if no report
	 * covered it yet (it was read before its report came); -1 if it was reported before
	 * the first report or before the remembered ones
	 */
	long lag(long id, long now) {
		long stamp = this.lock.tryOptimisticRead();
		long lag = find(id, now);
		if (!this.lock.validate(stamp)) {
			stamp = this.lock.readLock();
			try {
				lag = find(id, now);
			}
			finally {
				this.lock.unlockRead(stamp);
			}
		}
		return lag;
	}

	// may see torn state when reading optimistically; the caller then reads again locked
	private long find(long id, long now) {
		if (this.highest < 0 || id <= this.forgotten) {
			return -1;
		}
		if (id > this.highest) {
			return 0;
		}
		// nanoTime values may be negative: found says whether reported holds one
		boolean found = false;
		long reported = 0;
		long oldest = Math.max(0, this.reports - SIZE);
		for (long i = this.reports - 1; i >= oldest; i--) {
			int slot = (int) (i % SIZE);
			if (this.ids[slot] < id) {
				break;
			}
			found = true;
			reported = this.nanos[slot];
		}
		return found ? Math.max(0, now - reported) : -1;
	}

}
