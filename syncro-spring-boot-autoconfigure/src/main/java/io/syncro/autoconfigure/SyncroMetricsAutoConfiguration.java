package io.syncro.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;
import io.syncro.metrics.SyncroMetrics;
import io.syncro.session.SyncroEngine;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configures the Syncro engine's metrics when Micrometer is there: a
 * {@link SyncroMetrics} that the engine is given as its observer.
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

}
