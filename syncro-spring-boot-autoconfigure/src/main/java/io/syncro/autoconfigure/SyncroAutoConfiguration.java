package io.syncro.autoconfigure;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import javax.sql.DataSource;

import io.syncro.play.SyncClasses;
import io.syncro.protocol.ErrorCodes;
import io.syncro.protocol.InputLimits;
import io.syncro.protocol.SyncroException;
import io.syncro.recording.RecordingRepositoryPostProcessor;
import io.syncro.recording.ScribeRecorder;
import io.syncro.recording.SyncableEntities;
import io.syncro.rpc.RpcRegistry;
import io.syncro.session.EngineObserver;
import io.syncro.session.EngineSettings;
import io.syncro.session.RateLimit;
import io.syncro.session.Session;
import io.syncro.session.SyncroEngine;
import io.syncro.session.TransactionRunner;
import io.syncro.store.LogCompactor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.syncro.scope.Scopes;
import io.syncro.recording.EntityScopes;
import io.syncro.recording.SyncroScope;
import io.syncro.store.CachedTailScribeLog;
import io.syncro.store.ClientExpiry;
import io.syncro.store.ClientStore;
import io.syncro.store.Compaction;
import io.syncro.store.InMemoryClientStore;
import io.syncro.store.InMemoryScribeLog;
import io.syncro.store.ScribeLog;
import io.syncro.store.ScribeOutbox;
import io.syncro.store.jdbc.JdbcClientStore;
import io.syncro.store.jdbc.JdbcScribeLog;
import io.syncro.store.jdbc.JdbcScribeOutbox;
import io.syncro.store.redis.RedisClientStore;
import io.syncro.store.redis.RedisScribeLog;
import jakarta.persistence.EntityManagerFactory;
import tools.jackson.databind.json.JsonMapper;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.repository.Repository;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Auto-configures the Syncro engine: its scribe log and client store (chosen by
 * {@code syncro.store}), the synchronised classes, rpc and the engine itself.
 *
 * @since 0.1.0
 */
@AutoConfiguration(afterName = { "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
		"org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration",
		"org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration",
		"org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration",
		"org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration" })
