package io.syncro.autoconfigure;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.syncro.metrics.SyncroMetrics;
import io.syncro.session.SyncroEngine;
import io.syncro.store.jdbc.JdbcScribeOutbox;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configures the Syncro engine's metrics when Micrometer is there: a
 * {@link SyncroMetrics} that the engine is given as its observer, and the size of the
 * outbox.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = SyncroAutoConfiguration.class,
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ MeterRegistry.class, SyncroEngine.class })
public final class SyncroMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	SyncroMetrics syncroMetrics(MeterRegistry registry) {
		return new SyncroMetrics(registry);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.springframework.jdbc.core.simple.JdbcClient")
	@ConditionalOnBean(JdbcScribeOutbox.class)
	static class OutboxMetricsConfiguration {

		/**
		 * {@code syncro.outbox.pending}: the transactions whose scribes wait in the outbox,
		 * near 0 unless the scribe log cannot be reached.
		 */
		@Bean
		MeterBinder syncroOutboxMetrics(JdbcScribeOutbox outbox) {
			return (registry) -> Gauge.builder("syncro.outbox.pending", outbox, JdbcScribeOutbox::pending)
				.description("Transactions whose scribes wait in the outbox to be relayed to the scribe log")
				.baseUnit("transactions")
				.register(registry);
		}

	}

}
