package io.syncro.recording;

import io.syncro.play.SyncClasses;
import io.syncro.play.Syncable;
import io.syncro.protocol.SyncroException;
import io.syncro.recording.RecordingContext.Playing;
import io.syncro.recording.RecordingTestApplication.TodoPolicy;
import io.syncro.recording.sample.Note;
import io.syncro.recording.sample.NoteRepository;
import io.syncro.recording.sample.Todo;
import io.syncro.recording.sample.TodoRepository;
import io.syncro.scribe.Identity;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeType;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.transaction.support.TransactionTemplate;

import static io.syncro.recording.CapturingScribeLog.create;
import static io.syncro.recording.CapturingScribeLog.destroy;
import static io.syncro.recording.CapturingScribeLog.from;
import static io.syncro.recording.CapturingScribeLog.json;
import static io.syncro.recording.CapturingScribeLog.update;
import static io.syncro.scribe.Recipients.all;
import static io.syncro.scribe.Recipients.only;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Playing inbound scribes through the repositories of {@link Syncable} entities, in the
 * caller's transaction as the engine plays them.
 */
@SpringBootTest(classes = RecordingTestApplication.class, webEnvironment = WebEnvironment.NONE)
class EntityPlayerTests {

	private static final String MILK = "{'id': 't1', 'title': 'Buy milk', 'done': false, 'owner': 'alice'}";

	@Autowired
	private SyncClasses classes;

	@Autowired
	private TodoRepository todos;

	@Autowired
	private NoteRepository notes;

	@Autowired
	private CapturingScribeLog log;

	@Autowired
	private TodoPolicy policy;

	@Autowired
	private TransactionTemplate transaction;

	@AfterEach
	void clear() {
		ScribeRecorder.withoutRecording(() -> {
			this.todos.deleteAllInBatch();
			this.notes.deleteAll();
		});
		this.log.clear();
		this.policy.forget();
	}

	@Test
	void syncableEntitiesWithRepositoriesAreRegistered() {
		assertThat(this.classes.klasses()).containsExactlyInAnyOrder("Todo", "Jotting");
	}

	@Test
	void createSavesNewRecordAndRecordsItWithTheSenderAsOrigin() {
		play("alice", Scribe.create("Todo", (ObjectNode) json(MILK)));
		Todo saved = this.todos.findById("t1").orElseThrow();
		assertThat(saved.getTitle()).isEqualTo("Buy milk");
		assertThat(saved.getOwner()).isEqualTo("alice");
		assertThat(this.log.entries()).containsExactly(from("alice", create("Todo", MILK, only("alice"))));
	}

	@Test
	void updateAppliesOnlyTheGivenAttributesAndRecordsThemWithTheSenderAsOrigin() {
		givenSaved(milk());
		play("alice", Scribe.update("Todo", "t1", (ObjectNode) json("{'done': true}")));
		Todo saved = this.todos.findById("t1").orElseThrow();
		assertThat(saved.isDone()).isTrue();
		assertThat(saved.getTitle()).isEqualTo("Buy milk");
		assertThat(this.log.entries())
			.containsExactly(from("alice", update("Todo", "['t1', {'done': true}]", only("alice"))));
	}

	@Test
	void updateThatChangesNothingRecordsNoScribe() {
		givenSaved(milk());
		play("alice", Scribe.update("Todo", "t1", (ObjectNode) json("{'title': 'Buy milk'}")));
		assertThat(this.log.entries()).isEmpty();
	}

	@Test
	void attributesTheServerChangesWhileSavingAreSentBackToTheSender() {
		givenSaved(milk());
		play("alice", Scribe.update("Todo", "t1", (ObjectNode) json("{'title': '  Buy oat milk ', 'done': true}")));
		assertThat(this.log.entries()).containsExactly(
				from("alice", update("Todo", "['t1', {'title': 'Buy oat milk', 'done': true}]", only("alice"))),
				update("Todo", "['t1', {'title': 'Buy oat milk'}]", only("alice")));
	}

