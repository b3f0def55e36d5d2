package io.syncro.recording;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.syncro.play.SyncClasses;
import io.syncro.recording.sample.Note;
import io.syncro.recording.sample.NoteRepository;
import io.syncro.recording.sample.Plain;
import io.syncro.recording.sample.PlainRepository;
import io.syncro.recording.sample.Todo;
import io.syncro.recording.sample.TodoRepository;
import io.syncro.scribe.Identity;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import io.syncro.store.jdbc.JdbcScribeOutbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.core.Ordered;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import static io.syncro.recording.CapturingScribeLog.create;
import static io.syncro.recording.CapturingScribeLog.destroy;
import static io.syncro.recording.CapturingScribeLog.update;
import static io.syncro.scribe.Recipients.all;
import static io.syncro.scribe.Recipients.only;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The recorder around real JPA repositories on H2: every intercepted method, the
 * before-image, audiences and transactions.
 */
@SpringBootTest(classes = RecordingTestApplication.class, webEnvironment = WebEnvironment.NONE)
class RepositoryRecordingTests {

	private static final String MILK = "{'id': 't1', 'title': 'Buy milk', 'done': false, 'owner': 'alice'}";

	private static final String BREAD = "{'id': 't2', 'title': 'Buy bread', 'done': false, 'owner': 'alice'}";

	@Autowired
	private TodoRepository todos;

	@Autowired
	private NoteRepository notes;

	@Autowired
	private PlainRepository plains;

	@Autowired
	private CapturingScribeLog log;

	@Autowired
	private ScribeRecorder recorder;

	@Autowired
	private TransactionTemplate transaction;

	@Autowired
	private SyncClasses classes;

	@Autowired
	private JdbcScribeOutbox outbox;

	@AfterEach
	void clear() {
		this.log.failAppends(false);
		this.outbox.relayNow();
		ScribeRecorder.withoutRecording(() -> {
			this.todos.deleteAllInBatch();
			this.notes.deleteAll();
			this.plains.deleteAllInBatch();
		});
		this.log.clear();
	}

	@Test
	void saveOfNewRecordRecordsCreateWithEveryAttribute() {
		this.todos.save(milk());
		assertThat(this.log.entries()).containsExactly(create("Todo", MILK, only("alice")));
	}

	@Test
	void saveOfExistingRecordRecordsUpdateWithOnlyTheChangedAttributes() {
		givenSaved(milk());
		Todo detached = milk();
		detached.setDone(true);
		this.todos.save(detached);
		assertThat(this.log.entries()).containsExactly(update("Todo", "['t1', {'done': true}]", only("alice")));
	}

	@Test
	void saveThatChangesNothingRecordsNoScribe() {
		givenSaved(milk());
		this.todos.save(milk());
		this.transaction.executeWithoutResult((status) -> this.todos.save(this.todos.findById("t1").orElseThrow()));
		assertThat(this.log.entries()).isEmpty();
	}

	@Test
	void managedEntityChangedInPlaceThenSavedRecordsTheChange() {
		givenSaved(milk());
		this.transaction.executeWithoutResult((status) -> {
			Todo managed = this.todos.findById("t1").orElseThrow();
			managed.setTitle("Buy oat milk");
			this.todos.save(managed);
		});
		assertThat(this.log.entries())
			.containsExactly(update("Todo", "['t1', {'title': 'Buy oat milk'}]", only("alice")));
	}

	@Test
	void managedEntityChangedInPlaceThenSavedAndFlushedRecordsTheChange() {
		givenSaved(milk());
		this.transaction.executeWithoutResult((status) -> {
			Todo managed = this.todos.findById("t1").orElseThrow();
			managed.setDone(true);
			this.todos.saveAndFlush(managed);
		});
		assertThat(this.log.entries()).containsExactly(update("Todo", "['t1', {'done': true}]", only("alice")));
	}

