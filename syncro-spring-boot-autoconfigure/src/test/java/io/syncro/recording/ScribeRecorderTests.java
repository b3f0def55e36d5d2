package io.syncro.recording;

import io.syncro.play.Syncable;
import io.syncro.recording.sample.Plain;
import io.syncro.recording.sample.Todo;
import io.syncro.recording.sample.TodoRepository;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.transaction.support.TransactionTemplate;

import static io.syncro.recording.CapturingScribeLog.create;
import static io.syncro.recording.CapturingScribeLog.destroy;
import static io.syncro.recording.CapturingScribeLog.update;
import static io.syncro.scribe.Recipients.only;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Recording by hand what the repository interceptor cannot see, and suspending recording.
 */
@SpringBootTest(classes = RecordingTestApplication.class, webEnvironment = WebEnvironment.NONE)
class ScribeRecorderTests {

	private static final String MILK = "{'id': 't1', 'title': 'Buy milk', 'done': false, 'owner': 'alice'}";

	@Autowired
	private ScribeRecorder recorder;

	@Autowired
	private TodoRepository todos;

	@Autowired
	private CapturingScribeLog log;

	@Autowired
	private TransactionTemplate transaction;

	@Autowired
	private EntityManager entityManager;

	@AfterEach
	void clear() {
		ScribeRecorder.withoutRecording(() -> this.todos.deleteAllInBatch());
		this.log.clear();
	}

	@Test
	void recordCreateRecordsEveryAttribute() {
		this.recorder.recordCreate(milk());
		assertThat(this.log.entries()).containsExactly(create("Todo", MILK, only("alice")));
	}

	@Test
	void recordUpdateRecordsTheNamedAttributesWithTheirCurrentValues() {
		Todo todo = milk();
		todo.setDone(true);
		this.recorder.recordUpdate(todo, "done", "title");
		assertThat(this.log.entries())
			.containsExactly(update("Todo", "['t1', {'done': true, 'title': 'Buy milk'}]", only("alice")));
	}

	@Test
	void recordUpdateWithoutNamesRecordsEveryAttributeButTheId() {
		this.recorder.recordUpdate(milk());
		assertThat(this.log.entries()).containsExactly(
				update("Todo", "['t1', {'title': 'Buy milk', 'done': false, 'owner': 'alice'}]", only("alice")));
	}

	@Test
	void recordUpdateOfAnAttributeTheRecordDoesNotHaveFails() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.recorder.recordUpdate(milk(), "colour"))
			.withMessageContaining("colour");
		assertThatIllegalArgumentException().isThrownBy(() -> this.recorder.recordUpdate(milk(), "id"));
		assertThat(this.log.entries()).isEmpty();
	}

	@Test
	void recordDestroyRecordsDestroyForTheClientsThatReceivedTheRecord() {
		this.recorder.recordDestroy(milk());
		assertThat(this.log.entries()).containsExactly(destroy("Todo", "['t1']", only("alice")));
	}

	@Test
	void recordingAnEntityThatIsNotSyncableFails() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.recorder.recordCreate(new Plain("p1", "Plain")))
			.withMessageContaining("is not a @Syncable entity");
	}

	@Test
	void bulkUpdateIsRecordedByHand() {
		ScribeRecorder.withoutRecording(() -> this.todos.save(milk()));
		this.transaction.executeWithoutResult((status) -> {
			this.entityManager.createQuery("update Todo t set t.done = true where t.owner = 'alice'").executeUpdate();
			assertThat(this.log.entries()).isEmpty();
			this.recorder.recordUpdate(this.todos.findById("t1").orElseThrow(), "done");
		});
		assertThat(this.log.entries()).containsExactly(update("Todo", "['t1', {'done': true}]", only("alice")));
	}

	@Test
	void recordUpdateAfterARecordedChangeOfOwnerInTheSameTransactionMovesTheRecord() {
		this.transaction.executeWithoutResult((status) -> {
			this.recorder.recordCreate(milk());
			Todo moved = milk();
			moved.setOwner("bob");
			this.recorder.recordUpdate(moved, "owner");
		});
		assertThat(this.log.entries()).containsExactly(create("Todo", MILK, only("alice")),
				destroy("Todo", "['t1']", only("alice")),
				create("Todo", "{'id': 't1', 'title': 'Buy milk', 'done': false, 'owner': 'bob'}", only("bob")));
	}

	@Test
	void withoutRecordingRecordsNothingInTheBlockAndRecordsAgainAfterIt() {
		Todo saved = ScribeRecorder.withoutRecording(() -> {
			this.recorder.recordCreate(milk());
			Todo todo = this.todos.save(milk());
			this.todos.deleteById("t1");
			return this.todos.save(todo);
		});
		assertThat(saved.getId()).isEqualTo("t1");
		assertThat(this.log.entries()).isEmpty();
		this.todos.deleteById("t1");
		assertThat(this.log.entries()).containsExactly(destroy("Todo", "['t1']", only("alice")));
	}

	@Test
	void withoutRecordingNestsAndRestoresRecording() {
		ScribeRecorder.withoutRecording(() -> {
			ScribeRecorder.withoutRecording(() -> this.recorder.recordCreate(milk()));
			this.recorder.recordDestroy(milk());
		});
		assertThat(this.log.entries()).isEmpty();
		this.recorder.recordCreate(milk());
		assertThat(this.log.entries()).hasSize(1);
	}

	private static Todo milk() {
		return new Todo("t1", "Buy milk", "alice");
	}

}
