package io.syncro.autoconfigure;

import io.syncro.actuate.SyncroEndpoint;
import io.syncro.recording.SyncableEntities;
import io.syncro.session.SyncroEngine;
import io.syncro.store.LogCompactor;
import io.syncro.store.ScribeOutbox;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configures Syncro's Actuator endpoint ({@link SyncroEndpoint}) when it is enabled
 * and exposed.
 *
 * @since 0.2.0
 */
@AutoConfiguration(after = SyncroAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean({ SyncroEngine.class, SyncableEntities.class })
@ConditionalOnAvailableEndpoint(SyncroEndpoint.class)
public final class SyncroEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	SyncroEndpoint syncroEndpoint(SyncableEntities entities, SyncroEngine engine,
			ObjectProvider<ScribeOutbox> outbox, ObjectProvider<LogCompactor> compactor) {
		return new SyncroEndpoint(entities, engine, outbox.getIfUnique(), compactor.getIfUnique());
	}

}
