package io.syncro.recording;

import io.syncro.play.Syncable;
import io.syncro.play.SyncroPolicy;
import io.syncro.recording.generated.Ticket;
import io.syncro.recording.sample.Todo;
import jakarta.persistence.EntityManagerFactory;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.persistence.autoconfigure.EntityScan;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.NestedExceptionUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Finding and checking the {@link Syncable} entities when the application starts.
 */
class SyncableEntitiesTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
				HibernateJpaAutoConfiguration.class, TransactionAutoConfiguration.class,
				JacksonAutoConfiguration.class));

	@Test
	void syncableEntitiesAreNamedByTheirSimpleNameUnlessTheyGiveOne() {
		this.contextRunner.withUserConfiguration(SampleEntities.class)
			.run((context) -> assertThat(context.getBean(SyncableEntities.class).klasses())
				.containsExactlyInAnyOrder("Todo", "Jotting"));
	}

	@Test
	void syncableEntityWithAGeneratedIdFailsStartUp() {
		this.contextRunner.withUserConfiguration(GeneratedIdEntities.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(IllegalStateException.class)
				.hasMessageStartingWith("@Syncable entity " + Ticket.class.getName()
						+ " has a generated id (@GeneratedValue or another id generator)")
				.hasMessageContaining("ids must be assigned by whoever creates the record");
		});
	}

	@Test
	void twoPoliciesForOneEntityFailStartUp() {
		this.contextRunner.withUserConfiguration(SampleEntities.class, TwoTodoPolicies.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure()))
				.hasMessage("@Syncable entity " + Todo.class.getName()
						+ " has more than one SyncroPolicy: [firstPolicy, secondPolicy]; declare one per entity type");
		});
	}

	@Configuration(proxyBeanMethods = false)
	@EntityScan(basePackageClasses = Todo.class)
	static class SampleEntities {

		@Bean
		SyncableEntities syncableEntities(EntityManagerFactory entityManagerFactory, JsonMapper jsonMapper,
				ListableBeanFactory beanFactory) {
			return new SyncableEntities(entityManagerFactory, jsonMapper, beanFactory);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EntityScan(basePackageClasses = Ticket.class)
	static class GeneratedIdEntities {

		@Bean
		SyncableEntities syncableEntities(EntityManagerFactory entityManagerFactory, JsonMapper jsonMapper,
				ListableBeanFactory beanFactory) {
			return new SyncableEntities(entityManagerFactory, jsonMapper, beanFactory);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TwoTodoPolicies {

		@Bean
		SyncroPolicy<Todo> firstPolicy() {
			return new SyncroPolicy<>() {
			};
		}

		@Bean
		SyncroPolicy<Todo> secondPolicy() {
			return new SyncroPolicy<>() {
			};
		}

	}

}
