package io.syncro.health;

import java.time.Duration;
import java.util.List;

import io.syncro.play.SyncClasses;
import io.syncro.rpc.RpcRegistry;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.Reader;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import io.syncro.session.EngineSettings;
import io.syncro.session.SyncroEngine;
import io.syncro.store.InMemoryClientStore;
import io.syncro.store.InMemoryScribeLog;
import io.syncro.store.ScribeLog;
import io.syncro.store.redis.RedisScribeLog;
import io.syncro.testing.RedisServer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link SyncroHealthIndicator}.
 */
class SyncroHealthIndicatorTests {

	@Test
	void upWithTheStoreTheLastScribeIdAndTheSessions() {
		InMemoryScribeLog log = new InMemoryScribeLog();
		log.append(List.of(entry(), entry()));
		try (SyncroEngine engine = engine(log)) {
			Health health = new SyncroHealthIndicator(engine).health();
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("store", "memory")
				.containsEntry("lastScribeId", 2L)
				.containsEntry("sessions", 0);
		}
	}

	@Test
	void downWithTheErrorWhenTheLogThrows() {
		try (SyncroEngine engine = engine(new UnreachableLog())) {
			Health health = new SyncroHealthIndicator(engine).health();
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat(health.getDetails()).containsEntry("error",
					IllegalStateException.class.getName() + ": The database is unreachable");
		}
	}

	@Test
	void downWhileRedisIsDownAndUpAgainOnceItIsBack() {
		try (RedisServer redis = RedisServer.start()) {
			LettuceConnectionFactory factory = new LettuceConnectionFactory(
					new RedisStandaloneConfiguration(redis.host(), redis.port()),
					LettuceClientConfiguration.builder()
						.commandTimeout(Duration.ofSeconds(1))
						.shutdownTimeout(Duration.ZERO)
						.build());
			factory.afterPropertiesSet();
			factory.start();
			RedisScribeLog log = new RedisScribeLog(factory, "health-" + System.nanoTime());
			try (SyncroEngine engine = engine(log)) {
				log.append(List.of(entry()));
				SyncroHealthIndicator indicator = new SyncroHealthIndicator(engine);
				assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
				assertThat(indicator.health().getDetails()).containsEntry("store", "redis")
					.containsEntry("lastScribeId", 1L);
				redis.restart(() -> {
					Health down = indicator.health();
					assertThat(down.getStatus()).isEqualTo(Status.DOWN);
					assertThat(down.getDetails()).containsKey("error");
				});
				await().atMost(Duration.ofSeconds(60))
					.untilAsserted(() -> assertThat(indicator.health().getStatus()).isEqualTo(Status.UP));
			}
			finally {
				log.close();
				factory.destroy();
			}
		}
	}

	private static SyncroEngine engine(ScribeLog log) {
		return new SyncroEngine(EngineSettings.server(), log, new InMemoryClientStore(), new SyncClasses(),
				new RpcRegistry());
	}

	private static ScribeEntry entry() {
		return new ScribeEntry(Scribe.destroy("Todo", "1"), Recipients.all(), null);
	}

	/**
	 * A log whose every call fails, as one whose database went away.
	 */
	private static final class UnreachableLog implements ScribeLog {

		@Override
		public List<ScribeEntry> append(List<ScribeEntry> entries) {
			throw unreachable();
		}

		@Override
		public List<Scribe> read(Reader reader, long after, int limit) {
			throw unreachable();
		}

		@Override
		public long lastId(Reader reader) {
			throw unreachable();
		}

		@Override
		public long head() {
			throw unreachable();
		}

		@Override
		public String epoch() {
			throw unreachable();
		}

		@Override
		public AutoCloseable addListener(AppendListener listener) {
			return () -> {
			};
		}

		private static IllegalStateException unreachable() {
			return new IllegalStateException("The database is unreachable");
		}

	}

}
