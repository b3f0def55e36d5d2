package io.syncro.store.jdbc;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import io.syncro.protocol.MessageCodec;
import io.syncro.scribe.ScribeEntry;
import io.syncro.store.Relayed;
import io.syncro.store.ScribeLog;
import io.syncro.store.ScribeOutbox;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.Assert;

/**
 * A {@link ScribeOutbox} kept in a table of the application's database, relayed to a
 * {@link ScribeLog}.
 * <p>
 * The tables, shown with the default prefix {@code syncro_} (the DDL is in
 * {@code outbox-schema-postgresql.sql} next to this class, for PostgreSQL and H2,
 * {@code outbox-schema-mariadb.sql} for MariaDB and MySQL, and is run by
 * {@link #initializeSchema()}):
 * <pre class="code">
 * syncro_outbox(seq BIGINT IDENTITY PRIMARY KEY, entries TEXT)   -- one row per transaction
 * syncro_outbox_relay(id INT PRIMARY KEY, relayed_at BIGINT)     -- one row, id = 1
 * </pre>
 * {@link #add} inserts one row in the caller's transaction (through the
 * {@code DataSource}'s transaction-bound connection, as {@code JdbcTemplate} does), so
 * the row commits or rolls back with the change it mirrors. A relay is one transaction:
 * <pre class="code">
 * UPDATE syncro_outbox_relay SET relayed_at = :now WHERE id = 1   -- relays take turns
 * SELECT seq, entries FROM syncro_outbox ORDER BY seq LIMIT :batch
 * -- ScribeLog.appendRelayed(those rows)
 * DELETE FROM syncro_outbox WHERE seq = :seq                       -- for each row
 * </pre>
 * If the process stops after the append and before the delete commits, the next relay
 * (on any node) gets the same rows again, and {@link ScribeLog#appendRelayed} leaves
 * them out: each row is appended once. Rows are relayed in {@code seq} order; a row
 * whose transaction commits after a later-numbered one is relayed by a later relay,
 * which only reorders transactions that changed no record in common (two that did are
 * serialised by the database's row locks, and number their rows in commit order).
 * <p>
 * {@link #relay()} runs on the thread that committed, right after the commit, so a
 * change is usually in the log when the request that made it returns; when the log
 * cannot be reached the rows wait, and the relay started by {@link #startRelaying} tries
 * again every interval, on every node, including after a restart.
 *
 * @since 0.1.0
 */
