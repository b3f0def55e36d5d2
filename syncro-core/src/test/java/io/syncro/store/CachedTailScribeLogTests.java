package io.syncro.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.syncro.scribe.Reader;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CachedTailScribeLog}: the log contract with a tail of three scribes,
 * so that reads start before, inside and after the tail, and what the tail spares the
 * log underneath.
 */
class CachedTailScribeLogTests extends ScribeLogContractTests {

	@Override
	protected ScribeLog createLog() {
		return new CachedTailScribeLog(new InMemoryScribeLog(), 3);
	}

	@Test
	void readsWithinTheTailAreAnsweredWithoutTheLogAndFilteredForTheReader() {
		CountingLog counting = new CountingLog(new InMemoryScribeLog());
		CachedTailScribeLog log = new CachedTailScribeLog(counting, 100);
		log.append(List.of(todo(Recipients.all(), null)));
		log.append(List.of(todo(Recipients.only("alice"), null), todo(Recipients.all(), "bob")));
		int entriesRead = counting.entriesReads.get();
		assertThat(log.read("alice", 0, 10)).extracting(Scribe::id).containsExactly(1L, 2L, 3L);
		assertThat(log.read("bob", 0, 10)).extracting(Scribe::id).containsExactly(1L);
		assertThat(log.read("carol", 1, 10)).extracting(Scribe::id).containsExactly(3L);
		assertThat(log.read("alice", 1, 1)).extracting(Scribe::id).containsExactly(2L);
		assertThat(counting.reads.get()).isZero();
		assertThat(entriesRead).isEqualTo(2);
	}

	@Test
	void theNodesOwnAppendsGoIntoTheTailWithoutAReadBackAndOthersAreReadBack() {
		CountingLog counting = new CountingLog(new InMemoryScribeLog());
		counting.tellEntries = true;
		CachedTailScribeLog log = new CachedTailScribeLog(counting, 100);
		log.append(List.of(todo(Recipients.all(), null)));
		log.append(List.of(todo(Recipients.only("alice"), null), todo(Recipients.all(), "bob")));
		assertThat(counting.entriesReads.get()).isZero();
		assertThat(log.read("alice", 0, 10)).extracting(Scribe::id).containsExactly(1L, 2L, 3L);
		assertThat(log.read("bob", 0, 10)).extracting(Scribe::id).containsExactly(1L);
		// another node appended 4 and 5, and this node 6 before their announcement came
		counting.muted = true;
		counting.append(List.of(todo(Recipients.all(), null), todo(Recipients.all(), null)));
		counting.muted = false;
		log.append(List.of(todo(Recipients.all(), null)));
		assertThat(counting.entriesReads.get()).isOne();
		assertThat(log.read("carol", 3, 10)).extracting(Scribe::id).containsExactly(4L, 5L, 6L);
		assertThat(counting.reads.get()).isZero();
	}

	@Test
	void readsBeforeOrAfterTheTailGoToTheLog() {
		CountingLog counting = new CountingLog(new InMemoryScribeLog());
		CachedTailScribeLog log = new CachedTailScribeLog(counting, 2);
		for (int i = 0; i < 5; i++) {
			log.append(List.of(todo(Recipients.all(), null)));
		}
		assertThat(log.read("alice", 3, 10)).extracting(Scribe::id).containsExactly(4L, 5L);
		assertThat(counting.reads.get()).isZero();
		assertThat(log.read("alice", 1, 10)).extracting(Scribe::id).containsExactly(2L, 3L, 4L, 5L);
		assertThat(log.read("alice", 6, 10)).isEmpty();
		assertThat(counting.reads.get()).isEqualTo(2);
	}

	@Test
	void theTailKeepsTheNewestEntriesThroughManyAppendsAndWhatItHandedOutNeverChanges() {
		CountingLog counting = new CountingLog(new InMemoryScribeLog());
		CachedTailScribeLog log = new CachedTailScribeLog(counting, 3);
		List<List<ScribeEntry>> handedOut = new ArrayList<>();
		long last = 0;
		for (int round = 1; round <= 40; round++) {
			// one, two or four at once: the tail's slots run out at every place in a batch
			int batch = (round % 3 == 0) ? 2 : (round % 7 == 0) ? 4 : 1;
			List<ScribeEntry> appending = new ArrayList<>();
			for (int i = 0; i < batch; i++) {
				appending.add(todo(Recipients.all(), null));
			}
			log.append(appending);
			last += batch;
			if (last < 3) {
				continue;
			}
			int entriesReads = counting.entriesReads.get();
			List<ScribeEntry> tail = log.entries(last - 3, 10);
			assertThat(tail).extracting(ScribeEntry::id).containsExactly(last - 2, last - 1, last);
			assertThat(log.read("alice", last - 3, 10)).extracting(Scribe::id).containsExactly(last - 2, last - 1, last);
			assertThat(counting.entriesReads.get()).isEqualTo(entriesReads);
			handedOut.add(tail);
		}
		assertThat(counting.reads.get()).isZero();
		for (int round = 0; round < handedOut.size(); round++) {
			List<Long> ids = handedOut.get(round).stream().map(ScribeEntry::id).toList();
			assertThat(ids).hasSize(3);
			assertThat(ids.get(1)).isEqualTo(ids.get(0) + 1);
			assertThat(ids.get(2)).isEqualTo(ids.get(0) + 2);
		}
	}

