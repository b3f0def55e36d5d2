package io.syncro.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import io.syncro.protocol.RecordDigest;
import io.syncro.scribe.Identity;
import io.syncro.scribe.Reader;
import io.syncro.scribe.Recipients;
import io.syncro.store.AudienceHistory;
import io.syncro.store.InMemoryScribeLog;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@link DigestIndex} against what clients hold: seeded random histories of records
 * whose audiences change as the recorder writes them, and for each reader, at the ends of
 * random appends below and above the index's own position, the digest equals that of the
 * records the reader holds after applying its scribes up to there. (Within an append, a
 * record's audience is already the new one for scribes still to come: a client that joins
 * it holds the record only once its {@code create} came.) The seed is printed;
 * {@code -Ddigest.seed} replays one.
 */
class DigestIndexTests {

	private static final List<Identity> READERS = List.of(Identity.anonymous("c1"), Identity.anonymous("c2"),
			Identity.of("c3", "alice", Set.of()), Identity.of("c5", "bob", Set.of("ROLE_ADMIN")),
			Identity.of("c6", "carol", Set.of()));

	private static final List<Recipients> AUDIENCES = List.of(Recipients.all(), Recipients.users("alice"),
			Recipients.users("bob"), Recipients.users("alice", "bob"), Recipients.only("c1"),
			Recipients.authorities("ROLE_ADMIN"), Recipients.users("carol").and(Recipients.authorities("ROLE_ADMIN")));

	private final InMemoryScribeLog log = new InMemoryScribeLog();

	@Test
	void aReadersDigestIsThatOfTheRecordsItHoldsAtAnyPosition() {
		long seed = Long.getLong("digest.seed", System.nanoTime());
		System.out.println("Digest index, seed " + seed);
		Random random = new Random(seed);
		AudienceHistory history = new AudienceHistory(this.log, random, AUDIENCES);
		DigestIndex index = new DigestIndex(this.log);
		// built on the empty log: every position from there on can be given
		index.advance(0);
		// digests are given where an append ends, as sessions ask for them when caught up
		List<Long> ends = new ArrayList<>(List.of(0L));
		this.log.addListener(ends::add);
		for (int round = 0; round < 5; round++) {
			history.write(50 + random.nextInt(100));
			List<Long> positions = new ArrayList<>(List.of(this.log.head()));
			for (int i = 0; i < 6; i++) {
				positions.add(ends.get(random.nextInt(ends.size())));
			}
			for (long at : positions) {
				for (Identity reader : READERS) {
					assertThat(index.digests(Reader.of(reader, true), at, Set.of()))
						.as("%s at %d of %d (seed %d)", reader, at, this.log.head(), seed)
						.isEqualTo(expected(reader, at));
				}
			}
		}
	}

	@Test
	void klassesLeftOutAreNotGivenAndAPositionBelowTheKeptChangesHasNoDigest() {
		AudienceHistory history = new AudienceHistory(this.log, new Random(3), AUDIENCES);
		DigestIndex index = new DigestIndex(this.log, 10);
		index.advance(0);
		history.write(100);
		Reader reader = Reader.of(READERS.get(2), true);
		assertThat(index.digests(reader, this.log.head(), Set.of("Page"))).containsOnlyKeys("Todo");
		assertThat(index.digests(reader, this.log.head() - 10, Set.of())).isNotNull();
		assertThat(index.digests(reader, this.log.head() - 11, Set.of())).isNull();
	}

	@Test
	void anIndexReadFromACompactedLogGivesTheDigestsOfTheWholeOne() {
		AudienceHistory history = new AudienceHistory(this.log, new Random(11), AUDIENCES);
		history.write(300);
		this.log.compact(new io.syncro.store.Compaction(5, java.time.Duration.ZERO), java.time.Instant.now());
		DigestIndex index = new DigestIndex(this.log);
		for (Identity reader : READERS) {
			assertThat(index.digests(Reader.of(reader, true), this.log.head(), Set.of())).as("%s", reader)
				.isEqualTo(expected(reader, this.log.head()));
		}
	}

	@Test
	void anIndexThatMissedATombstoneReadsTheLogAgainAndGivesNoPositionBelowWhereItGotTo() {
		AudienceHistory history = new AudienceHistory(this.log, new Random(5), AUDIENCES);
		history.write(200);
		DigestIndex index = new DigestIndex(this.log);
		index.advance(this.log.head());
		long built = this.log.head();
		assertThat(index.digests(Reader.of(READERS.get(0), true), built - 1, Set.of())).isNull();
		history.write(200);
		// every destroy the index has not read yet goes at once
		this.log.compact(new io.syncro.store.Compaction(1, java.time.Duration.ZERO), java.time.Instant.now());
		assertThat(this.log.horizon()).isGreaterThan(built);
		for (Identity reader : READERS) {
			assertThat(index.digests(Reader.of(reader, true), this.log.head(), Set.of())).as("%s", reader)
				.isEqualTo(expected(reader, this.log.head()));
		}
	}

	/** The digest of each klass over the records the reader holds at a position. */
	private Map<String, RecordDigest> expected(Identity reader, long at) {
		Map<String, RecordDigest> digests = new TreeMap<>();
		// every klass the log has held, those with none for the reader too
		this.log.entries(0, Integer.MAX_VALUE)
			.forEach((entry) -> digests.put(entry.scribe().klass(), RecordDigest.EMPTY));
		for (Map.Entry<String, JsonNode> held : AudienceHistory.stateUpTo(this.log, reader, at).entrySet()) {
			String klass = held.getKey().substring(0, held.getKey().indexOf(' '));
			digests.merge(klass, RecordDigest.EMPTY.plus(RecordDigest.hash(held.getValue())), RecordDigest::plus);
		}
		return digests;
	}

}
