package io.syncro.store.jdbc;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.syncro.store.ClientStore;
import io.syncro.store.ClientStoreContractTests;
import io.syncro.store.Refusal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.JdbcTemplate;
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
	void uidsAndPrincipalsDifferingOnlyInCaseOrTrailingSpacesAreDifferent() {
		// MariaDB compares text case-insensitively and pads spaces unless its tables say otherwise.
		Instant now = Instant.now();
		assertThat(store().connected("uid", "Alice", now)).isTrue();
		assertThat(store().connected("UID", "alice", now)).isTrue();
		assertThat(store().connected("uid ", "Alice ", now)).isTrue();
		assertThat(store().connected("uid", "alice", now)).isFalse();
		assertThat(store().connected("uid", "Alice ", now)).isFalse();
		assertThat(store().principal("UID")).contains("alice");
		assertThat(store().principal("uid ")).contains("Alice ");
		assertThat(store().clientsOf("Alice")).isOne();
		assertThat(store().advanceMark("uid", 0, 3, new Refusal(400, "Lower."))).isTrue();
		assertThat(store().advanceMark("UID", 0, 5, new Refusal(400, "Upper."))).isTrue();
		assertThat(store().mark("uid")).isEqualTo(3);
		assertThat(store().mark("uid ")).isZero();
		assertThat(store().refusal("UID", 5)).contains(new Refusal(400, "Upper."));
		assertThat(store().refusal("uid", 5)).isEmpty();
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

	@Test
	void initializeSchemaAddsTheBindingAndLastSeenColumnsToATableOfTheFirstRelease() {
		JdbcTemplate jdbc = this.database.jdbcTemplate();
		jdbc.execute("CREATE TABLE first_client (uid VARCHAR(64) NOT NULL PRIMARY KEY, mark BIGINT NOT NULL,"
				+ " synced BOOLEAN NOT NULL, principal VARCHAR(255))");
		jdbc.update("INSERT INTO first_client (uid, mark, synced, principal) VALUES ('alice', 4, TRUE, 'Alice')");
		JdbcClientStore upgraded = new JdbcClientStore(this.database.dataSource(), this.database.transactionManager(),
				"first_");
		upgraded.initializeSchema();
		upgraded.initializeSchema();
		assertThat(upgraded.mark("alice")).isEqualTo(4);
		assertThat(upgraded.lastSeen("alice")).isEmpty();
		Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
		assertThat(upgraded.connected("alice", "Alice", now)).isTrue();
		assertThat(upgraded.lastSeen("alice")).contains(now);
		assertThat(upgraded.connected("alice", "Mallory", now)).isFalse();
	}

	@Test
	void rowsWithoutALastSeenTimeAreGivenOneByTheFirstExpiryAndKept() {
		this.database.jdbcTemplate()
			.update("INSERT INTO syncro_client (uid, mark, synced, principal) VALUES ('legacy', 3, TRUE, 'alice')");
		Instant now = Instant.now();
		assertThat(store().expire(now.minus(1, ChronoUnit.DAYS))).isZero();
		assertThat(store().lastSeen("legacy")).hasValueSatisfying(
				(seen) -> assertThat(seen).isAfterOrEqualTo(now.truncatedTo(ChronoUnit.MILLIS)));
		assertThat(store().mark("legacy")).isEqualTo(3);
	}

	@Test
	void expireLeavesTheWorkToTheNodeHoldingTheLeaseUntilItLapses() {
		Instant now = Instant.now();
		store().connected("old", "alice", now.minus(40, ChronoUnit.DAYS));
		JdbcTemplate jdbc = this.database.jdbcTemplate();
		jdbc.update("UPDATE syncro_client_expiry SET locked_until = ? WHERE id = 1", now.toEpochMilli() + 60_000);
		assertThat(store().expire(now.minus(30, ChronoUnit.DAYS))).isZero();
		assertThat(store().isKnown("old")).isTrue();
		jdbc.update("UPDATE syncro_client_expiry SET locked_until = ? WHERE id = 1", now.toEpochMilli() - 1);
		assertThat(store().expire(now.minus(30, ChronoUnit.DAYS))).isEqualTo(1);
		assertThat(store().isKnown("old")).isFalse();
		assertThat(jdbc.queryForObject("SELECT locked_until FROM syncro_client_expiry WHERE id = 1", Long.class))
			.isZero();
	}

	@Test
	void expireDeletesTheRowsAndRefusalsOfExpiredUidsOnly() {
		Instant now = Instant.now();
		store().connected("old", "alice", now.minus(40, ChronoUnit.DAYS));
		store().advanceMark("old", 0, 1, new Refusal(403, "No."));
		store().connected("new", "alice", now);
		store().advanceMark("new", 0, 1, new Refusal(403, "No."));
		assertThat(store().expire(now.minus(30, ChronoUnit.DAYS))).isEqualTo(1);
		JdbcTemplate jdbc = this.database.jdbcTemplate();
		assertThat(jdbc.queryForList("SELECT uid FROM syncro_client", String.class)).containsExactly("new");
		assertThat(jdbc.queryForList("SELECT uid FROM syncro_refusal", String.class)).containsExactly("new");
	}

}
