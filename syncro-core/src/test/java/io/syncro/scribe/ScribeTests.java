package io.syncro.scribe;

import io.syncro.protocol.SyncroException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link Scribe}.
 */
class ScribeTests {

	private static final JsonMapper mapper = JsonMapper.builder().build();

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = {
			// not an object
			"[]", "\"scribe\"", "42", "null",
			// id
			"{'klass': 'Todo', 'type': 'destroy', 'data': ['r1']}",
			"{'id': null, 'klass': 'Todo', 'type': 'destroy', 'data': ['r1']}",
			"{'id': '1', 'klass': 'Todo', 'type': 'destroy', 'data': ['r1']}",
			"{'id': 1.5, 'klass': 'Todo', 'type': 'destroy', 'data': ['r1']}",
			"{'id': 1.0, 'klass': 'Todo', 'type': 'destroy', 'data': ['r1']}",
			"{'id': true, 'klass': 'Todo', 'type': 'destroy', 'data': ['r1']}",
			"{'id': 0, 'klass': 'Todo', 'type': 'destroy', 'data': ['r1']}",
			"{'id': -3, 'klass': 'Todo', 'type': 'destroy', 'data': ['r1']}",
			"{'id': 99999999999999999999999, 'klass': 'Todo', 'type': 'destroy', 'data': ['r1']}",
			// klass
			"{'id': 1, 'type': 'destroy', 'data': ['r1']}",
			"{'id': 1, 'klass': null, 'type': 'destroy', 'data': ['r1']}",
			"{'id': 1, 'klass': 7, 'type': 'destroy', 'data': ['r1']}",
			"{'id': 1, 'klass': '', 'type': 'destroy', 'data': ['r1']}",
			// type
			"{'id': 1, 'klass': 'Todo', 'data': ['r1']}",
			"{'id': 1, 'klass': 'Todo', 'type': 'upsert', 'data': ['r1']}",
			"{'id': 1, 'klass': 'Todo', 'type': 'DESTROY', 'data': ['r1']}",
			"{'id': 1, 'klass': 'Todo', 'type': 3, 'data': ['r1']}",
			// data
			"{'id': 1, 'klass': 'Todo', 'type': 'destroy'}",
			"{'id': 1, 'klass': 'Todo', 'type': 'create', 'data': ['r1', {'title': 'Milk'}]}",
			"{'id': 1, 'klass': 'Todo', 'type': 'create', 'data': 'r1'}",
			"{'id': 1, 'klass': 'Todo', 'type': 'create', 'data': {'title': 'Milk'}}",
			"{'id': 1, 'klass': 'Todo', 'type': 'create', 'data': {'id': null, 'title': 'Milk'}}",
			"{'id': 1, 'klass': 'Todo', 'type': 'create', 'data': {'id': '', 'title': 'Milk'}}",
			"{'id': 1, 'klass': 'Todo', 'type': 'create', 'data': {'id': true}}",
			"{'id': 1, 'klass': 'Todo', 'type': 'create', 'data': {'id': {'key': 1}}}",
			"{'id': 1, 'klass': 'Todo', 'type': 'create', 'data': {'id': 1.5}}",
			"{'id': 1, 'klass': 'Todo', 'type': 'update', 'data': {'id': 'r1', 'title': 'Milk'}}",
			"{'id': 1, 'klass': 'Todo', 'type': 'update', 'data': ['r1']}",
			"{'id': 1, 'klass': 'Todo', 'type': 'update', 'data': ['r1', {'title': 'Milk'}, {}]}",
			"{'id': 1, 'klass': 'Todo', 'type': 'update', 'data': ['r1', 'Milk']}",
			"{'id': 1, 'klass': 'Todo', 'type': 'update', 'data': [null, {'title': 'Milk'}]}",
			"{'id': 1, 'klass': 'Todo', 'type': 'update', 'data': ['r1', {'id': 'r2'}]}",
			"{'id': 1, 'klass': 'Todo', 'type': 'destroy', 'data': []}",
			"{'id': 1, 'klass': 'Todo', 'type': 'destroy', 'data': ['r1', 'r2']}",
			"{'id': 1, 'klass': 'Todo', 'type': 'destroy', 'data': 'r1'}",
			"{'id': 1, 'klass': 'Todo', 'type': 'destroy', 'data': {'id': 'r1'}}",
			"{'id': 1, 'klass': 'Todo', 'type': 'destroy', 'data': [null]}",
			"{'id': 1, 'klass': 'Todo', 'type': 'destroy', 'data': [['r1']]}" })
	void fromJsonRefusesABadShapeWithCode400(String json) {
		JsonNode node = parse(json);
		assertThatExceptionOfType(SyncroException.class).isThrownBy(() -> Scribe.fromJson(node))
			.satisfies((ex) -> assertThat(ex.getCode()).isEqualTo(400))
			.satisfies((ex) -> assertThat(ex.getMessage()).isNotBlank());
	}

	@Test
	void fromJsonRefusesAKlassLongerThanTheLimit() {
		ObjectNode json = (ObjectNode) parse("{'id': 1, 'type': 'destroy', 'data': ['r1']}");
		json.put("klass", "K".repeat(Scribe.MAX_KLASS_LENGTH + 1));
		assertThatExceptionOfType(SyncroException.class).isThrownBy(() -> Scribe.fromJson(json))
			.satisfies((ex) -> assertThat(ex.getCode()).isEqualTo(400));
		json.put("klass", "K".repeat(Scribe.MAX_KLASS_LENGTH));
		assertThat(Scribe.fromJson(json).klass()).hasSize(Scribe.MAX_KLASS_LENGTH);
	}

	@Test
	void fromJsonRefusesARecordIdLongerThanTheLimit() {
		ObjectNode json = (ObjectNode) parse("{'id': 1, 'klass': 'Todo', 'type': 'destroy'}");
		json.putArray("data").add("r".repeat(Scribe.MAX_RECORD_ID_LENGTH + 1));
		assertThatExceptionOfType(SyncroException.class).isThrownBy(() -> Scribe.fromJson(json))
			.satisfies((ex) -> assertThat(ex.getCode()).isEqualTo(400));
		json.putArray("data").add("r".repeat(Scribe.MAX_RECORD_ID_LENGTH));
		assertThat(Scribe.fromJson(json).recordId()).hasSize(Scribe.MAX_RECORD_ID_LENGTH);
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = {
			"{'id': 1, 'klass': 'Todo', 'type': 'create', 'data': {'id': 'r1', 'title': 'Milk', 'done': false}}",
			"{'id': 2, 'klass': 'Todo', 'type': 'create', 'data': {'id': 7}}",
			"{'id': 3, 'klass': 'Tödö ✓', 'type': 'update', 'data': ['r1', {'title': 'Brot 🍞', 'note': null, 'n': {'x': [1, 2.5]}}]}",
			"{'id': 4, 'klass': 'Todo', 'type': 'update', 'data': [7, {}]}",
			"{'id': 5, 'klass': 'Todo', 'type': 'destroy', 'data': ['r1']}",
			"{'id': 9007199254740993, 'klass': 'Todo', 'type': 'destroy', 'data': [7]}" })
	void goodShapeRoundTripsThroughToJson(String text) {
		JsonNode json = parse(text);
		Scribe scribe = Scribe.fromJson(json);
		assertThat(scribe.id()).isEqualTo(json.get("id").longValue());
		assertThat(scribe.klass()).isEqualTo(json.get("klass").stringValue());
		assertThat(scribe.type().wireName()).isEqualTo(json.get("type").stringValue());
		assertThat(wire(scribe.toJson())).isEqualTo(wire(json));
		assertThat(Scribe.fromJson(scribe.toJson())).isEqualTo(scribe);
	}

	@Test
	void fromJsonIgnoresUnknownFields() {
		Scribe scribe = Scribe.fromJson(parse("{'id': 1, 'klass': 'Todo', 'type': 'destroy', 'data': ['r1'], 'x': 1}"));
		assertThat(scribe).isEqualTo(Scribe.destroy("Todo", "r1").withId(1));
	}

	@Test
	void idOfReadsAPositiveIntegerId() {
		assertThat(Scribe.idOf(parse("{'id': 42}"))).isEqualTo(42);
		assertThatExceptionOfType(SyncroException.class).isThrownBy(() -> Scribe.idOf(parse("{'id': 0}")))
			.satisfies((ex) -> assertThat(ex.getCode()).isEqualTo(400));
		assertThatExceptionOfType(SyncroException.class).isThrownBy(() -> Scribe.idOf(parse("[1]")))
			.satisfies((ex) -> assertThat(ex.getCode()).isEqualTo(400));
	}

	@Test
	void recordIdIsTheRecordsIdAsText() {
		assertThat(Scribe.create("Todo", (ObjectNode) parse("{'id': 'r1', 'title': 'Milk'}")).recordId())
			.isEqualTo("r1");
		assertThat(Scribe.create("Todo", (ObjectNode) parse("{'id': 7}")).recordId()).isEqualTo("7");
		assertThat(Scribe.update("Todo", "r2", (ObjectNode) parse("{'done': true}")).recordId()).isEqualTo("r2");
		assertThat(Scribe.destroy("Todo", "r3").recordId()).isEqualTo("r3");
		assertThat(Scribe.fromJson(parse("{'id': 1, 'klass': 'Todo', 'type': 'destroy', 'data': [12]}")).recordId())
			.isEqualTo("12");
	}

	@Test
	void attributesAreEveryAttributeOfACreateTheChangedOnesOfAnUpdateAndNoneOfADestroy() {
		ObjectNode record = (ObjectNode) parse("{'id': 'r1', 'title': 'Milk', 'done': false}");
		ObjectNode changes = (ObjectNode) parse("{'done': true}");
		assertThat(Scribe.create("Todo", record).attributes()).isEqualTo(record);
		assertThat(Scribe.update("Todo", "r1", changes).attributes()).isEqualTo(changes);
		assertThat(Scribe.destroy("Todo", "r1").attributes()).isEmpty();
	}

	@Test
	void factoriesMakeScribesWithoutAnIdInTheWireShape() {
		ObjectNode changes = (ObjectNode) parse("{'done': true}");
		assertThat(wire(Scribe.create("Todo", (ObjectNode) parse("{'id': 'r1'}")).toJson()))
			.isEqualTo(wire(parse("{'id': 0, 'klass': 'Todo', 'type': 'create', 'data': {'id': 'r1'}}")));
		assertThat(wire(Scribe.update("Todo", "r1", changes).toJson()))
			.isEqualTo(wire(parse("{'id': 0, 'klass': 'Todo', 'type': 'update', 'data': ['r1', {'done': true}]}")));
		assertThat(wire(Scribe.destroy("Todo", "r1").toJson()))
			.isEqualTo(wire(parse("{'id': 0, 'klass': 'Todo', 'type': 'destroy', 'data': ['r1']}")));
	}

	@Test
	void factoriesRefuseBadShapes() {
		assertThatExceptionOfType(SyncroException.class)
			.isThrownBy(() -> Scribe.create("Todo", (ObjectNode) parse("{'title': 'Milk'}")));
		assertThatExceptionOfType(SyncroException.class)
			.isThrownBy(() -> Scribe.update("Todo", "r1", (ObjectNode) parse("{'id': 'r2'}")));
		assertThatExceptionOfType(SyncroException.class).isThrownBy(() -> Scribe.destroy("", "r1"));
		assertThatExceptionOfType(SyncroException.class).isThrownBy(() -> Scribe.destroy("Todo", ""));
	}

	@Test
	void withIdChangesOnlyTheId() {
		Scribe scribe = Scribe.destroy("Todo", "r1");
		Scribe numbered = scribe.withId(12);
		assertThat(numbered.id()).isEqualTo(12);
		assertThat(numbered).usingRecursiveComparison().ignoringFields("id").isEqualTo(scribe);
	}

	@Test
	void wireNamesOfTypesRoundTrip() {
		for (ScribeType type : ScribeType.values()) {
			assertThat(ScribeType.fromWireName(type.wireName())).isSameAs(type);
		}
		assertThat(ScribeType.fromWireName("Create")).isNull();
	}

	private static String wire(JsonNode json) {
		return mapper.writeValueAsString(json);
	}

	private static JsonNode parse(String singleQuoted) {
		return mapper.readTree(singleQuoted.replace('\'', '"'));
	}

}
