package io.syncro.store.jdbc;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.syncro.scribe.Changes;
import io.syncro.scribe.Recipients;
import io.syncro.store.Compaction;
import io.syncro.store.CompactionContractTests;
import io.syncro.store.ScribeLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CompactionContractTests} on H2, PostgreSQL and MariaDB, and what is the JDBC log's own: one
 * node at a time compacts a database, and the horizon is shared by every node.
 */
class JdbcCompactionTests {

	abstract static class OnDatabase extends CompactionContractTests {

		private TestDatabase database;

		protected abstract TestDatabase createDatabase();

		@Override
		protected ScribeLog createLog() {
			this.database = createDatabase();
			JdbcScribeLog log = this.database.scribeLog();
			log.initializeSchema();
			return log;
		}

		@AfterEach
		void closeDatabase() {
			this.database.close();
		}

		@Test
		void oneNodeAtATimeCompactsAndEveryNodeSeesTheHorizon() {
			JdbcScribeLog one = this.database.scribeLog();
			JdbcScribeLog two = this.database.scribeLog();
			for (int i = 0; i < 20; i++) {
				one.append(Changes.created("Todo", JsonNodeFactory.instance.objectNode().put("id", "t" + i), Recipients.all(),
						null));
				one.append(Changes.destroyed("Todo", "t" + i, Recipients.all(), null));
			}
			Instant now = Instant.now();
			this.database.jdbcTemplate().update("UPDATE syncro_log_compaction SET locked_until = ?",
					now.plusSeconds(60).toEpochMilli());
			assertThat(two.compact(new Compaction(2, Duration.ZERO), now).cutoff()).isZero();
			this.database.jdbcTemplate().update("UPDATE syncro_log_compaction SET locked_until = 0");
			Compaction.Report report = two.compact(new Compaction(2, Duration.ZERO), now);
			assertThat(report.expired()).isEqualTo(19);
			assertThat(one.horizon()).isEqualTo(report.horizon()).isEqualTo(38);
			assertThat(one.entries(0, 100)).extracting((entry) -> entry.id()).containsExactly(39L, 40L);
			assertThat(List.of(one.head(), two.head())).containsOnly(40L);
		}

	}

	@Nested
	class OnH2 extends OnDatabase {

		@Override
		protected TestDatabase createDatabase() {
			return TestDatabase.h2();
		}

	}

	@Nested
	class OnPostgres extends OnDatabase {

		@Override
		protected TestDatabase createDatabase() {
			return TestDatabase.postgres();
		}

	}

	@Nested
	class OnMariaDb extends OnDatabase {

		@Override
		protected TestDatabase createDatabase() {
			return TestDatabase.mariadb();
		}

	}

}