	@Test
	void savesOfOneRecordInOneTransactionRecordEachChangeOnce() {
		this.transaction.executeWithoutResult((status) -> {
			Todo todo = this.todos.save(milk());
			todo.setDone(true);
			this.todos.save(todo);
			todo.setTitle("Buy oat milk");
			this.todos.saveAndFlush(todo);
		});
		assertThat(this.log.entries()).containsExactly(create("Todo", MILK, only("alice")),
				update("Todo", "['t1', {'done': true}]", only("alice")),
				update("Todo", "['t1', {'title': 'Buy oat milk'}]", only("alice")));
	}

	@Test
	void saveAndFlushRecordsCreateAndUpdate() {
		this.todos.saveAndFlush(milk());
		Todo changed = milk();
		changed.setTitle("Buy oat milk");
		this.todos.saveAndFlush(changed);
		assertThat(this.log.entries()).containsExactly(create("Todo", MILK, only("alice")),
				update("Todo", "['t1', {'title': 'Buy oat milk'}]", only("alice")));
	}

	@Test
	void saveAllRecordsEachRecordThatChanged() {
		this.todos.saveAll(List.of(milk(), bread()));
		Todo changed = bread();
		changed.setDone(true);
		this.todos.saveAll(List.of(milk(), changed));
		assertThat(this.log.entries()).containsExactly(create("Todo", MILK, only("alice")),
				create("Todo", BREAD, only("alice")), update("Todo", "['t2', {'done': true}]", only("alice")));
	}

	@Test
	void saveAllAndFlushRecordsEachRecordThatChanged() {
		this.todos.saveAllAndFlush(List.of(milk(), bread()));
		Todo changed = milk();
		changed.setDone(true);
		this.todos.saveAllAndFlush(List.of(changed, bread()));
		assertThat(this.log.entries()).containsExactly(create("Todo", MILK, only("alice")),
				create("Todo", BREAD, only("alice")), update("Todo", "['t1', {'done': true}]", only("alice")));
	}

	@Test
	void deleteRecordsDestroyForTheClientsThatReceivedTheRecord() {
		givenSaved(milk());
		this.todos.delete(milk());
		assertThat(this.log.entries()).containsExactly(destroy("Todo", "['t1']", only("alice")));
		assertThat(this.todos.count()).isZero();
	}

	@Test
	void deleteOfManagedEntityChangedInPlaceIsAddressedWithTheRecordAsItWas() {
		givenSaved(milk());
		this.transaction.executeWithoutResult((status) -> {
			Todo managed = this.todos.findById("t1").orElseThrow();
			managed.setOwner("bob");
			this.todos.delete(managed);
		});
		assertThat(this.log.entries()).containsExactly(destroy("Todo", "['t1']", only("alice")));
	}

	@Test
	void deleteByIdRecordsDestroyAndNothingForAMissingRecord() {
		givenSaved(milk());
		this.todos.deleteById("t1");
		this.todos.deleteById("missing");
		assertThat(this.log.entries()).containsExactly(destroy("Todo", "['t1']", only("alice")));
	}

	@Test
	void deleteAllOfEntitiesRecordsDestroyOfEach() {
		givenSaved(milk(), bread());
		this.todos.deleteAll(List.of(milk(), bread()));
		assertThat(this.log.entries()).containsExactly(destroy("Todo", "['t1']", only("alice")),
				destroy("Todo", "['t2']", only("alice")));
	}

	@Test
	void deleteAllByIdRecordsDestroyOfEach() {
		givenSaved(milk(), bread());
		this.todos.deleteAllById(List.of("t2", "t1"));
		assertThat(this.log.entries()).containsExactly(destroy("Todo", "['t2']", only("alice")),
				destroy("Todo", "['t1']", only("alice")));
	}

	@Test
	void deleteAllInBatchOfEntitiesRecordsDestroyOfEach() {
		givenSaved(milk(), bread());
		this.todos.deleteAllInBatch(List.of(milk(), bread()));
		assertThat(this.log.entries()).containsExactly(destroy("Todo", "['t1']", only("alice")),
				destroy("Todo", "['t2']", only("alice")));
		assertThat(this.todos.count()).isZero();
	}

