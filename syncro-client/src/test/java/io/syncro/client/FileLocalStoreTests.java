package io.syncro.client;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.syncro.protocol.MessageCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link FileLocalStore}: the {@link LocalStore} contract across a close and a
 * new open of the file, durable writes on disk before they return, deferred writes on
 * disk soon after, whole-file replacement, and one open store per file.
 */
class FileLocalStoreTests extends LocalStoreContractTests {

	@TempDir
	Path folder;

	private Path file() {
		return this.folder.resolve("nested/client.json");
	}

	@Override
	protected LocalStore createStore() {
		// a long delay, so that only a close or a durable write puts deferred changes on disk
		return FileLocalStore.open(file(), Duration.ofHours(1));
	}

	@Override
	protected LocalStore reopen(LocalStore store) {
		store.close();
		return FileLocalStore.open(file());
	}

	private JsonNode onDisk() throws Exception {
		return MessageCodec.readTree(Files.readString(file(), StandardCharsets.UTF_8));
	}

	@Test
	void aDurableChangeIsOnDiskWhenWriteReturns() throws Exception {
		store().write(new LocalStore.Change("alice", 2, 0, null, 0, 0, List.of(), List.of(create(1, todo("a", "A"))), List.of(),
				true));
		JsonNode json = onDisk();
		assertThat(json.path("uid").asString()).isEqualTo("alice");
		assertThat(json.path("nextScribeId").asLong()).isEqualTo(2);
		assertThat(json.path("pending")).hasSize(1);
		assertThat(Files.exists(file().resolveSibling("client.json.tmp"))).isFalse();
	}

	@Test
	void aDeferredChangeWaitsForTheNextDurableOneOrTheDelay() throws Exception {
		store().write(new LocalStore.Change("alice", 1, 0, null, 0, 0, List.of(), List.of(), List.of(), true));
		store().write(change(1, 42, 0, List.of(), List.of(), List.of(), false));
		assertThat(onDisk().path("position").asLong()).isZero();
		store().write(change(2, 42, 0, List.of(), List.of(create(1, todo("a", "A"))), List.of(), true));
		assertThat(onDisk().path("position").asLong()).isEqualTo(42);

		try (FileLocalStore quick = FileLocalStore.open(this.folder.resolve("quick.json"), Duration.ofMillis(10))) {
			quick.write(new LocalStore.Change("bob", 1, 0, null, 0, 0, List.of(), List.of(), List.of(), false));
			await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(quick.file()));
			assertThat(MessageCodec.readTree(Files.readString(quick.file())).path("uid").asString()).isEqualTo("bob");
		}
	}

	@Test
	void aStaleTemporaryFileFromACrashIsIgnored() throws Exception {
		store().write(new LocalStore.Change("alice", 1, 7, null, 0, 0, List.of(), List.of(), List.of(), true));
		store().close();
		Files.writeString(file().resolveSibling("client.json.tmp"), "{\"format\":1,\"uid\":\"half-writ");
		try (FileLocalStore reopened = FileLocalStore.open(file())) {
			assertThat(reopened.load().uid()).isEqualTo("alice");
			assertThat(reopened.load().position()).isEqualTo(7);
		}
	}

	@Test
	void aFileFromBeforeEpochsLoadsWithoutAnEpochOrAServersMark() throws Exception {
		store().close();
		Files.writeString(file(), "{\"format\":1,\"uid\":\"alice\",\"nextScribeId\":3,\"position\":7,\"acknowledged\":2,"
				+ "\"records\":{},\"pending\":[]}");
		try (FileLocalStore reopened = FileLocalStore.open(file())) {
			LocalStore.State state = reopened.load();
			assertThat(state.position()).isEqualTo(7);
			assertThat(state.epoch()).isNull();
			assertThat(state.serverMark()).isZero();
			assertThat(state.acknowledged()).isEqualTo(2);
		}
	}

	@Test
	void aFileOpenInAnotherStoreCannotBeOpened() {
		store().write(new LocalStore.Change("alice", 1, 0, null, 0, 0, List.of(), List.of(), List.of(), true));
		assertThatIllegalStateException().isThrownBy(() -> FileLocalStore.open(file()))
			.withMessageContaining("is open in another client");
	}

	@Test
	void aFileThatIsNotAClientStoreIsRefused() throws Exception {
		Path other = this.folder.resolve("other.json");
		Files.writeString(other, "{\"something\":\"else\"}");
		assertThatExceptionOfType(UncheckedIOException.class).isThrownBy(() -> FileLocalStore.open(other));
		Files.writeString(other, "not json");
		assertThatExceptionOfType(UncheckedIOException.class).isThrownBy(() -> FileLocalStore.open(other));
		// the failed opens released the lock
		Files.delete(other);
		FileLocalStore.open(other).close();
	}

	@Test
	void writesAfterCloseAreRefused() {
		store().close();
		assertThatIllegalStateException()
			.isThrownBy(() -> store().write(new LocalStore.Change("alice", 1, 0, null, 0, 0, List.of(), List.of(), List.of(), true)));
	}

}
