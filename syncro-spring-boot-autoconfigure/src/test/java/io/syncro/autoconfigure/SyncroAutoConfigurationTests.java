package io.syncro.autoconfigure;

import io.syncro.protocol.ErrorCodes;
import io.syncro.protocol.SyncroException;
import io.syncro.recording.ScribeRecorder;
import io.syncro.recording.SyncableEntities;
import io.syncro.rpc.RpcRegistry;
import io.syncro.scribe.Identity;
import io.syncro.session.SyncroEngine;
import io.syncro.session.TransactionRunner;
import io.syncro.store.ClientStore;
import io.syncro.store.InMemoryClientStore;
import io.syncro.store.InMemoryScribeLog;
import io.syncro.store.ScribeLog;
import io.syncro.store.jdbc.JdbcClientStore;
import io.syncro.store.jdbc.JdbcScribeLog;
import io.syncro.store.redis.RedisClientStore;
import io.syncro.store.redis.RedisScribeLog;
import io.syncro.testing.RedisServer;
import io.syncro.web.SyncroWebSocketEndpoint;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.data.repository.Repository;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tests for {@link SyncroAutoConfiguration} and {@link SyncroWebSocketAutoConfiguration}.
 */
class SyncroAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SyncroAutoConfiguration.class));

	private final ApplicationContextRunner jdbcContextRunner = this.contextRunner
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
				DataSourceTransactionManagerAutoConfiguration.class))
		.withPropertyValues("spring.datasource.url=jdbc:h2:mem:autoconfig-" + System.nanoTime());

	@Test
	void memoryStoreGivesInMemoryLogAndClientStore() {
		this.contextRunner.withPropertyValues("syncro.store=memory").run((context) -> {
			assertThat(context).hasSingleBean(SyncroEngine.class);
			assertThat(context).getBean(ScribeLog.class).isInstanceOf(InMemoryScribeLog.class);
			assertThat(context).getBean(ClientStore.class).isInstanceOf(InMemoryClientStore.class);
		});
	}

	@Test
	void jdbcStoreIsTheDefaultWhenThereIsADataSource() {
		this.jdbcContextRunner.run((context) -> {
			assertThat(context).getBean(ScribeLog.class).isInstanceOf(JdbcScribeLog.class);
			assertThat(context).getBean(ClientStore.class).isInstanceOf(JdbcClientStore.class);
		});
	}

	@Test
	void aCompactedLogIsReadThroughACachedTailOfAtMostHalfTheScribesCompactionKeeps() {
		this.jdbcContextRunner.run((context) -> assertThat(context.getBean(SyncroEngine.class).ownLog())
			.hasToString("CachedTailScribeLog[" + context.getBean(ScribeLog.class) + ", capacity 10000]"));
		this.jdbcContextRunner
			.withPropertyValues("syncro.log.compaction.enabled=true", "syncro.log.compaction.keep-recent=600",
					"syncro.log.compaction.interval=1h")
			.run((context) -> assertThat(context.getBean(SyncroEngine.class).ownLog())
				.hasToString("CachedTailScribeLog[" + context.getBean(ScribeLog.class) + ", capacity 300]"));
		// what a reader finds in the tail is never older than what compaction rewrites
		this.jdbcContextRunner
			.withPropertyValues("syncro.log.compaction.enabled=true", "syncro.log.compaction.keep-recent=1",
					"syncro.log.compaction.interval=1h")
			.run((context) -> assertThat(context.getBean(SyncroEngine.class).ownLog())
				.isSameAs(context.getBean(ScribeLog.class)));
	}

	@Test
	void jdbcStoreCreatesItsTablesAtStartUp() {
		this.jdbcContextRunner.run((context) -> {
			ScribeLog log = context.getBean(ScribeLog.class);
			log.append(java.util.List.of(new io.syncro.scribe.ScribeEntry(io.syncro.scribe.Scribe.destroy("Todo", "1"),
					io.syncro.scribe.Recipients.all(), null)));
			assertThat(log.lastId("a")).isEqualTo(1);
		});
	}

	@Test
	void aPlayThatLostARaceWithAConcurrentChangeIsAConflictTheClientRetries() {
		this.jdbcContextRunner.run((context) -> {
			TransactionRunner transactions = context.getBean(TransactionRunner.class);
			assertThatThrownBy(() -> transactions.inTransaction(() -> {
				throw new OptimisticLockingFailureException("Unexpected row count: delete from todo where id=?");
			})).isInstanceOfSatisfying(SyncroException.class, (ex) -> {
				assertThat(ex.getCode()).isEqualTo(ErrorCodes.CONFLICT);
				assertThat(ex.getMessage()).doesNotContain("todo", "row count");
			});
			assertThat(transactions.inTransaction(() -> "played")).isEqualTo("played");
		});
	}

	@Test
	void redisStoreGivesRedisLogAndClientStore() {
		RedisServer redis = RedisServer.shared();
		this.contextRunner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withPropertyValues("syncro.store=redis", "syncro.redis.namespace=autoconfig-" + System.nanoTime(),
					"spring.data.redis.host=" + redis.host(), "spring.data.redis.port=" + redis.port())
			.run((context) -> {
				assertThat(context).getBean(ScribeLog.class).isInstanceOf(RedisScribeLog.class);
				assertThat(context).getBean(ClientStore.class).isInstanceOf(RedisClientStore.class);
				assertThat(context.getBean(ClientStore.class).mark("nobody")).isZero();
			});
	}

	@Test
	void redisStoreKeepsClientPositionsInTheDatabaseWhenThereIsOne() {
		RedisServer redis = RedisServer.shared();
		this.jdbcContextRunner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withPropertyValues("syncro.store=redis", "syncro.redis.namespace=autoconfig-" + System.nanoTime(),
					"spring.data.redis.host=" + redis.host(), "spring.data.redis.port=" + redis.port())
			.run((context) -> {
				assertThat(context).getBean(ScribeLog.class).isInstanceOf(RedisScribeLog.class);
				assertThat(context).getBean(ClientStore.class).isInstanceOf(JdbcClientStore.class);
			});
	}

	@Test
	void redisStoreWithoutRedisFailsNamingTheProperty() {
		this.contextRunner.withPropertyValues("syncro.store=redis")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("syncro.store")
				.hasMessageContaining("RedisConnectionFactory"));
	}

	@Test
	void badRedisNamespaceFailsStartUpNamingTheProperty() {
		this.contextRunner.withPropertyValues("syncro.store=memory", "syncro.redis.namespace=has space")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("syncro.redis.namespace"));
	}

	@Test
	void recordingIsNotConfiguredWithoutJpa() {
		this.contextRunner.withPropertyValues("syncro.store=memory")
			.run((context) -> assertThat(context).doesNotHaveBean(ScribeRecorder.class)
				.doesNotHaveBean(SyncableEntities.class));
	}

	@Test
	void recordingIsNotConfiguredWithoutSpringDataOnTheClassPath() {
		this.contextRunner.withPropertyValues("syncro.store=memory")
			.withClassLoader(new FilteredClassLoader(Repository.class))
			.run((context) -> assertThat(context).hasSingleBean(SyncroEngine.class)
				.doesNotHaveBean(ScribeRecorder.class));
	}

	@Test
	void jdbcStoreWithoutADataSourceFailsNamingTheProperty() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("syncro.store");
		});
	}

	@Test
	void jdbcStoreWithoutSpringJdbcFailsNamingTheProperty() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(JdbcClient.class)).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("syncro.store");
		});
	}

	@Test
	void disabledGivesNoEngine() {
		this.contextRunner.withPropertyValues("syncro.enabled=false", "syncro.store=memory")
			.run((context) -> assertThat(context).doesNotHaveBean(SyncroEngine.class)
				.doesNotHaveBean(ScribeLog.class));
	}

	@Test
	void userBeansTakePrecedence() {
		ScribeLog log = new InMemoryScribeLog();
		ClientStore clients = new InMemoryClientStore();
		this.jdbcContextRunner.withBean(ScribeLog.class, () -> log)
			.withBean(ClientStore.class, () -> clients)
			.run((context) -> {
				assertThat(context).getBean(ScribeLog.class).isSameAs(log);
				assertThat(context).getBean(ClientStore.class).isSameAs(clients);
				assertThat(context.getBean(SyncroEngine.class).log()).isSameAs(log);
			});
	}

	@Test
	void rpcCustomizersExposeMethods() {
		this.contextRunner.withPropertyValues("syncro.store=memory")
			.withBean(RpcRegistryCustomizer.class,
					() -> (registry) -> registry.expose("Clock", "now", (client, args) -> JsonNodeFactory.instance.numberNode(42)))
			.run((context) -> assertThat(context.getBean(RpcRegistry.class)
				.call(Identity.anonymous("a"), "Clock", "now", JsonNodeFactory.instance.arrayNode())
				.intValue()).isEqualTo(42));
	}

	@Test
	void badPropertyValuesFailStartUpNamingTheProperty() {
		this.contextRunner.withPropertyValues("syncro.store=memory", "syncro.sync.batch-size=0")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("syncro.sync.batch-size"));
		this.contextRunner.withPropertyValues("syncro.store=memory", "syncro.server-id=not valid!")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("syncro.server-id"));
		this.contextRunner.withPropertyValues("syncro.store=memory", "syncro.path=syncro")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("syncro.path"));
		this.contextRunner.withPropertyValues("syncro.store=memory", "syncro.outbox.relay-interval=0s")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("syncro.outbox.relay-interval"));
		this.contextRunner.withPropertyValues("syncro.store=nosql")
			.run((context) -> assertThat(context.getStartupFailure()).hasStackTraceContaining("syncro.store"));
	}

	@Test
	void propertiesReachTheEngine() {
		this.contextRunner
			.withPropertyValues("syncro.store=memory", "syncro.server-id=hub", "syncro.sync.batch-size=50",
					"syncro.session.max-pending=99", "syncro.request-timeout=5s", "syncro.max-message-bytes=2048")
			.run((context) -> {
				io.syncro.session.EngineSettings settings = context.getBean(SyncroEngine.class).settings();
				assertThat(settings.uid()).isEqualTo("hub");
				assertThat(settings.batchSize()).isEqualTo(50);
				assertThat(settings.maxPending()).isEqualTo(99);
				assertThat(settings.requestTimeout()).hasSeconds(5);
				assertThat(settings.maxMessageBytes()).isEqualTo(2048);
			});
	}

	@Test
	void webSocketEndpointIsRegisteredInAServletWebApplication() {
		new WebApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(SyncroAutoConfiguration.class, SyncroWebSocketAutoConfiguration.class))
			.withPropertyValues("syncro.store=memory")
			.run((context) -> assertThat(context).hasSingleBean(SyncroWebSocketEndpoint.class));
	}

	@Test
	void noWebSocketEndpointOutsideAWebApplication() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(SyncroWebSocketAutoConfiguration.class))
			.withPropertyValues("syncro.store=memory")
			.run((context) -> assertThat(context).doesNotHaveBean(SyncroWebSocketEndpoint.class));
	}

}
