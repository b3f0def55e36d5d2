package io.syncro.store.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

import javax.sql.DataSource;

import io.syncro.protocol.MessageCodec;
import io.syncro.scribe.Cause;
import io.syncro.scribe.Reader;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import io.syncro.scribe.ScribeType;
import io.syncro.store.Compaction;
import io.syncro.store.Relayed;
import io.syncro.store.ScribeLog;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.Assert;

/**
 * A {@link ScribeLog} kept in tables of the application's database (PostgreSQL, MariaDB or
 * H2), shared by every node that uses that database.
 * <p>
 * The tables, shown with the default prefix {@code syncro_} (the DDL is in
 * {@code scribe-log-schema-postgresql.sql} next to this class, for PostgreSQL and H2,
 * {@code scribe-log-schema-mariadb.sql} for MariaDB and MySQL, and is run by
 * {@link #initializeSchema()}):
 * <pre class="code">
 * syncro_log_head(id INT PRIMARY KEY, last_id BIGINT, relayed TEXT, epoch)   -- one row, id = 1
 * syncro_scribe(id BIGINT PRIMARY KEY, klass, type, data TEXT, everyone BOOLEAN, origin, cause)
 * syncro_scribe_client(scribe_id, client, PRIMARY KEY (scribe_id, client))
 * </pre>
 * {@code syncro_scribe_client} lists, per scribe, the {@link Recipients#listed() keys}
 * left out when {@code everyone} is true and the only keys meant (and those excluded from
 * them) when it is false.
 * <p>
 * An append is one transaction of its own that starts with
 * <pre class="code">
 * UPDATE syncro_log_head SET last_id = last_id + :count WHERE id = 1
 * </pre>
 * and then inserts the scribes with the ids it reserved. The row lock taken by that
 * update is held until commit, so appends commit in the order of their ids: a reader
 * never sees id 12 and later finds 11, the trap of ids drawn from a sequence and
 * committed in another order (PROTOCOL.md section 4). A read is one query:
 * <pre class="code">
 * SELECT id, klass, type, data FROM syncro_scribe s
 *  WHERE id &gt; :after AND (origin IS NULL OR origin &lt;&gt; :client)   -- not for v2 readers
 *    AND everyone &lt;&gt; (EXISTS (SELECT 1 FROM syncro_scribe_client c
 *                              WHERE c.scribe_id = s.id AND c.client IN (:keys)))
 *    AND (everyone OR NOT EXISTS (SELECT 1 FROM syncro_scribe_client c
 *                              WHERE c.scribe_id = s.id AND c.client IN (:excluded)))
 *  ORDER BY id LIMIT :limit
 * </pre>
 * where {@code :keys} are the reader's {@link Reader#keys() keys} (its uid, its user's
 * and its authorities' keys, and their pairs) and {@code :excluded} the same keys
 * prefixed with {@code !}.
 * <p>
 * Listeners are told after every append made through this instance and, once
 * {@link #startPolling(Duration) polling} is started, after appends of other nodes, seen
 * as growth of {@code syncro_log_head.last_id}.
 * <p>
 * The log asks for the isolation it needs, READ COMMITTED, for its appends, and reads in
 * single statements, so it needs no setting of the database's: MariaDB's default,
 * REPEATABLE READ, does as well as PostgreSQL's.
 *
 * @since 0.1.0
 */
