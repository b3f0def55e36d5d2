package io.syncro.store.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.syncro.testing.RedisServer;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Lettuce connection factories to a test's Redis server, each with connections of its
 * own, as separate nodes would have; {@link #close()} destroys them all. They share one
 * set of I/O threads, so that a test may open many cheaply.
 */
final class RedisConnections implements AutoCloseable {

	private static final ClientResources resources = DefaultClientResources.create();

	private final RedisServer server;

	private final Duration timeout;

	private final List<LettuceConnectionFactory> factories = new ArrayList<>();

	/**
	 * Connections with a command timeout of 10 seconds.
	 * @param server the server to connect to
	 */
	RedisConnections(RedisServer server) {
		this(server, Duration.ofSeconds(10));
	}

	/**
	 * Connections with the given command timeout.
	 * @param server the server to connect to
	 * @param timeout how long a command may wait for its reply, or to be sent while the
	 * connection is down
	 */
	RedisConnections(RedisServer server, Duration timeout) {
		this.server = server;
		this.timeout = timeout;
	}

	/**
	 * A started factory with connections of its own.
	 * @return the factory
	 */
	LettuceConnectionFactory newFactory() {
		LettuceClientConfiguration client = LettuceClientConfiguration.builder()
			.clientResources(resources)
			.commandTimeout(this.timeout)
			.shutdownTimeout(Duration.ZERO)
			.build();
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(this.server.host(), this.server.port()), client);
		factory.afterPropertiesSet();
		factory.start();
		this.factories.add(factory);
		return factory;
	}

	@Override
	public void close() {
		for (LettuceConnectionFactory factory : this.factories) {
			factory.destroy();
		}
		this.factories.clear();
	}

}
