package io.syncro.client;

import java.util.List;
import java.util.Map;

import io.syncro.scribe.Scribe;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The behaviour every {@link LocalStore} must have, proven once and run against each
 * implementation by a subclass: what is written is loaded again, by a later client too.
 */
abstract class LocalStoreContractTests {

	private static final JsonNodeFactory json = JsonNodeFactory.instance;

	private LocalStore store;

	/**
	 * Creates an empty store, called before each test.
	 */
	protected abstract LocalStore createStore();

	/**
	 * The store as a later client finds it, after this one closed it.
	 */
	protected abstract LocalStore reopen(LocalStore store);

	@BeforeEach
	void createStoreUnderTest() {
		this.store = createStore();
	}

	@AfterEach
	void closeStore() {
		this.store.close();
	}

	protected final LocalStore store() {
		return this.store;
	}

	static ObjectNode todo(String id, String title) {
		return json.objectNode().put("id", id).put("title", title);
	}

	static Scribe create(long id, ObjectNode record) {
		return Scribe.create("Todo", record).withId(id);
	}

	static LocalStore.Change change(long nextId, long position, long acknowledged, List<LocalStore.RecordWrite> records,
			List<Scribe> appended, List<Long> removed, boolean durable) {
		return new LocalStore.Change(null, nextId, position, null, acknowledged, 0, records, appended, removed, durable);
	}

	@Test
	void anEmptyStoreLoadsTheEmptyState() {
		assertThat(this.store.load()).isEqualTo(LocalStore.State.empty());
	}

	@Test
	void everyPartOfAChangeIsLoadedAgainAfterAReopen() {
		this.store.write(new LocalStore.Change("alice", 1, 0, null, 0, 0, List.of(), List.of(), List.of(), true));
		this.store.write(change(3, 0, 0, List.of(), List.of(create(1, todo("a", "A")), create(2, todo("b", "B"))), List.of(),
				true));
		this.store.write(change(3, 17, 0,
				List.of(new LocalStore.RecordWrite("Todo", "s1", todo("s1", "From the server")),
						new LocalStore.RecordWrite("Page", "p1", json.objectNode().put("id", "p1"))),
				List.of(), List.of(), false));
		this.store = reopen(this.store);
		LocalStore.State state = this.store.load();
		assertThat(state.uid()).isEqualTo("alice");
		assertThat(state.nextScribeId()).isEqualTo(3);
		assertThat(state.position()).isEqualTo(17);
		assertThat(state.acknowledged()).isZero();
		assertThat(state.records()).isEqualTo(Map.of("Todo", Map.of("s1", todo("s1", "From the server")), "Page",
				Map.of("p1", json.objectNode().put("id", "p1"))));
		assertThat(state.pending()).containsExactly(create(1, todo("a", "A")), create(2, todo("b", "B")));
	}

	@Test
	void theEpochOfThePositionAndTheServersMarkAreLoadedAgainAfterAReopenAndMayGoBack() {
		this.store.write(new LocalStore.Change("alice", 4, 42, "3f0c", 0, 3, List.of(), List.of(), List.of(), false));
		this.store = reopen(this.store);
		LocalStore.State state = this.store.load();
		assertThat(state.position()).isEqualTo(42);
		assertThat(state.epoch()).isEqualTo("3f0c");
		assertThat(state.serverMark()).isEqualTo(3);
		this.store.write(new LocalStore.Change(null, 4, 0, "9a1b", 0, 1, List.of(), List.of(), List.of(), true));
		this.store = reopen(this.store);
		state = this.store.load();
		assertThat(state.position()).isZero();
		assertThat(state.epoch()).isEqualTo("9a1b");
		assertThat(state.serverMark()).isEqualTo(1);
		assertThat(state.uid()).isEqualTo("alice");
	}

	@Test
	void acknowledgedAndRemovedScribesLeaveTheQueueAndRemovedRecordsGo() {
		this.store.write(new LocalStore.Change("alice", 5, 0, null, 0, 0,
				List.of(new LocalStore.RecordWrite("Todo", "s1", todo("s1", "S"))), List.of(create(1, todo("a", "A")),
						create(2, todo("b", "B")), create(3, todo("c", "C")), create(4, todo("d", "D"))),
				List.of(), true));
		this.store.write(change(5, 9, 2, List.of(new LocalStore.RecordWrite("Todo", "s1", null)), List.of(), List.of(4L),
				true));
		this.store = reopen(this.store);
		LocalStore.State state = this.store.load();
		assertThat(state.acknowledged()).isEqualTo(2);
		assertThat(state.pending()).containsExactly(create(3, todo("c", "C")));
		assertThat(state.records()).isEmpty();
		assertThat(state.uid()).isEqualTo("alice");
	}

	@Test
	void aRenumberingReplacesQueuedScribesOfTheSameIdsAndLowersTheNextIdTheAcknowledgedIdAndTheServersMark() {
		this.store.write(new LocalStore.Change("alice", 7, 0, null, 2, 2, List.of(), List.of(create(3, todo("c", "C")),
				create(4, todo("d", "D")), create(5, todo("e", "E")), create(6, todo("f", "F"))), List.of(), true));
		// the server expects 2 next: 3 to 6 become 2 to 5
		this.store.write(new LocalStore.Change(null, 6, 0, null, 1, 1, List.of(), List.of(create(2, todo("c", "C")),
				create(3, todo("d", "D")), create(4, todo("e", "E")), create(5, todo("f", "F"))), List.of(6L), true));
		this.store = reopen(this.store);
		LocalStore.State state = this.store.load();
		assertThat(state.nextScribeId()).isEqualTo(6);
		assertThat(state.acknowledged()).isEqualTo(1);
		assertThat(state.serverMark()).isEqualTo(1);
		assertThat(state.pending()).containsExactly(create(2, todo("c", "C")), create(3, todo("d", "D")),
				create(4, todo("e", "E")), create(5, todo("f", "F")));
	}

	@Test
	void deferredChangesAreKeptInOrderWithDurableOnes() {
		this.store.write(new LocalStore.Change("alice", 1, 0, null, 0, 0, List.of(), List.of(), List.of(), true));
		for (int i = 1; i <= 20; i++) {
			this.store.write(change(1, i, 0, List.of(new LocalStore.RecordWrite("Todo", "s", todo("s", "v" + i))), List.of(),
					List.of(), false));
		}
		this.store.write(change(2, 20, 0, List.of(), List.of(create(1, todo("a", "A"))), List.of(), true));
		this.store = reopen(this.store);
		LocalStore.State state = this.store.load();
		assertThat(state.position()).isEqualTo(20);
		assertThat(state.records().get("Todo").get("s")).isEqualTo(todo("s", "v20"));
		assertThat(state.pending()).hasSize(1);
	}

	@Test
	void loadReturnsACopyThatLaterWritesDoNotChange() {
		this.store.write(new LocalStore.Change("alice", 1, 0, null, 0, 0,
				List.of(new LocalStore.RecordWrite("Todo", "s1", todo("s1", "S"))), List.of(), List.of(), true));
		LocalStore.State before = this.store.load();
		this.store.write(change(1, 3, 0, List.of(new LocalStore.RecordWrite("Todo", "s2", todo("s2", "T"))), List.of(),
				List.of(), true));
		assertThat(before.records().get("Todo")).containsOnlyKeys("s1");
		assertThat(before.position()).isZero();
	}

}
