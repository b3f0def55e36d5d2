package io.syncro.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import io.syncro.scribe.Identity;
import io.syncro.scribe.Reader;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What compaction must keep, proven once and run against each log by a subclass: seeded
 * random histories of records whose audiences change the way the recorder writes them (a
 * {@code destroy} for those who leave, a {@code create} for those who join, an
 * {@code update} for those who stay), read by clients of every kind from random positions
 * before compaction and on after it. Each ends with exactly the records it would have from
 * the whole log, or, from a position below the horizon, is told so (and gets them by
 * reading from nothing). The seed is printed; {@code -Dcompaction.seed} replays one.
 */
public abstract class CompactionContractTests {

	private static final JsonNodeFactory json = JsonNodeFactory.instance;

	private static final List<Identity> READERS = List.of(Identity.anonymous("c1"), Identity.anonymous("c2"),
			Identity.of("c3", "alice", Set.of()), Identity.of("c4", "alice", Set.of()),
			Identity.of("c5", "bob", Set.of("ROLE_ADMIN")), Identity.of("c6", "carol", Set.of()));

	/** What policies give records: everyone, or users, uids, authorities and unions of them. */
	private static final List<Recipients> AUDIENCES = List.of(Recipients.all(), Recipients.users("alice"),
			Recipients.users("bob"), Recipients.users("alice", "bob"), Recipients.only("c1"),
			Recipients.authorities("ROLE_ADMIN"), Recipients.users("carol").and(Recipients.authorities("ROLE_ADMIN")));

	/** With everyone but some too, whose unions with some the recipient algebra cannot always fold. */
	private static final List<Recipients> MIXED = concat(AUDIENCES, List.of(Recipients.allExcept(List.of("c2")),
			Recipients.allExcept(List.of(Recipients.users("bob").listed().iterator().next()))));

	private ScribeLog log;

	/**
	 * Creates the log under test, empty.
	 * @return the log
	 */
	protected abstract ScribeLog createLog();

	@BeforeEach
	void createLogUnderTest() {
		this.log = createLog();
	}

	@AfterEach
	void closeLog() throws Exception {
		if (this.log instanceof AutoCloseable closeable) {
			closeable.close();
		}
	}

	@Test
	void everyReaderEndsWithWhatTheWholeLogGivesItFromAnyPosition() {
		readersEndWithTheWholeLog(AUDIENCES, true);
	}

	@Test
	void recordsWhoseAudiencesCannotBeFoldedStayCorrect() {
		readersEndWithTheWholeLog(MIXED, false);
	}

	private void readersEndWithTheWholeLog(List<Recipients> audiences, boolean bounded) {
		long seed = Long.getLong("compaction.seed", System.nanoTime());
		System.out.println("Compaction contract, " + getClass().getSimpleName() + ", seed " + seed);
		Random random = new Random(seed);
		AudienceHistory history = new AudienceHistory(this.log, random, audiences);
		for (int round = 0; round < 4; round++) {
			history.write(60 + random.nextInt(60));
			Map<Identity, Map<String, JsonNode>> whole = new HashMap<>();
			Map<Identity, List<Long>> positions = new HashMap<>();
			Map<Identity, Map<Long, Map<String, JsonNode>>> before = new HashMap<>();
			for (Identity reader : READERS) {
				whole.put(reader, state(reader, 0, new TreeMap<>()));
				List<Long> at = new ArrayList<>(List.of(0L, this.log.head()));
				for (int i = 0; i < 5; i++) {
					at.add((long) random.nextInt((int) this.log.head() + 1));
				}
				positions.put(reader, at);
				Map<Long, Map<String, JsonNode>> states = new HashMap<>();
				for (long position : at) {
					states.put(position, AudienceHistory.stateUpTo(this.log, reader, position));
				}
				before.put(reader, states);
			}
			long keep = 1 + random.nextInt(30);
			Duration retention = random.nextBoolean() ? Duration.ofDays(7) : Duration.ZERO;
			Compaction.Report report = this.log.compact(new Compaction(keep, retention), Instant.now());
			if (bounded) {
				assertThat(size()).as("scribes after compacting with %d kept (seed %d)", keep, seed)
					.isLessThanOrEqualTo(history.live() + history.tombstones() + keep);
			}
			if (bounded && retention.isZero()) {
				// no tombstone stays: each record (alive at the cut-off) is one create, at most
				assertThat(size()).as("%s, %d kept (seed %d)", report, keep, seed)
					.isLessThanOrEqualTo(history.keys() + keep);
			}
			for (Identity reader : READERS) {
				for (long position : positions.get(reader)) {
					Map<String, JsonNode> held = new TreeMap<>(before.get(reader).get(position));
					Map<String, JsonNode> after = (position > 0 && position < this.log.horizon())
							? state(reader, 0, new TreeMap<>()) : state(reader, position, held);
					assertThat(after).as("%s from %d after compaction %s (seed %d)", reader, position, report, seed)
						.isEqualTo(whole.get(reader));
				}
			}
			Compaction.Report again = this.log.compact(new Compaction(keep, Duration.ofDays(7)), Instant.now());
			assertThat(again.removed()).as("compacting again at once (seed %d)", seed).isZero();
		}
	}

	@Test
	void idsKeepRisingAndTheHeadStaysWhereItWas() {
		AudienceHistory history = new AudienceHistory(this.log, new Random(7), AUDIENCES);
		history.write(200);
		long head = this.log.head();
		this.log.compact(new Compaction(5, Duration.ZERO), Instant.now());
		assertThat(this.log.head()).isEqualTo(head);
		List<ScribeEntry> appended = this.log.append(List.of(new ScribeEntry(Scribe.destroy("Todo", "x"), Recipients.all(), null)));
		assertThat(appended.get(0).id()).isEqualTo(head + 1);
		long previous = 0;
		for (Scribe scribe : this.log.read(Reader.of(READERS.get(2), true), 0, 10_000)) {
			assertThat(scribe.id()).isGreaterThan(previous);
			previous = scribe.id();
		}
	}

	private static <T> List<T> concat(List<T> one, List<T> two) {
		List<T> both = new ArrayList<>(one);
		both.addAll(two);
		return both;
	}

	private long size() {
		return this.log.entries(0, Integer.MAX_VALUE).size();
	}

	/** Reads on from a position in pages, as a sync does. */
	private Map<String, JsonNode> state(Identity reader, long position, Map<String, JsonNode> records) {
		long after = position;
		while (true) {
			List<Scribe> page = this.log.read(Reader.of(reader, true), after, 7);
			if (page.isEmpty()) {
				return records;
			}
			page.forEach((scribe) -> AudienceHistory.apply(records, scribe));
			after = page.get(page.size() - 1).id();
		}
	}

}
