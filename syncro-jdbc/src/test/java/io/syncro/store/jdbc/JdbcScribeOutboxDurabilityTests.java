package io.syncro.store.jdbc;

import java.nio.file.Path;

import io.syncro.store.InMemoryScribeLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The outbox warns about an H2 database in a file that acknowledges commits before it has
 * written them, as a crash of the process then loses them.
 */
class JdbcScribeOutboxDurabilityTests {

	@TempDir
	Path folder;

	@Test
	void anH2FileThatWritesCommitsLaterIsWarnedAbout() {
		assertThat(warns("jdbc:h2:file:" + this.folder.resolve("delayed"))).isTrue();
		assertThat(warns("jdbc:h2:file:" + this.folder.resolve("durable") + ";WRITE_DELAY=0")).isFalse();
		assertThat(warns("jdbc:h2:mem:durability;DB_CLOSE_DELAY=-1")).isFalse();
	}

	private static boolean warns(String url) {
		DriverManagerDataSource dataSource = new DriverManagerDataSource(url, "sa", "");
		return new JdbcScribeOutbox(dataSource, new DataSourceTransactionManager(dataSource), new InMemoryScribeLog())
			.warnIfCommitsMayBeLost();
	}

}
