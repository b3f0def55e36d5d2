package io.syncro.autoconfigure;

import io.syncro.session.SyncroEngine;
import io.syncro.web.ClientUidLimits;
import io.syncro.web.ConnectionLimits;
import io.syncro.web.MalformedOriginFilter;
import io.syncro.web.PrincipalIdentityResolver;
import io.syncro.web.SyncroIdentityResolver;
import io.syncro.web.SyncroWebSocketEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;

/**
 * Auto-configures the Syncro WebSocket endpoint at {@code syncro.path} in a servlet web
 * application.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = SyncroAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(WebSocketConfigurer.class)
@ConditionalOnBean(SyncroEngine.class)
@EnableWebSocket
public final class SyncroWebSocketAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	SyncroIdentityResolver syncroIdentityResolver() {
		return new PrincipalIdentityResolver();
	}

	@Bean
	@ConditionalOnMissingBean(name = "syncroMalformedOriginFilter")
	FilterRegistrationBean<MalformedOriginFilter> syncroMalformedOriginFilter(SyncroProperties properties) {
		FilterRegistrationBean<MalformedOriginFilter> registration = new FilterRegistrationBean<>(
				new MalformedOriginFilter());
		registration.addUrlPatterns(properties.getPath());
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
		return registration;
	}

	@Bean
	@ConditionalOnMissingBean
	SyncroWebSocketEndpoint syncroWebSocketEndpoint(SyncroEngine engine, SyncroProperties properties,
			SyncroIdentityResolver identityResolver) {
		SyncroProperties.Connections connections = properties.getConnections();
		SyncroProperties.Clients clients = properties.getClients();
		return new SyncroWebSocketEndpoint(engine, properties.getPath(), properties.getAllowedOrigins(),
				identityResolver,
				new ConnectionLimits(connections.getMaxTotal(), connections.getMaxPerClient(),
						connections.getMaxPerUser()),
				new ClientUidLimits(clients.getMaxPerUser(), clients.getMaxNewPerHour()));
	}

}
