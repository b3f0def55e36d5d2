package io.syncro.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import io.syncro.scribe.Reader;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ScribeLog} that keeps the newest scribes of another in memory, so that the
 * live sessions of a node, woken by an append, read it from memory rather than each
 * with a round trip to Redis or the database: one read of {@link ScribeLog#entries} per
 * append for the node, instead of one read per session.
 * <p>
 * It listens to the other log. Told of an append up to id N, it first reads the entries
 * up to N into its tail (at most {@code capacity}, the oldest dropped), and only then
 * tells its own listeners, so a session woken by it finds the new scribes in the tail.
 * A {@link #read} from a position within the tail, or at its end, is answered from the
 * tail alone, filtered for the reader, up to its last id (nothing from its end):
 * scribes appended after that are read once the append is announced, and a read while
 * the tail is being refreshed is followed by the announcement that wakes the reader
 * again. So a live session that read everything, as each does at the end of every
 * wake, costs no round trip. A read from before the tail, or after it, goes to the
 * other log, as do appends, {@link #lastId} and a {@link #readComplete} that the tail
 * cannot fill (a sync answer must see every append made so far). So does every read
 * while the tail lags an announced append it could not read (the other log failing),
 * until an announcement refreshes it.
 *
 * @since 0.1.0
 */
public final class CachedTailScribeLog implements ScribeLog, AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(CachedTailScribeLog.class);

	private static final int READ_BATCH = 1000;

	private final ScribeLog log;

	private final int capacity;

	private final List<AppendListener> listeners = new CopyOnWriteArrayList<>();

	private final Object refreshing = new Object();

	/** The tail: every entry with an id in (start, end], oldest first. Replaced, never changed. */
	private volatile Tail tail = Tail.EMPTY;

	/** The highest id the other log announced. */
	private final AtomicLong announced = new AtomicLong();

	/** Whether the last refresh failed, so that the tail lacks announced scribes no announcement will bring. */
	private volatile boolean lagging;

	private final AutoCloseable subscription;

	/**
	 * Creates a log that keeps the newest scribes of another.
	 * @param log the log to read from and pass calls on to
	 * @param capacity the most scribes to keep
	 */
	public CachedTailScribeLog(ScribeLog log, int capacity) {
		this.log = Objects.requireNonNull(log, "ScribeLog must not be null");
		if (capacity < 1) {
			throw new IllegalArgumentException("Capacity must be positive");
		}
		this.capacity = capacity;
		this.subscription = log.addListener(new AppendListener() {

			@Override
			public void appended(long lastId) {
				CachedTailScribeLog.this.appended(lastId, null);
			}

			@Override
			public void appended(List<ScribeEntry> entries) {
				keep(entries);
				CachedTailScribeLog.this.appended(entries.get(entries.size() - 1).id(), entries);
			}

		});
	}

	/**
	 * Adds what this node appended to the tail when it follows the tail's end, so that the
	 * announcement finds them there and reads nothing back.
	 */
	private void keep(List<ScribeEntry> entries) {
		synchronized (this.refreshing) {
			Tail next = this.tail;
			for (ScribeEntry entry : entries) {
				if (entry.id() != next.end() + 1 || next.start == Long.MAX_VALUE) {
					return;
				}
				next = next.plus(entry, this.capacity);
			}
			this.tail = next;
		}
	}

	/**
	 * Refreshes the tail up to an announced id, then tells the listeners.
	 * @param lastId the last id appended
	 * @param appended what this node appended, up to that id; {@code null} for others' appends
	 */
	private void appended(long lastId, @Nullable List<ScribeEntry> appended) {
		this.announced.accumulateAndGet(lastId, Math::max);
		try {
			refresh(lastId);
			this.lagging = false;
		}
		catch (UnsupportedOperationException ex) {
			logger.info("{} cannot be read for every client; its sessions read it directly", this.log);
			this.tail = Tail.NONE;
		}
		catch (RuntimeException ex) {
			// sessions then read the log themselves: slower, nothing lost
			this.lagging = true;
			logger.warn("Could not read the scribes up to {} into the tail", lastId, ex);
		}
		for (AppendListener listener : this.listeners) {
			try {
				if (appended != null) {
					listener.appended(appended);
				}
				else {
					listener.appended(lastId);
				}
			}
			catch (RuntimeException ex) {
				logger.warn("Append listener {} failed on scribes up to id {}", listener, lastId, ex);
			}
		}
	}

	private void refresh(long lastId) {
		synchronized (this.refreshing) {
			Tail current = this.tail;
			if (lastId <= current.end() || current.start == Long.MAX_VALUE) {
				return;
			}
			long from = Math.max(current.end(), lastId - this.capacity);
			Tail next = (from == current.end()) ? current : Tail.EMPTY.from(from);
			long position = from;
			while (position < lastId) {
				List<ScribeEntry> batch = this.log.entries(position, (int) Math.min(READ_BATCH, lastId - position));
				if (batch.isEmpty()) {
					break;
				}
				for (ScribeEntry entry : batch) {
					if (entry.id() != ++position) {
						// not the gapless ids a tail needs: leave every read to the log
						logger.warn("The log skipped from id {} to {}; reading it directly from now on", position - 1,
								entry.id());
						this.tail = Tail.NONE;
						return;
					}
					next = next.plus(entry, this.capacity);
				}
			}
			this.tail = next;
		}
	}

	@Override
	public List<Scribe> read(Reader reader, long after, int limit) {
		Tail current = this.tail;
		if (this.lagging || !current.reaches(after)) {
			return this.log.read(reader, after, limit);
		}
		// most reads are a live session's, finding one scribe or none: no list until one is found
		List<Scribe> scribes = List.of();
		for (int i = (int) (after - current.start); i < current.size && scribes.size() < limit; i++) {
			ScribeEntry entry = current.get(i);
			if (entry.isFor(reader)) {
				if (scribes.isEmpty()) {
					scribes = new ArrayList<>(Math.min(limit, current.size - i));
				}
				scribes.add(entry.scribe());
			}
		}
		return scribes;
	}

	/**
	 * Answered from the tail only when it fills the limit; otherwise by the other log,
	 * as the tail learns of appends only as they are announced (a few milliseconds late
	 * for appends made on other nodes).
	 */
	@Override
	public List<Scribe> readComplete(Reader reader, long after, int limit) {
		List<Scribe> fromTail = read(reader, after, limit);
		return (fromTail.size() >= limit) ? fromTail : this.log.readComplete(reader, after, limit);
	}

	@Override
	public List<ScribeEntry> append(List<ScribeEntry> entries) {
		return this.log.append(entries);
	}

	@Override
	public List<ScribeEntry> appendRelayed(List<Relayed> transactions) {
		return this.log.appendRelayed(transactions);
	}

	/**
	 * Answered from the tail when it holds the entries after {@code after}, up to its end;
	 * otherwise by the other log.
	 */
	@Override
	public List<ScribeEntry> entries(long after, int limit) {
		Tail current = this.tail;
		if (!current.holdsAfter(after, this.announced.get())) {
			return this.log.entries(after, limit);
		}
		int from = (int) (after - current.start);
		return current.entries(from, (int) Math.min(current.size, (long) from + Math.max(limit, 0)));
	}

	@Override
	public long lastId(Reader reader) {
		return this.log.lastId(reader);
	}

	@Override
	public Compaction.Report compact(Compaction compaction, java.time.Instant now) {
		return this.log.compact(compaction, now);
	}

	@Override
	public long horizon() {
		return this.log.horizon();
	}

	@Override
	public boolean isCompactable() {
		return this.log.isCompactable();
	}

	@Override
	public long head() {
		return this.log.head();
	}

	@Override
	public String store() {
		return this.log.store();
	}

	@Override
	public String epoch() {
		return this.log.epoch();
	}

	@Override
	public AutoCloseable addListener(AppendListener listener) {
		Objects.requireNonNull(listener, "Listener must not be null");
		this.listeners.add(listener);
		return () -> this.listeners.remove(listener);
	}

	/**
	 * Stops listening to the other log; the other log is not closed.
	 */
	@Override
	public void close() throws Exception {
		this.subscription.close();
	}

	@Override
	public String toString() {
		return "CachedTailScribeLog[" + this.log + ", capacity " + this.capacity + "]";
	}

	/**
	 * The entries with ids in (start, start + size], consecutive, at
	 * {@code slots[offset..offset + size)}; none at all once {@code start} is
	 * {@link Long#MAX_VALUE}. A tail is never changed once published: the next one writes
	 * only the slots after its end, or moves to a new array when the slots run out, so
	 * that an append costs no copy of the whole tail (only every {@code capacity} appends
	 * one of {@code capacity} entries).
	 */
	private record Tail(long start, ScribeEntry[] slots, int offset, int size) {

		static final Tail EMPTY = new Tail(0, new ScribeEntry[0], 0, 0);

		static final Tail NONE = new Tail(Long.MAX_VALUE, new ScribeEntry[0], 0, 0);

		/** An empty tail whose next entry is {@code start + 1}. */
		Tail from(long start) {
			return new Tail(start, this.slots, 0, 0);
		}

		/**
		 * This tail and the next entry, the oldest dropped beyond {@code capacity}.
		 * Writes only the slot after this tail's end, which no published tail reads.
		 */
		Tail plus(ScribeEntry entry, int capacity) {
			ScribeEntry[] target = this.slots;
			int first = this.offset;
			long firstId = this.start;
			int kept = this.size;
			if (first + kept == target.length) {
				int keep = Math.min(kept, capacity - 1);
				target = new ScribeEntry[2 * capacity];
				System.arraycopy(this.slots, first + kept - keep, target, 0, keep);
				firstId += kept - keep;
				first = 0;
				kept = keep;
			}
			target[first + kept] = entry;
			kept++;
			if (kept > capacity) {
				first++;
				firstId++;
				kept--;
			}
			return new Tail(firstId, target, first, kept);
		}

		long end() {
			return this.start + this.size;
		}

		ScribeEntry get(int index) {
			return this.slots[this.offset + index];
		}

		/** The entries at indexes [from, to), as an unmodifiable view. */
		List<ScribeEntry> entries(int from, int to) {
			return Collections.unmodifiableList(Arrays.asList(this.slots).subList(this.offset + from, this.offset + to));
		}

		/**
		 * Whether this tail can answer a read after a position: it starts at or before it,
		 * ends after it, and has every entry announced so far.
		 */
		boolean holdsAfter(long after, long announced) {
			return after >= this.start && after < end() && end() >= announced;
		}

		/**
		 * Whether this tail can answer a read for pushes after a position: it starts at or
		 * before it and ends at or after it.
		 */
		boolean reaches(long after) {
			return after >= this.start && after <= end() && this.start != Long.MAX_VALUE;
		}

	}

}
