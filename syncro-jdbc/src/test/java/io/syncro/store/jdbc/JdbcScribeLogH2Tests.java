package io.syncro.store.jdbc;

/**
 * Tests for {@link JdbcScribeLog} on an H2 in-memory database.
 */
class JdbcScribeLogH2Tests extends AbstractJdbcScribeLogTests {

	@Override
	protected TestDatabase createDatabase() {
		return TestDatabase.h2();
	}

}
