package io.syncro.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

import io.syncro.protocol.SyncroException;
import io.syncro.scope.ScopedRecords;
import io.syncro.scope.Scopes;
import io.syncro.scope.Subscription;
import io.syncro.scribe.Identity;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeType;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * What one connection's subscriptions make of the scribes it reads: as they are, a create
 * of a record that moved in, a destroy of one that moved out, or nothing; resets that start
 * over; a klass back to everything once its last subscription goes.
 */
class NarrowingTests {

	private static final JsonNodeFactory json = JsonNodeFactory.instance;

	/** The records as they are now, by id: what the scopes read. */
	private final Map<String, ObjectNode> todos = new TreeMap<>();

	private final Narrowing narrowing = new Narrowing(new ColourScopes(), Identity.of("c1", "alice", java.util.Set.of()));

	@Test
	void aKlassWithoutSubscriptionsIsNotNarrowed() {
		Scribe scribe = update(5, "t1", "red");
		assertThat(this.narrowing.narrow(scribe, 0)).isSameAs(scribe);
		assertThat(this.narrowing.narrow(new Scribe(6, "Page", ScribeType.DESTROY, json.arrayNode().add("p1")), 0))
			.isNotNull();
	}

	@Test
	void aResetSendsTheScopesRecordsAndWhatFollowsIsDecidedOnTheRecordAsItIsNow() {
		todo("t1", "red");
		todo("t2", "blue");
		todo("t3", "red");
		this.narrowing.subscribe(1, subscription("red"));
		assertThat(reset()).containsExactly("t1", "t3");
		assertThat(this.narrowing.sent(List.of("t1", "t3"), null)).containsExactly(1L);

		// held and still in: as it is
		Scribe stays = update(10, "t1", "red");
		assertThat(this.narrowing.narrow(stays, 0)).isSameAs(stays);
		// held, moved out: a destroy under the scribe's id
		todo("t3", "blue");
		Scribe out = sent(this.narrowing.narrow(update(11, "t3", "blue"), 0));
		assertThat(out.type()).isEqualTo(ScribeType.DESTROY);
		assertThat(out.id()).isEqualTo(11);
		// not held, moved in: a create of every current attribute
		todo("t2", "red");
		Scribe in = sent(this.narrowing.narrow(update(12, "t2", "red"), 0));
		assertThat(in.type()).isEqualTo(ScribeType.CREATE);
		assertThat(in.data()).isEqualTo(this.todos.get("t2"));
		// not held, not in: nothing, and an answer landing there says null
		assertThat(this.narrowing.narrow(update(13, "t3", "blue"), 0)).isNull();
		assertThat(this.narrowing.skipped(13)).isTrue();
		// a destroy goes exactly when held
		this.todos.remove("t1");
		assertThat(sent(this.narrowing.narrow(new Scribe(14, "Todo", ScribeType.DESTROY, json.arrayNode().add("t1")), 0)))
			.isNotNull();
		assertThat(this.narrowing.narrow(new Scribe(15, "Todo", ScribeType.DESTROY, json.arrayNode().add("t1")), 0))
			.isNull();
		// an id already decided on the connection is not sent again
		assertThat(this.narrowing.narrow(update(12, "t2", "red"), 12)).isNull();
	}

	@Test
	void theLastUnsubscribeResetsTheKlassToEverythingAndThenStopsNarrowingIt() {
		todo("t1", "red");
		todo("t2", "blue");
		this.narrowing.subscribe(1, subscription("red"));
		reset();
		this.narrowing.sent(List.of("t1"), null);
		this.narrowing.unsubscribe(2, "Todo", "colour", params("red"));
		assertThat(reset()).containsExactly("t1", "t2");
		this.narrowing.sent(List.of("t1", "t2"), null);
		Scribe any = update(20, "t9", "green");
		assertThat(this.narrowing.narrow(any, 0)).isSameAs(any);
	}