	@Test
	void updateThatHandsTheRecordToAnotherOwnerDestroysItForTheSender() {
		givenSaved(milk());
		play("alice", Scribe.update("Todo", "t1", (ObjectNode) json("{'owner': 'bob'}")));
		assertThat(this.log.entries()).containsExactly(destroy("Todo", "['t1']", only("alice")),
				create("Todo", "{'id': 't1', 'title': 'Buy milk', 'done': false, 'owner': 'bob'}", only("bob")));
	}

	@Test
	void destroyDeletesTheRecordAndRecordsItWithTheSenderAsOrigin() {
		givenSaved(milk());
		play("alice", Scribe.destroy("Todo", "t1"));
		assertThat(this.todos.existsById("t1")).isFalse();
		assertThat(this.log.entries()).containsExactly(from("alice", destroy("Todo", "['t1']", only("alice"))));
	}

	@Test
	void destroyOfAMissingRecordSucceedsAndRecordsNothing() {
		play("alice", Scribe.destroy("Todo", "missing"));
		assertThat(this.log.entries()).isEmpty();
	}

	@Test
	void createOfAnExistingRecordIsPlayedAsAnUpdateOfTheAttributesThatDiffer() {
		givenSaved(milk());
		play("alice", Scribe.create("Todo",
				(ObjectNode) json("{'id': 't1', 'title': 'Buy milk', 'done': true, 'owner': 'alice'}")).withId(9));
		assertThat(this.policy.asked()).singleElement().satisfies((asked) -> {
			assertThat(asked.type()).isEqualTo(ScribeType.UPDATE);
			assertThat(asked.data()).isEqualTo(json("['t1', {'done': true}]"));
		});
		assertThat(this.todos.findById("t1").orElseThrow().isDone()).isTrue();
		assertThat(this.log.entries())
			.containsExactly(from("alice", update("Todo", "['t1', {'done': true}]", only("alice"))));
	}

	@Test
	void unknownAttributeIsRefusedWith400() {
		givenSaved(milk());
		assertRefused(400, "Todo has no attribute 'colour' to set.",
				() -> play("alice", Scribe.update("Todo", "t1", (ObjectNode) json("{'colour': 'red'}"))));
		assertRefused(400, "Todo has no attribute 'colour' to set.", () -> play("alice", Scribe.create("Todo",
				(ObjectNode) json("{'id': 't2', 'title': 'Buy bread', 'colour': 'red'}"))));
		assertThat(this.todos.count()).isOne();
		assertThat(this.log.entries()).isEmpty();
	}

	@Test
	void attributeOfTheWrongTypeIsRefusedWith400AndChangesNothing() {
		givenSaved(milk());
		this.transaction.executeWithoutResult((status) -> assertRefused(400,
				"The attribute 'done' of Todo has a value of the wrong type.",
				() -> this.classes.play(
						Scribe.update("Todo", "t1", (ObjectNode) json("{'title': 'Other', 'done': 'maybe'}")),
						Identity.anonymous("alice"))));
		assertThat(this.todos.findById("t1").orElseThrow().getTitle()).isEqualTo("Buy milk");
		assertThat(this.log.entries()).isEmpty();
	}

	@Test
	void idInAnUpdateIsRefusedWith400() {
		givenSaved(milk());
		Scribe unchecked = new Scribe(3, "Todo", ScribeType.UPDATE, json("['t1', {'id': 't9'}]"));
		assertRefused(400, "An update cannot change a record's id.", () -> play("alice", unchecked));
		assertThat(this.todos.findById("t9")).isEmpty();
	}

	@Test
	void createThatBreaksADatabaseConstraintIsRefusedWith400() {
		assertRefused(400, "The create of Todo t2 breaks a constraint of the database.",
				() -> play("alice", Scribe.create("Todo", (ObjectNode) json("{'id': 't2', 'owner': 'alice'}"))));
		assertThat(this.todos.count()).isZero();
		assertThat(this.log.entries()).isEmpty();
	}

