package io.syncro.store.jdbc;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.syncro.store.ClientStore;
import io.syncro.store.ClientStoreContractTests;
import io.syncro.store.Refusal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The {@link ClientStoreContractTests} and the JDBC store's own behaviour, run on each
 * database by a subclass. Every test gets a fresh database.
 */
abstract class AbstractJdbcClientStoreTests extends ClientStoreContractTests {

	private TestDatabase database;

	/**
	 * Creates an empty database for one test.
	 * @return the database
	 */
	protected abstract TestDatabase createDatabase();

	@Override
	protected ClientStore createStore() {
		this.database = createDatabase();
		JdbcClientStore store = this.database.clientStore();
		store.initializeSchema();
		return store;
	}

	protected final TestDatabase database() {
		return this.database;
	}

	protected final TransactionTemplate transaction() {
		return new TransactionTemplate(this.database.transactionManager());
	}

	@AfterEach
	void closeDatabase() {
		this.database.close();
	}

	@Test
	void advanceMarkOfANewUidRollsBackWithTheCallersTransaction() {
		transaction().executeWithoutResult((status) -> {
			assertThat(store().advanceMark("alice", 0, 1, new Refusal(403, "Not yours."))).isTrue();
			assertThat(store().mark("alice")).as("inside the transaction").isEqualTo(1);
			status.setRollbackOnly();
		});
		assertThat(store().mark("alice")).isZero();
		assertThat(store().refusal("alice", 1)).isEmpty();
		assertThat(store().advanceMark("alice", 0, 1, null)).isTrue();
	}

	@Test
	void advanceMarkRollsBackWithTheCallersTransaction() {
		store().advanceMark("alice", 0, 1, null);
		transaction().executeWithoutResult((status) -> {
			assertThat(store().advanceMark("alice", 1, 2, new Refusal(404, "Gone."))).isTrue();
			status.setRollbackOnly();
		});
		assertThat(store().mark("alice")).isEqualTo(1);
		assertThat(store().refusal("alice", 2)).isEmpty();
	}

	@Test
	void advanceMarkCommitsWithTheCallersTransactionAndNotBefore() throws Exception {
		store().advanceMark("alice", 0, 1, null);
		transaction().executeWithoutResult((status) -> {
			assertThat(store().advanceMark("alice", 1, 2, new Refusal(404, "Gone."))).isTrue();
			// Another thread has a connection of its own, outside this transaction.
			assertThat(CompletableFuture.supplyAsync(() -> store().mark("alice")))
				.succeedsWithin(10, TimeUnit.SECONDS)
				.isEqualTo(1L);
		});
		assertThat(store().mark("alice")).isEqualTo(2);
		assertThat(store().refusal("alice", 2)).contains(new Refusal(404, "Gone."));
	}

	@Test
	void refusalsBeyondTheLastThousandOfAUidAreDeleted() {
		for (int id = 1; id <= 1050; id++) {
			store().advanceMark("alice", id - 1, id, new Refusal(400, "Refusal " + id + "."));
		}
		store().advanceMark("bob", 0, 1, new Refusal(403, "Bob's."));
		assertThat(this.database.jdbcTemplate()
			.queryForObject("SELECT COUNT(*) FROM syncro_refusal WHERE uid = 'alice'", Integer.class))
			.isEqualTo(ClientStore.REFUSALS_KEPT);
		assertThat(store().refusal("alice", 50)).isEmpty();
		assertThat(store().refusal("alice", 51)).contains(new Refusal(400, "Refusal 51."));
		assertThat(store().refusal("bob", 1)).contains(new Refusal(403, "Bob's."));
	}

	@Test
	void longRefusalMessageIsKeptWhole() {
		String message = "Too long: " + "✓ ".repeat(5000);
		store().advanceMark("alice", 0, 1, new Refusal(400, message));
		assertThat(store().refusal("alice", 1)).contains(new Refusal(400, message));
	}

	@Test
	void initializeSchemaAgainKeepsTheClients() {
		store().advanceMark("alice", 0, 4, new Refusal(400, "Bad shape."));
		store().bindPrincipal("alice", "Alice Liddell");
		store().markSynced("alice");
		JdbcClientStore again = this.database.clientStore();
		again.initializeSchema();
		assertThat(again.mark("alice")).isEqualTo(4);
		assertThat(again.refusal("alice", 4)).contains(new Refusal(400, "Bad shape."));
		assertThat(again.principal("alice")).contains("Alice Liddell");
		assertThat(again.isSynced("alice")).isTrue();
	}

	@Test
	void storesWithOtherTablePrefixesAreSeparate() {
		JdbcClientStore other = new JdbcClientStore(this.database.dataSource(), this.database.transactionManager(),
				"other_");
		other.initializeSchema();
		store().advanceMark("alice", 0, 4, null);
		assertThat(other.mark("alice")).isZero();
		assertThat(other.advanceMark("alice", 0, 1, null)).isTrue();
		assertThat(store().mark("alice")).isEqualTo(4);
	}

	@Test
	void tablePrefixThatIsNotAPlainNameIsRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> new JdbcClientStore(this.database.dataSource(),
				this.database.transactionManager(), "syncro.client"));
	}

}
