package io.syncro.autoconfigure;

import java.util.List;

import org.apache.catalina.connector.Connector;
import org.apache.coyote.AbstractProtocol;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SyncroTomcatAutoConfiguration}: the connector's connection timeout
 * from {@code syncro.connections.handshake-timeout} unless the application set
 * {@code server.tomcat.connection-timeout}, and the warning when
 * {@code syncro.connections.max-total} is not below the connector's max-connections.
 */
class SyncroTomcatAutoConfigurationTests {

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SyncroAutoConfiguration.class, SyncroWebSocketAutoConfiguration.class,
				SyncroTomcatAutoConfiguration.class))
		.withPropertyValues("syncro.store=memory");

	@Test
	void theConnectionTimeoutIsTheHandshakeTimeout() {
		this.contextRunner.run((context) -> assertThat(timeoutAfter(context.getBeansOfType(TomcatConnectorCustomizer.class).values()))
			.isEqualTo(10_000));
		this.contextRunner.withPropertyValues("syncro.connections.handshake-timeout=2500ms")
			.run((context) -> assertThat(timeoutAfter(context.getBeansOfType(TomcatConnectorCustomizer.class).values()))
				.isEqualTo(2500));
	}

	@Test
	void aConnectionTimeoutTheApplicationSetIsLeftAlone() {
		this.contextRunner.withPropertyValues("server.tomcat.connection-timeout=45s")
			.run((context) -> assertThat(timeoutAfter(context.getBeansOfType(TomcatConnectorCustomizer.class).values()))
				.isEqualTo(untouched()));
	}

	@Test
	void backsOffWithoutTheSyncroEndpoint() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SyncroAutoConfiguration.class, SyncroTomcatAutoConfiguration.class))
			.withPropertyValues("syncro.store=memory")
			.run((context) -> assertThat(context).doesNotHaveBean(TomcatConnectorCustomizer.class));
	}

	@Test
	void warnsWhenMaxTotalIsNotBelowTheConnectorsMaxConnections() {
		Connector connector = new Connector();
		((AbstractProtocol<?>) connector.getProtocolHandler()).setMaxConnections(8192);
		assertThat(SyncroTomcatAutoConfiguration.warnUnlessBelow(4096, connector)).isFalse();
		assertThat(SyncroTomcatAutoConfiguration.warnUnlessBelow(8192, connector)).isTrue();
		assertThat(SyncroTomcatAutoConfiguration.warnUnlessBelow(10000, connector)).isTrue();
		((AbstractProtocol<?>) connector.getProtocolHandler()).setMaxConnections(-1);
		assertThat(SyncroTomcatAutoConfiguration.warnUnlessBelow(10000, connector)).isFalse();
	}

	private static int timeoutAfter(java.util.Collection<TomcatConnectorCustomizer> customizers) {
		Connector connector = new Connector();
		List.copyOf(customizers).forEach((customizer) -> customizer.customize(connector));
		return ((AbstractProtocol<?>) connector.getProtocolHandler()).getConnectionTimeout();
	}

	private static int untouched() {
		return ((AbstractProtocol<?>) new Connector().getProtocolHandler()).getConnectionTimeout();
	}

}
