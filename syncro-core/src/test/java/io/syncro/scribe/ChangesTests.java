package io.syncro.scribe;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link Changes}.
 */
class ChangesTests {

	private static final JsonMapper mapper = JsonMapper.builder().build();

	@Test
	void createdRecordIsOneCreateWithEveryAttribute() {
		ObjectNode record = json("{\"id\": \"r1\", \"title\": \"Milk\", \"done\": false, \"tags\": [\"shop\"]}");
		List<ScribeEntry> entries = Changes.created("Todo", record, Recipients.only("bob"), "alice");
		assertThat(entries).containsExactly(new ScribeEntry(Scribe.create("Todo", record), Recipients.only("bob"), "alice",
				null, Recipients.only("bob")));
		assertThat(entries.get(0).scribe().id()).isZero();
	}

	@Test
	void createdScribeKeepsTheAttributesAsTheyWereWhenItWasMade() {
		ObjectNode record = json("{\"id\": \"r1\", \"title\": \"Milk\"}");
		List<ScribeEntry> entries = Changes.created("Todo", record, Recipients.all(), null);
		record.put("title", "Bread");
		assertThat(entries.get(0).scribe().attributes().get("title").asString()).isEqualTo("Milk");
	}

	@Test
	void createdRecordThatNobodyReceivesMakesNoScribe() {
		assertThat(Changes.created("Todo", json("{\"id\": \"r1\"}"), Recipients.none(), "alice")).isEmpty();
	}

	@Test
	void destroyedRecordIsOneDestroyOfItsId() {
		List<ScribeEntry> entries = Changes.destroyed("Todo", "r1", Recipients.allExcept(Set.of("carol")), "alice");
		assertThat(entries).containsExactly(
				new ScribeEntry(Scribe.destroy("Todo", "r1"), Recipients.allExcept(Set.of("carol")), "alice", null,
						Recipients.none()));
		assertThat(entries.get(0).scribe().data()).isEqualTo(json("{\"d\": [\"r1\"]}").get("d"));
	}

	@Test
	void destroyedRecordThatNobodyReceivedMakesNoScribe() {
		assertThat(Changes.destroyed("Todo", "r1", Recipients.none(), null)).isEmpty();
	}

	@Test
	void updatedRecordIsOneUpdateWithOnlyTheChangedAttributes() {
		ObjectNode before = json("{\"id\": \"r1\", \"title\": \"Milk\", \"done\": false, \"list\": {\"name\": \"Shop\"}}");
		ObjectNode after = json("{\"id\": \"r1\", \"title\": \"Milk\", \"done\": true, \"list\": {\"name\": \"Home\"}}");
		List<ScribeEntry> entries = Changes.updated("Todo", before, after, Recipients.all(), Recipients.all(), "alice");
		assertThat(entries).containsExactly(new ScribeEntry(
				Scribe.update("Todo", "r1", json("{\"done\": true, \"list\": {\"name\": \"Home\"}}")), Recipients.all(),
				"alice", null, Recipients.all()));
	}

	@Test
	void updateThatChangesNothingMakesNoScribe() {
		ObjectNode before = json("{\"id\": \"r1\", \"title\": \"Milk\", \"nested\": {\"a\": [1, null]}}");
		ObjectNode after = json("{\"nested\": {\"a\": [1, null]}, \"title\": \"Milk\", \"id\": \"r1\"}");
		assertThat(Changes.updated("Todo", before, after, Recipients.all(), Recipients.all(), "alice")).isEmpty();
		assertThat(Changes.updated("Todo", before, after, Recipients.only("a"), Recipients.only("a"), null)).isEmpty();
	}

	@Test
	void removedAttributeIsGivenAsNull() {
		ObjectNode before = json("{\"id\": \"r1\", \"title\": \"Milk\", \"note\": \"2 litres\"}");
		ObjectNode after = json("{\"id\": \"r1\", \"title\": \"Milk\"}");
		List<ScribeEntry> entries = Changes.updated("Todo", before, after, Recipients.all(), Recipients.all(), null);
		assertThat(entries).hasSize(1);
		assertThat(entries.get(0).scribe().attributes()).isEqualTo(json("{\"note\": null}"));
	}

	@Test
	void attributeSetToNullIsGivenAsNull() {
		ObjectNode before = json("{\"id\": \"r1\", \"note\": \"2 litres\"}");
		ObjectNode after = json("{\"id\": \"r1\", \"note\": null}");
		assertThat(Changes.diff(before, after)).isEqualTo(json("{\"note\": null}"));
	}

	@Test
	void diffNeverContainsTheId() {
		ObjectNode before = json("{\"id\": \"r1\", \"title\": \"Milk\"}");
		ObjectNode after = json("{\"id\": \"r2\", \"title\": \"Bread\"}");
		assertThat(Changes.diff(before, after)).isEqualTo(json("{\"title\": \"Bread\"}"));
	}

