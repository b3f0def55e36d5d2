package io.syncro.store.jdbc;

import java.util.Locale;
import java.util.UUID;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.syncro.testing.MariaDbServer;
import io.syncro.testing.PostgresServer;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * A fresh, empty database for one test behind a connection pool: an H2 in-memory
 * database, a new schema on the shared PostgreSQL server, or a new database on the
 * shared MariaDB server.
 */
final class TestDatabase implements AutoCloseable {

	private final HikariDataSource dataSource;

	private final DataSourceTransactionManager transactionManager;

	private final Kind kind;

	private TestDatabase(String url, String username, String password, Kind kind) {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(url);
		config.setUsername(username);
		config.setPassword(password);
		config.setMaximumPoolSize(20);
		config.setMinimumIdle(0);
		config.setPoolName("test-" + kind.name().toLowerCase(Locale.ROOT));
		this.dataSource = new HikariDataSource(config);
		this.transactionManager = new DataSourceTransactionManager(this.dataSource);
		this.kind = kind;
	}

	static TestDatabase h2() {
		// Kept open until close(), not until the pool happens to hold no connection.
		return new TestDatabase("jdbc:h2:mem:syncro_" + UUID.randomUUID().toString().replace('-', '_')
				+ ";DB_CLOSE_DELAY=-1", "sa", "", Kind.H2);
	}

	static TestDatabase postgres() {
		PostgresServer server = PostgresServer.shared();
		return new TestDatabase(server.jdbcUrlOfSchema(server.createSchema()), server.username(), server.password(),
				Kind.POSTGRES);
	}

	static TestDatabase mariadb() {
		MariaDbServer server = MariaDbServer.shared();
		return new TestDatabase(server.jdbcUrl(server.createDatabase()), server.username(), server.password(),
				Kind.MARIADB);
	}

	DataSource dataSource() {
		return this.dataSource;
	}

	PlatformTransactionManager transactionManager() {
		return this.transactionManager;
	}

	JdbcTemplate jdbcTemplate() {
		return new JdbcTemplate(this.dataSource);
	}

	JdbcScribeLog scribeLog() {
		return new JdbcScribeLog(this.dataSource, this.transactionManager);
	}

	JdbcClientStore clientStore() {
		return new JdbcClientStore(this.dataSource, this.transactionManager);
	}

	/**
	 * Whether a transaction on this database (PostgreSQL or MariaDB) waits for a lock that
	 * another holds.
	 * @return whether one waits
	 */
	boolean someoneWaitsForALock() {
		String sql = switch (this.kind) {
			case POSTGRES -> "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()"
					+ " AND wait_event_type = 'Lock'";
			case MARIADB -> "SELECT COUNT(*) FROM information_schema.innodb_trx t"
					+ " JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id"
					+ " WHERE t.trx_state = 'LOCK WAIT' AND p.db = DATABASE()";
			case H2 -> throw new UnsupportedOperationException("Not asked of H2 by any test");
		};
		Integer waiting = jdbcTemplate().queryForObject(sql, Integer.class);
		return waiting != null && waiting > 0;
	}

	@Override
	public void close() {
		if (this.kind == Kind.H2) {
			jdbcTemplate().execute("SHUTDOWN");
		}
		this.dataSource.close();
	}

	private enum Kind {

		H2, POSTGRES, MARIADB

	}

}