@ConditionalOnBooleanProperty(name = "syncro.enabled", matchIfMissing = true)
@EnableConfigurationProperties(SyncroProperties.class)
public final class SyncroAutoConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(SyncroAutoConfiguration.class);

	@Bean
	@ConditionalOnMissingBean
	RpcRegistry syncroRpcRegistry(ObjectProvider<RpcRegistryCustomizer> customizers) {
		RpcRegistry registry = new RpcRegistry();
		customizers.orderedStream().forEach((customizer) -> customizer.customize(registry));
		return registry;
	}

	@Bean
	@ConditionalOnMissingBean
	SyncClasses syncroClasses(ObjectProvider<SyncableEntities> entities) {
		SyncClasses classes = new SyncClasses();
		entities.ifAvailable((syncable) -> syncable.registerPlayers(classes));
		return classes;
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(PlatformTransactionManager.class)
	TransactionRunner syncroTransactionRunner(PlatformTransactionManager transactionManager) {
		TransactionTemplate template = new TransactionTemplate(transactionManager);
		return new TransactionRunner() {

			@Override
			public <T> T inTransaction(Supplier<T> work) {
				try {
					return template.execute((status) -> work.get());
				}
				catch (ConcurrencyFailureException ex) {
					// lost a race with a concurrent change (two clients destroying one record):
					// transient, so a conflict the client resends, not a 500
					throw new SyncroException(ErrorCodes.CONFLICT, "The record changed meanwhile; send the scribe again.");
				}
			}

		};
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	SyncroEngine syncroEngine(SyncroProperties properties, ObjectProvider<ScribeLog> log,
			ObjectProvider<ClientStore> clients, SyncClasses classes, RpcRegistry rpc,
			ObjectProvider<TransactionRunner> transactions, ObjectProvider<EngineObserver> observers,
			ObjectProvider<Scopes> scopes) {
		ScribeLog scribeLog = log.getIfAvailable();
		ClientStore clientStore = clients.getIfAvailable();
		if (scribeLog == null || clientStore == null) {
			throw new InvalidConfigurationPropertyValueException("syncro.store", properties.getStore(),
					switch (properties.getStore()) {
						case JDBC -> "The jdbc store needs a DataSource and spring-jdbc; configure one, or set syncro.store to memory.";
						case REDIS -> "The redis store needs a RedisConnectionFactory (spring-boot-starter-data-redis).";
						case MEMORY -> "The memory store was replaced by a bean of another type.";
					});
		}
		EngineSettings settings = new EngineSettings(properties.getServerId(), EngineSettings.Role.SERVER,
				properties.getSync().getBatchSize(), properties.getSession().getMaxPending(),
				properties.getRequestTimeout(), (int) properties.getMaxMessageBytes().toBytes(),
				transactions.getIfAvailable(() -> TransactionRunner.NONE));
		return new SyncroEngine(limited(settings, properties), withCachedTail(scribeLog, properties), clientStore, classes,
				rpc, EngineObserver.of(observers.orderedStream().toList()), scopes.getIfAvailable(() -> Scopes.NONE));
	}

	/**
	 * Checks the {@code syncro.*} properties once they are bound, whichever engine the
	 * application uses.
	 */
	@Bean
	static SyncroPropertiesValidator syncroPropertiesValidator() {
		return new SyncroPropertiesValidator();
	}

	/**
	 * Engine settings with the input and rate limits, the window and the heartbeat of the
	 * properties.
	 */
	private static EngineSettings limited(EngineSettings settings, SyncroProperties properties) {
		SyncroProperties.Limits limits = properties.getLimits();
		SyncroProperties.RateLimit rateLimit = properties.getRateLimit();
		InputLimits input = new InputLimits((int) limits.getMaxDataBytes().toBytes(), limits.getMaxNestingDepth(),
				limits.getMaxUidLength(), limits.getMaxKlassLength(), limits.getMaxMethodLength());
		RateLimit rate = rateLimit.isEnabled() ? new RateLimit(rateLimit.getRequestsPerSecond(), rateLimit.getBurst(),
				rateLimit.getMaxRefused(), rateLimit.getRefusedWindow()) : RateLimit.NONE;
		RateLimit userRate = rateLimit.isEnabled()
				? new RateLimit(rateLimit.getPerUser().getRequestsPerSecond(), rateLimit.getPerUser().getBurst(),
						rateLimit.getMaxRefused(), rateLimit.getRefusedWindow())
				: RateLimit.NONE;
		return settings.withInputLimits(input)
			.withRateLimit(rate)
			.withUserRateLimit(userRate)
			.withWindow(properties.getSession().getWindow())
			.withHeartbeat(properties.getSession().getHeartbeat());
	}

	/**
	 * Forgets the client uids unused for {@code syncro.clients.expire-after}, every
	 * {@code syncro.clients.cleanup-interval}, after marking those connected to this node
	 * as seen.
	 */
	/**
	 * Compacts the scribe log every {@code syncro.log.compaction.interval}, when
	 * {@code syncro.log.compaction.enabled}, one node at a time on a shared log.
	 */
	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty("syncro.log.compaction.enabled")
	LogCompactor syncroLogCompactor(SyncroEngine engine, SyncroProperties properties) {
		SyncroProperties.LogCompaction compaction = properties.getLog().getCompaction();
		ScribeLog log = engine.ownLog();
		if (!log.isCompactable()) {
			throw new InvalidConfigurationPropertyValueException("syncro.log.compaction.enabled", true,
					"The scribe log " + log + " cannot be compacted; leave compaction off.");
		}
		if (compaction.getTombstoneRetention().compareTo(properties.getRequestTimeout().multipliedBy(2)) < 0) {
			logger.warn("syncro.log.compaction.tombstone-retention ({}) is below twice syncro.request-timeout ({}): a live "
					+ "client that falls that far behind may never be pushed a destroy that compaction removed",
					compaction.getTombstoneRetention(), properties.getRequestTimeout());
		}
		engine.watchHorizon();
		return new LogCompactor(log, new Compaction(compaction.getKeepRecent(), compaction.getTombstoneRetention()),
				Clock.systemUTC()).start(compaction.getInterval());
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	ClientExpiry syncroClientExpiry(SyncroEngine engine, SyncroProperties properties) {
		SyncroProperties.Clients clients = properties.getClients();
		ClientExpiry expiry = new ClientExpiry(engine.clients(), clients.getExpireAfter(),
				() -> engine.sessions().stream().map(Session::peer).distinct().toList(), Clock.systemUTC());
		expiry.start(clients.getCleanupInterval());
		return expiry;
	}

	/**
	 * The log the engine reads: for a log outside this process, one whose newest scribes
	 * are kept in memory, so that an append costs the node one read of the log rather
	 * than one per live session. It stops listening when the log closes. On a compacted log
	 * the tail holds at most half of {@code keep-recent}: it keeps scribes as they were
	 * appended, and a reader that went on from the compacted log into older originals could
	 * find an update of a record whose create compaction moved up (the other half leaves
	 * room for announcements that come late).
	 */
	private static ScribeLog withCachedTail(ScribeLog log, SyncroProperties properties) {
		long size = properties.getSync().getCachedTail();
		SyncroProperties.LogCompaction compaction = properties.getLog().getCompaction();
		if (compaction.isEnabled()) {
			size = Math.min(size, compaction.getKeepRecent() / 2);
		}
		return (size > 0 && !(log instanceof InMemoryScribeLog)) ? new CachedTailScribeLog(log, (int) size) : log;
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ EntityManagerFactory.class, Repository.class, JdbcClient.class })
	@ConditionalOnBean({ EntityManagerFactory.class, DataSource.class, PlatformTransactionManager.class })
	static class RecordingConfiguration {

		@Bean
		@ConditionalOnMissingBean
		SyncableEntities syncroSyncableEntities(EntityManagerFactory entityManagerFactory,
				ObjectProvider<JsonMapper> jsonMapper, ListableBeanFactory beanFactory) {
			return new SyncableEntities(entityManagerFactory, jsonMapper.getIfAvailable(JsonMapper::new), beanFactory);
		}

		@Bean
		@ConditionalOnMissingBean(ScribeOutbox.class)
		@DependsOnDatabaseInitialization
		JdbcScribeOutbox syncroScribeOutbox(DataSource dataSource, PlatformTransactionManager transactionManager,
				ScribeLog log, SyncroProperties properties) {
			JdbcScribeOutbox outbox = new JdbcScribeOutbox(dataSource, transactionManager, log,
					properties.getJdbc().getTablePrefix());
			outbox.setBatchSize(properties.getOutbox().getBatchSize());
			outbox.warnIfCommitsMayBeLost();
			outbox.startRelaying(properties.getOutbox().getRelayInterval());
			return outbox;
		}

		@Bean
		@ConditionalOnMissingBean(Scopes.class)
		@ConditionalOnClass(name = "org.springframework.data.jpa.domain.Specification")
		EntityScopes syncroScopes(SyncableEntities entities, ObjectProvider<SyncroScope<?>> scopes,
				EntityManagerFactory entityManagerFactory, PlatformTransactionManager transactionManager) {
			return new EntityScopes(entities, scopes.orderedStream().toList(), entityManagerFactory, transactionManager);
		}

		@Bean
		@ConditionalOnMissingBean
		ScribeRecorder syncroScribeRecorder(ScribeOutbox outbox, SyncableEntities entities) {
			return new ScribeRecorder(outbox, entities);
		}

		@Bean
		static RecordingRepositoryPostProcessor syncroRecordingRepositoryPostProcessor(
				ObjectProvider<ScribeRecorder> recorder) {
			return new RecordingRepositoryPostProcessor(recorder);
		}

	}

	/**
	 * Syncro's tables in the application's database, created as
	 * {@code syncro.jdbc.initialize-schema} says: the outbox's always (recording needs it
	 * whatever the log), the client store's unless everything is in memory, and the log's
	 * with {@code syncro.store=jdbc}.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ JdbcClient.class, JdbcScribeOutbox.class, DatabaseInitializationMode.class })
	@ConditionalOnSingleCandidate(DataSource.class)
	static class JdbcSchemaConfiguration {

		@Bean
		@ConditionalOnMissingBean
		SyncroJdbcSchemaInitializer syncroJdbcSchemaInitializer(DataSource dataSource, SyncroProperties properties) {
			List<BiConsumer<DataSource, String>> schemas = new ArrayList<>();
			schemas.add(JdbcScribeOutbox::createSchema);
			if (properties.getStore() != SyncroProperties.Store.MEMORY) {
				schemas.add(JdbcClientStore::createSchema);
			}
			if (properties.getStore() == SyncroProperties.Store.JDBC) {
				schemas.add(JdbcScribeLog::createSchema);
			}
			SyncroProperties.Jdbc jdbc = properties.getJdbc();
			return new SyncroJdbcSchemaInitializer(dataSource, jdbc.getInitializeSchema(), jdbc.getTablePrefix(),
					schemas);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = "syncro.store", havingValue = "memory")
	static class MemoryStoreConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ScribeLog syncroScribeLog() {
			return new InMemoryScribeLog();
		}

		@Bean
		@ConditionalOnMissingBean
		ClientStore syncroClientStore() {
			return new InMemoryClientStore();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = "syncro.store", havingValue = "redis")
	@ConditionalOnClass(RedisConnectionFactory.class)
	@ConditionalOnBean(RedisConnectionFactory.class)
	static class RedisStoreConfiguration {

		@Bean(destroyMethod = "close")
		@ConditionalOnMissingBean
		ScribeLog syncroScribeLog(RedisConnectionFactory connectionFactory, SyncroProperties properties) {
			return new RedisScribeLog(connectionFactory, properties.getRedis().getNamespace());
		}

		/**
		 * The clients' positions stay in the application's database when it has one: a
		 * played change and the client's new position then commit together, so a crash
		 * between the two can neither lose the change nor play it twice.
		 */
		@Bean
		@ConditionalOnMissingBean
		@DependsOnDatabaseInitialization
		ClientStore syncroClientStore(RedisConnectionFactory connectionFactory, SyncroProperties properties,
				ObjectProvider<DataSource> dataSource, ObjectProvider<PlatformTransactionManager> transactionManager) {
			DataSource database = dataSource.getIfUnique();
			PlatformTransactionManager transactions = transactionManager.getIfUnique();
			if (database != null && transactions != null) {
				return JdbcStoreConfiguration.jdbcClientStore(database, transactions, properties);
			}
			return new RedisClientStore(connectionFactory, properties.getRedis().getNamespace());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = "syncro.store", havingValue = "jdbc", matchIfMissing = true)
	@ConditionalOnClass(JdbcClient.class)
	@ConditionalOnBean({ DataSource.class, PlatformTransactionManager.class })
	static class JdbcStoreConfiguration {

		@Bean(destroyMethod = "close")
		@ConditionalOnMissingBean
		@DependsOnDatabaseInitialization
		ScribeLog syncroScribeLog(DataSource dataSource, PlatformTransactionManager transactionManager,
				SyncroProperties properties) {
			SyncroProperties.Jdbc jdbc = properties.getJdbc();
			JdbcScribeLog log = new JdbcScribeLog(dataSource, transactionManager, jdbc.getTablePrefix());
			if (!jdbc.getPollInterval().isZero()) {
				log.startPolling(jdbc.getPollInterval());
			}
			return log;
		}

		@Bean
		@ConditionalOnMissingBean
		@DependsOnDatabaseInitialization
		ClientStore syncroClientStore(DataSource dataSource, PlatformTransactionManager transactionManager,
				SyncroProperties properties) {
			return jdbcClientStore(dataSource, transactionManager, properties);
		}

		static JdbcClientStore jdbcClientStore(DataSource dataSource, PlatformTransactionManager transactionManager,
				SyncroProperties properties) {
			return new JdbcClientStore(dataSource, transactionManager, properties.getJdbc().getTablePrefix());
		}

	}

}
