package io.syncro.autoconfigure;

import java.util.List;

import javax.sql.DataSource;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.syncro.metrics.SyncroMetrics;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import io.syncro.session.SyncroEngine;
import io.syncro.store.ScribeLog;
import io.syncro.store.jdbc.JdbcScribeOutbox;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SyncroMetricsAutoConfiguration}.
 */
class SyncroMetricsAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SyncroAutoConfiguration.class, SyncroMetricsAutoConfiguration.class,
				MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
				CompositeMeterRegistryAutoConfiguration.class))
		.withPropertyValues("syncro.store=memory");

	private final ApplicationContextRunner syncroOnly = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SyncroAutoConfiguration.class, SyncroMetricsAutoConfiguration.class))
		.withPropertyValues("syncro.store=memory");

	@Test
	void everyMeterIsRegisteredWithBootsMeterRegistry() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(SyncroMetrics.class);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get("syncro.sessions").gauge().value()).isZero();
			assertThat(registry.get("syncro.sessions.pending").gauge().value()).isZero();
			assertThat(registry.get("syncro.sessions.pending.max").gauge().value()).isZero();
			assertThat(registry.get("syncro.scribes.appended").counter().count()).isZero();
			assertThat(registry.get("syncro.scribes.delivered").tag("via", "push").counter().count()).isZero();
			assertThat(registry.get("syncro.scribes.delivered").tag("via", "sync").counter().count()).isZero();
			assertThat(registry.get("syncro.sync.requests").counter().count()).isZero();
			assertThat(registry.get("syncro.delivery.lag").timer().count()).isZero();
		});
	}

	@Test
	void outboxSizeIsAGauge() {
		this.contextRunner
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					DataSourceTransactionManagerAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=jdbc:h2:mem:metrics-" + System.nanoTime())
			.withUserConfiguration(OutboxConfiguration.class)
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(registry.get("syncro.outbox.pending").gauge().value()).isZero();
				context.getBean(JdbcScribeOutbox.class).add(List.of(entry()));
				assertThat(registry.get("syncro.outbox.pending").gauge().value()).isOne();
			});
	}

	@Test
	void theEngineIsObservedByTheMetrics() {
		this.contextRunner.run((context) -> {
			ScribeLog log = context.getBean(SyncroEngine.class).log();
			// the first report only tells where the log stands
			log.append(List.of(entry()));
			log.append(List.of(entry(), entry()));
			assertThat(context.getBean(MeterRegistry.class).get("syncro.scribes.appended").counter().count())
				.isEqualTo(2);
		});
	}

	@Test
	void backsOffWithoutMicrometerOnTheClassPath() {
		this.syncroOnly.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
			.run((context) -> assertThat(context).hasSingleBean(SyncroEngine.class)
				.doesNotHaveBean(SyncroMetrics.class));
	}

	@Test
	void backsOffWithoutAMeterRegistry() {
		this.syncroOnly.run((context) -> assertThat(context).hasSingleBean(SyncroEngine.class)
			.doesNotHaveBean(SyncroMetrics.class));
	}

	@Test
	void usesAMeterRegistryThatIsNotBoots() {
		this.syncroOnly.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.run((context) -> assertThat(context).hasSingleBean(SyncroMetrics.class));
	}

	@Test
	void backsOffWhenSyncroIsDisabled() {
		this.contextRunner.withPropertyValues("syncro.enabled=false")
			.run((context) -> assertThat(context).hasSingleBean(MeterRegistry.class)
				.doesNotHaveBean(SyncroMetrics.class));
	}

	@Test
	void backsOffFromAUserDefinedSyncroMetrics() {
		SyncroMetrics own = new SyncroMetrics(new SimpleMeterRegistry());
		this.contextRunner.withBean("ownMetrics", SyncroMetrics.class, () -> own)
			.run((context) -> assertThat(context).getBean(SyncroMetrics.class).isSameAs(own));
	}

	private static ScribeEntry entry() {
		return new ScribeEntry(Scribe.destroy("Todo", "1"), Recipients.all(), null);
	}

	@Configuration(proxyBeanMethods = false)
	static class OutboxConfiguration {

		@Bean
		JdbcScribeOutbox outbox(DataSource dataSource, PlatformTransactionManager transactionManager, ScribeLog log) {
			JdbcScribeOutbox outbox = new JdbcScribeOutbox(dataSource, transactionManager, log);
			outbox.initializeSchema();
			return outbox;
		}

	}

}