	@Test
	void updateThatChangesTheAudienceDestroysForLosersCreatesForGainersAndUpdatesStayers() {
		ObjectNode before = json("{\"id\": \"r1\", \"title\": \"Milk\", \"owner\": \"a\"}");
		ObjectNode after = json("{\"id\": \"r1\", \"title\": \"Milk\", \"owner\": \"c\"}");
		List<ScribeEntry> entries = Changes.updated("Todo", before, after, Recipients.only("a", "b"),
				Recipients.only("b", "c"), "b");
		assertThat(entries).containsExactly(
				new ScribeEntry(Scribe.destroy("Todo", "r1"), Recipients.only("a"), null, null, Recipients.only("b", "c")),
				new ScribeEntry(Scribe.create("Todo", after), Recipients.only("c"), null, null, Recipients.only("b", "c")),
				new ScribeEntry(Scribe.update("Todo", "r1", json("{\"owner\": \"c\"}")), Recipients.only("b"), "b", null,
						Recipients.only("b", "c")));
	}

	@Test
	void writerThatLeavesTheAudienceGetsTheDestroy() {
		ObjectNode before = json("{\"id\": \"r1\", \"shared\": true}");
		ObjectNode after = json("{\"id\": \"r1\", \"shared\": false}");
		List<ScribeEntry> entries = Changes.updated("Todo", before, after, Recipients.all(),
				Recipients.allExcept(Set.of("alice")), "alice");
		assertThat(entries).containsExactly(
				new ScribeEntry(Scribe.destroy("Todo", "r1"), Recipients.only("alice"), null, null,
						Recipients.allExcept(Set.of("alice"))),
				new ScribeEntry(Scribe.update("Todo", "r1", json("{\"shared\": false}")),
						Recipients.allExcept(Set.of("alice")), "alice", null, Recipients.allExcept(Set.of("alice"))));
		assertThat(entries.get(0).isFor("alice")).isTrue();
		assertThat(entries.get(1).isFor("alice")).isFalse();
		assertThat(entries.get(1).isFor("bob")).isTrue();
	}

	@Test
	void writerThatJoinsTheAudienceGetsTheCreate() {
		ObjectNode before = json("{\"id\": \"r1\", \"shared\": false}");
		ObjectNode after = json("{\"id\": \"r1\", \"shared\": true}");
		List<ScribeEntry> entries = Changes.updated("Todo", before, after, Recipients.only("bob"),
				Recipients.only("alice", "bob"), "alice");
		assertThat(entries).containsExactly(
				new ScribeEntry(Scribe.create("Todo", after), Recipients.only("alice"), null, null,
						Recipients.only("alice", "bob")),
				new ScribeEntry(Scribe.update("Todo", "r1", json("{\"shared\": true}")), Recipients.only("bob"),
						"alice", null, Recipients.only("alice", "bob")));
	}

	@Test
	void audienceChangeWithoutAttributeChangesMakesOnlyDestroysAndCreates() {
		ObjectNode record = json("{\"id\": \"r1\", \"title\": \"Milk\"}");
		List<ScribeEntry> entries = Changes.updated("Todo", record, record, Recipients.only("a"), Recipients.only("b"),
				"a");
		assertThat(entries).containsExactly(
				new ScribeEntry(Scribe.destroy("Todo", "r1"), Recipients.only("a"), null, null, Recipients.only("b")),
				new ScribeEntry(Scribe.create("Todo", record), Recipients.only("b"), null, null, Recipients.only("b")));
	}

	@Test
	void emptyAudiencesMakeNoScribes() {
		ObjectNode before = json("{\"id\": \"r1\", \"title\": \"Milk\"}");
		ObjectNode after = json("{\"id\": \"r1\", \"title\": \"Bread\"}");
		assertThat(Changes.updated("Todo", before, after, Recipients.none(), Recipients.none(), "alice")).isEmpty();
		assertThat(Changes.updated("Todo", before, after, Recipients.none(), Recipients.only("b"), "alice"))
			.containsExactly(new ScribeEntry(Scribe.create("Todo", after), Recipients.only("b"), null, null,
					Recipients.only("b")));
		assertThat(Changes.updated("Todo", before, after, Recipients.only("b"), Recipients.none(), "alice"))
			.containsExactly(new ScribeEntry(Scribe.destroy("Todo", "r1"), Recipients.only("b"), null, null,
					Recipients.none()));
	}

	@Test
	void updatedScribesKeepTheAttributesAsTheyWereWhenTheyWereMade() {
		ObjectNode before = json("{\"id\": \"r1\", \"list\": {\"name\": \"Shop\"}}");
		ObjectNode after = json("{\"id\": \"r1\", \"list\": {\"name\": \"Home\"}}");
		List<ScribeEntry> entries = Changes.updated("Todo", before, after, Recipients.only("a"),
				Recipients.only("a", "b"), null);
		((ObjectNode) after.get("list")).put("name", "Changed later");
		assertThat(entries).extracting((entry) -> entry.scribe().attributes().get("list").get("name").asString())
			.containsExactly("Home", "Home");
	}

	private static ObjectNode json(String text) {
		return (ObjectNode) mapper.readTree(text);
	}

}
