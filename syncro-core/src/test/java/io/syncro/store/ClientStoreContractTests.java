package io.syncro.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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

}
