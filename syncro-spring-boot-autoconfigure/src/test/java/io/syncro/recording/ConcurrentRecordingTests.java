package io.syncro.recording;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.syncro.play.SyncClasses;
import io.syncro.recording.RecordingTestApplication.TodoPolicy;
import io.syncro.recording.sample.Todo;
import io.syncro.recording.sample.TodoRepository;
import io.syncro.scribe.Identity;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import io.syncro.scribe.ScribeType;
import io.syncro.store.jdbc.JdbcScribeOutbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two changes of one record racing each other: whichever way the database orders them,
 * the scribes recorded for them, applied in log order, give the record the database has.
 * The other change is made while the first has read the record and not written it yet
 * (the policy is asked in between).
 */
@SpringBootTest(classes = RecordingTestApplication.class, webEnvironment = WebEnvironment.NONE)
class ConcurrentRecordingTests {

	@Autowired
	private TodoRepository todos;

	@Autowired
	private TodoPolicy policy;

	@Autowired
	private SyncClasses classes;

	@Autowired
	private CapturingScribeLog log;

	@Autowired
	private TransactionTemplate transaction;

	@Autowired
	private JdbcScribeOutbox outbox;

	@AfterEach
	void clear() {
		this.outbox.relayNow();
		ScribeRecorder.withoutRecording(() -> this.todos.deleteAllInBatch());
		this.log.clear();
	}

	@Test
	void aDetachedSaveRacingAnotherChangeIsRecordedAsWhatItWrote() throws Exception {
		givenSavedWithItsCreate();
		Todo detached = this.todos.findById("t1").orElseThrow();
		detached.setTitle("Buy oat milk");
		CompletableFuture<Void> other = whileTheNextChangeHasReadItsRecord(() -> this.transaction
			.executeWithoutResult((status) -> {
				Todo todo = this.todos.findById("t1").orElseThrow();
				todo.setDone(true);
				this.todos.save(todo);
			}));
		this.todos.save(detached);
		awaitEither(other);
		assertThatTheLogGivesWhatTheDatabaseHas();
	}

	@Test
	void aPlayRacingAnotherChangeIsRecordedAsWhatItWrote() throws Exception {
		givenSavedWithItsCreate();
		CompletableFuture<Void> other = whileTheNextChangeHasReadItsRecord(() -> {
			Todo detached = this.todos.findById("t1").orElseThrow();
			detached.setTitle("Buy oat milk");
			this.todos.save(detached);
		});
		ObjectNode done = JsonNodeFactory.instance.objectNode().put("done", true);
		this.transaction.executeWithoutResult((status) -> this.classes.play(Scribe.update("Todo", "t1", done), Identity.anonymous("alice")));
		awaitEither(other);
		assertThatTheLogGivesWhatTheDatabaseHas();
	}

	private void givenSavedWithItsCreate() {
		this.todos.save(new Todo("t1", "Buy milk", "alice"));
		this.outbox.relayNow();
	}

	/**
	 * Starts a change on another thread as soon as the next change has read its record,
	 * and lets the next change go on once the other has committed, or after half a
	 * second if it waits for the next one (as it must, when the record is locked).
	 */
	private CompletableFuture<Void> whileTheNextChangeHasReadItsRecord(Runnable change) {
		CompletableFuture<Void> other = new CompletableFuture<>();
		this.policy.onNextCall(() -> {
			CompletableFuture.runAsync(change).whenComplete((result, failure) -> {
				if (failure != null) {
					other.completeExceptionally(failure);
				}
				else {
					other.complete(null);
				}
			});
			try {
				other.get(500, TimeUnit.MILLISECONDS);
			}
			catch (TimeoutException | ExecutionException ex) {
				// blocked by the lock, or failed: the next change goes on first
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		return other;
	}

	/**
	 * Waits for the other change, which commits or fails as a change that read a record
	 * another transaction has changed since.
	 */
	private static void awaitEither(CompletableFuture<Void> other) throws Exception {
		try {
			other.get(30, TimeUnit.SECONDS);
		}
		catch (ExecutionException ex) {
			assertThat(ex).hasRootCauseInstanceOf(ConcurrencyFailureException.class);
		}
	}

	private void assertThatTheLogGivesWhatTheDatabaseHas() {
		this.outbox.relayNow();
		Todo stored = this.todos.findById("t1").orElseThrow();
		ObjectNode folded = JsonNodeFactory.instance.objectNode();
		for (ScribeEntry entry : this.log.entries()) {
			Scribe scribe = entry.scribe();
			if (scribe.type() == ScribeType.CREATE) {
				folded.setAll((ObjectNode) scribe.data());
			}
			else if (scribe.type() == ScribeType.UPDATE) {
				folded.setAll((ObjectNode) scribe.data().get(1));
			}
		}
		JsonNode title = folded.get("title");
		JsonNode done = folded.get("done");
		assertThat(title.asString()).isEqualTo(stored.getTitle());
		assertThat(done.asBoolean()).isEqualTo(stored.isDone());
	}

}
