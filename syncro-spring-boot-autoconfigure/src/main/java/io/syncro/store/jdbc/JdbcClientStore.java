package io.syncro.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import javax.sql.DataSource;

import io.syncro.store.ClientStore;
import io.syncro.store.Refusal;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.Assert;

/**
 * A {@link ClientStore} kept in tables of the application's database (PostgreSQL or H2).
 * <p>
 * The tables, shown with the default prefix {@code syncro_} (the DDL is in
 * {@code client-store-schema.sql} next to this class and is run by
 * {@link #initializeSchema()}):
 * <pre class="code">
 * syncro_client(uid VARCHAR(64) PRIMARY KEY, mark BIGINT, synced BOOLEAN, principal VARCHAR(255))
 * syncro_refusal(uid, scribe_id, code INT, message TEXT, PRIMARY KEY (uid, scribe_id))
 * </pre>
 * Moving a mark is a compare-and-set,
 * <pre class="code">
 * UPDATE syncro_client SET mark = :next WHERE uid = :uid AND mark = :expected
 * </pre>
 * run in the caller's transaction when there is one, so that the mark commits or rolls
 * back with the change it settles (PROTOCOL.md section 4), and in a transaction of its
 * own otherwise. A uid's row is created on first use; two transactions creating it at
 * once do not fail, the second one finds the first one's row.
 *
 * @since 0.1.0
 */
public class JdbcClientStore implements ClientStore {

	private final DataSource dataSource;

	private final JdbcClient jdbcClient;

	private final JdbcTemplate jdbcTemplate;

	private final TransactionTemplate transaction;

	private final String prefix;

	private final String markSql;

	private final String advanceMarkSql;

	private final String clientExistsSql;

	private final String insertClientSql;

	private final String insertRefusalSql;

	private final String trimRefusalsSql;

	private final String refusalSql;

	private final String forgottenBelowSql;

	private final String syncedSql;

	private final String markSyncedSql;

	private final String principalSql;

	private final String bindPrincipalSql;

	/**
	 * Creates a store on the given database with tables named {@code syncro_…}.
	 * @param dataSource the database
	 * @param transactionManager the transaction manager of that database
	 */
	public JdbcClientStore(DataSource dataSource, PlatformTransactionManager transactionManager) {
		this(dataSource, transactionManager, JdbcSchema.DEFAULT_PREFIX);
	}

