package io.syncro.autoconfigure;

import io.syncro.health.SyncroHealthIndicator;
import io.syncro.session.SyncroEngine;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configures the health of Syncro's scribe log, reported as {@code syncro} by
 * Actuator's health endpoint; {@code management.health.syncro.enabled=false} turns it
 * off.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = SyncroAutoConfiguration.class)
@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(SyncroEngine.class)
@ConditionalOnEnabledHealthIndicator("syncro")
public final class SyncroHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "syncroHealthIndicator")
	SyncroHealthIndicator syncroHealthIndicator(SyncroEngine engine) {
		return new SyncroHealthIndicator(engine);
	}

}
