package io.syncro.store.jdbc;

/**
 * Tests for {@link JdbcScribeOutbox} on a real PostgreSQL server.
 */
class JdbcScribeOutboxPostgresTests extends AbstractJdbcScribeOutboxTests {

	@Override
	protected TestDatabase createDatabase() {
		return TestDatabase.postgres();
	}

}
