package io.syncro.autoconfigure;

import java.time.Duration;

import io.syncro.web.SyncroWebSocketEndpoint;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.coyote.AbstractProtocol;
import org.apache.coyote.ProtocolHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configures Tomcat, when it serves the Syncro endpoint, against clients that open
 * many connections or send slowly: the connector's connection timeout (how long Tomcat
 * waits for the next bytes of a request's line and headers, and keeps an idle keep-alive
 * connection; Tomcat's own default is 60 s) is set to
 * {@code syncro.connections.handshake-timeout} unless the application set
 * {@code server.tomcat.connection-timeout}, and start-up warns when
 * {@code syncro.connections.max-total} is not below the connector's
 * {@code max-connections}, so that Syncro refuses handshakes with 503 before Tomcat stops
 * taking connections from everyone.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = SyncroWebSocketAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({ Tomcat.class, TomcatConnectorCustomizer.class })
@ConditionalOnBean(SyncroWebSocketEndpoint.class)
public final class SyncroTomcatAutoConfiguration {

	/** The property that, when set, leaves Tomcat's connection timeout to the application. */
	static final String CONNECTION_TIMEOUT_PROPERTY = "server.tomcat.connection-timeout";

	private static final Logger logger = LoggerFactory.getLogger(SyncroTomcatAutoConfiguration.class);

	@Bean
	@ConditionalOnMissingBean(name = "syncroTomcatHandshakeTimeout")
	TomcatConnectorCustomizer syncroTomcatHandshakeTimeout(SyncroProperties properties, Environment environment) {
		boolean setByApplication = Binder.get(environment).bind(CONNECTION_TIMEOUT_PROPERTY, Duration.class).isBound();
		Duration timeout = properties.getConnections().getHandshakeTimeout();
		return (connector) -> {
			if (!setByApplication && connector.getProtocolHandler() instanceof AbstractProtocol<?> protocol) {
				protocol.setConnectionTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
			}
		};
	}

	@Bean
	ApplicationListener<WebServerInitializedEvent> syncroTomcatMaxConnectionsCheck(SyncroProperties properties) {
		return (event) -> {
			if (event.getWebServer() instanceof TomcatWebServer tomcat) {
				warnUnlessBelow(properties.getConnections().getMaxTotal(), tomcat.getTomcat().getConnector());
			}
		};
	}

	/**
	 * Warns when the connections Syncro takes are not fewer than those the connector
	 * takes.
	 * @return whether it warned
	 */
	static boolean warnUnlessBelow(int maxTotal, Connector connector) {
		ProtocolHandler handler = connector.getProtocolHandler();
		if (!(handler instanceof AbstractProtocol<?> protocol)) {
			return false;
		}
		int maxConnections = protocol.getMaxConnections();
		if (maxConnections < 0 || maxTotal < maxConnections) {
			return false;
		}
		logger.warn("syncro.connections.max-total ({}) is not below Tomcat's max-connections ({}): WebSocket clients "
				+ "can take every connection Tomcat accepts, and other requests then wait for one. Set "
				+ "syncro.connections.max-total below server.tomcat.max-connections.", maxTotal, maxConnections);
		return true;
	}

}