	@Test
	void idThatIsNotOneOfTheClassIsRefusedWith400() {
		assertRefused(400, "'abc' is not a valid id of a Jotting.",
				() -> play("alice", Scribe.update("Jotting", "abc", (ObjectNode) json("{'text': 'Hi'}"))));
	}

	@Test
	void scribeOfAClassWithoutPolicyIsRefusedWith403() {
		assertRefused(403, "The create of Jotting 5 is not authorised.",
				() -> play("alice", Scribe.create("Jotting", (ObjectNode) json("{'id': 5, 'text': 'Hi'}"))));
		assertThat(this.notes.count()).isZero();
	}

	@Test
	void scribeThePolicyRefusesIsRefusedWith403() {
		givenSaved(milk());
		assertRefused(403, "The destroy of Todo t1 is not authorised.",
				() -> play("mallory", Scribe.destroy("Todo", "t1")));
		assertThat(this.todos.existsById("t1")).isTrue();
		assertThat(this.log.entries()).isEmpty();
	}

	@Test
	void updateOfAMissingRecordIsRefusedWith404() {
		assertRefused(404, "There is no Todo with id t1.",
				() -> play("alice", Scribe.update("Todo", "t1", (ObjectNode) json("{'done': true}"))));
	}

	@Test
	void aWriteToARecordTheClientDoesNotReceiveIsAnsweredAsAWriteToAMissingRecord() {
		givenSaved(milk());
		ObjectNode done = (ObjectNode) json("{'done': true}");
		assertRefused(404, "There is no Todo with id t1.", () -> play("bob", Scribe.update("Todo", "t1", done)));
		assertRefused(404, "There is no Todo with id t2.", () -> play("bob", Scribe.update("Todo", "t2", done)));
		play("bob", Scribe.destroy("Todo", "t1"));
		play("bob", Scribe.destroy("Todo", "t2"));
		assertRefused(403, "The create of Todo t1 is not authorised.",
				() -> play("bob", Scribe.create("Todo", (ObjectNode) json("{'id': 't1', 'title': 'Mine', 'owner': 'alice'}"))));
		assertRefused(403, "The create of Todo t3 is not authorised.",
				() -> play("mallory", Scribe.create("Todo", (ObjectNode) json("{'id': 't3', 'title': 'Mine', 'owner': 'alice'}"))));
		Todo kept = this.todos.findById("t1").orElseThrow();
		assertThat(kept.isDone()).isFalse();
		assertThat(kept.getTitle()).isEqualTo("Buy milk");
		assertThat(this.log.entries()).isEmpty();
	}

	@Test
	void onlyTheRecordBeingPlayedIsRecordedWithTheSenderAsOrigin() {
		givenSaved(milk());
		RecordKey played = new RecordKey("Todo", "t1");
		ObjectNode sent = (ObjectNode) json("{'done': true}");
		Playing playing = new Playing(Identity.anonymous("alice"), played, sent);
		this.transaction.executeWithoutResult((status) -> RecordingContext.playing(playing, () -> {
			Todo todo = milk();
			todo.setDone(true);
			this.todos.save(todo);
			return this.notes.save(new Note(1L, "Side effect"));
		}));
		assertThat(this.log.entries()).containsExactly(
				from("alice", update("Todo", "['t1', {'done': true}]", only("alice"))),
				create("Jotting", "{'id': 1, 'text': 'Side effect'}", all()));
	}

	private void play(String client, Scribe scribe) {
		this.transaction.executeWithoutResult((status) -> this.classes.play(scribe, Identity.anonymous(client)));
	}

	private void givenSaved(Todo todo) {
		ScribeRecorder.withoutRecording(() -> this.todos.save(todo));
	}

	private static void assertRefused(int code, String message, ThrowingCallable play) {
		assertThatExceptionOfType(SyncroException.class).isThrownBy(play)
			.satisfies((ex) -> assertThat(ex.getCode()).isEqualTo(code))
			.withMessage(message);
	}

	private static Todo milk() {
		return new Todo("t1", "Buy milk", "alice");
	}

}