public class JdbcScribeOutbox implements ScribeOutbox, AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(JdbcScribeOutbox.class);

	private static final int DEFAULT_BATCH_SIZE = 500;

	private final DataSource dataSource;

	private final JdbcTemplate jdbcTemplate;

	private final JdbcClient jdbcClient;

	private final TransactionTemplate relayTransaction;

	private final ScribeLog log;

	private final String prefix;

	private final String insertSql;

	private final String lockSql;

	private final String selectSql;

	private final String deleteSql;

	private final String countSql;

	private int batchSize = DEFAULT_BATCH_SIZE;

	/** Whether a thread of this process is relaying. */
	private final AtomicBoolean relaying = new AtomicBoolean();

	/** Whether rows were committed since the relaying thread last looked. */
	private final AtomicBoolean committed = new AtomicBoolean();

	/** Whether the last relay failed, so that an outage is logged once. */
	private final AtomicBoolean failing = new AtomicBoolean();

	private @Nullable ScheduledExecutorService executor;

	/**
	 * Creates an outbox with tables named {@code syncro_…}.
	 * @param dataSource the database of the records whose changes are recorded
	 * @param transactionManager the transaction manager of that database
	 * @param log the log to relay to
	 */
	public JdbcScribeOutbox(DataSource dataSource, PlatformTransactionManager transactionManager, ScribeLog log) {
		this(dataSource, transactionManager, log, JdbcSchema.DEFAULT_PREFIX);
	}

	/**
	 * Creates an outbox.
	 * @param dataSource the database of the records whose changes are recorded
	 * @param transactionManager the transaction manager of that database
	 * @param log the log to relay to
	 * @param tablePrefix the start of every table name, such as {@code syncro_}
	 */
	public JdbcScribeOutbox(DataSource dataSource, PlatformTransactionManager transactionManager, ScribeLog log,
			String tablePrefix) {
		Assert.notNull(dataSource, "DataSource must not be null");
		Assert.notNull(transactionManager, "PlatformTransactionManager must not be null");
		Assert.notNull(log, "ScribeLog must not be null");
		this.prefix = JdbcSchema.checkedPrefix(tablePrefix);
		this.dataSource = dataSource;
		this.jdbcTemplate = new JdbcTemplate(dataSource);
		this.jdbcClient = JdbcClient.create(this.jdbcTemplate);
		this.log = log;
		// A relay runs right after another transaction committed, still bound to the
		// thread, so it needs a transaction of its own.
		this.relayTransaction = new TransactionTemplate(transactionManager);
		this.relayTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		this.relayTransaction.setIsolationLevel(TransactionDefinition.ISOLATION_READ_COMMITTED);
		String outbox = this.prefix + "outbox";
		this.insertSql = "INSERT INTO " + outbox + " (entries) VALUES (?)";
		this.lockSql = "UPDATE " + this.prefix + "outbox_relay SET relayed_at = ? WHERE id = 1";
		this.selectSql = "SELECT seq, entries FROM " + outbox + " ORDER BY seq LIMIT ?";
		this.deleteSql = "DELETE FROM " + outbox + " WHERE seq = ?";
		this.countSql = "SELECT COUNT(*) FROM " + outbox;
	}

	/**
	 * Creates the tables unless they exist. Safe to call on every start-up of every node.
	 */
	public void initializeSchema() {
		createSchema(this.dataSource, this.prefix);
	}

	/**
	 * Creates the tables of an outbox unless they exist, from the database's own script
	 * ({@code outbox-schema-<platform>.sql} next to this class, the PostgreSQL
	 * one where the database has none of its own). Safe to run on every start-up
	 * of every node.
	 * @param dataSource where the tables go
	 * @param tablePrefix the table-name prefix
	 * @since 0.2.0
	 */
	public static void createSchema(DataSource dataSource, String tablePrefix) {
		JdbcSchema.initialize(dataSource, "outbox-schema.sql", JdbcSchema.checkedPrefix(tablePrefix));
	}

	/**
	 * Warns when the database may lose commits it acknowledged on a crash of the process:
	 * an H2 database in a file without {@code WRITE_DELAY=0} writes commits to its file up
	 * to a second later, so a {@code kill -9} loses them, the outbox rows and client marks
	 * with them.
	 * @return whether it warned
	 */
	public boolean warnIfCommitsMayBeLost() {
		String url;
		int writeDelay;
		try (Connection connection = this.dataSource.getConnection()) {
			url = connection.getMetaData().getURL();
			if (url == null || !url.startsWith("jdbc:h2:") || url.startsWith("jdbc:h2:mem:")) {
				return false;
			}
			try (Statement statement = connection.createStatement();
					ResultSet setting = statement.executeQuery(
							"SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")) {
				writeDelay = setting.next() ? Integer.parseInt(setting.getString(1).trim()) : 0;
			}
		}
		catch (SQLException | RuntimeException ex) {
			logger.debug("Could not tell whether the database keeps what it commits", ex);
			return false;
		}
		if (writeDelay > 0) {
			logger.warn("The H2 database {} writes commits to its file up to {} ms after it acknowledges them, so a "
					+ "crash of this process loses them; add ;WRITE_DELAY=0 to its URL", url, writeDelay);
		}
		return writeDelay > 0;
	}

	/**
	 * Sets how many transactions one relay appends at most; 500 unless set.
	 * @param batchSize the number of outbox rows per relayed append
	 */
	public void setBatchSize(int batchSize) {
		Assert.isTrue(batchSize > 0, "Batch size must be positive");
		this.batchSize = batchSize;
	}

	@Override
	public void add(List<ScribeEntry> entries) {
		Assert.notNull(entries, "Entries must not be null");
		if (entries.isEmpty()) {
			return;
		}
		ArrayNode json = JsonNodeFactory.instance.arrayNode(entries.size());
		entries.forEach((entry) -> json.add(entry.toJson()));
		this.jdbcTemplate.update(this.insertSql, MessageCodec.writeTree(json));
	}

	/**
	 * {@inheritDoc}
	 * <p>
	 * While the log cannot be reached, this leaves the rows to the relay started by
	 * {@link #startRelaying}, so that committing threads do not each wait for the log.
	 */
	@Override
	public void relay() {
		this.committed.set(true);
		if (!this.failing.get()) {
			drain();
		}
	}

	/**
	 * Relays what waits in the outbox now, on the calling thread, also when the log could
	 * not be reached the last time; what {@link #startRelaying} runs every interval.
	 */
	public void relayNow() {
		this.committed.set(true);
		drain();
	}

	private void drain() {
		// One thread relays at a time; the others leave their rows to it.
		boolean relayed = true;
		while (relayed && this.committed.get() && this.relaying.compareAndSet(false, true)) {
			try {
				this.committed.set(false);
				relayed = relayUntilEmpty();
			}
			finally {
				this.relaying.set(false);
			}
		}
	}

	/**
	 * Relays until the outbox is empty or the log fails.
	 * @return whether the outbox was emptied
	 */
	private boolean relayUntilEmpty() {
		try {
			int relayed;
			do {
				Integer count = this.relayTransaction.execute((status) -> relayBatch());
				relayed = (count != null) ? count : 0;
			}
			while (relayed == this.batchSize);
			if (this.failing.compareAndSet(true, false)) {
				logger.info("Relaying recorded scribes to the scribe log again");
			}
			return true;
		}
		catch (RuntimeException ex) {
			// The rows stay in the outbox for the next relay.
			if (this.failing.compareAndSet(false, true)) {
				logger.warn("Could not relay recorded scribes to the scribe log; they wait in table {}outbox "
						+ "and are relayed once it can be reached", this.prefix, ex);
			}
			else {
				logger.debug("Could not relay recorded scribes to the scribe log", ex);
			}
			return false;
		}
	}

	private int relayBatch() {
		int locked = this.jdbcClient.sql(this.lockSql).param(System.currentTimeMillis()).update();
		Assert.state(locked == 1,
				() -> "Table " + this.prefix + "outbox_relay has no row; run initializeSchema()");
		List<Relayed> rows = this.jdbcClient.sql(this.selectSql)
			.param(this.batchSize)
			.query((rs, row) -> new Relayed(rs.getLong(1), entriesOf(rs.getString(2))))
			.list();
		if (rows.isEmpty()) {
			return 0;
		}
		this.log.appendRelayed(rows);
		this.jdbcTemplate.batchUpdate(this.deleteSql, rows, rows.size(),
				(ps, row) -> ps.setLong(1, row.position()));
		return rows.size();
	}

	private static List<ScribeEntry> entriesOf(String text) {
		JsonNode json = MessageCodec.readTree(text);
		List<ScribeEntry> entries = new ArrayList<>(json.size());
		json.forEach((entry) -> entries.add(ScribeEntry.fromJson(entry, 0)));
		return entries;
	}

	/**
	 * The number of transactions whose scribes wait to be relayed.
	 * @return the number of rows in the outbox
	 */
	@Override
	public long pending() {
		return this.jdbcClient.sql(this.countSql).query(Long.class).single();
	}

	/**
	 * Starts relaying every {@code interval} on a thread of its own, until {@link #close()}:
	 * the rows left by a process that stopped, by another node, or by a relay that could
	 * not reach the log.
	 * @param interval the time between two relays
	 */
	public synchronized void startRelaying(Duration interval) {
		Assert.notNull(interval, "Interval must not be null");
		Assert.isTrue(!interval.isNegative() && !interval.isZero(), "Interval must be positive");
		Assert.state(this.executor == null, "Relaying has already started");
		ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "syncro-outbox-relay");
			thread.setDaemon(true);
			return thread;
		});
		this.executor = executor;
		executor.scheduleWithFixedDelay(this::relayNow, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
	}

	/**
	 * Stops relaying every interval, if it was started; {@link #relay()} still works.
	 */
	@Override
	public synchronized void close() {
		if (this.executor != null) {
			this.executor.shutdownNow();
			this.executor = null;
		}
	}

	@Override
	public String toString() {
		return "JdbcScribeOutbox[" + this.prefix + "outbox → " + this.log + "]";
	}

}
