package io.syncro.store;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The behaviour every {@link ClientStore} must have, proven once and run against each
 * backend by a subclass.
 *
 * @since 0.1.0
 */
public abstract class ClientStoreContractTests {

	private static final Duration CONCURRENCY_WAIT = Duration.ofSeconds(60);

	private ClientStore store;

	/**
	 * Creates the store under test, called before each test. It must know no uid yet.
	 * @return an empty store
	 */
	protected abstract ClientStore createStore();

	/**
	 * The store created for the current test.
	 * @return the store
	 */
	protected final ClientStore store() {
		return this.store;
	}

	@BeforeEach
	void createStoreUnderTest() {
		this.store = createStore();
	}

	@Test
	void markStartsAtZero() {
		assertThat(this.store.mark("alice")).isZero();
	}

	@Test
	void advanceMarkMovesTheMarkWhenTheExpectedMarkIsCurrent() {
		assertThat(this.store.advanceMark("alice", 0, 1, null)).isTrue();
		assertThat(this.store.mark("alice")).isEqualTo(1);
		assertThat(this.store.advanceMark("alice", 1, 2, null)).isTrue();
		assertThat(this.store.mark("alice")).isEqualTo(2);
	}

	@Test
	void advanceMarkMayJumpOverSeveralIds() {
		assertThat(this.store.advanceMark("alice", 0, 5, null)).isTrue();
		assertThat(this.store.mark("alice")).isEqualTo(5);
	}

	@Test
	void advanceMarkChangesNothingWhenTheExpectedMarkIsNotCurrent() {
		this.store.advanceMark("alice", 0, 3, null);
		assertThat(this.store.advanceMark("alice", 2, 4, new Refusal(403, "Not yours."))).isFalse();
		assertThat(this.store.advanceMark("alice", 0, 4, null)).isFalse();
		assertThat(this.store.advanceMark("alice", 4, 5, null)).isFalse();
		assertThat(this.store.mark("alice")).isEqualTo(3);
		assertThat(this.store.refusal("alice", 4)).isEmpty();
	}

	@Test
	void advanceMarkOfAnUnknownUidFailsUnlessZeroIsExpected() {
		assertThat(this.store.advanceMark("alice", 1, 2, null)).isFalse();
		assertThat(this.store.mark("alice")).isZero();
	}

	@Test
	void refusalIsStoredWithTheAdvanceAndLookedUpByScribeId() {
		this.store.advanceMark("alice", 0, 1, null);
		this.store.advanceMark("alice", 1, 2, new Refusal(403, "The policy refused this scribe."));
		this.store.advanceMark("alice", 2, 3, new Refusal(404, "Todo ✓ 7f0c does not exist."));
		this.store.advanceMark("alice", 3, 4, null);
		assertThat(this.store.refusal("alice", 1)).isEmpty();
		assertThat(this.store.refusal("alice", 2)).contains(new Refusal(403, "The policy refused this scribe."));
		assertThat(this.store.refusal("alice", 3)).contains(new Refusal(404, "Todo ✓ 7f0c does not exist."));
		assertThat(this.store.refusal("alice", 4)).isEmpty();
		assertThat(this.store.refusal("alice", 5)).isEmpty();
		assertThat(this.store.refusal("nobody", 2)).isEmpty();
	}

	@Test
	void atLeastTheLastThousandRefusalsAreKept() {
		int stored = 1200;
		for (int id = 1; id <= stored; id++) {
			Refusal refusal = new Refusal(400 + (id % 2) * 3, "Refusal number " + id + ".");
			assertThat(this.store.advanceMark("alice", id - 1, id, refusal)).isTrue();
		}
		assertThat(ClientStore.REFUSALS_KEPT).isEqualTo(1000);
		for (int id = stored - ClientStore.REFUSALS_KEPT + 1; id <= stored; id++) {
			assertThat(this.store.refusal("alice", id)).as("refusal of scribe %d", id)
				.contains(new Refusal(400 + (id % 2) * 3, "Refusal number " + id + "."));
		}
		for (int id = 1; id <= stored - ClientStore.REFUSALS_KEPT; id++) {
			// Older refusals may be forgotten, but if remembered they must be right.
			Refusal expected = new Refusal(400 + (id % 2) * 3, "Refusal number " + id + ".");
			this.store.refusal("alice", id).ifPresent((kept) -> assertThat(kept).isEqualTo(expected));
		}
	}

	@Test
	void nothingIsForgottenUntilAsManyRefusalsAsAreKeptAreRemembered() {
		for (int id = 1; id < ClientStore.REFUSALS_KEPT; id++) {
			this.store.advanceMark("alice", id - 1, id, new Refusal(403, "No."));
		}
		this.store.advanceMark("alice", ClientStore.REFUSALS_KEPT - 1, ClientStore.REFUSALS_KEPT + 5, null);
		assertThat(this.store.forgottenBelow("alice")).isZero();
		assertThat(this.store.forgottenBelow("bob")).isZero();
	}

