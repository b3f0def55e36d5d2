package io.syncro.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.syncro.scribe.Reader;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ScribeLog} kept in this JVM's memory, for a single node and for tests. Safe
 * for use from many threads.
 * <p>
 * Appends take one lock that covers both assigning the ids and publishing the scribes,
 * so the scribes of one append get consecutive ids and become visible together, and a
 * reader that has seen id N never later finds a newly visible scribe below N
 * (PROTOCOL.md section 4). Readers take no lock: each {@link #read} works on an
 * immutable view of the log published by the last append.
 * <p>
 * Costs: {@link #append} is amortised O(k) for k scribes plus, per scribe, the size of
 * its recipient list; {@link #read} finds its start by binary search on the id and then
 * walks forward, O(log n + m) for the m scribes it passes over; {@link #lastId} walks
 * back from the newest scribe to the first the reader gets. Nothing is evicted but by
 * {@link #compact}: without it memory grows with the log.
 * <p>
 * The scribes returned by {@link #append} and {@link #read} are the ones the log keeps
 * and are shared between readers: do not change their JSON. The JSON given to
 * {@link #append} is copied, so the caller may change it afterwards.
 *
 * @since 0.1.0
 */
public final class InMemoryScribeLog implements ScribeLog {

	private static final Logger logger = LoggerFactory.getLogger(InMemoryScribeLog.class);

	private static final int INITIAL_CAPACITY = 64;

	private final Object lock = new Object();

	private final List<AppendListener> listeners = new CopyOnWriteArrayList<>();

	/** A log in memory is a history of its own. */
	private final String epoch = UUID.randomUUID().toString();

	/** What readers see; replaced, under the lock, after every append. */
	private volatile View view = new View(new ScribeEntry[INITIAL_CAPACITY], 0, 0);

	// guarded by lock: when compaction first saw each tombstone
	private final Compaction.Tombstones tombstones = new Compaction.Tombstones();

	// the highest id of a tombstone compaction removed
	private volatile long horizon;

	private final Object relayLock = new Object();

	/** The positions of the last {@link #appendRelayed} call. */
	private Set<Long> lastRelayed = Set.of();

	@Override
	public List<ScribeEntry> append(List<ScribeEntry> entries) {
		if (entries.isEmpty()) {
			return List.of();
		}
		List<ScribeEntry> appended = new ArrayList<>(entries.size());
		long lastId;
		synchronized (this.lock) {
			View current = this.view;
			ScribeEntry[] array = current.entries;
			int size = current.size;
			if (size + entries.size() > array.length) {
				array = Arrays.copyOf(array, Math.max(array.length * 2, size + entries.size()));
			}
			lastId = current.lastId;
			for (ScribeEntry entry : entries) {
				lastId++;
				ScribeEntry kept = entry.copyWithId(lastId);
				array[size++] = kept;
				appended.add(kept);
			}
			// Slots at and above the old size are invisible to older views, so filling them
			// in the shared array is safe; this volatile write publishes them.
			this.view = new View(array, size, lastId);
		}
		List<ScribeEntry> told = List.copyOf(appended);
		notifyListeners(told);
		return told;
	}

	@Override
	public List<ScribeEntry> appendRelayed(List<Relayed> transactions) {
		synchronized (this.relayLock) {
			List<ScribeEntry> entries = new ArrayList<>();
			Set<Long> positions = new HashSet<>();
			for (Relayed transaction : transactions) {
				positions.add(transaction.position());
				if (!this.lastRelayed.contains(transaction.position())) {
					entries.addAll(transaction.entries());
				}
			}
			List<ScribeEntry> appended = append(entries);
			this.lastRelayed = positions;
			return appended;
		}
	}

	private void notifyListeners(List<ScribeEntry> appended) {
		for (AppendListener listener : this.listeners) {
			try {
				listener.appended(appended);
			}
			catch (RuntimeException ex) {
				logger.warn("Append listener {} failed on scribes up to id {}", listener,
						appended.get(appended.size() - 1).id(), ex);
			}
		}
	}

	@Override
	public List<ScribeEntry> entries(long after, int limit) {
		View current = this.view;
		int from = current.firstAfter(after);
		int to = (int) Math.min(current.size, (long) from + Math.max(limit, 0));
		return List.of(Arrays.copyOfRange(current.entries, from, Math.max(from, to)));
	}

	@Override
	public List<Scribe> read(Reader reader, long after, int limit) {
		View current = this.view;
		List<Scribe> scribes = new ArrayList<>(Math.min(Math.max(limit, 0), 128));
		for (int i = current.firstAfter(after); i < current.size && scribes.size() < limit; i++) {
			ScribeEntry entry = current.entries[i];
			if (entry.isFor(reader)) {
				scribes.add(entry.scribe());
			}
		}
		return scribes;
	}

	@Override
	public long head() {
		return this.view.lastId;
	}

	@Override
	public Compaction.Report compact(Compaction compaction, Instant now) {
		synchronized (this.lock) {
			View current = this.view;
			long keep = Math.min(compaction.keepRecent(), current.size);
			int cut = (int) (current.size - keep);
			if (cut == 0) {
				return Compaction.Report.nothing(this.horizon);
			}
			long cutoff = current.entries[cut - 1].id();
			List<ScribeEntry> old = Arrays.asList(current.entries).subList(0, cut);
			RecordFolds.Result folded = Compaction.fold(old);
			Map<Long, ScribeEntry> written = new HashMap<>();
			folded.written().forEach((entry) -> written.put(entry.id(), entry));
			Set<Long> removed = new HashSet<>(folded.removed());
			List<ScribeEntry> kept = new ArrayList<>(cut);
			for (ScribeEntry entry : old) {
				if (!removed.contains(entry.id())) {
					kept.add(written.getOrDefault(entry.id(), entry));
				}
			}
			List<Long> expired = this.tombstones.expired(folded.tombstones(), now, compaction.tombstoneRetention());
			if (!expired.isEmpty()) {
				kept.removeIf((entry) -> expired.contains(entry.id()));
				this.horizon = Math.max(this.horizon, expired.get(expired.size() - 1));
			}
			ScribeEntry[] array = new ScribeEntry[Math.max(INITIAL_CAPACITY, kept.size() + (int) keep)];
			kept.toArray(array);
			System.arraycopy(current.entries, cut, array, kept.size(), (int) keep);
			this.view = new View(array, kept.size() + (int) keep, current.lastId);
			return new Compaction.Report(cutoff, folded.records(), cut - kept.size(), expired.size(), this.horizon);
		}
	}

	@Override
	public boolean isCompactable() {
		return true;
	}

	@Override
	public long horizon() {
		return this.horizon;
	}

	@Override
	public String store() {
		return "memory";
	}

	@Override
	public String epoch() {
		return this.epoch;
	}

	@Override
	public long lastId(Reader reader) {
		View current = this.view;
		for (int i = current.size - 1; i >= 0; i--) {
			if (current.entries[i].isFor(reader)) {
				return current.entries[i].id();
			}
		}
		return 0;
	}

	@Override
	public AutoCloseable addListener(AppendListener listener) {
		this.listeners.add(listener);
		return () -> this.listeners.remove(listener);
	}

	/**
	 * The number of scribes in the log, for every client.
	 * @return the number of scribes
	 */
	public int size() {
		return this.view.size;
	}

	/**
	 * The first {@code size} slots of a shared array, never changed once published.
	 */
	private record View(ScribeEntry[] entries, int size, long lastId) {

		/** The index of the first scribe with an id above {@code after}, or size. */
		int firstAfter(long after) {
			int low = 0;
			int high = this.size;
			while (low < high) {
				int middle = (low + high) >>> 1;
				if (this.entries[middle].id() <= after) {
					low = middle + 1;
				}
				else {
					high = middle;
				}
			}
			return low;
		}

	}

}
