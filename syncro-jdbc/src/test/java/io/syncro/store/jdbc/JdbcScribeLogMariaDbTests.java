package io.syncro.store.jdbc;

/**
 * Tests for {@link JdbcScribeLog} on a real MariaDB server.
 */
class JdbcScribeLogMariaDbTests extends AbstractJdbcScribeLogTests {

	@Override
	protected TestDatabase createDatabase() {
		return TestDatabase.mariadb();
	}

}
