package io.syncro.store.jdbc;

/**
 * Tests for {@link JdbcClientStore} on an H2 in-memory database.
 */
class JdbcClientStoreH2Tests extends AbstractJdbcClientStoreTests {

	@Override
	protected TestDatabase createDatabase() {
		return TestDatabase.h2();
	}

}
