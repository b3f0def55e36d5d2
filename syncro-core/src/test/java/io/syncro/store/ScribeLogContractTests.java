package io.syncro.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import io.syncro.scribe.Cause;
import io.syncro.scribe.Identity;
import io.syncro.scribe.Reader;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The behaviour every {@link ScribeLog} must have, proven once and run against each
 * backend by a subclass. A multi-node backend also overrides
 * {@link #createSecondNodeLog()} so that the tests exercise two nodes sharing storage.
 *
 * @since 0.1.0
 */
public abstract class ScribeLogContractTests {

	private static final JsonMapper mapper = JsonMapper.builder().build();

	private static final Duration NOTIFICATION_WAIT = Duration.ofSeconds(10);

	private static final Duration CONCURRENCY_WAIT = Duration.ofSeconds(60);

	private ScribeLog log;

	private final List<AutoCloseable> handles = new ArrayList<>();

	private final AtomicLong recordCounter = new AtomicLong();

	/**
	 * Creates the log under test, called before each test. It must be empty, so that its
	 * first id is 1.
	 * @return an empty log
	 */
	protected abstract ScribeLog createLog();

	/**
	 * Creates a log as a second node would see it: another instance sharing the storage
	 * of {@link #log()}. Called at most once per test, after {@link #createLog()}.
	 * Single-node backends keep the default, the same instance.
	 * @return a log sharing the storage of {@link #log()}
	 */
	protected ScribeLog createSecondNodeLog() {
		return this.log;
	}

	/**
	 * The log created for the current test.
	 * @return the log
	 */
	protected final ScribeLog log() {
		return this.log;
	}

	@BeforeEach
	void createLogUnderTest() {
		this.log = createLog();
	}

	@AfterEach
	void removeListeners() throws Exception {
		for (AutoCloseable handle : this.handles) {
			handle.close();
		}
	}

	@Test
	void idsStartAtOneAndAreConsecutiveWithinOneAppend() {
		List<ScribeEntry> first = this.log.append(List.of(entry(Recipients.all(), null)));
		List<ScribeEntry> second = this.log.append(
				List.of(entry(Recipients.all(), null), entry(Recipients.all(), null), entry(Recipients.all(), null)));
		assertThat(ids(first)).containsExactly(1L);
		assertThat(ids(second)).containsExactly(2L, 3L, 4L);
	}

	@Test
	void appendReturnsTheEntriesInOrderWithTheirIds() {
		ScribeEntry create = new ScribeEntry(Scribe.create("Todo", record("r1")), Recipients.only("alice"), "bob");
		ScribeEntry destroy = new ScribeEntry(Scribe.destroy("Todo", "r2"), Recipients.allExcept(Set.of("carol")),
				null);
		List<ScribeEntry> appended = this.log.append(List.of(create, destroy));
		assertThat(appended).containsExactly(create.withId(1), destroy.withId(2));
	}

	@Test
	void appendOfNoScribesUsesNoId() {
		assertThat(this.log.append(List.of())).isEmpty();
		assertThat(ids(this.log.append(List.of(entry(Recipients.all(), null))))).containsExactly(1L);
	}

	@Test
	void appendIgnoresTheIdsItIsGiven() {
		ScribeEntry entry = entry(Recipients.all(), null).withId(99);
		assertThat(ids(this.log.append(List.of(entry)))).containsExactly(1L);
		assertThat(this.log.read("alice", 0, 10)).extracting(Scribe::id).containsExactly(1L);
	}

	@Test
	void appendRelayedAppendsEachTransactionTogetherInTheGivenOrder() {
		ScribeEntry first = entry(Recipients.all(), null);
		ScribeEntry second = entry(Recipients.only("alice"), "bob");
		ScribeEntry third = entry(Recipients.all(), null);
		List<ScribeEntry> appended = this.log
			.appendRelayed(List.of(new Relayed(7, List.of(first, second)), new Relayed(3, List.of(third))));
		assertThat(appended).containsExactly(first.withId(1), second.withId(2), third.withId(3));
		assertThat(this.log.read("alice", 0, 10)).containsExactlyElementsOf(scribes(appended));
	}

	@Test
	void appendRelayedLeavesOutTheTransactionsOfThePreviousCallSentAgain() {
		this.log.appendRelayed(List.of(new Relayed(1, List.of(entry(Recipients.all(), null))),
				new Relayed(2, List.of(entry(Recipients.all(), null)))));
		ScribeEntry fresh = entry(Recipients.all(), null);
		List<ScribeEntry> again = this.log.appendRelayed(List.of(new Relayed(1, List.of(entry(Recipients.all(), null))),
				new Relayed(2, List.of(entry(Recipients.all(), null))), new Relayed(4, List.of(fresh))));
		assertThat(again).containsExactly(fresh.withId(3));
		assertThat(this.log.appendRelayed(List.of(new Relayed(4, List.of(fresh))))).isEmpty();
		assertThat(this.log.read("alice", 0, 10)).extracting(Scribe::id).containsExactly(1L, 2L, 3L);
	}

	@Test
	void appendRelayedTellsListenersLikeAnAppend() {
		List<Long> told = new CopyOnWriteArrayList<>();
		listen(this.log, told::add);
		this.log.appendRelayed(List.of(new Relayed(1, List.of(entry(Recipients.all(), null), entry(Recipients.all(), null)))));
		await().untilAsserted(() -> assertThat(told).contains(2L));
	}

	@Test
	void entriesReturnsEveryClientsScribesWithRecipientsAndOriginAfterThePosition() {
		ScribeEntry forAll = entry(Recipients.all(), null);
		ScribeEntry forAlice = new ScribeEntry(Scribe.create("Todo", record("r1")), Recipients.only("alice"), "bob");
		ScribeEntry notForCarol = new ScribeEntry(Scribe.destroy("Todo", "r2"), Recipients.allExcept(Set.of("carol")),
				null);
		this.log.append(List.of(forAll));
		this.log.append(List.of(forAlice, notForCarol));
		assertThat(this.log.entries(0, 10)).containsExactly(forAll.withId(1), forAlice.withId(2),
				notForCarol.withId(3));
		assertThat(this.log.entries(1, 1)).containsExactly(forAlice.withId(2));
		assertThat(this.log.entries(3, 10)).isEmpty();
		assertThat(this.log.entries(2, 0)).isEmpty();
	}

	@Test
	void readAfterZeroReturnsEveryScribeMeantForTheClientOldestFirst() {
		List<ScribeEntry> appended = new ArrayList<>();
		appended.addAll(this.log.append(List.of(entry(Recipients.all(), null))));
		appended.addAll(this.log.append(List.of(entry(Recipients.all(), "bob"), entry(Recipients.all(), null))));
		appended.addAll(this.log.append(List.of(entry(Recipients.only("alice"), null))));
		assertThat(this.log.read("alice", 0, 100)).containsExactlyElementsOf(scribes(appended));
	}

	@Test
	void readReturnsOnlyScribesAfterThePosition() {
		appendToAll(5);
		assertThat(this.log.read("alice", 3, 100)).extracting(Scribe::id).containsExactly(4L, 5L);
		assertThat(this.log.read("alice", 5, 100)).isEmpty();
		assertThat(this.log.read("alice", 17, 100)).isEmpty();
	}

	@Test
	void readReturnsAtMostLimitScribesAndTheRestFromTheLastOneReturned() {
		appendToAll(7);
		List<Scribe> first = this.log.read("alice", 0, 3);
		assertThat(first).extracting(Scribe::id).containsExactly(1L, 2L, 3L);
		assertThat(this.log.read("alice", 3, 3)).extracting(Scribe::id).containsExactly(4L, 5L, 6L);
		assertThat(this.log.read("alice", 6, 3)).extracting(Scribe::id).containsExactly(7L);
	}

	@Test
	void readCountsTheLimitInScribesMeantForTheClient() {
		this.log.append(List.of(entry(Recipients.only("bob"), null), entry(Recipients.only("alice"), null),
				entry(Recipients.only("bob"), null), entry(Recipients.only("bob"), null),
				entry(Recipients.only("alice"), null), entry(Recipients.only("alice"), null)));
		assertThat(this.log.read("alice", 0, 2)).extracting(Scribe::id).containsExactly(2L, 5L);
		assertThat(this.log.read("alice", 2, 1)).extracting(Scribe::id).containsExactly(5L);
	}

	@Test
	void scribesForOnlySomeClientsReachOnlyThoseClients() {
		this.log.append(List.of(entry(Recipients.only("alice", "bob"), null)));
		assertThat(this.log.read("alice", 0, 10)).extracting(Scribe::id).containsExactly(1L);
		assertThat(this.log.read("bob", 0, 10)).extracting(Scribe::id).containsExactly(1L);
		assertThat(this.log.read("carol", 0, 10)).isEmpty();
	}

	@Test
	void scribesForAllExceptSomeClientsReachEveryoneButThoseClients() {
		this.log.append(List.of(entry(Recipients.allExcept(Set.of("alice", "bob")), null)));
		assertThat(this.log.read("alice", 0, 10)).isEmpty();
		assertThat(this.log.read("bob", 0, 10)).isEmpty();
		assertThat(this.log.read("carol", 0, 10)).extracting(Scribe::id).containsExactly(1L);
		assertThat(this.log.read("never-seen-before", 0, 10)).extracting(Scribe::id).containsExactly(1L);
	}

	@Test
	void scribesForAllClientsReachEveryClient() {
		this.log.append(List.of(entry(Recipients.all(), null)));
		for (String client : List.of("alice", "bob", "server", "never-seen-before")) {
			assertThat(this.log.read(client, 0, 10)).extracting(Scribe::id).containsExactly(1L);
		}
	}

	@Test
	void readLeavesOutScribesFromTheReaderButGivesThemToOthers() {
		this.log.append(List.of(entry(Recipients.all(), "alice"), entry(Recipients.only("alice", "bob"), "alice"),
				entry(Recipients.all(), "bob")));
		assertThat(this.log.read("alice", 0, 10)).extracting(Scribe::id).containsExactly(3L);
		assertThat(this.log.read("bob", 0, 10)).extracting(Scribe::id).containsExactly(1L, 2L);
		assertThat(this.log.read("carol", 0, 10)).extracting(Scribe::id).containsExactly(1L, 3L);
	}

	@Test
	void aReaderThatTakesItsOwnScribesGetsThemTooButStillOnlyWhatIsMeantForIt() {
		this.log.append(List.of(entry(Recipients.all(), "alice"), entry(Recipients.only("alice", "bob"), "alice"),
				entry(Recipients.all(), "bob"), entry(Recipients.only("bob"), "alice"),
				entry(Recipients.allExcept(Set.of("alice")), "alice")));
		assertThat(this.log.read(Reader.withOwn("alice"), 0, 10)).extracting(Scribe::id).containsExactly(1L, 2L, 3L);
		assertThat(this.log.read(Reader.withOwn("alice"), 1, 1)).extracting(Scribe::id).containsExactly(2L);
		assertThat(this.log.readComplete(Reader.withOwn("alice"), 0, 10)).extracting(Scribe::id)
			.containsExactly(1L, 2L, 3L);
		assertThat(this.log.read(Reader.of("alice"), 0, 10)).extracting(Scribe::id).containsExactly(3L);
		assertThat(this.log.lastId(Reader.withOwn("alice"))).isEqualTo(3);
		assertThat(this.log.lastId(Reader.withOwn("bob"))).isEqualTo(5);
	}

	@Test
	void lastIdOfAReaderThatTakesItsOwnScribesIsTheLastThatItsReadReturns() {
		List<String> clients = List.of("alice", "bob", "carol");
		Random random = new Random(20261206);
		for (int i = 0; i < 60; i++) {
			this.log.append(List.of(entry(randomRecipients(random, clients), randomOrigin(random, clients))));
			for (String client : clients) {
				List<Scribe> all = this.log.read(Reader.withOwn(client), 0, Integer.MAX_VALUE);
				assertThat(this.log.lastId(Reader.withOwn(client))).as("lastId of %s with own", client)
					.isEqualTo(all.isEmpty() ? 0 : all.get(all.size() - 1).id());
			}
		}
	}

	@Test
	void scribesForUsersAndAuthoritiesReachEveryClientBoundToThem() {
		Identity alicePhone = Identity.of("alice-phone", "alice", Set.of());
		Identity aliceLaptop = Identity.of("alice-laptop", "alice", Set.of("ROLE_ADMIN"));
		Identity bob = Identity.of("bob-1", "bob", Set.of("ROLE_ADMIN"));
		Identity stranger = Identity.anonymous("stranger");
		this.log.append(List.of(entry(Recipients.users("alice"), null),
				entry(Recipients.authorities("ROLE_ADMIN"), null),
				entry(Recipients.users("alice").intersect(Recipients.authorities("ROLE_ADMIN")), null),
				entry(Recipients.all().minus(Recipients.users("alice")), null),
				entry(Recipients.users("alice").minus(Recipients.only("alice-phone")), null),
				entry(Recipients.users("alice", "bob"), "alice-phone")));
		assertThat(this.log.read(Reader.of(alicePhone, false), 0, 10)).extracting(Scribe::id).containsExactly(1L);
		assertThat(this.log.read(Reader.of(alicePhone, true), 0, 10)).extracting(Scribe::id).containsExactly(1L, 6L);
		assertThat(this.log.read(Reader.of(aliceLaptop, false), 0, 10)).extracting(Scribe::id)
			.containsExactly(1L, 2L, 3L, 5L, 6L);
		assertThat(this.log.read(Reader.of(bob, false), 0, 10)).extracting(Scribe::id).containsExactly(2L, 4L, 6L);
		assertThat(this.log.read(Reader.of(stranger, true), 0, 10)).extracting(Scribe::id).containsExactly(4L);
		assertThat(this.log.lastId(Reader.of(alicePhone, false))).isEqualTo(1);
		assertThat(this.log.lastId(Reader.of(alicePhone, true))).isEqualTo(6);
		assertThat(this.log.lastId(Reader.of(stranger, false))).isEqualTo(4);
	}

	@Test
	void readAndLastIdGiveAnyIdentityExactlyTheScribesItsRecipientsMean() {
		List<Identity> identities = List.of(Identity.of("a1", "alice", Set.of()),
				Identity.of("a2", "alice", Set.of("ROLE_ADMIN", "team-x")), Identity.of("b1", "bob", Set.of("team-x")),
				Identity.of("c1", "carol", Set.of("ROLE_ADMIN")), Identity.anonymous("d1"));
		Random random = new Random(20261207);
		for (int i = 0; i < 80; i++) {
			List<ScribeEntry> entries = new ArrayList<>();
			for (int j = 1 + random.nextInt(3); j > 0; j--) {
				Identity origin = random.nextBoolean() ? null : identities.get(random.nextInt(identities.size()));
				entries.add(entry(randomAudience(random), (origin != null) ? origin.client() : null));
			}
			this.log.append(entries);
		}
		List<ScribeEntry> all = this.log.entries(0, Integer.MAX_VALUE);
		for (Identity identity : identities) {
			for (boolean own : List.of(false, true)) {
				Reader reader = Reader.of(identity, own);
				List<Long> meant = all.stream().filter((entry) -> entry.isFor(reader)).map(ScribeEntry::id).toList();
				assertThat(this.log.read(reader, 0, Integer.MAX_VALUE)).as("read of %s", reader)
					.extracting(Scribe::id)
					.containsExactlyElementsOf(meant);
				List<Long> paged = new ArrayList<>();
				for (List<Scribe> page = this.log.read(reader, 0, 2); !page.isEmpty();
						page = this.log.read(reader, page.get(page.size() - 1).id(), 2)) {
					assertThat(page).hasSizeLessThanOrEqualTo(2);
					page.forEach((scribe) -> paged.add(scribe.id()));
				}
				assertThat(paged).as("pages of 2 for %s", reader).containsExactlyElementsOf(meant);
				assertThat(this.log.lastId(reader)).as("last id of %s", reader)
					.isEqualTo(meant.isEmpty() ? 0 : meant.get(meant.size() - 1));
			}
		}
	}

	@Test
	void theHeadIsTheLastIdAppendedForAnyClient() {
		assertThat(this.log.head()).isZero();
		this.log.append(List.of(entry(Recipients.only("bob"), null), entry(Recipients.all(), "alice")));
		assertThat(this.log.head()).isEqualTo(2);
	}

	@Test
	void theEpochStaysTheSameAcrossAppendsAndNodes() {
		String epoch = this.log.epoch();
		assertThat(epoch).isNotBlank();
		this.log.append(List.of(entry(Recipients.all(), null)));
		assertThat(this.log.epoch()).isEqualTo(epoch);
		assertThat(createSecondNodeLog().epoch()).isEqualTo(epoch);
	}

	@Test
	void theCauseOfAnEntryIsKept() {
		Cause cause = new Cause("alice", 7);
		this.log.append(List.of(entry(Recipients.all(), "alice").causedBy(cause), entry(Recipients.all(), null)));
		assertThat(this.log.entries(0, 10)).extracting(ScribeEntry::cause).containsExactly(cause, null);
	}

	@Test
	void lastIdIsZeroWhenTheLogIsEmpty() {
		assertThat(this.log.lastId("alice")).isZero();
	}

	@Test
	void lastIdIsZeroWhenNothingIsMeantForTheClient() {
		this.log.append(List.of(entry(Recipients.only("bob"), null), entry(Recipients.all(), "alice"),
				entry(Recipients.allExcept(Set.of("alice")), null), entry(Recipients.only("alice"), "alice")));
		assertThat(this.log.lastId("alice")).isZero();
	}

	@Test
	void lastIdLeavesOutPrivateScribesForOthersAndScribesFromTheClient() {
		this.log.append(List.of(entry(Recipients.all(), null), entry(Recipients.only("bob"), null),
				entry(Recipients.all(), "alice"), entry(Recipients.allExcept(Set.of("alice")), null)));
		assertThat(this.log.lastId("alice")).isEqualTo(1);
		assertThat(this.log.lastId("bob")).isEqualTo(4);
		assertThat(this.log.lastId("carol")).isEqualTo(4);
		this.log.append(List.of(entry(Recipients.only("carol"), "bob"), entry(Recipients.only("alice"), null),
				entry(Recipients.all(), "carol")));
		assertThat(this.log.lastId("alice")).isEqualTo(7);
		assertThat(this.log.lastId("bob")).isEqualTo(7);
		assertThat(this.log.lastId("carol")).isEqualTo(5);
		assertThat(this.log.lastId("never-seen-before")).isEqualTo(7);
	}

	@Test
	void lastIdIsTheIdOfTheLastScribeThatReadReturns() {
		List<String> clients = List.of("alice", "bob", "carol", "dave", "erin");
		Random random = new Random(20240601);
		for (int i = 0; i < 120; i++) {
			List<ScribeEntry> entries = new ArrayList<>();
			int count = 1 + random.nextInt(3);
			for (int j = 0; j < count; j++) {
				entries.add(entry(randomRecipients(random, clients), randomOrigin(random, clients)));
			}
			this.log.append(entries);
			for (String client : clients) {
				List<Scribe> all = this.log.read(client, 0, Integer.MAX_VALUE);
				long expected = all.isEmpty() ? 0 : all.get(all.size() - 1).id();
				assertThat(this.log.lastId(client)).as("lastId of %s after %d appends", client, i + 1)
					.isEqualTo(expected);
			}
		}
	}

	@Test
	void listenerIsToldTheLastIdAfterAnAppend() {
		List<Long> told = new CopyOnWriteArrayList<>();
		listen(this.log, told::add);
		this.log.append(List.of(entry(Recipients.all(), null), entry(Recipients.all(), null),
				entry(Recipients.only("bob"), null)));
		await().atMost(NOTIFICATION_WAIT).untilAsserted(() -> assertThat(told).contains(3L));
		assertThat(told).allSatisfy((id) -> assertThat(id).isBetween(1L, 3L));
	}

	@Test
	void listenersAreToldThisNodesAppendsWithTheEntriesAsTheLogKeepsThem() {
		List<List<ScribeEntry>> told = new CopyOnWriteArrayList<>();
		List<Long> toldIds = new CopyOnWriteArrayList<>();
		listen(this.log, new ScribeLog.AppendListener() {

			@Override
			public void appended(long lastId) {
				toldIds.add(lastId);
			}

			@Override
			public void appended(List<ScribeEntry> entries) {
				told.add(entries);
			}

		});
		ObjectNode attributes = record("r1");
		ScribeEntry forAlice = new ScribeEntry(Scribe.create("Todo", attributes), Recipients.only("alice"), "bob");
		List<ScribeEntry> appended = this.log.append(List.of(forAlice, entry(Recipients.all(), null)));
		attributes.put("changedLater", "by the caller, after the append");
		List<ScribeEntry> relayed = this.log.appendRelayed(List.of(new Relayed(1, List.of(entry(Recipients.all(), null)))));
		// each append is told with its entries, or by its id where an announcement came first (Redis's pub/sub)
		await().atMost(NOTIFICATION_WAIT).untilAsserted(() -> {
			assertThat(told.contains(appended) || toldIds.stream().anyMatch((id) -> id >= 2)).isTrue();
			assertThat(told.contains(relayed) || toldIds.contains(3L)).isTrue();
		});
		assertThat(told).isSubsetOf(appended, relayed);
		assertThat(this.log.entries(0, 10)).containsExactlyElementsOf(
				Stream.concat(appended.stream(), relayed.stream()).toList());
		assertThat(appended.get(0).scribe().data().has("changedLater")).isFalse();
	}

	@Test
	void removedListenerIsNoLongerTold() throws Exception {
		List<Long> removed = new CopyOnWriteArrayList<>();
		List<Long> kept = new CopyOnWriteArrayList<>();
		AutoCloseable handle = this.log.addListener(removed::add);
		listen(this.log, kept::add);
		handle.close();
		this.log.append(List.of(entry(Recipients.all(), null)));
		await().atMost(NOTIFICATION_WAIT).untilAsserted(() -> assertThat(kept).contains(1L));
		assertThat(removed).isEmpty();
	}

	@Test
	void failingListenerBreaksNeitherTheAppendNorOtherListeners() {
		List<Long> told = new CopyOnWriteArrayList<>();
		listen(this.log, (lastId) -> {
			throw new IllegalStateException("listener failure provoked by a test");
		});
		listen(this.log, told::add);
		assertThat(ids(this.log.append(List.of(entry(Recipients.all(), null))))).containsExactly(1L);
		assertThat(ids(this.log.append(List.of(entry(Recipients.all(), null))))).containsExactly(2L);
		await().atMost(NOTIFICATION_WAIT).untilAsserted(() -> assertThat(told).contains(2L));
		assertThat(this.log.read("alice", 0, 10)).extracting(Scribe::id).containsExactly(1L, 2L);
	}

	@Test
	void scribeDataRoundTripsExactly() {
		ObjectNode attributes = (ObjectNode) mapper.readTree("""
				{"id": "7f0c-ünï-✓", "title": "Grüße, 世界 🌍 \\"quoted\\" \\\\ back\\nslash\\ttab",
				 "count": 42, "big": 9007199254740993, "negative": -17, "ratio": 0.1, "tiny": 1.5E-10,
				 "done": true, "archived": false, "note": null,
				 "tags": ["a", 1, 2.5, false, null, {"deep": [[], {}]}],
				 "nested": {"level": {"deeper": {"deepest": ["x", {"y": null}]}}, "empty": {}},
				 "": "empty name", "emoji 🙂 key": "value"}
				""");
		ObjectNode changes = (ObjectNode) mapper.readTree("""
				{"title": "", "count": 0, "note": null, "nested": {"list": [1, "two", true]}}
				""");
		List<ScribeEntry> appended = this.log.append(List.of(
				new ScribeEntry(Scribe.create("Todo", attributes), Recipients.all(), null),
				new ScribeEntry(Scribe.update("Todo", "7f0c-ünï-✓", changes), Recipients.all(), null),
				new ScribeEntry(Scribe.destroy("Todo", "7f0c-ünï-✓"), Recipients.all(), null),
				new ScribeEntry(Scribe.fromJson(mapper.readTree("""
						{"id": 1, "klass": "Ünicode Klass ✓", "type": "destroy", "data": [12345]}
						""")), Recipients.all(), null)));
		List<Scribe> read = this.log.read("alice", 0, 10);
		assertThat(read).containsExactlyElementsOf(scribes(appended));
		assertThat(read.get(0).data()).isEqualTo(attributes);
		assertThat(read.get(1).data().get(1)).isEqualTo(changes);
		assertThat(read.get(3).klass()).isEqualTo("Ünicode Klass ✓");
		assertThat(read.get(3).data().get(0).isIntegralNumber()).isTrue();
		for (Scribe scribe : read) {
			assertThat(mapper.writeValueAsString(scribe.toJson()))
				.isEqualTo(mapper.writeValueAsString(scribeOf(appended, scribe.id()).toJson()));
		}
	}

	@Test
	void logKeepsTheScribeAsAppendedWhenTheCallerLaterChangesItsJson() {
		ObjectNode attributes = record("r1");
		attributes.put("title", "before");
		this.log.append(List.of(new ScribeEntry(Scribe.create("Todo", attributes), Recipients.all(), null)));
		attributes.put("title", "after");
		attributes.putArray("added").add(1);
		assertThat(this.log.read("alice", 0, 10).get(0).data().get("title").asString()).isEqualTo("before");
		assertThat(this.log.read("alice", 0, 10).get(0).data().has("added")).isFalse();
	}

	@Test
	void idsAreUniqueAndOrderedAcrossNodes() {
		ScribeLog second = createSecondNodeLog();
		List<Long> ids = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			ids.addAll(ids(this.log.append(List.of(entry(Recipients.all(), null)))));
			ids.addAll(ids(second.append(List.of(entry(Recipients.all(), null), entry(Recipients.all(), null)))));
		}
		assertThat(ids).containsExactlyElementsOf(LongStream.rangeClosed(1, 15).boxed().toList());
		assertThat(this.log.read("alice", 0, 100)).extracting(Scribe::id).containsExactlyElementsOf(ids);
		assertThat(second.read("alice", 0, 100)).extracting(Scribe::id).containsExactlyElementsOf(ids);
		assertThat(second.lastId("alice")).isEqualTo(15);
	}

	@Test
	void listenerIsToldOfAppendsOnAnyNode() {
		ScribeLog second = createSecondNodeLog();
		List<Long> told = new CopyOnWriteArrayList<>();
		listen(this.log, told::add);
		second.append(List.of(entry(Recipients.all(), null), entry(Recipients.all(), null)));
		await().atMost(NOTIFICATION_WAIT).untilAsserted(() -> assertThat(told).contains(2L));
	}

	@Test
	void concurrentReadersSeeEveryScribeMeantForThemOnceInIdOrderWhileWritersAppend() throws Exception {
		int writerCount = 8;
		int scribesPerWriter = 1250;
		List<String> readers = List.of("reader-0", "reader-1", "reader-2", "reader-3");
		List<String> writersAndReaders = new ArrayList<>(readers);
		writersAndReaders.addAll(List.of("writer-a", "writer-b"));
		ScribeLog second = createSecondNodeLog();
		ExecutorService executor = Executors.newFixedThreadPool(writerCount + readers.size());
		try {
			CountDownLatch start = new CountDownLatch(1);
			AtomicInteger writersLeft = new AtomicInteger(writerCount);
			AtomicBoolean failed = new AtomicBoolean();
			List<Long> appendedIds = Collections.synchronizedList(new ArrayList<>());
			List<Future<?>> writers = new ArrayList<>();
			for (int w = 0; w < writerCount; w++) {
				ScribeLog node = (w % 2 == 0) ? this.log : second;
				writers.add(executor.submit(() -> {
					try {
						start.await();
						ThreadLocalRandom random = ThreadLocalRandom.current();
						int written = 0;
						while (written < scribesPerWriter && !failed.get()) {
							int count = Math.min(scribesPerWriter - written, random.nextBoolean() ? 1 : 2 + random.nextInt(4));
							List<ScribeEntry> entries = new ArrayList<>(count);
							for (int i = 0; i < count; i++) {
								entries.add(entry(randomRecipients(random, writersAndReaders),
										randomOrigin(random, writersAndReaders)));
							}
							List<Long> ids = ids(node.append(entries));
							assertThat(ids).hasSize(count);
							for (int i = 1; i < ids.size(); i++) {
								assertThat(ids.get(i)).as("ids within one append").isEqualTo(ids.get(i - 1) + 1);
							}
							appendedIds.addAll(ids);
							written += count;
						}
						return null;
					}
					catch (Throwable ex) {
						failed.set(true);
						throw ex;
					}
					finally {
						writersLeft.decrementAndGet();
					}
				}));
			}
			List<Future<List<Scribe>>> readerResults = new ArrayList<>();
			for (int r = 0; r < readers.size(); r++) {
				String client = readers.get(r);
				ScribeLog node = (r % 2 == 0) ? this.log : second;
				readerResults.add(executor.submit(() -> {
					try {
						start.await();
						List<Scribe> seen = new ArrayList<>();
						long position = 0;
						boolean writersDone = false;
						while (!failed.get()) {
							// Read once more after the writers are done, to collect the tail.
							boolean lastRound = writersDone;
							List<Scribe> batch = node.read(client, position, 100);
							assertThat(batch).hasSizeLessThanOrEqualTo(100);
							for (Scribe scribe : batch) {
								assertThat(scribe.id()).as("%s at position %d", client, position)
									.isGreaterThan(position);
								position = scribe.id();
								seen.add(scribe);
							}
							if (batch.isEmpty()) {
								if (lastRound) {
									break;
								}
								Thread.yield();
							}
							writersDone = writersLeft.get() == 0;
						}
						return seen;
					}
					catch (Throwable ex) {
						failed.set(true);
						throw ex;
					}
				}));
			}
			start.countDown();
			for (Future<?> writer : writers) {
				assertThat(writer).succeedsWithin(CONCURRENCY_WAIT);
			}
			long total = (long) writerCount * scribesPerWriter;
			assertThat(appendedIds).hasSize((int) total);
			assertThat(new ArrayList<>(appendedIds).stream().sorted().toList())
				.containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
			// a reader that failed stops the others early: its failure is the one to report
			for (Future<List<Scribe>> reader : readerResults) {
				assertThat(reader).succeedsWithin(CONCURRENCY_WAIT);
			}
			for (int r = 0; r < readers.size(); r++) {
				String client = readers.get(r);
				List<Scribe> seen = readerResults.get(r).get(CONCURRENCY_WAIT.toSeconds(), TimeUnit.SECONDS);
				List<Scribe> expected = this.log.read(client, 0, Integer.MAX_VALUE);
				assertThat(expected).as("scribes meant for %s", client).isNotEmpty();
				assertThat(seen).as("scribes %s saw while writers appended", client)
					.containsExactlyElementsOf(expected);
				assertThat(seen.stream().map(Scribe::id).collect(Collectors.toSet())).hasSize(seen.size());
				assertThat(this.log.lastId(client)).isEqualTo(expected.get(expected.size() - 1).id());
			}
		}
		finally {
			executor.shutdownNow();
			assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
		}
	}

	private void listen(ScribeLog log, ScribeLog.AppendListener listener) {
		this.handles.add(log.addListener(listener));
	}

	private void appendToAll(int count) {
		for (int i = 0; i < count; i++) {
			this.log.append(List.of(entry(Recipients.all(), null)));
		}
	}

	private ScribeEntry entry(Recipients recipients, String origin) {
		String recordId = "record-" + this.recordCounter.incrementAndGet();
		return new ScribeEntry(Scribe.create("Todo", record(recordId)), recipients, origin);
	}

	private static ObjectNode record(String id) {
		ObjectNode record = JsonNodeFactory.instance.objectNode();
		record.put("id", id);
		record.put("title", "Title of " + id);
		return record;
	}

	private static Recipients randomRecipients(Random random, List<String> clients) {
		int kind = random.nextInt(4);
		if (kind == 0) {
			return Recipients.all();
		}
		Set<String> some = clients.stream().filter((client) -> random.nextInt(3) == 0).collect(Collectors.toSet());
		return (kind == 1) ? Recipients.allExcept(some) : Recipients.only(some);
	}

	/** An audience as a policy gives it, or as an update's changed audience computes it. */
	private static Recipients randomAudience(Random random) {
		List<Recipients> simple = List.of(Recipients.all(), Recipients.users("alice"), Recipients.users("bob", "carol"),
				Recipients.authorities("ROLE_ADMIN"), Recipients.authorities("team-x"), Recipients.only("a1", "d1"),
				Recipients.allExcept(Set.of("b1")), Recipients.users("alice").and(Recipients.authorities("team-x")));
		Recipients before = simple.get(random.nextInt(simple.size()));
		Recipients after = simple.get(random.nextInt(simple.size()));
		return switch (random.nextInt(4)) {
			case 0 -> before;
			case 1 -> before.intersect(after);
			case 2 -> before.minus(after);
			default -> after.minus(before);
		};
	}

	private static String randomOrigin(Random random, List<String> clients) {
		return random.nextBoolean() ? null : clients.get(random.nextInt(clients.size()));
	}

	private static List<Long> ids(List<ScribeEntry> entries) {
		return entries.stream().map(ScribeEntry::id).toList();
	}

	private static List<Scribe> scribes(List<ScribeEntry> entries) {
		return entries.stream().map(ScribeEntry::scribe).toList();
	}

	private static Scribe scribeOf(List<ScribeEntry> entries, long id) {
		return entries.stream().map(ScribeEntry::scribe).filter((scribe) -> scribe.id() == id).findFirst().orElseThrow();
	}

}
