package io.syncro.store.jdbc;

/**
 * Tests for {@link JdbcScribeOutbox} on a real MariaDB server.
 */
class JdbcScribeOutboxMariaDbTests extends AbstractJdbcScribeOutboxTests {

	@Override
	protected TestDatabase createDatabase() {
		return TestDatabase.mariadb();
	}

}