	@Test
	void deleteAllByIdInBatchRecordsDestroyOfEach() {
		givenSaved(milk(), bread());
		this.todos.deleteAllByIdInBatch(List.of("t1", "t2"));
		assertThat(this.log.entries()).containsExactly(destroy("Todo", "['t1']", only("alice")),
				destroy("Todo", "['t2']", only("alice")));
		assertThat(this.todos.count()).isZero();
	}

	@Test
	void deleteAllRecordsDestroyOfEveryRecord() {
		givenSaved(milk(), bread());
		this.todos.deleteAll();
		assertThat(this.log.entries()).containsExactlyInAnyOrder(destroy("Todo", "['t1']", only("alice")),
				destroy("Todo", "['t2']", only("alice")));
	}

	@Test
	void deleteAllInBatchRecordsDestroyOfEveryRecord() {
		givenSaved(milk(), bread());
		this.todos.deleteAllInBatch();
		assertThat(this.log.entries()).containsExactlyInAnyOrder(destroy("Todo", "['t1']", only("alice")),
				destroy("Todo", "['t2']", only("alice")));
		assertThat(this.todos.count()).isZero();
	}

	@Test
	void updateThatMovesRecordToAnotherOwnerDestroysItForTheOldOwnerAndCreatesItForTheNew() {
		givenSaved(milk());
		Todo moved = milk();
		moved.setOwner("bob");
		moved.setDone(true);
		this.todos.save(moved);
		assertThat(this.log.entries()).containsExactly(destroy("Todo", "['t1']", only("alice")), create("Todo",
				"{'id': 't1', 'title': 'Buy milk', 'done': true, 'owner': 'bob'}", only("bob")));
	}

	@Test
	void updateOfManagedEntityThatMovesItToAnotherOwnerIsAddressedFromTheStateItWasLoadedWith() {
		givenSaved(milk());
		this.transaction.executeWithoutResult((status) -> {
			Todo managed = this.todos.findById("t1").orElseThrow();
			managed.setOwner("bob");
			this.todos.save(managed);
		});
		assertThat(this.log.entries()).containsExactly(destroy("Todo", "['t1']", only("alice")), create("Todo",
				"{'id': 't1', 'title': 'Buy milk', 'done': false, 'owner': 'bob'}", only("bob")));
	}

	@Test
	void recordOfAClassWithItsOwnNameAndNumericIdCarriesThatName() {
		this.notes.save(new Note(7L, "Hello"));
		this.notes.deleteById(7L);
		assertThat(this.log.entries()).containsExactly(create("Jotting", "{'id': 7, 'text': 'Hello'}", all()),
				destroy("Jotting", "['7']", all()));
	}

	@Test
	void entitiesThatAreNotSyncableAreNotRecorded() {
		this.plains.save(new Plain("p1", "Plain"));
		this.plains.deleteAll();
		assertThat(this.log.entries()).isEmpty();
	}

	@Test
	void scribesOfATransactionAreAppendedWhenItCommits() {
		this.transaction.executeWithoutResult((status) -> {
			this.todos.save(milk());
			this.todos.saveAndFlush(bread());
			assertThat(this.log.entries()).isEmpty();
		});
		assertThat(this.log.entries()).containsExactly(create("Todo", MILK, only("alice")),
				create("Todo", BREAD, only("alice")));
	}

	@Test
	void transactionThatRollsBackAppendsNothing() {
		this.transaction.executeWithoutResult((status) -> {
			this.todos.saveAndFlush(milk());
			this.recorder.recordCreate(bread());
			status.setRollbackOnly();
		});
		assertThat(this.log.entries()).isEmpty();
		assertThat(this.todos.count()).isZero();
	}

