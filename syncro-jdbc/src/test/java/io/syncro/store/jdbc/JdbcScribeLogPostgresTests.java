package io.syncro.store.jdbc;

/**
 * Tests for {@link JdbcScribeLog} on a real PostgreSQL server.
 */
class JdbcScribeLogPostgresTests extends AbstractJdbcScribeLogTests {

	@Override
	protected TestDatabase createDatabase() {
		return TestDatabase.postgres();
	}

}