	@Test
	void subscriptionsAreCappedAndCountedOnce() {
		this.narrowing.subscribe(1, subscription("red"));
		this.narrowing.subscribe(2, subscription("red"));
		assertThat(this.narrowing.subscriptions("Todo")).hasSize(1);
		for (int i = 1; i < Narrowing.MAX_SUBSCRIPTIONS; i++) {
			this.narrowing.subscribe(10 + i, subscription("c" + i));
		}
		assertThatExceptionOfType(SyncroException.class).isThrownBy(() -> this.narrowing.subscribe(999, subscription("more")))
			.satisfies((ex) -> assertThat(ex.getCode()).isEqualTo(400));
	}

	@Test
	void aBatchPassesOverWhatItLeavesOutAndStillCountsIt() {
		todo("t1", "red");
		this.narrowing.subscribe(1, subscription("red"));
		reset();
		this.narrowing.sent(List.of("t1"), null);
		todo("t2", "blue");
		List<Scribe> read = List.of(update(30, "t2", "blue"), update(31, "t1", "red"), update(32, "t2", "blue"));
		Batch batch = Batch.of(read, new Batch.Narrow() {

			@Override
			public @Nullable Scribe narrow(Scribe scribe) {
				return NarrowingTests.this.narrowing.narrow(scribe, 29);
			}

			@Override
			public void sent(Scribe scribe) {
				NarrowingTests.this.narrowing.sent(scribe);
			}

		}, (scribe) -> scribe.toJson().toString(), 100, 1 << 20, Long.MAX_VALUE, 29);
		assertThat(batch.ids()).containsExactly(31L);
		assertThat(batch.lastId()).isEqualTo(32);
		assertThat(batch.cut()).isFalse();
	}

	private List<String> reset() {
		Narrowing.Reset reset = this.narrowing.reset();
		assertThat(reset).isNotNull();
		List<String> ids = new ArrayList<>();
		reset.records.after(null, 100).records().forEach((record) -> ids.add(record.path("id").asString()));
		return ids;
	}

	private Scribe sent(@Nullable Scribe scribe) {
		assertThat(scribe).isNotNull();
		this.narrowing.sent(scribe);
		return scribe;
	}

	private void todo(String id, String colour) {
		this.todos.put(id, json.objectNode().put("id", id).put("colour", colour));
	}

	private static Scribe update(long id, String recordId, String colour) {
		return new Scribe(id, "Todo", ScribeType.UPDATE,
				json.arrayNode().add(recordId).add(json.objectNode().put("colour", colour)));
	}

	private static ObjectNode params(String colour) {
		return json.objectNode().put("colour", colour);
	}

	private static Subscription subscription(String colour) {
		return new Subscription("colour", params(colour), "Todo", colour);
	}

	/** One scope, {@code colour}, over the test's Todos. */
	private final class ColourScopes implements Scopes {

		@Override
		public String klassOf(String scope) {
			return "Todo";
		}

		@Override
		public String klass(String klass) {
			return klass;
		}

		@Override
		public Subscription subscription(String scope, JsonNode params, Identity who) {
			return NarrowingTests.subscription(params.path("colour").asString());
		}

		@Override
		public ScopedRecords records(String klass, List<Subscription> subscriptions, Identity who) {
			Predicate<ObjectNode> selected = (todo) -> subscriptions.isEmpty()
					|| subscriptions.stream().anyMatch((held) -> held.query().equals(todo.path("colour").asString()));
			return new ScopedRecords() {

				@Override
				public Page after(@Nullable String after, int limit) {
					List<ObjectNode> page = NarrowingTests.this.todos.values().stream().filter(selected)
						.filter((todo) -> after == null || todo.path("id").asString().compareTo(after) > 0)
						.limit(limit)
						.toList();
					return new Page(page, null);
				}

				@Override
				public @Nullable ObjectNode find(String recordId) {
					ObjectNode todo = NarrowingTests.this.todos.get(recordId);
					return (todo != null && selected.test(todo)) ? todo : null;
				}

			};
		}

	}

}
