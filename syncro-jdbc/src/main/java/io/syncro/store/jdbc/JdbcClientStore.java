package io.syncro.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;

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
 * A {@link ClientStore} kept in tables of the application's database (PostgreSQL, MariaDB
 * or H2).
 * <p>
 * The tables, shown with the default prefix {@code syncro_} (the DDL is in
 * {@code client-store-schema-postgresql.sql} next to this class, for PostgreSQL and H2,
 * {@code client-store-schema-mariadb.sql} for MariaDB and MySQL, and is run by
 * {@link #initializeSchema()}):
 * <pre class="code">
 * syncro_client(uid VARCHAR(64) PRIMARY KEY, mark BIGINT, synced BOOLEAN, principal VARCHAR(255),
 *               bound_at BIGINT, last_seen BIGINT)     -- epoch milliseconds
 *     INDEX (principal, bound_at), INDEX (last_seen)
 * syncro_refusal(uid, scribe_id, code INT, message TEXT, PRIMARY KEY (uid, scribe_id))
 * syncro_client_expiry(id INT PRIMARY KEY, locked_until BIGINT)    -- one row: the expiring node's lease
 * </pre>
 * Moving a mark is a compare-and-set,
 * <pre class="code">
 * UPDATE syncro_client SET mark = :next WHERE uid = :uid AND mark = :expected
 * </pre>
 * run in the caller's transaction when there is one, so that the mark commits or rolls
 * back with the change it settles (PROTOCOL.md section 4), and in a transaction of its
 * own otherwise. A uid's row is created on first use; two transactions creating it at
 * once do not fail, the second one finds the first one's row.
 * <p>
 * {@link #expire} takes a lease on the one row of {@code syncro_client_expiry}
 * ({@code UPDATE … SET locked_until = :now + 10 min WHERE locked_until < :now}), so that of
 * the nodes sharing the database one expires at a time, and deletes each expired uid's
 * row and refusals in a transaction of their own,
 * <pre class="code">
 * DELETE FROM syncro_client WHERE uid = :uid AND last_seen &lt; :seenBefore
 * DELETE FROM syncro_refusal WHERE uid = :uid      -- only when the row was deleted
 * </pre>
 * so that a uid seen meanwhile keeps everything. Rows from before last-seen times were
 * kept are given the time of the first expiry that finds them.
 * <p>
 * The store needs no isolation setting of the database's. On MariaDB, whose transactions
 * are REPEATABLE READ unless told otherwise, a uid's row is created before it is updated,
 * with
 * <pre class="code">
 * INSERT INTO syncro_client … ON DUPLICATE KEY UPDATE uid = uid
 * </pre>
 * which finds a row committed since the transaction's first read, and locks that row
 * rather than the gap where it would go (two transactions creating uids near each other
 * would otherwise deadlock).
 *
 * @since 0.1.0
 */
public class JdbcClientStore implements ClientStore {

	/** How many expired uids are looked up at once. */
	private static final int EXPIRY_BATCH = 500;

	/**
	 * How long a node may expire uids before another may start as well: a node that dies
	 * while expiring holds no one up for longer.
	 */
	private static final Duration EXPIRY_LEASE = Duration.ofMinutes(10);

	private final DataSource dataSource;

	private final JdbcClient jdbcClient;

	private final JdbcTemplate jdbcTemplate;

	private final TransactionTemplate transaction;

	private final String prefix;

	private final String markSql;

	private final String advanceMarkSql;

	private final String clientExistsSql;

	private final String insertClientSql;

	private final String ensureClientSql;

	private final String insertRefusalSql;

	private final String trimRefusalsSql;

	private final String refusalSql;

	private final String forgottenBelowSql;

	private final String syncedSql;

	private final String markSyncedSql;

	private final String principalSql;

	private final String bindPrincipalSql;

	private final String connectedSql;

	private final String connectedAnonymousSql;

	private final String clientsOfSql;

	private final String clientsBoundSinceSql;

	private final String lastSeenSql;

	private final String touchSql;

	private final String adoptSql;

	private final String expiredSql;

	private final String deleteExpiredClientSql;

	private final String deleteRefusalsSql;

	private final String leaseSql;

	private final String releaseSql;

	/** Whether uids' rows are created before they are updated; known once first asked. */
	private final BooleanSupplier createsFirst;

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
		this.createsFirst = JdbcSchema.isMariaDb(dataSource);
		this.jdbcTemplate = new JdbcTemplate(dataSource);
		this.jdbcClient = JdbcClient.create(this.jdbcTemplate);
		this.transaction = new TransactionTemplate(transactionManager);
		this.transaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRED);
		String client = this.prefix + "client";
		String refusal = this.prefix + "refusal";
		this.markSql = "SELECT mark FROM " + client + " WHERE uid = ?";
		this.advanceMarkSql = "UPDATE " + client + " SET mark = ? WHERE uid = ? AND mark = ?";
		this.clientExistsSql = "SELECT COUNT(*) FROM " + client + " WHERE uid = ?";
		this.insertClientSql = "INSERT INTO " + client
				+ " (uid, mark, synced, principal, bound_at, last_seen) VALUES (?, 0, FALSE, NULL, NULL, ?)";
		this.ensureClientSql = this.insertClientSql + " ON DUPLICATE KEY UPDATE uid = uid";
		this.insertRefusalSql = "INSERT INTO " + refusal + " (uid, scribe_id, code, message) VALUES (?, ?, ?, ?)";
		this.trimRefusalsSql = "DELETE FROM " + refusal + " WHERE uid = ? AND scribe_id < (SELECT r.scribe_id FROM "
				+ refusal + " r WHERE r.uid = ? ORDER BY r.scribe_id DESC LIMIT 1 OFFSET " + (REFUSALS_KEPT - 1) + ")";
		this.refusalSql = "SELECT code, message FROM " + refusal + " WHERE uid = ? AND scribe_id = ?";
		this.forgottenBelowSql = "SELECT CASE WHEN COUNT(*) >= " + REFUSALS_KEPT + " THEN MIN(scribe_id) ELSE 0 END FROM "
				+ refusal + " WHERE uid = ?";
		this.syncedSql = "SELECT synced FROM " + client + " WHERE uid = ?";
		this.markSyncedSql = "UPDATE " + client + " SET synced = TRUE WHERE uid = ?";
		this.principalSql = "SELECT principal FROM " + client + " WHERE uid = ?";
		// principal is set last: MariaDB assigns from left to right, each assignment seeing
		// the columns set before it, where the standard has them all see the row as it was.
		this.bindPrincipalSql = "UPDATE " + client
				+ " SET bound_at = CASE WHEN principal IS NULL THEN ? ELSE bound_at END, principal = ?"
				+ " WHERE uid = ? AND (principal IS NULL OR principal = ?)";
		this.connectedSql = "UPDATE " + client
				+ " SET bound_at = CASE WHEN principal IS NULL THEN ? ELSE bound_at END,"
				+ " last_seen = CASE WHEN last_seen IS NULL OR last_seen < ? THEN ? ELSE last_seen END, principal = ?"
				+ " WHERE uid = ? AND (principal IS NULL OR principal = ?)";
		this.connectedAnonymousSql = "UPDATE " + client
				+ " SET last_seen = CASE WHEN last_seen IS NULL OR last_seen < ? THEN ? ELSE last_seen END"
				+ " WHERE uid = ? AND principal IS NULL";
		this.clientsOfSql = "SELECT COUNT(*) FROM " + client + " WHERE principal = ?";
		this.clientsBoundSinceSql = "SELECT COUNT(*) FROM " + client + " WHERE principal = ? AND bound_at >= ?";
		this.lastSeenSql = "SELECT last_seen FROM " + client + " WHERE uid = ?";
		this.touchSql = "UPDATE " + client + " SET last_seen = ? WHERE uid = ? AND (last_seen IS NULL OR last_seen < ?)";
		this.adoptSql = "UPDATE " + client + " SET last_seen = ? WHERE last_seen IS NULL";
		this.expiredSql = "SELECT uid FROM " + client + " WHERE last_seen < ? ORDER BY last_seen LIMIT " + EXPIRY_BATCH;
		this.deleteExpiredClientSql = "DELETE FROM " + client + " WHERE uid = ? AND last_seen < ?";
		this.deleteRefusalsSql = "DELETE FROM " + refusal + " WHERE uid = ?";
		String expiry = this.prefix + "client_expiry";
		this.leaseSql = "UPDATE " + expiry + " SET locked_until = ? WHERE id = 1 AND locked_until < ?";
		this.releaseSql = "UPDATE " + expiry + " SET locked_until = 0 WHERE id = 1 AND locked_until = ?";
	}

	/**
	 * Creates the tables unless they exist. Safe to call on every start-up of every node.
	 */
	public void initializeSchema() {
		createSchema(this.dataSource, this.prefix);
	}

	/**
	 * Creates the tables of a client store unless they exist, from the database's own script
	 * ({@code client-store-schema-<platform>.sql} next to this class, the PostgreSQL
	 * one where the database has none of its own). Safe to run on every start-up
	 * of every node.
	 * @param dataSource where the tables go
	 * @param tablePrefix the table-name prefix
	 * @since 0.2.0
	 */
	public static void createSchema(DataSource dataSource, String tablePrefix) {
		JdbcSchema.initialize(dataSource, "client-store-schema.sql", JdbcSchema.checkedPrefix(tablePrefix));
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
		long now = System.currentTimeMillis();
		Boolean bound = this.transaction
			.execute((status) -> update(client, true, this.bindPrincipalSql, now, principal, client, principal) == 1);
		return Boolean.TRUE.equals(bound);
	}

	@Override
	public boolean connected(String client, @Nullable String principal, Instant now) {
		Assert.notNull(client, "Client must not be null");
		Assert.notNull(now, "Now must not be null");
		long millis = now.toEpochMilli();
		Boolean connected = this.transaction.execute((status) -> (principal != null)
				? updateCreating(client, millis, this.connectedSql, millis, millis, millis, principal, client, principal) == 1
				: updateCreating(client, millis, this.connectedAnonymousSql, millis, millis, client) == 1);
		return Boolean.TRUE.equals(connected);
	}

	@Override
	public boolean isKnown(String client) {
		Assert.notNull(client, "Client must not be null");
		Long count = this.jdbcClient.sql(this.clientExistsSql).param(client).query(Long.class).single();
		return count != null && count > 0;
	}

	@Override
	public int clientsOf(String principal) {
		Assert.notNull(principal, "Principal must not be null");
		Long count = this.jdbcClient.sql(this.clientsOfSql).param(principal).query(Long.class).single();
		return (count != null) ? count.intValue() : 0;
	}

	@Override
	public int clientsBoundSince(String principal, Instant since) {
		Assert.notNull(principal, "Principal must not be null");
		Long count = this.jdbcClient.sql(this.clientsBoundSinceSql)
			.params(principal, since.toEpochMilli())
			.query(Long.class)
			.single();
		return (count != null) ? count.intValue() : 0;
	}

	@Override
	public Optional<Instant> lastSeen(String client) {
		Assert.notNull(client, "Client must not be null");
		return this.jdbcClient.sql(this.lastSeenSql)
			.param(client)
			.query((rs, row) -> {
				long millis = rs.getLong(1);
				return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
			})
			.list()
			.stream()
			.filter(Objects::nonNull)
			.findFirst();
	}

	@Override
	public void touch(Collection<String> clients, Instant now) {
		Assert.notNull(clients, "Clients must not be null");
		long millis = now.toEpochMilli();
		List<Object[]> rows = clients.stream().map((client) -> new Object[] { millis, client, millis }).toList();
		for (int from = 0; from < rows.size(); from += EXPIRY_BATCH) {
			this.jdbcTemplate.batchUpdate(this.touchSql, rows.subList(from, Math.min(rows.size(), from + EXPIRY_BATCH)));
		}
	}

	@Override
	public int expire(Instant seenBefore) {
		Assert.notNull(seenBefore, "SeenBefore must not be null");
		long now = System.currentTimeMillis();
		long lease = now + EXPIRY_LEASE.toMillis();
		if (this.jdbcClient.sql(this.leaseSql).params(lease, now).update() == 0) {
			return 0;
		}
		try {
			this.jdbcClient.sql(this.adoptSql).param(now).update();
			long cutoff = seenBefore.toEpochMilli();
			int expired = 0;
			while (true) {
				List<String> candidates = this.jdbcClient.sql(this.expiredSql).param(cutoff).query(String.class).list();
				for (String client : candidates) {
					Boolean deleted = this.transaction.execute((status) -> {
						if (this.jdbcClient.sql(this.deleteExpiredClientSql).params(client, cutoff).update() == 0) {
							return false;
						}
						this.jdbcClient.sql(this.deleteRefusalsSql).param(client).update();
						return true;
					});
					if (Boolean.TRUE.equals(deleted)) {
						expired++;
					}
				}
				if (candidates.size() < EXPIRY_BATCH) {
					return expired;
				}
			}
		}
		finally {
			this.jdbcClient.sql(this.releaseSql).param(lease).update();
		}
	}

	/**
	 * Runs an update of a uid's row, creating the row first and running the update again
	 * when it changed nothing because the row was absent.
	 */
	private int update(String client, boolean createIfAbsent, String sql, Object... args) {
		if (createIfAbsent && createsFirst()) {
			ensureClient(client, System.currentTimeMillis());
			return this.jdbcClient.sql(sql).params(args).update();
		}
		int updated = this.jdbcClient.sql(sql).params(args).update();
		if (updated == 0 && createIfAbsent) {
			createClient(client, System.currentTimeMillis());
			updated = this.jdbcClient.sql(sql).params(args).update();
		}
		return updated;
	}

	/**
	 * Runs an update of a uid's row, creating the row first, seen at the given time, and
	 * running the update again when it changed nothing because the row was absent.
	 */
	private int updateCreating(String client, long seenAt, String sql, Object... args) {
		if (createsFirst()) {
			ensureClient(client, seenAt);
			return this.jdbcClient.sql(sql).params(args).update();
		}
		int updated = this.jdbcClient.sql(sql).params(args).update();
		if (updated == 0 && createClient(client, seenAt)) {
			updated = this.jdbcClient.sql(sql).params(args).update();
		}
		return updated;
	}

	/**
	 * Creates a uid's row unless it exists.
	 * @return whether it was absent (created now, or by a concurrent transaction)
	 */
	private boolean createClient(String client, long seenAt) {
		Boolean created = this.jdbcTemplate.execute((ConnectionCallback<Boolean>) (connection) -> {
			if (exists(connection, client)) {
				return false;
			}
			// A duplicate key makes PostgreSQL abort the whole transaction, which may be the
			// caller's: insert behind a savepoint, so that losing the race to create the
			// row costs nothing but the insert.
			Savepoint savepoint = connection.getAutoCommit() ? null : connection.setSavepoint();
			try (PreparedStatement insert = connection.prepareStatement(this.insertClientSql)) {
				insert.setString(1, client);
				insert.setLong(2, seenAt);
				insert.executeUpdate();
			}
			catch (SQLException ex) {
				if (savepoint != null) {
					connection.rollback(savepoint);
				}
				if (exists(connection, client)) {
					return true;
				}
				throw ex;
			}
			if (savepoint != null) {
				connection.releaseSavepoint(savepoint);
			}
			return true;
		});
		return Boolean.TRUE.equals(created);
	}

	/**
	 * Whether a uid's row is created, unless it exists, before it is updated: on MariaDB.
	 * There, at the default REPEATABLE READ, an update that finds no row locks the gap
	 * where the row would go, so that two transactions creating uids in one gap would
	 * deadlock; and the reads of a transaction do not see a row committed by another after
	 * its first read, so that it could not tell why its insert found a duplicate key.
	 */
	private boolean createsFirst() {
		return this.createsFirst.getAsBoolean();
	}

	/**
	 * Creates a uid's row unless it exists, locking it either way until the transaction
	 * ends (MariaDB only).
	 */
	private void ensureClient(String client, long seenAt) {
		this.jdbcClient.sql(this.ensureClientSql).params(client, seenAt).update();
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
