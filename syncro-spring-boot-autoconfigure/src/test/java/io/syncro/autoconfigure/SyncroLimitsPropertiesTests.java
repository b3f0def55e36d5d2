package io.syncro.autoconfigure;

import java.time.Duration;

import io.syncro.play.SyncClasses;
import io.syncro.protocol.InputLimits;
import io.syncro.rpc.RpcRegistry;
import io.syncro.session.EngineSettings;
import io.syncro.session.RateLimit;
import io.syncro.session.SyncroEngine;
import io.syncro.store.ClientExpiry;
import io.syncro.store.InMemoryClientStore;
import io.syncro.store.InMemoryScribeLog;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests that the limit properties ({@code syncro.limits.*}, {@code syncro.rate-limit.*},
 * {@code syncro.connections.*}, {@code syncro.clients.*}) reach the engine, the endpoint
 * and the expiry of client uids, with safe defaults, and that a value that cannot work
 * fails start-up naming its property.
 */
class SyncroLimitsPropertiesTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SyncroAutoConfiguration.class))
		.withPropertyValues("syncro.store=memory");

	@Test
	void defaultsLimitInputAndRate() {
		this.contextRunner.run((context) -> {
			SyncroEngine engine = context.getBean(SyncroEngine.class);
			assertThat(engine.settings().inputLimits()).isEqualTo(InputLimits.defaults());
			assertThat(engine.settings().rateLimit()).isEqualTo(RateLimit.defaults());
			SyncroProperties properties = context.getBean(SyncroProperties.class);
			// below Tomcat's own default cap of 8,192 connections, so that Syncro refuses first
			assertThat(properties.getConnections().getMaxTotal()).isEqualTo(4096);
			assertThat(properties.getConnections().getMaxPerClient()).isGreaterThanOrEqualTo(2);
			assertThat(properties.getConnections().getMaxPerUser()).isEqualTo(32);
			assertThat(properties.getConnections().getHandshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
			assertThat(engine.settings().userRateLimit()).isEqualTo(new RateLimit(300, 3000, 1000, Duration.ofSeconds(10)));
			assertThat(properties.getClients().getMaxPerUser()).isEqualTo(200);
			assertThat(properties.getClients().getMaxNewPerHour()).isEqualTo(100);
			assertThat(properties.getClients().getExpireAfter()).isEqualTo(Duration.ofDays(30));
			assertThat(properties.getClients().getCleanupInterval()).isEqualTo(Duration.ofHours(1));
			assertThat(context).hasSingleBean(ClientExpiry.class);
		});
	}

	@Test
	void propertiesReachTheEngine() {
		this.contextRunner
			.withPropertyValues("syncro.limits.max-data-bytes=2KB", "syncro.limits.max-nesting-depth=5",
					"syncro.limits.max-uid-length=40", "syncro.limits.max-klass-length=30",
					"syncro.limits.max-method-length=20", "syncro.rate-limit.requests-per-second=7.5",
					"syncro.rate-limit.burst=9", "syncro.rate-limit.max-refused=11", "syncro.rate-limit.refused-window=3s",
					"syncro.connections.max-total=20000", "syncro.connections.max-per-client=3",
					"syncro.connections.max-per-user=12", "syncro.rate-limit.per-user.requests-per-second=20",
					"syncro.rate-limit.per-user.burst=40", "syncro.clients.max-per-user=50",
					"syncro.clients.max-new-per-hour=5")
			.run((context) -> {
				SyncroEngine engine = context.getBean(SyncroEngine.class);
				assertThat(engine.settings().inputLimits()).isEqualTo(new InputLimits(2048, 5, 40, 30, 20));
				assertThat(engine.settings().rateLimit()).isEqualTo(new RateLimit(7.5, 9, 11, Duration.ofSeconds(3)));
				assertThat(engine.settings().userRateLimit()).isEqualTo(new RateLimit(20, 40, 11, Duration.ofSeconds(3)));
				SyncroProperties properties = context.getBean(SyncroProperties.class);
				assertThat(properties.getConnections().getMaxTotal()).isEqualTo(20000);
				assertThat(properties.getConnections().getMaxPerClient()).isEqualTo(3);
				assertThat(properties.getConnections().getMaxPerUser()).isEqualTo(12);
				assertThat(properties.getClients().getMaxPerUser()).isEqualTo(50);
				assertThat(properties.getClients().getMaxNewPerHour()).isEqualTo(5);
			});
	}

	@Test
	void theRateLimitCanBeTurnedOff() {
		this.contextRunner.withPropertyValues("syncro.rate-limit.enabled=false")
			.run((context) -> {
				assertThat(context.getBean(SyncroEngine.class).settings().rateLimit().isLimited()).isFalse();
				assertThat(context.getBean(SyncroEngine.class).settings().userRateLimit().isLimited()).isFalse();
			});
	}

	@Test
	void valuesThatCannotWorkFailStartUpNamingTheProperty() {
		assertFailsNaming("syncro.limits.max-uid-length=65", "syncro.limits.max-uid-length");
		assertFailsNaming("syncro.limits.max-nesting-depth=0", "syncro.limits.max-nesting-depth");
		assertFailsNaming("syncro.limits.max-klass-length=129", "syncro.limits.max-klass-length");
		assertFailsNaming("syncro.limits.max-data-bytes=10B", "syncro.limits.max-data-bytes");
		assertFailsNaming("syncro.rate-limit.requests-per-second=0", "syncro.rate-limit.requests-per-second");
		assertFailsNaming("syncro.rate-limit.burst=0", "syncro.rate-limit.burst");
		assertFailsNaming("syncro.connections.max-total=0", "syncro.connections.max-total");
		assertFailsNaming("syncro.connections.max-per-client=0", "syncro.connections.max-per-client");
		assertFailsNaming("syncro.connections.max-per-user=0", "syncro.connections.max-per-user");
		assertFailsNaming("syncro.connections.handshake-timeout=0s", "syncro.connections.handshake-timeout");
		assertFailsNaming("syncro.rate-limit.per-user.requests-per-second=0",
				"syncro.rate-limit.per-user.requests-per-second");
		assertFailsNaming("syncro.rate-limit.per-user.burst=0", "syncro.rate-limit.per-user.burst");
		assertFailsNaming("syncro.clients.max-per-user=0", "syncro.clients.max-per-user");
		assertFailsNaming("syncro.clients.max-new-per-hour=0", "syncro.clients.max-new-per-hour");
		assertFailsNaming("syncro.clients.cleanup-interval=0s", "syncro.clients.cleanup-interval");
		assertFailsNaming("syncro.clients.expire-after=30m", "syncro.clients.expire-after");
	}

	@Test
	void valuesAreCheckedWhenTheApplicationHasAnEngineOfItsOwn() {
		this.contextRunner
			.withBean(SyncroEngine.class,
					() -> new SyncroEngine(EngineSettings.server(), new InMemoryScribeLog(), new InMemoryClientStore(),
							new SyncClasses(), new RpcRegistry()))
			.withPropertyValues("syncro.sync.batch-size=0")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("syncro.sync.batch-size"));
	}

	private void assertFailsNaming(String property, String name) {
		this.contextRunner.withPropertyValues(property)
			.run((context) -> assertThat(context).getFailure().rootCause().hasMessageContaining(name));
	}

}