	@Test
	void aReadAtTheEndOfTheTailIsAnsweredByItWithNothing() {
		// a live session reads once more after the scribes it was woken for, on every wake
		CountingLog counting = new CountingLog(new InMemoryScribeLog());
		CachedTailScribeLog log = new CachedTailScribeLog(counting, 2);
		for (int i = 0; i < 5; i++) {
			log.append(List.of(todo(Recipients.all(), null)));
		}
		assertThat(log.read("alice", 5, 10)).isEmpty();
		assertThat(counting.reads.get()).isZero();
	}

	@Test
	void aReadAtTheEndOfTheTailWhileItIsRefreshedFindsTheAppendOnTheAnnouncement() {
		CountingLog counting = new CountingLog(new InMemoryScribeLog());
		CachedTailScribeLog log = new CachedTailScribeLog(counting, 10);
		log.append(List.of(todo(Recipients.all(), null)));
		List<Long> readBeforeTheTail = new ArrayList<>();
		List<Long> readOnTheAnnouncement = new ArrayList<>();
		counting.onEntries = () -> log.read("alice", 1, 10).forEach((scribe) -> readBeforeTheTail.add(scribe.id()));
		log.addListener((lastId) -> log.read("alice", 1, 10).forEach((scribe) -> readOnTheAnnouncement.add(scribe.id())));
		log.append(List.of(todo(Recipients.all(), null)));
		assertThat(readBeforeTheTail).isEmpty();
		assertThat(readOnTheAnnouncement).containsExactly(2L);
	}

	@Test
	void listenersAreToldOnlyOnceTheTailHoldsTheAppend() {
		CachedTailScribeLog log = new CachedTailScribeLog(new InMemoryScribeLog(), 10);
		AtomicInteger seen = new AtomicInteger();
		log.addListener((lastId) -> seen.set(log.read("alice", lastId - 1, 10).size()));
		log.append(List.of(todo(Recipients.all(), null)));
		assertThat(seen).hasValue(1);
	}

	@Test
	void completeReadsAreAnsweredByTheTailOnlyWhenItFillsThem() {
		CountingLog counting = new CountingLog(new InMemoryScribeLog());
		CachedTailScribeLog log = new CachedTailScribeLog(counting, 100);
		log.append(List.of(todo(Recipients.all(), null), todo(Recipients.all(), null), todo(Recipients.all(), null)));
		assertThat(log.readComplete("alice", 0, 2)).extracting(Scribe::id).containsExactly(1L, 2L);
		assertThat(counting.reads.get()).isZero();
		assertThat(log.readComplete("alice", 0, 10)).extracting(Scribe::id).containsExactly(1L, 2L, 3L);
		assertThat(counting.reads.get()).isOne();
	}

	@Test
	void aTailThatCouldNotBeRefreshedLeavesReadsToTheLogUntilItIs() {
		CountingLog counting = new CountingLog(new InMemoryScribeLog());
		CachedTailScribeLog log = new CachedTailScribeLog(counting, 100);
		log.append(List.of(todo(Recipients.all(), null), todo(Recipients.all(), null)));
		// the log cannot be read when the next appends are announced (Redis timing out)
		counting.failEntries = true;
		log.append(List.of(todo(Recipients.all(), null), todo(Recipients.all(), null)));
		log.append(List.of(todo(Recipients.all(), null)));
		assertThat(log.read("alice", 0, 10)).extracting(Scribe::id).containsExactly(1L, 2L, 3L, 4L, 5L);
		assertThat(log.read("alice", 1, 10)).extracting(Scribe::id).containsExactly(2L, 3L, 4L, 5L);
		// the next announcement refreshes it
		counting.failEntries = false;
		log.append(List.of(todo(Recipients.all(), null)));
		int reads = counting.reads.get();
		assertThat(log.read("alice", 0, 10)).extracting(Scribe::id).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
		assertThat(counting.reads.get()).isEqualTo(reads);
	}

	private static ScribeEntry todo(Recipients recipients, @Nullable String origin) {
		return new ScribeEntry(Scribe.destroy("Todo", "t" + System.nanoTime()), recipients, origin);
	}

	/**
	 * Counts the reads that reach the log. Tells listeners only the last id of an append,
	 * as a shared log tells of another node's, unless {@link #tellEntries} is set.
	 */
	private static final class CountingLog extends ForwardingScribeLog {

		final AtomicInteger reads = new AtomicInteger();

		volatile boolean tellEntries;

		volatile boolean muted;

		final AtomicInteger entriesReads = new AtomicInteger();

		volatile boolean failEntries;

		// run as the tail reads the log, before it holds what it read
		volatile Runnable onEntries = () -> {
		};

		CountingLog(ScribeLog target) {
			super(target);
		}

		@Override
		public List<Scribe> read(Reader reader, long after, int limit) {
			this.reads.incrementAndGet();
			return super.read(reader, after, limit);
		}

		@Override
		public AutoCloseable addListener(AppendListener listener) {
			return super.addListener(new AppendListener() {

				@Override
				public void appended(long lastId) {
					listener.appended(lastId);
				}

				@Override
				public void appended(List<ScribeEntry> entries) {
					if (CountingLog.this.muted) {
						return;
					}
					if (CountingLog.this.tellEntries) {
						listener.appended(entries);
					}
					else {
						listener.appended(entries.get(entries.size() - 1).id());
					}
				}

			});
		}

		@Override
		public List<ScribeEntry> entries(long after, int limit) {
			this.entriesReads.incrementAndGet();
			if (this.failEntries) {
				throw new IllegalStateException("The log cannot be reached");
			}
			this.onEntries.run();
			return super.entries(after, limit);
		}

	}

}
