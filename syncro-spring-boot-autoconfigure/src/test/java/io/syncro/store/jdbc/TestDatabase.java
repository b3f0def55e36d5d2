package io.syncro.store.jdbc;

import java.util.UUID;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.syncro.testing.PostgresServer;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * A fresh, empty database for one test behind a connection pool: an H2 in-memory
 * database, or a new schema on the shared PostgreSQL server.
 */
final class TestDatabase implements AutoCloseable {

	private final HikariDataSource dataSource;

	private final DataSourceTransactionManager transactionManager;

	private final boolean h2;

	private TestDatabase(String url, String username, String password, boolean h2) {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(url);
		config.setUsername(username);
		config.setPassword(password);
		config.setMaximumPoolSize(20);
		config.setMinimumIdle(0);
		config.setPoolName("test-" + (h2 ? "h2" : "postgres"));
		this.dataSource = new HikariDataSource(config);
		this.transactionManager = new DataSourceTransactionManager(this.dataSource);
		this.h2 = h2;
	}

	static TestDatabase h2() {
		// Kept open until close(), not until the pool happens to hold no connection.
		return new TestDatabase("jdbc:h2:mem:syncro_" + UUID.randomUUID().toString().replace('-', '_')
				+ ";DB_CLOSE_DELAY=-1", "sa", "", true);
	}

	static TestDatabase postgres() {
		PostgresServer server = PostgresServer.shared();
		return new TestDatabase(server.jdbcUrlOfSchema(server.createSchema()), server.username(), server.password(),
				false);
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

	@Override
	public void close() {
		if (this.h2) {
			jdbcTemplate().execute("SHUTDOWN");
		}
		this.dataSource.close();
	}

}
