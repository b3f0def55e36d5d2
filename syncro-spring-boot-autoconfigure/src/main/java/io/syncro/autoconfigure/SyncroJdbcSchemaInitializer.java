package io.syncro.autoconfigure;

import java.util.List;
import java.util.function.BiConsumer;

import javax.sql.DataSource;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.jdbc.EmbeddedDatabaseConnection;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.util.Assert;

/**
 * Creates Syncro's tables at start-up the way Spring Boot initializes a database, as
 * {@code syncro.jdbc.initialize-schema} says: {@code embedded} (the default) only in an
 * embedded database such as H2 in memory, {@code always}, or {@code never} when the
 * application's migrations create them (copy the scripts named in the README). Spring
 * Boot knows it as a database initializer ({@link SyncroJdbcSchemaInitializerDetector}),
 * so it runs after Flyway and Liquibase, and before every bean that depends on database
 * initialization, Syncro's stores among them.
 *
 * @since 0.2.0
 */
public class SyncroJdbcSchemaInitializer implements InitializingBean {

	private final DataSource dataSource;

	private final DatabaseInitializationMode mode;

	private final String tablePrefix;

	private final List<BiConsumer<DataSource, String>> schemas;

	/**
	 * Creates an initializer.
	 * @param dataSource where the tables go
	 * @param mode when to create them
	 * @param tablePrefix the table-name prefix
	 * @param schemas what creates each store's tables, given the data source and the prefix,
	 * such as {@code JdbcScribeOutbox::createSchema}
	 */
	public SyncroJdbcSchemaInitializer(DataSource dataSource, DatabaseInitializationMode mode, String tablePrefix,
			List<BiConsumer<DataSource, String>> schemas) {
		Assert.notNull(dataSource, "DataSource must not be null");
		Assert.notNull(mode, "Mode must not be null");
		this.dataSource = dataSource;
		this.mode = mode;
		this.tablePrefix = tablePrefix;
		this.schemas = List.copyOf(schemas);
	}

	@Override
	public void afterPropertiesSet() {
		initializeDatabase();
	}

	/**
	 * Creates the tables unless the mode says not to.
	 * @return whether it created them (or found them there)
	 */
	public boolean initializeDatabase() {
		if (!isEnabled()) {
			return false;
		}
		this.schemas.forEach((schema) -> schema.accept(this.dataSource, this.tablePrefix));
		return true;
	}

	private boolean isEnabled() {
		return switch (this.mode) {
			case NEVER -> false;
			case EMBEDDED -> EmbeddedDatabaseConnection.isEmbedded(this.dataSource);
			case ALWAYS -> true;
		};
	}

}
