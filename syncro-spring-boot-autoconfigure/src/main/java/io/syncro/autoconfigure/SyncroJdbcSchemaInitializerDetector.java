package io.syncro.autoconfigure;

import java.util.Set;

import org.springframework.boot.sql.init.dependency.AbstractBeansOfTypeDatabaseInitializerDetector;
import org.springframework.core.Ordered;

/**
 * Tells Spring Boot that a {@link SyncroJdbcSchemaInitializer} initializes the database:
 * beans that depend on database initialization wait for it, and it comes after the
 * initializers of a lower order, Flyway's and Liquibase's, as Boot's own script
 * initializer does.
 *
 * @since 0.2.0
 */
class SyncroJdbcSchemaInitializerDetector extends AbstractBeansOfTypeDatabaseInitializerDetector {

	@Override
	protected Set<Class<?>> getDatabaseInitializerBeanTypes() {
		return Set.of(SyncroJdbcSchemaInitializer.class);
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE - 100;
	}

}
