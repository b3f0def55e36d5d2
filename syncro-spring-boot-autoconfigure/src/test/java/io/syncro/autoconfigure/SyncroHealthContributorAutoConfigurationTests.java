package io.syncro.autoconfigure;

import io.syncro.health.SyncroHealthIndicator;
import io.syncro.session.SyncroEngine;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SyncroHealthContributorAutoConfiguration}.
 */
class SyncroHealthContributorAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(SyncroAutoConfiguration.class, SyncroHealthContributorAutoConfiguration.class))
		.withPropertyValues("syncro.store=memory");

	@Test
	void reportsTheScribeLogAsSyncro() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(SyncroHealthIndicator.class).hasBean("syncroHealthIndicator");
			Health health = context.getBean(SyncroHealthIndicator.class).health();
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("store", "memory")
				.containsEntry("lastScribeId", 0L);
		});
	}

	@Test
	void isRegisteredWithBootsHealthContributorsAsSyncro() {
		this.contextRunner
			.withConfiguration(AutoConfigurations.of(HealthContributorAutoConfiguration.class,
					HealthContributorRegistryAutoConfiguration.class))
			.run((context) -> assertThat(context.getBean(HealthContributorRegistry.class).getContributor("syncro"))
				.isSameAs(context.getBean(SyncroHealthIndicator.class)));
	}

	@Test
	void backsOffWithoutSpringBootHealthOnTheClassPath() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
			.run((context) -> assertThat(context).hasSingleBean(SyncroEngine.class)
				.doesNotHaveBean(SyncroHealthIndicator.class));
	}

	@Test
	void backsOffWhenTheIndicatorIsDisabled() {
		this.contextRunner.withPropertyValues("management.health.syncro.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(SyncroHealthIndicator.class));
	}

	@Test
	void backsOffWhenSyncroIsDisabled() {
		this.contextRunner.withPropertyValues("syncro.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(SyncroHealthIndicator.class));
	}

	@Test
	void backsOffFromAUserDefinedIndicatorOfTheSameName() {
		HealthIndicator own = () -> Health.up().build();
		this.contextRunner.withBean("syncroHealthIndicator", HealthIndicator.class, () -> own)
			.run((context) -> assertThat(context).doesNotHaveBean(SyncroHealthIndicator.class)
				.getBean("syncroHealthIndicator")
				.isSameAs(own));
	}

}