	@Test
	void outsideATransactionScribesAreAppendedWhenTheCallReturns() {
		this.todos.save(milk());
		assertThat(this.log.entries()).containsExactly(create("Todo", MILK, only("alice")));
		this.recorder.recordDestroy(milk());
		assertThat(this.log.entries()).containsExactly(create("Todo", MILK, only("alice")),
				destroy("Todo", "['t1']", only("alice")));
	}

	@Test
	void aCommittedTransactionIsRelayedInCommitOrderEvenBeforeItsOwnThreadRelays() throws Exception {
		CountDownLatch firstCommitted = new CountDownLatch(1);
		CountDownLatch releaseFirst = new CountDownLatch(1);
		ExecutorService executor = Executors.newFixedThreadPool(2);
		try {
			Future<?> first = executor.submit(() -> this.transaction.executeWithoutResult((status) -> {
				this.todos.save(milk());
				// runs before the recorder's own afterCommit: the first has committed, not relayed
				TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

					@Override
					public int getOrder() {
						return Ordered.HIGHEST_PRECEDENCE;
					}

					@Override
					public void afterCommit() {
						firstCommitted.countDown();
						awaitQuietly(releaseFirst);
					}

				});
			}));
			assertThat(firstCommitted.await(30, TimeUnit.SECONDS)).isTrue();
			assertThat(this.log.entries()).isEmpty();
			this.transaction.executeWithoutResult((status) -> this.todos.save(bread()));
			assertThat(this.log.entries()).containsExactly(create("Todo", MILK, only("alice")),
					create("Todo", BREAD, only("alice")));
			releaseFirst.countDown();
			first.get(30, TimeUnit.SECONDS);
		}
		finally {
			releaseFirst.countDown();
			executor.shutdownNow();
		}
		assertThat(this.log.entries()).hasSize(2);
	}

	@Test
	void scribesOfACommittedTransactionWaitInTheOutboxWhileTheLogFailsAndAreRelayedOnceLater() {
		this.log.failAppends(true);
		this.todos.save(milk());
		assertThat(this.log.entries()).isEmpty();
		assertThat(this.outbox.pending()).isEqualTo(1);
		this.log.failAppends(false);
		this.todos.save(bread());
		// committing threads leave a failing log to the periodic relay
		assertThat(this.log.entries()).isEmpty();
		this.outbox.relayNow();
		assertThat(this.log.entries()).containsExactly(create("Todo", MILK, only("alice")),
				create("Todo", BREAD, only("alice")));
		assertThat(this.outbox.pending()).isZero();
	}

	@Test
	void onlyTheScribeMirroringAPlayCarriesItsOriginThroughAFailedRelayAndItsRetry() {
		givenSaved(milk());
		this.log.failAppends(true);
		ObjectNode done = JsonNodeFactory.instance.objectNode().put("done", true);
		this.transaction.executeWithoutResult((status) -> this.classes.play(Scribe.update("Todo", "t1", done), Identity.anonymous("alice")));
		// the same thread writes next, outside any play
		Todo detached = milk();
		detached.setDone(true);
		detached.setTitle("Buy oat milk");
		this.todos.save(detached);
		this.todos.save(bread());
		this.log.failAppends(false);
		this.outbox.relayNow();
		assertThat(this.log.entries()).extracting(ScribeEntry::origin).containsExactly("alice", null, null);
	}

	@Test
	void aRolledBackTransactionLeavesNothingInTheOutbox() {
		assertThatExceptionOfType(IllegalStateException.class)
			.isThrownBy(() -> this.transaction.executeWithoutResult((status) -> {
				this.todos.save(milk());
				throw new IllegalStateException("changed my mind");
			}));
		assertThat(this.outbox.pending()).isZero();
		assertThat(this.log.entries()).isEmpty();
	}

	private void givenSaved(Todo... records) {
		ScribeRecorder.withoutRecording(() -> this.todos.saveAll(List.of(records)));
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static Todo milk() {
		return new Todo("t1", "Buy milk", "alice");
	}

	private static Todo bread() {
		return new Todo("t2", "Buy bread", "alice");
	}

}
