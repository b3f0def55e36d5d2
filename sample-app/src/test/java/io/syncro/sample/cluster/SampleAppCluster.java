package io.syncro.sample.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.syncro.protocol.MessageCodec;
import io.syncro.sample.SampleApplication;
import io.syncro.sample.SampleUsers;
import io.syncro.store.jdbc.JdbcScribeOutbox;
import io.syncro.testing.PostgresServer;
import io.syncro.testing.WireClient;
import io.syncro.testing.WireMessages;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Nodes of the sample app started in this JVM as docker-compose.yml starts them: the
 * {@code postgres} profile on one database, {@code syncro.store=redis} on one Redis and
 * key namespace, each node on a port of its own.
 * <p>
 * The settings are given as command-line arguments, not as default properties, because
 * the sample's {@code application.yml} outranks default properties and would put every
 * node on its own H2 file.
 */
final class SampleAppCluster implements AutoCloseable {

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final List<ConfigurableApplicationContext> nodes = new ArrayList<>();

	private final List<Integer> ports = new ArrayList<>();

	private SampleAppCluster() {
	}

	/**
	 * Starts nodes one after the other (so that Hibernate creates the tables once).
	 * @param count how many nodes
	 * @param redisHost the Redis host
	 * @param redisPort the Redis port
	 * @param namespace the key namespace of every node
	 * @param postgres the PostgreSQL server
	 * @param database a database of it, used by every node
	 * @param sources configuration classes added to each node's
	 * @return the running nodes
	 */
	static SampleAppCluster start(int count, String redisHost, int redisPort, String namespace,
			PostgresServer postgres, String database, Class<?>... sources) {
		SampleAppCluster cluster = new SampleAppCluster();
		try {
			for (int i = 0; i < count; i++) {
				ConfigurableApplicationContext node = new SpringApplicationBuilder(SampleApplication.class)
					.sources(sources)
					.registerShutdownHook(false)
					.run("--server.port=0", "--spring.profiles.active=postgres",
							"--SPRING_DATASOURCE_URL=" + postgres.jdbcUrl(database),
							"--SPRING_DATASOURCE_USERNAME=" + postgres.username(),
							"--SPRING_DATASOURCE_PASSWORD=" + postgres.password(),
							"--spring.jpa.hibernate.ddl-auto=update", "--spring.data.redis.host=" + redisHost,
							"--spring.data.redis.port=" + redisPort, "--syncro.store=redis",
							"--syncro.redis.namespace=" + namespace, "--management.health.redis.enabled=true",
							"--spring.datasource.hikari.maximum-pool-size=8",
							"--spring.main.banner-mode=off");
				cluster.nodes.add(node);
				cluster.ports.add(Integer.parseInt(node.getEnvironment().getProperty("local.server.port", "0")));
			}
			return cluster;
		}
		catch (RuntimeException ex) {
			cluster.close();
			throw ex;
		}
	}

	/**
	 * The HTTP port of a node.
	 * @param node the node, counted from 1
	 * @return the port
	 */
	int port(int node) {
		return this.ports.get(node - 1);
	}

	/**
	 * Syncro clients of a node, all the sample user alice.
	 * @param node the node, counted from 1
	 * @return the clients' options
	 */
	WireClient.Builder clients(int node) {
		return clients(node, "alice");
	}

	/**
	 * Syncro clients of a node, signed in as a sample user.
	 * @param node the node, counted from 1
	 * @param user the user, such as {@code bob}
	 * @return the clients' options
	 */
	WireClient.Builder clients(int node, String user) {
		return SampleUsers.signedIn(user, port(node));
	}

	/**
	 * Sends a REST request to a node as the sample user alice.
	 * @param node the node, counted from 1
	 * @param method the HTTP method
	 * @param path the path, such as {@code /api/todos}
	 * @param body a JSON body, or {@code null}
	 * @return the response
	 * @throws IOException if no response came
	 */
	HttpResponse<String> send(int node, String method, String path, @Nullable String body) throws IOException {
		return send(node, "alice", method, path, body);
	}

	/**
	 * Sends a REST request to a node as a sample user, by HTTP Basic.
	 * @param node the node, counted from 1
	 * @param user the user, such as {@code bob}
	 * @param method the HTTP method
	 * @param path the path, such as {@code /api/pages}
	 * @param body a JSON body, or {@code null}
	 * @return the response
	 * @throws IOException if no response came
	 */
	HttpResponse<String> send(int node, String user, String method, String path, @Nullable String body)
			throws IOException {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port(node) + path))
			.timeout(Duration.ofSeconds(15))
			.header("Content-Type", "application/json")
			.header("Authorization", SampleUsers.basic(user))
			.method(method, (body != null) ? HttpRequest.BodyPublishers.ofString(body) : HttpRequest.BodyPublishers.noBody())
			.build();
		try {
			return http.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("Interrupted", ex);
		}
	}

	/**
	 * Sends a REST request as the sample user alice that must succeed with the given
	 * status.
	 * @return the JSON body, or a JSON null if there is none
	 */
	JsonNode expect(int status, int node, String method, String path, @Nullable String body) throws IOException {
		return expect(status, node, "alice", method, path, body);
	}

	/**
	 * Sends a REST request as a sample user that must be answered with the given status.
	 * @return the JSON body, or a JSON null if there is none
	 */
	JsonNode expect(int status, int node, String user, String method, String path, @Nullable String body)
			throws IOException {
		HttpResponse<String> response = send(node, user, method, path, body);
		if (response.statusCode() != status) {
			throw new AssertionError(method + " " + path + " as " + user + " on node " + node + " answered "
					+ response.statusCode() + " instead of " + status + ": " + response.body());
		}
		return response.body().isEmpty() ? WireMessages.json.nullNode() : MessageCodec.readTree(response.body());
	}

	/**
	 * The transactions whose scribes wait in the outbox the nodes share.
	 * @return the number of outbox rows
	 */
	long outboxPending() {
		return this.nodes.get(0).getBean(JdbcScribeOutbox.class).pending();
	}

	@Override
	public void close() {
		for (int i = this.nodes.size() - 1; i >= 0; i--) {
			this.nodes.get(i).close();
		}
		this.nodes.clear();
	}

}
