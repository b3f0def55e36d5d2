package io.syncro.store.jdbc;

/**
 * Tests for {@link JdbcScribeOutbox} on an H2 in-memory database.
 */
class JdbcScribeOutboxH2Tests extends AbstractJdbcScribeOutboxTests {

	@Override
	protected TestDatabase createDatabase() {
		return TestDatabase.h2();
	}

}