public class JdbcScribeLog implements ScribeLog, AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(JdbcScribeLog.class);

	private static final int BATCH_SIZE = 500;

	private static final int APPEND_ATTEMPTS = 5;

	/** The most reads made again after a snapshot that missed committing scribes (MariaDB). */
	private static final int READ_ATTEMPTS = 10;

	/** How far below the last id a reader is meant the check of its snapshot reaches (MariaDB). */
	private static final long LAST_ID_CHECKED = 10_000;

	/** The longest recipient key: a pair of a user's and an authority's (Recipients). */
	private static final int RECIPIENT_KEY_LENGTH = 512;

	private final DataSource dataSource;

	private final JdbcTemplate jdbcTemplate;

	private final JdbcClient jdbcClient;

	private final TransactionTemplate appendTransaction;

	/**
	 * MariaDB only: a read and a count of its range in one snapshot. A read view that
	 * InnoDB takes while two appends commit can hold the later and not the earlier (seen
	 * in the concurrent-readers contract test, a few runs in twenty); a reader that took
	 * the later would move past the earlier for good. A count of the same range in a later
	 * statement finds the rows that snapshot missed, and the read is made again.
	 * PostgreSQL and H2 show a commit to every later snapshot.
	 */
	private final TransactionTemplate snapshotTransaction;

	private final String countRangeSql;

	private final BooleanSupplier mariadb;

	private final String prefix;

	private final String lockHeadSql;

	private final String headSql;

	private final String relayedHeadSql;

	private final String epochSql;


	private final String rotateEpochSql;

	private final String updateRelayedHeadSql;

	private final String insertScribeSql;

	private final String insertClientSql;

	private final String readSql;

	private final String readWithOwnSql;

	private final String lastIdSql;

	private final String lastIdWithOwnSql;

	private final String entriesSql;

	private final String entryClientsSql;

	private final JdbcLogCompaction compaction;

	private final List<AppendListener> listeners = new CopyOnWriteArrayList<>();

	/** The highest id listeners were told about, so a poll does not repeat an append. */
	private final AtomicLong lastNotified = new AtomicLong();

	private final Object pollingMonitor = new Object();

	private @Nullable ScheduledFuture<?> polling;

	private @Nullable ScheduledExecutorService ownExecutor;

	/**
	 * Creates a log on the given database with tables named {@code syncro_…}.
	 * @param dataSource the database
	 * @param transactionManager the transaction manager of that database
	 */
	public JdbcScribeLog(DataSource dataSource, PlatformTransactionManager transactionManager) {
		this(dataSource, transactionManager, JdbcSchema.DEFAULT_PREFIX);
	}

	/**
	 * Creates a log on the given database.
	 * @param dataSource the database
	 * @param transactionManager the transaction manager of that database
	 * @param tablePrefix the start of every table name, such as {@code syncro_}
	 */
	public JdbcScribeLog(DataSource dataSource, PlatformTransactionManager transactionManager, String tablePrefix) {
		Assert.notNull(dataSource, "DataSource must not be null");
		Assert.notNull(transactionManager, "PlatformTransactionManager must not be null");
		this.prefix = JdbcSchema.checkedPrefix(tablePrefix);
		this.dataSource = dataSource;
		this.jdbcTemplate = new JdbcTemplate(dataSource);
		this.jdbcClient = JdbcClient.create(this.jdbcTemplate);
		// Appends are called from after-commit callbacks of the caller's transaction, so
		// they need a transaction of their own; read committed lets an append that waited
		// for the head row's lock see the committed last_id it waited for.
		this.appendTransaction = new TransactionTemplate(transactionManager);
		this.appendTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		this.appendTransaction.setIsolationLevel(TransactionDefinition.ISOLATION_READ_COMMITTED);
		this.snapshotTransaction = new TransactionTemplate(transactionManager);
		this.snapshotTransaction.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
		this.snapshotTransaction.setReadOnly(true);
		this.mariadb = JdbcSchema.isMariaDb(dataSource);
		String head = this.prefix + "log_head";
		String scribe = this.prefix + "scribe";
		String client = this.prefix + "scribe_client";
		this.lockHeadSql = "UPDATE " + head + " SET last_id = last_id + ? WHERE id = 1";
		this.countRangeSql = "SELECT COUNT(*) FROM " + this.prefix + "scribe WHERE id > ? AND id <= ?";
		this.headSql = "SELECT last_id FROM " + head + " WHERE id = 1";
		this.relayedHeadSql = "SELECT last_id, relayed FROM " + head + " WHERE id = 1";
		this.epochSql = "SELECT epoch FROM " + head + " WHERE id = 1";
		this.rotateEpochSql = "UPDATE " + head + " SET epoch = ? WHERE id = 1";
		this.updateRelayedHeadSql = "UPDATE " + head + " SET last_id = ?, relayed = ? WHERE id = 1";
		this.insertScribeSql = "INSERT INTO " + scribe
				+ " (id, klass, type, data, everyone, origin, cause, audience) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
		this.insertClientSql = "INSERT INTO " + client + " (scribe_id, client) VALUES (?, ?)";
		// everyone <> listed: a key of the reader's listed leaves it out of "everyone", and
		// is one meant otherwise, unless an excluded key (!key) leaves it out of those
		// (Recipients.includesAny).
		String meant = " FROM " + scribe + " s WHERE s.everyone <> (EXISTS (SELECT 1 FROM " + client
				+ " c WHERE c.scribe_id = s.id AND c.client IN (:keys))) AND (s.everyone OR NOT EXISTS (SELECT 1 FROM "
				+ client + " c WHERE c.scribe_id = s.id AND c.client IN (:excluded)))";
		String visible = meant + " AND (s.origin IS NULL OR s.origin <> :client)";
		this.readSql = "SELECT s.id, s.klass, s.type, s.data" + visible + " AND s.id > :after ORDER BY s.id LIMIT :limit";
		this.readWithOwnSql = "SELECT s.id, s.klass, s.type, s.data" + meant
				+ " AND s.id > :after ORDER BY s.id LIMIT :limit";
		this.lastIdSql = "SELECT s.id" + visible + " ORDER BY s.id DESC LIMIT 1";
		this.lastIdWithOwnSql = "SELECT s.id" + meant + " ORDER BY s.id DESC LIMIT 1";
		this.entriesSql = "SELECT id, klass, type, data, everyone, origin, cause, audience FROM " + scribe
				+ " WHERE id > :after ORDER BY id LIMIT :limit";
		this.compaction = new JdbcLogCompaction(this, this.jdbcClient, this.jdbcTemplate, transactionManager, this.prefix);
		this.entryClientsSql = "SELECT scribe_id, client FROM " + client
				+ " WHERE scribe_id > :after AND scribe_id <= :last";
	}

	/**
	 * Creates the tables unless they exist. Safe to call on every start-up of every node.
	 */
	public void initializeSchema() {
		createSchema(this.dataSource, this.prefix);
	}

	/**
	 * Creates the tables of a log unless they exist, from the database's own script
	 * ({@code scribe-log-schema-<platform>.sql} next to this class, the PostgreSQL
	 * one where the database has none of its own), and starts its
	 * history. Safe to run on every start-up of every node.
	 * @param dataSource where the tables go
	 * @param tablePrefix the table-name prefix
	 * @since 0.2.0
	 */
	public static void createSchema(DataSource dataSource, String tablePrefix) {
		String prefix = JdbcSchema.checkedPrefix(tablePrefix);
		JdbcSchema.initialize(dataSource, "scribe-log-schema.sql", prefix);
		widenRecipientKeys(dataSource, prefix, JdbcSchema.isMariaDb(dataSource).getAsBoolean());
		JdbcClient.create(dataSource)
			.sql("UPDATE " + prefix + "log_head SET epoch = ? WHERE id = 1 AND epoch IS NULL")
			.param(UUID.randomUUID().toString())
			.update();
	}

	/**
	 * Widens the recipient column of a table made by version 0.1, whose keys were uids of
	 * at most 64 characters, for the keys of users and authorities. Done only when needed:
	 * an {@code ALTER TABLE} locks the table for every node while it runs. MariaDB's tables
	 * are made wide, but it has its own words for the current schema and a column's type.
	 */
	private static void widenRecipientKeys(DataSource dataSource, String prefix, boolean mariadb) {
		String table = prefix + "scribe_client";
		Integer length = JdbcClient.create(dataSource)
			.sql("SELECT character_maximum_length FROM information_schema.columns WHERE table_schema = "
					+ (mariadb ? "DATABASE()" : "CURRENT_SCHEMA")
					+ " AND LOWER(table_name) = LOWER(?) AND LOWER(column_name) = 'client'")
			.param(table)
			.query(Integer.class)
			.optional()
			.orElse(null);
		if (length != null && length < RECIPIENT_KEY_LENGTH) {
			String widened = "VARCHAR(" + RECIPIENT_KEY_LENGTH + ")";
			new JdbcTemplate(dataSource).execute("ALTER TABLE " + table
					+ (mariadb ? " MODIFY client " + widened + " NOT NULL" : " ALTER COLUMN client SET DATA TYPE " + widened));
		}
	}

	/**
	 * Starts a new history of the log: clients whose positions are of the old one sync
	 * from nothing. Run it after setting the database back to a backup, whose ids the log
	 * will hand out again.
	 */
	public void rotateEpoch() {
		this.jdbcClient.sql(this.rotateEpochSql).param(UUID.randomUUID().toString()).update();
	}

	@Override
	public String store() {
		return "jdbc";
	}

	@Override
	public String epoch() {
		String epoch = this.jdbcClient.sql(this.epochSql).query(String.class).optional().orElse(null);
		Assert.state(epoch != null, () -> "Table " + this.prefix + "log_head has no epoch; run initializeSchema()");
		return epoch;
	}

	@Override
	public long head() {
		return this.jdbcClient.sql(this.headSql).query(Long.class).optional().orElse(0L);
	}

	@Override
	public List<ScribeEntry> append(List<ScribeEntry> entries) {
		Assert.notNull(entries, "Entries must not be null");
		if (entries.isEmpty()) {
			return List.of();
		}
		return appendInTransaction(() -> {
			int count = entries.size();
			lockHead(count);
			long last = this.jdbcClient.sql(this.headSql).query(Long.class).single();
			return insert(entries, last - count + 1);
		});
	}

	/**
	 * {@inheritDoc}
	 * <p>
	 * The positions of the last call are kept in {@code syncro_log_head.relayed}, written
	 * in the append's transaction.
	 */
	@Override
	public List<ScribeEntry> appendRelayed(List<Relayed> transactions) {
		Assert.notNull(transactions, "Transactions must not be null");
		if (transactions.isEmpty()) {
			return List.of();
		}
		return appendInTransaction(() -> {
			lockHead(0);
			Head head = this.jdbcClient.sql(this.relayedHeadSql)
				.query((rs, row) -> new Head(rs.getLong(1), Relayed.positionsOf(rs.getString(2))))
				.single();
			List<ScribeEntry> entries = new ArrayList<>();
			for (Relayed transaction : transactions) {
				if (!head.relayed().contains(transaction.position())) {
					entries.addAll(transaction.entries());
				}
			}
			this.jdbcClient.sql(this.updateRelayedHeadSql)
				.params(head.lastId() + entries.size(), Relayed.positionsText(transactions))
				.update();
			return insert(entries, head.lastId() + 1);
		});
	}

	private List<ScribeEntry> appendInTransaction(Supplier<List<ScribeEntry>> work) {
		for (int attempt = 1;; attempt++) {
			try {
				List<ScribeEntry> appended = this.appendTransaction.execute((status) -> work.get());
				Assert.state(appended != null, "No entries appended");
				if (!appended.isEmpty()) {
					notifyListeners(appended);
				}
				return appended;
			}
			catch (PessimisticLockingFailureException ex) {
				// Waiting for the head row's lock timed out (H2) or lost a deadlock; the
				// transaction rolled back whole, so it is safe to try again.
				if (attempt == APPEND_ATTEMPTS) {
					throw ex;
				}
				logger.debug("Append could not lock the log head, trying again", ex);
			}
		}
	}

	/** Takes the head row's lock, held until the append commits, and reserves ids. */
	private void lockHead(int count) {
		int locked = this.jdbcClient.sql(this.lockHeadSql).param(count).update();
		Assert.state(locked == 1, () -> "Table " + this.prefix + "log_head has no row; run initializeSchema()");
	}

	private List<ScribeEntry> insert(List<ScribeEntry> entries, long first) {
		int count = entries.size();
		List<ScribeEntry> appended = new ArrayList<>(count);
		List<Object[]> clients = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			ScribeEntry entry = entries.get(i).copyWithId(first + i);
			appended.add(entry);
			for (String client : entry.recipients().listed()) {
				clients.add(new Object[] { entry.id(), client });
			}
		}
		this.jdbcTemplate.batchUpdate(this.insertScribeSql, appended, BATCH_SIZE, (ps, entry) -> {
			Scribe scribe = entry.scribe();
			ps.setLong(1, scribe.id());
			ps.setString(2, scribe.klass());
			ps.setString(3, scribe.type().wireName());
			ps.setString(4, MessageCodec.writeTree(scribe.data()));
			ps.setBoolean(5, entry.recipients().isEveryone());
			ps.setString(6, entry.origin());
			ps.setString(7, (entry.cause() != null) ? entry.cause().text() : null);
			ps.setString(8, audienceText(entry));
		});
		if (!clients.isEmpty()) {
			this.jdbcTemplate.batchUpdate(this.insertClientSql, clients, BATCH_SIZE,
					(ps, row) -> {
						ps.setLong(1, (Long) row[0]);
						ps.setString(2, (String) row[1]);
					});
		}
		return appended;
	}

	/** A scribe's audience as the log keeps it, or {@code null} when it has none. */
	static @Nullable String audienceText(ScribeEntry entry) {
		return (entry.audience() != null) ? MessageCodec.writeTree(ScribeEntry.audienceJson(entry.audience())) : null;
	}

	/**
	 * {@inheritDoc}
	 * <p>
	 * One node at a time compacts a database ({@code syncro_log_compaction}); on another node
	 * meanwhile this does nothing. Records are rewritten in transactions of a few hundred,
	 * each record whole in one, so appends and reads go on.
	 */
	@Override
	public Compaction.Report compact(Compaction compaction, Instant now) {
		return this.compaction.compact(compaction, now);
	}

	@Override
	public boolean isCompactable() {
		return true;
	}

	@Override
	public long horizon() {
		return this.compaction.horizon();
	}

	private record Head(long lastId, Set<Long> relayed) {
	}

	@Override
	public List<Scribe> read(Reader reader, long after, int limit) {
		Assert.notNull(reader, "Reader must not be null");
		if (limit <= 0) {
			return List.of();
		}
		return consistent(() -> this.jdbcClient.sql(reader.own() ? this.readWithOwnSql : this.readSql)
			.paramSource(readerParameters(reader).addValue("after", after).addValue("limit", limit))
			.query(JdbcScribeLog::scribe)
			.list(), (scribes) -> scribes.isEmpty() ? null : new Range(after, scribes.get(scribes.size() - 1).id()));
	}

	/**
	 * A read that reaches up to an id. On MariaDB it runs in one snapshot with a count of
	 * the scribes (for anyone) in the range it reached, and again while a count of that
	 * range in a later statement finds more: the snapshot missed scribes that were
	 * committing (see {@link #snapshotTransaction}). Inside a transaction of the caller's,
	 * whose snapshot it cannot choose, it only reads.
	 */
	private <T> T consistent(Supplier<T> read, Function<T, @Nullable Range> reached) {
		if (!this.mariadb.getAsBoolean() || TransactionSynchronizationManager.isActualTransactionActive()) {
			return read.get();
		}
		for (int attempt = 1;; attempt++) {
			Snapshot<T> snapshot = this.snapshotTransaction.execute((status) -> {
				T result = read.get();
				Range range = reached.apply(result);
				return new Snapshot<>(result, range, (range != null) ? count(range) : 0);
			});
			Assert.state(snapshot != null, "No snapshot read");
			Range range = snapshot.range();
			if (range == null || count(range) <= snapshot.count() || attempt == READ_ATTEMPTS) {
				return snapshot.result();
			}
			logger.debug("A read up to {} missed scribes that were committing; reading again", range.upTo());
		}
	}

	private long count(Range range) {
		return this.jdbcClient.sql(this.countRangeSql).params(range.after(), range.upTo()).query(Long.class).single();
	}

	/** The ids in (after, upTo]. */
	private record Range(long after, long upTo) {
	}

	/** What a read found in one snapshot, and how many scribes that snapshot held in its range. */
	private record Snapshot<T>(T result, @Nullable Range range, long count) {
	}

	/** The reader's uid, the keys it is meant by, and those keys excluded. */
	private static MapSqlParameterSource readerParameters(Reader reader) {
		List<String> keys = List.copyOf(reader.keys());
		return new MapSqlParameterSource().addValue("client", reader.client())
			.addValue("keys", keys)
			.addValue("excluded", keys.stream().map((key) -> "!" + key).toList());
	}

	private static Scribe scribe(ResultSet rs, int row) throws SQLException {
		ScribeType type = ScribeType.fromWireName(rs.getString("type"));
		Assert.state(type != null, "Unknown scribe type in the log");
		return new Scribe(rs.getLong("id"), rs.getString("klass"), type, MessageCodec.readTree(rs.getString("data")));
	}

	@Override
	public List<ScribeEntry> entries(long after, int limit) {
		if (limit <= 0) {
			return List.of();
		}
		List<Object[]> rows = this.jdbcClient.sql(this.entriesSql)
			.param("after", after)
			.param("limit", limit)
			.query((rs, row) -> new Object[] { scribe(rs, row), rs.getBoolean("everyone"), rs.getString("origin"),
					rs.getString("cause"), rs.getString("audience") })
			.list();
		if (rows.isEmpty()) {
			return List.of();
		}
		long last = ((Scribe) rows.get(rows.size() - 1)[0]).id();
		Map<Long, List<String>> clients = new HashMap<>();
		this.jdbcClient.sql(this.entryClientsSql)
			.param("after", after)
			.param("last", last)
			.query((rs) -> {
				clients.computeIfAbsent(rs.getLong(1), (id) -> new ArrayList<>()).add(rs.getString(2));
			});
		List<ScribeEntry> entries = new ArrayList<>(rows.size());
		for (Object[] row : rows) {
			Scribe scribe = (Scribe) row[0];
			List<String> listed = clients.getOrDefault(scribe.id(), List.of());
			Recipients recipients = Recipients.fromListed((Boolean) row[1], listed);
			String audience = (String) row[4];
			entries.add(new ScribeEntry(scribe, recipients, (String) row[2], Cause.parse((String) row[3]),
					(audience != null) ? ScribeEntry.audienceOf(MessageCodec.readTree(audience)) : null));
		}
		return entries;
	}

	@Override
	public long lastId(Reader reader) {
		Assert.notNull(reader, "Reader must not be null");
		// scribes still committing when a later one is seen are among the last appends
		return consistent(() -> this.jdbcClient.sql(reader.own() ? this.lastIdWithOwnSql : this.lastIdSql)
			.paramSource(readerParameters(reader))
			.query(Long.class)
			.optional()
			.orElse(0L), (last) -> (last == 0) ? null : new Range(Math.max(0, last - LAST_ID_CHECKED), last));
	}

	@Override
	public AutoCloseable addListener(AppendListener listener) {
		Assert.notNull(listener, "Listener must not be null");
		this.listeners.add(listener);
		return () -> this.listeners.remove(listener);
	}

	/**
	 * Starts telling listeners about appends made by other nodes sharing the database,
	 * checking every {@code interval} on a thread of its own until {@link #close()}.
	 * @param interval the time between two checks
	 */
	public void startPolling(Duration interval) {
		checkInterval(interval);
		synchronized (this.pollingMonitor) {
			Assert.state(this.polling == null, "Polling has already started");
			ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((task) -> {
				Thread thread = new Thread(task, "syncro-jdbc-log-poller");
				thread.setDaemon(true);
				return thread;
			});
			this.ownExecutor = executor;
			startPolling(interval, executor);
		}
	}

	/**
	 * Starts telling listeners about appends made by other nodes sharing the database,
	 * checking every {@code interval} on the given executor until {@link #close()}.
	 * @param interval the time between two checks
	 * @param executor runs the checks; not shut down by {@link #close()}
	 */
	public void startPolling(Duration interval, ScheduledExecutorService executor) {
		checkInterval(interval);
		Assert.notNull(executor, "Executor must not be null");
		synchronized (this.pollingMonitor) {
			Assert.state(this.polling == null, "Polling has already started");
			long millis = Math.max(1, interval.toMillis());
			this.polling = executor.scheduleWithFixedDelay(this::poll, millis, millis, TimeUnit.MILLISECONDS);
		}
	}

	private static void checkInterval(Duration interval) {
		Assert.notNull(interval, "Interval must not be null");
		Assert.isTrue(!interval.isNegative() && !interval.isZero(), "Interval must be positive");
	}

	/**
	 * Checks once whether the log grew since listeners were last told, and tells them if
	 * it did. Called by the poller; callable directly, for instance by tests.
	 */
	public void poll() {
		try {
			long head = this.jdbcClient.sql(this.headSql).query(Long.class).optional().orElse(0L);
			long previous = this.lastNotified.getAndAccumulate(head, Math::max);
			if (head > previous) {
				tellListeners(head, null);
			}
		}
		catch (RuntimeException ex) {
			// Keep polling: a lost notification only delays delivery.
			logger.warn("Could not check the scribe log for appends of other nodes", ex);
		}
	}

	/**
	 * Stops polling, if it was started. Appends and reads still work.
	 */
	@Override
	public void close() {
		synchronized (this.pollingMonitor) {
			if (this.polling != null) {
				this.polling.cancel(false);
				this.polling = null;
			}
			if (this.ownExecutor != null) {
				this.ownExecutor.shutdownNow();
				this.ownExecutor = null;
			}
		}
	}

	private void notifyListeners(List<ScribeEntry> appended) {
		long lastId = appended.get(appended.size() - 1).id();
		this.lastNotified.accumulateAndGet(lastId, Math::max);
		tellListeners(lastId, appended);
	}

	/**
	 * Tells the listeners about appends up to the given id.
	 * @param lastId the last id appended
	 * @param appended what this node appended, up to that id; {@code null} for others' appends
	 */
	private void tellListeners(long lastId, @Nullable List<ScribeEntry> appended) {
		for (AppendListener listener : this.listeners) {
			try {
				if (appended != null) {
					listener.appended(appended);
				}
				else {
					listener.appended(lastId);
				}
			}
			catch (RuntimeException ex) {
				logger.warn("Scribe log listener " + listener + " failed", ex);
			}
		}
	}

	@Override
	public String toString() {
		return "JdbcScribeLog[" + this.prefix + "scribe]";
	}

}