	@Test
	void aSettledScribeBelowTheOldestRefusalKeptMayHaveBeenForgotten() {
		int stored = 1200;
		for (int id = 1; id <= stored; id++) {
			this.store.advanceMark("alice", id - 1, id, (id == 700) ? null : new Refusal(403, "No."));
		}
		long below = this.store.forgottenBelow("alice");
		assertThat(below).isGreaterThan(1).isLessThanOrEqualTo(stored - ClientStore.REFUSALS_KEPT + 2);
		for (long id = below; id <= stored; id++) {
			assertThat(this.store.refusal("alice", id).isPresent()).as("scribe %d", id).isEqualTo(id != 700);
		}
	}

	@Test
	void concurrentAdvancesSettleEachIdExactlyOnce() throws Exception {
		int threads = 8;
		long last = 2000;
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Long> settled = Collections.synchronizedList(new ArrayList<>());
			List<Future<?>> results = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				results.add(executor.submit(() -> {
					start.await();
					while (true) {
						long mark = this.store.mark("alice");
						if (mark >= last) {
							return null;
						}
						Refusal refusal = (mark % 3 == 0) ? new Refusal(403, "Refused " + (mark + 1) + ".") : null;
						if (this.store.advanceMark("alice", mark, mark + 1, refusal)) {
							settled.add(mark + 1);
						}
					}
				}));
			}
			start.countDown();
			for (Future<?> result : results) {
				assertThat(result).succeedsWithin(CONCURRENCY_WAIT);
			}
			assertThat(new ArrayList<>(settled).stream().sorted().toList())
				.containsExactlyElementsOf(LongStream.rangeClosed(1, last).boxed().toList());
			assertThat(this.store.mark("alice")).isEqualTo(last);
			for (long id = last - ClientStore.REFUSALS_KEPT + 1; id <= last; id++) {
				Optional<Refusal> expected = ((id - 1) % 3 == 0) ? Optional.of(new Refusal(403, "Refused " + id + "."))
						: Optional.empty();
				assertThat(this.store.refusal("alice", id)).as("refusal of scribe %d", id).isEqualTo(expected);
			}
		}
		finally {
			executor.shutdownNow();
			assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
		}
	}

	@Test
	void uidIsNotSyncedUntilMarkedAndStaysSynced() {
		assertThat(this.store.isSynced("alice")).isFalse();
		this.store.markSynced("alice");
		assertThat(this.store.isSynced("alice")).isTrue();
		this.store.markSynced("alice");
		this.store.advanceMark("alice", 0, 1, null);
		assertThat(this.store.isSynced("alice")).isTrue();
	}

	@Test
	void uidIsUnboundUntilBound() {
		assertThat(this.store.principal("alice")).isEmpty();
	}

	@Test
	void bindPrincipalBindsAnUnboundUid() {
		assertThat(this.store.bindPrincipal("alice", "Alice Liddell")).isTrue();
		assertThat(this.store.principal("alice")).contains("Alice Liddell");
	}

	@Test
	void bindPrincipalAcceptsTheSamePrincipalAgain() {
		this.store.bindPrincipal("alice", "Alice Liddell");
		assertThat(this.store.bindPrincipal("alice", "Alice Liddell")).isTrue();
		assertThat(this.store.principal("alice")).contains("Alice Liddell");
	}

	@Test
	void bindPrincipalRefusesAnotherPrincipalAndKeepsTheFirst() {
		this.store.bindPrincipal("alice", "Alice Liddell");
		assertThat(this.store.bindPrincipal("alice", "Mallory")).isFalse();
		assertThat(this.store.principal("alice")).contains("Alice Liddell");
	}

	@Test
	void concurrentBindsOfOneUidLetExactlyOnePrincipalWin() throws Exception {
		int threads = 8;
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		try {
			for (int round = 0; round < 20; round++) {
				String uid = "uid-" + round;
				CountDownLatch start = new CountDownLatch(1);
				List<Future<Boolean>> results = new ArrayList<>();
				for (int t = 0; t < threads; t++) {
					String principal = "principal-" + t;
					results.add(executor.submit(() -> {
						start.await();
						return this.store.bindPrincipal(uid, principal);
					}));
				}
				start.countDown();
				List<String> winners = new ArrayList<>();
				for (int t = 0; t < threads; t++) {
					if (results.get(t).get(CONCURRENCY_WAIT.toSeconds(), TimeUnit.SECONDS)) {
						winners.add("principal-" + t);
					}
				}
				assertThat(winners).hasSize(1);
				assertThat(this.store.principal(uid)).contains(winners.get(0));
			}
		}
		finally {
			executor.shutdownNow();
			assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
		}
	}

	@Test
	void uidsAreIndependent() {
		this.store.advanceMark("alice", 0, 2, new Refusal(400, "Bad shape."));
		this.store.markSynced("alice");
		this.store.bindPrincipal("alice", "Alice Liddell");
		assertThat(this.store.mark("bob")).isZero();
		assertThat(this.store.refusal("bob", 2)).isEmpty();
		assertThat(this.store.isSynced("bob")).isFalse();
		assertThat(this.store.principal("bob")).isEmpty();
		assertThat(this.store.bindPrincipal("bob", "Bob")).isTrue();
		assertThat(this.store.advanceMark("bob", 0, 1, null)).isTrue();
		assertThat(this.store.mark("alice")).isEqualTo(2);
		assertThat(this.store.refusal("alice", 2)).contains(new Refusal(400, "Bad shape."));
		assertThat(this.store.principal("alice")).contains("Alice Liddell");
	}

	// Binding on connection, counts per principal, last-seen times and expiry

	/** A time the stores keep exactly: they keep milliseconds. */
	private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);

	@Test
	void connectedBindsANewUidToItsPrincipalAndSetsWhenItWasSeen() {
		assertThat(this.store.isKnown("alice")).isFalse();
		assertThat(this.store.connected("alice", "Alice Liddell", NOW)).isTrue();
		assertThat(this.store.isKnown("alice")).isTrue();
		assertThat(this.store.principal("alice")).contains("Alice Liddell");
		assertThat(this.store.lastSeen("alice")).contains(NOW);
		assertThat(this.store.mark("alice")).isZero();
		assertThat(this.store.connected("alice", "Alice Liddell", NOW.plusSeconds(60))).isTrue();
		assertThat(this.store.lastSeen("alice")).contains(NOW.plusSeconds(60));
	}

	@Test
	void connectedRefusesAnotherPrincipalOrAnAnonymousClientAndChangesNothing() {
		this.store.connected("alice", "Alice Liddell", NOW);
		assertThat(this.store.connected("alice", "Mallory", NOW.plusSeconds(60))).isFalse();
		assertThat(this.store.connected("alice", null, NOW.plusSeconds(60))).isFalse();
		assertThat(this.store.principal("alice")).contains("Alice Liddell");
		assertThat(this.store.lastSeen("alice")).contains(NOW);
		assertThat(this.store.clientsOf("Mallory")).isZero();
	}

	@Test
	void connectedOfAnAnonymousClientKeepsTheUidUnboundUntilAPrincipalConnects() {
		assertThat(this.store.connected("kiosk", null, NOW)).isTrue();
		assertThat(this.store.isKnown("kiosk")).isTrue();
		assertThat(this.store.principal("kiosk")).isEmpty();
		assertThat(this.store.connected("kiosk", null, NOW)).isTrue();
		assertThat(this.store.connected("kiosk", "Alice Liddell", NOW.plusSeconds(1))).isTrue();
		assertThat(this.store.principal("kiosk")).contains("Alice Liddell");
		assertThat(this.store.clientsBoundSince("Alice Liddell", NOW.plusSeconds(1))).isEqualTo(1);
		assertThat(this.store.connected("kiosk", null, NOW.plusSeconds(2))).isFalse();
	}

	@Test
	void lookingAUidUpKeepsNothingForIt() {
		assertThat(this.store.principal("ghost")).isEmpty();
		assertThat(this.store.mark("ghost")).isZero();
		assertThat(this.store.refusal("ghost", 1)).isEmpty();
		assertThat(this.store.isSynced("ghost")).isFalse();
		assertThat(this.store.lastSeen("ghost")).isEmpty();
		assertThat(this.store.isKnown("ghost")).isFalse();
	}

	@Test
	void clientsOfCountsTheUidsBoundToAPrincipalAndClientsBoundSinceTheRecentOnes() {
		this.store.connected("a1", "alice", NOW.minus(2, ChronoUnit.HOURS));
		this.store.connected("a2", "alice", NOW.minus(30, ChronoUnit.MINUTES));
		this.store.connected("a3", "alice", NOW);
		this.store.connected("b1", "bob", NOW);
		this.store.connected("anonymous", null, NOW);
		// seen again later: bound when first connected all the same
		this.store.connected("a1", "alice", NOW);
		assertThat(this.store.clientsOf("alice")).isEqualTo(3);
		assertThat(this.store.clientsOf("bob")).isEqualTo(1);
		assertThat(this.store.clientsOf("carol")).isZero();
		assertThat(this.store.clientsBoundSince("alice", NOW.minus(1, ChronoUnit.HOURS))).isEqualTo(2);
		assertThat(this.store.clientsBoundSince("alice", NOW)).isEqualTo(1);
		assertThat(this.store.clientsBoundSince("alice", NOW.plusMillis(1))).isZero();
	}

	@Test
	void touchMovesTheLastSeenTimeOfKnownUidsOnly() {
		this.store.connected("alice", "Alice Liddell", NOW);
		this.store.connected("bob", "Bob", NOW);
		this.store.touch(List.of("alice", "stranger"), NOW.plusSeconds(3600));
		assertThat(this.store.lastSeen("alice")).contains(NOW.plusSeconds(3600));
		assertThat(this.store.lastSeen("bob")).contains(NOW);
		assertThat(this.store.isKnown("stranger")).isFalse();
		this.store.touch(List.of(), NOW);
	}

	@Test
	void aUidKeptForASettledScribeHasALastSeenTimeSoThatItExpiresToo() {
		Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
		this.store.advanceMark("server-peer", 0, 1, null);
		this.store.markSynced("synced-peer");
		assertThat(this.store.lastSeen("server-peer")).hasValueSatisfying((seen) -> assertThat(seen).isAfterOrEqualTo(before));
		assertThat(this.store.isKnown("synced-peer")).isTrue();
		assertThat(this.store.expire(Instant.now().plusSeconds(60))).isEqualTo(2);
		assertThat(this.store.isKnown("server-peer")).isFalse();
		assertThat(this.store.isKnown("synced-peer")).isFalse();
	}

	@Test
	void expireForgetsUidsNotSeenSinceWithTheirMarksRefusalsAndBindings() {
		Instant old = NOW.minus(40, ChronoUnit.DAYS);
		Instant recent = NOW.minus(1, ChronoUnit.DAYS);
		this.store.connected("old", "alice", old);
		for (int id = 1; id <= 5; id++) {
			this.store.advanceMark("old", id - 1, id, new Refusal(403, "No " + id + "."));
		}
		this.store.markSynced("old");
		this.store.connected("recent", "alice", recent);
		this.store.advanceMark("recent", 0, 1, new Refusal(400, "Bad shape."));
		this.store.connected("touched", "bob", old);
		this.store.touch(List.of("recent", "touched"), recent);

		assertThat(this.store.expire(NOW.minus(30, ChronoUnit.DAYS))).isEqualTo(1);

		assertThat(this.store.isKnown("old")).isFalse();
		assertThat(this.store.mark("old")).isZero();
		assertThat(this.store.refusal("old", 3)).isEmpty();
		assertThat(this.store.forgottenBelow("old")).isZero();
		assertThat(this.store.isSynced("old")).isFalse();
		assertThat(this.store.principal("old")).isEmpty();
		assertThat(this.store.lastSeen("old")).isEmpty();
		assertThat(this.store.clientsOf("alice")).isEqualTo(1);
		assertThat(this.store.mark("recent")).isEqualTo(1);
		assertThat(this.store.refusal("recent", 1)).contains(new Refusal(400, "Bad shape."));
		assertThat(this.store.principal("touched")).contains("bob");
		assertThat(this.store.expire(NOW.minus(30, ChronoUnit.DAYS))).isZero();
	}

	@Test
	void anExpiredUidIsANewUidToWhoeverConnectsWithItNext() {
		this.store.connected("reused", "alice", NOW.minus(40, ChronoUnit.DAYS));
		this.store.advanceMark("reused", 0, 7, null);
		this.store.expire(NOW.minus(30, ChronoUnit.DAYS));
		assertThat(this.store.connected("reused", "bob", NOW)).isTrue();
		assertThat(this.store.principal("reused")).contains("bob");
		assertThat(this.store.mark("reused")).isZero();
		assertThat(this.store.clientsOf("alice")).isZero();
		assertThat(this.store.clientsBoundSince("bob", NOW)).isEqualTo(1);
	}

	@Test
	void expireForgetsManyUidsAtOnce() {
		int count = 1200;
		for (int i = 0; i < count; i++) {
			this.store.connected("uid-" + i, (i % 2 == 0) ? "alice" : null, NOW.minus(40, ChronoUnit.DAYS));
		}
		this.store.connected("kept", "alice", NOW);
		assertThat(this.store.expire(NOW.minus(30, ChronoUnit.DAYS))).isEqualTo(count);
		assertThat(this.store.clientsOf("alice")).isEqualTo(1);
		for (String uid : Set.of("uid-0", "uid-599", "uid-1199")) {
			assertThat(this.store.isKnown(uid)).as(uid).isFalse();
		}
	}

}