	/**
	 * Creates a store on the given database.
	 * @param dataSource the database
	 * @param transactionManager the transaction manager of that database
	 * @param tablePrefix the start of every table name, such as {@code syncro_}
	 */
	public JdbcClientStore(DataSource dataSource, PlatformTransactionManager transactionManager, String tablePrefix) {
		Assert.notNull(dataSource, "DataSource must not be null");
		Assert.notNull(transactionManager, "PlatformTransactionManager must not be null");
		this.prefix = JdbcSchema.checkedPrefix(tablePrefix);
		this.dataSource = dataSource;
		this.jdbcTemplate = new JdbcTemplate(dataSource);
		this.jdbcClient = JdbcClient.create(this.jdbcTemplate);
		this.transaction = new TransactionTemplate(transactionManager);
		this.transaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRED);
		String client = this.prefix + "client";
		String refusal = this.prefix + "refusal";
		this.markSql = "SELECT mark FROM " + client + " WHERE uid = ?";
		this.advanceMarkSql = "UPDATE " + client + " SET mark = ? WHERE uid = ? AND mark = ?";
		this.clientExistsSql = "SELECT COUNT(*) FROM " + client + " WHERE uid = ?";
		this.insertClientSql = "INSERT INTO " + client + " (uid, mark, synced, principal) VALUES (?, 0, FALSE, NULL)";
		this.insertRefusalSql = "INSERT INTO " + refusal + " (uid, scribe_id, code, message) VALUES (?, ?, ?, ?)";
		this.trimRefusalsSql = "DELETE FROM " + refusal + " WHERE uid = ? AND scribe_id < (SELECT r.scribe_id FROM "
				+ refusal + " r WHERE r.uid = ? ORDER BY r.scribe_id DESC LIMIT 1 OFFSET " + (REFUSALS_KEPT - 1) + ")";
		this.refusalSql = "SELECT code, message FROM " + refusal + " WHERE uid = ? AND scribe_id = ?";
		this.forgottenBelowSql = "SELECT CASE WHEN COUNT(*) >= " + REFUSALS_KEPT + " THEN MIN(scribe_id) ELSE 0 END FROM "
				+ refusal + " WHERE uid = ?";
		this.syncedSql = "SELECT synced FROM " + client + " WHERE uid = ?";
		this.markSyncedSql = "UPDATE " + client + " SET synced = TRUE WHERE uid = ?";
		this.principalSql = "SELECT principal FROM " + client + " WHERE uid = ?";
		this.bindPrincipalSql = "UPDATE " + client
				+ " SET principal = ? WHERE uid = ? AND (principal IS NULL OR principal = ?)";
	}

	/**
	 * Creates the tables unless they exist. Safe to call on every start-up of every node.
	 */
	public void initializeSchema() {
		JdbcSchema.initialize(this.dataSource, "client-store-schema.sql", this.prefix);
	}

	@Override
	public long mark(String client) {
		Assert.notNull(client, "Client must not be null");
		return this.jdbcClient.sql(this.markSql).param(client).query(Long.class).optional().orElse(0L);
	}

	@Override
	public boolean advanceMark(String client, long expected, long next, @Nullable Refusal refusal) {
		Assert.notNull(client, "Client must not be null");
		Assert.isTrue(next > expected, "The next mark must be above the expected one");
		Boolean advanced = this.transaction.execute((status) -> {
			// An absent row is mark 0: create it only when that is the mark expected.
			if (update(client, expected == 0, this.advanceMarkSql, next, client, expected) == 0) {
				return false;
			}
			if (refusal != null) {
				this.jdbcClient.sql(this.insertRefusalSql).params(client, next, refusal.code(), refusal.message()).update();
				this.jdbcClient.sql(this.trimRefusalsSql).params(client, client).update();
			}
			return true;
		});
		return Boolean.TRUE.equals(advanced);
	}

	@Override
	public long forgottenBelow(String client) {
		Assert.notNull(client, "Client must not be null");
		Long below = this.jdbcClient.sql(this.forgottenBelowSql).param(client).query(Long.class).single();
		return (below != null) ? below : 0;
	}

	@Override
	public Optional<Refusal> refusal(String client, long scribeId) {
		Assert.notNull(client, "Client must not be null");
		return this.jdbcClient.sql(this.refusalSql)
			.params(client, scribeId)
			.query((rs, row) -> new Refusal(rs.getInt("code"), rs.getString("message")))
			.optional();
	}

	@Override
	public boolean isSynced(String client) {
		Assert.notNull(client, "Client must not be null");
		return this.jdbcClient.sql(this.syncedSql).param(client).query(Boolean.class).optional().orElse(false);
	}

	@Override
	public void markSynced(String client) {
		Assert.notNull(client, "Client must not be null");
		this.transaction.executeWithoutResult((status) -> update(client, true, this.markSyncedSql, client));
	}

	@Override
	public Optional<String> principal(String client) {
		Assert.notNull(client, "Client must not be null");
		List<String> principals = this.jdbcClient.sql(this.principalSql).param(client).query(String.class).list();
		return principals.stream().filter(Objects::nonNull).findFirst();
	}

	@Override
	public boolean bindPrincipal(String client, String principal) {
		Assert.notNull(client, "Client must not be null");
		Assert.notNull(principal, "Principal must not be null");
		// Conditional, so that of two nodes binding at once only one principal wins.
		Boolean bound = this.transaction
			.execute((status) -> update(client, true, this.bindPrincipalSql, principal, client, principal) == 1);
		return Boolean.TRUE.equals(bound);
	}

	/**
	 * Runs an update of a uid's row, creating the row first and running the update again
	 * when it changed nothing because the row was absent.
	 */
	private int update(String client, boolean createIfAbsent, String sql, Object... args) {
		int updated = this.jdbcClient.sql(sql).params(args).update();
		if (updated == 0 && createIfAbsent) {
			createClient(client);
			updated = this.jdbcClient.sql(sql).params(args).update();
		}
		return updated;
	}

	/**
	 * Creates a uid's row unless it exists.
	 */
	private void createClient(String client) {
		this.jdbcTemplate.execute((ConnectionCallback<Void>) (connection) -> {
			if (exists(connection, client)) {
				return null;
			}
			// A duplicate key makes PostgreSQL abort the whole transaction, which may be the
			// caller's: insert behind a savepoint, so that losing the race to create the
			// row costs nothing but the insert.
			Savepoint savepoint = connection.getAutoCommit() ? null : connection.setSavepoint();
			try (PreparedStatement insert = connection.prepareStatement(this.insertClientSql)) {
				insert.setString(1, client);
				insert.executeUpdate();
			}
			catch (SQLException ex) {
				if (savepoint != null) {
					connection.rollback(savepoint);
				}
				if (exists(connection, client)) {
					return null;
				}
				throw ex;
			}
			if (savepoint != null) {
				connection.releaseSavepoint(savepoint);
			}
			return null;
		});
	}

	private boolean exists(Connection connection, String client) throws SQLException {
		try (PreparedStatement query = connection.prepareStatement(this.clientExistsSql)) {
			query.setString(1, client);
			try (ResultSet rs = query.executeQuery()) {
				return rs.next() && rs.getLong(1) > 0;
			}
		}
	}

	@Override
	public String toString() {
		return "JdbcClientStore[" + this.prefix + "client]";
	}

}
