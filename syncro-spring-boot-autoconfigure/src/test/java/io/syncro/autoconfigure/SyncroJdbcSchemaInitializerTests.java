package io.syncro.autoconfigure;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;

import javax.sql.DataSource;

import io.syncro.session.SyncroEngine;
import io.syncro.store.jdbc.JdbcScribeOutbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SyncroJdbcSchemaInitializer}: {@code syncro.jdbc.initialize-schema}
 * as Spring Boot's modes mean it, and its place after Flyway.
 */
class SyncroJdbcSchemaInitializerTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SyncroAutoConfiguration.class, DataSourceAutoConfiguration.class,
				DataSourceTransactionManagerAutoConfiguration.class));

	@Test
	void embeddedByDefaultCreatesEveryTableOfTheJdbcStoreInAnEmbeddedDatabase() {
		this.contextRunner.withPropertyValues("spring.datasource.url=jdbc:h2:mem:schema-" + System.nanoTime())
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(SyncroEngine.class);
				assertThat(tables(context.getBean(DataSource.class))).contains("SYNCRO_OUTBOX", "SYNCRO_OUTBOX_RELAY",
						"SYNCRO_CLIENT", "SYNCRO_LOG_HEAD", "SYNCRO_SCRIBE");
			});
	}

	@Test
	void theMemoryStoreGetsOnlyTheOutbox() {
		this.contextRunner
			.withPropertyValues("spring.datasource.url=jdbc:h2:mem:schema-" + System.nanoTime(), "syncro.store=memory")
			.run((context) -> assertThat(tables(context.getBean(DataSource.class)))
				.contains("SYNCRO_OUTBOX", "SYNCRO_OUTBOX_RELAY")
				.doesNotContain("SYNCRO_CLIENT", "SYNCRO_LOG_HEAD", "SYNCRO_SCRIBE"));
	}

	@Test
	void embeddedLeavesADatabaseInAFileAloneAndAlwaysCreatesThere(@TempDir Path dir) {
		DataSource file = new DriverManagerDataSource("jdbc:h2:file:" + dir.resolve("app") + ";DB_CLOSE_DELAY=-1");
		List<BiConsumer<DataSource, String>> outbox = List.of(JdbcScribeOutbox::createSchema);
		assertThat(new SyncroJdbcSchemaInitializer(file, DatabaseInitializationMode.EMBEDDED, "syncro_", outbox)
			.initializeDatabase()).isFalse();
		assertThat(new SyncroJdbcSchemaInitializer(file, DatabaseInitializationMode.NEVER, "syncro_", outbox)
			.initializeDatabase()).isFalse();
		assertThat(tables(file)).doesNotContain("SYNCRO_OUTBOX");
		assertThat(new SyncroJdbcSchemaInitializer(file, DatabaseInitializationMode.ALWAYS, "syncro_", outbox)
			.initializeDatabase()).isTrue();
		assertThat(tables(file)).contains("SYNCRO_OUTBOX", "SYNCRO_OUTBOX_RELAY");
	}

	@Test
	void neverCreatesNothingEvenInAnEmbeddedDatabase() {
		this.contextRunner
			.withPropertyValues("spring.datasource.url=jdbc:h2:mem:schema-" + System.nanoTime(),
					"syncro.jdbc.initialize-schema=never")
			.run((context) -> assertThat(tables(context.getBean(DataSource.class)))
				.noneMatch((table) -> table.startsWith("SYNCRO_")));
	}

	@Test
	void runsAfterFlywaySoThatAMigrationMayCreateSyncrosTablesItself() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(FlywayAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=jdbc:h2:mem:schema-" + System.nanoTime(),
					"spring.flyway.locations=classpath:db/syncro-flyway")
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(SyncroEngine.class);
				assertThat(Arrays.asList(context.getBeanFactory()
					.getBeanDefinition("syncroJdbcSchemaInitializer")
					.getDependsOn())).contains("flywayInitializer");
				JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
				assertThat(jdbc.queryForObject("SELECT relayed_at FROM syncro_outbox_relay WHERE id = 1", Long.class))
					.isEqualTo(42L);
				assertThat(tables(context.getBean(DataSource.class))).contains("APP_NOTE", "SYNCRO_OUTBOX",
						"SYNCRO_LOG_HEAD");
			});
	}

	private static List<String> tables(DataSource dataSource) {
		return new JdbcTemplate(dataSource).queryForList(
				"SELECT table_name FROM information_schema.tables WHERE table_schema = 'PUBLIC'", String.class);
	}

}
