package io.syncro.sample.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.syncro.sample.cluster.SampleAppProcess;
import io.syncro.testing.PostgresServer;
import io.syncro.testing.Processes;
import io.syncro.testing.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Chaos convergence: Java and JavaScript clients with local stores, of two users with
 * several clients each, and REST writers change Todos (everyone's) and Pages (a user's,
 * on every client of hers, handed from user to user by REST) at random while a proxy in
 * front of each node resets their connections at the TCP level every 0.3 to 1 s, some
 * between a request and its answer. After quiet, every client must hold exactly the
 * records the server gives its user, with nothing pending, at the position of the last
 * scribe meant for it ({@code Syncro.last_scribe_id}).
 * <p>
 * On one node on the embedded default (H2, the JDBC log), on two nodes on Redis and
 * PostgreSQL, and on two nodes one of which is killed with {@code kill -9} and started
 * again. The seed is printed; {@code -Dchaos.seed=...} runs the same choices again,
 * {@code -Dchaos.seconds=...} sets how long the clients write (15 by default),
 * {@code -Dchaos.clients=...} how many clients of each kind (3 by default, at least 2).
 * To study a divergence: {@code -Dchaos.trace=true} writes every frame of the Java
 * clients (the JavaScript ones compress theirs) to
 * {@code target/chaos/trace-<topology>-<seed>/}, and {@code -Dchaos.java-protocol=1}
 * makes the Java clients speak protocol v1. A divergent run leaves the server's and the
 * clients' records and the nodes' logs in {@code target/chaos/<topology>-<seed>/}.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ChaosConvergenceTests {

	private static final long seed = Long.getLong("chaos.seed", ThreadLocalRandom.current().nextLong());

	private static final Duration duration = Duration.ofSeconds(Long.getLong("chaos.seconds", 15));

	private static final int clients = Integer.getInteger("chaos.clients", 3);

	private static final String[] COMPACTED_EVERY_200_MS = { "syncro.log.compaction.enabled=true",
			"syncro.log.compaction.keep-recent=1", "syncro.log.compaction.tombstone-retention=3s",
			"syncro.log.compaction.interval=200ms", "syncro.request-timeout=1s",
			"logging.level.io.syncro.store.LogCompactor=INFO" };

	@Test
	void clientsOfOneNodeOnTheEmbeddedDefaultConvergeThroughResets() throws Exception {
		oneEmbeddedNode("one-node-h2");
	}

	@Test
	void clientsOfOneNodeWhoseLogIsCompactedEverySecondConvergeThroughResets() throws Exception {
		// all but the newest scribe compacted five times a second, tombstones three seconds
		// after: a client cut off for longer is older than the horizon, gets 410 and starts
		// over. The retention is above twice the request timeout, so that no live client lags
		// behind a tombstone that goes (docs/PROTOCOL.md 8.8); with none at all, live clients
		// were seen keeping records whose destroy went before it was pushed to them
		oneEmbeddedNode("one-node-h2-compacted", COMPACTED_EVERY_200_MS);
	}

	/** A run against one node on the embedded default, in a folder of its own. */
	private static void oneEmbeddedNode(String topology, String... properties) throws Exception {
		Path folder = Files.createTempDirectory("syncro-chaos-" + topology + "-");
		try (SampleAppProcess node = SampleAppProcess.embedded("chaos-" + topology, folder, properties)) {
			node.start();
			ChaosRun.on(topology, seed, duration, List.of(node.port()), clients)
				.withLogs(List.of(node.log()))
				.run()
				.assertConverged();
		}
		finally {
			ChaosRun.deleteFolder(folder);
		}
	}

	@Test
	void clientsOfTwoNodesOnRedisAndPostgresConvergeThroughResets() throws Exception {
		try (Cluster cluster = Cluster.start("chaos-two")) {
			ChaosRun.on("two-nodes-redis-postgres", seed, duration, cluster.ports(), clients)
				.withLogs(cluster.logs())
				.run()
				.assertConverged();
		}
	}

	@Test
	void clientsOfTwoNodesOnARedisLogBothCompactConvergeThroughResets() throws Exception {
		// the two nodes take turns compacting the one log, as often as the embedded node above
		try (Cluster cluster = Cluster.start("chaos-redis-compacted", COMPACTED_EVERY_200_MS)) {
			ChaosRun.on("two-nodes-redis-compacted", seed, duration, cluster.ports(), clients)
				.withLogs(cluster.logs())
				.run()
				.assertConverged();
		}
	}

	@Test
	void clientsOfTwoNodesConvergeThroughResetsAndANodeKilledAndRestarted() throws Exception {
		try (Cluster cluster = Cluster.start("chaos-kill")) {
			ChaosRun.on("two-nodes-kill-9", seed, duration, cluster.ports(), clients)
				.withLogs(cluster.logs())
				.withFault((random, writing) -> {
					long killAt = (long) (writing.toMillis() * (0.2 + 0.3 * random.nextDouble()));
					long downFor = random.nextInt(1000);
					SampleAppProcess victim = cluster.first;
					Processes.sleep(killAt);
					victim.kill();
					Processes.sleep(downFor);
					long starting = System.nanoTime();
					victim.start();
					return "node 1 killed with kill -9 at " + killAt + " ms, answering again "
							+ (downFor + (System.nanoTime() - starting) / 1_000_000) + " ms later";
				})
				.run()
				.assertConverged();
		}
	}

	/**
	 * Two nodes as processes on one Redis key namespace and one PostgreSQL database.
	 */
	private record Cluster(SampleAppProcess first, SampleAppProcess second) implements AutoCloseable {

		static Cluster start(String name, String... properties) throws Exception {
			PostgresServer postgres = PostgresServer.shared();
			String database = postgres.createDatabase();
			String namespace = name + "-" + UUID.randomUUID();
			int redis = RedisServer.shared().port();
			Cluster cluster = new Cluster(
					SampleAppProcess.of(name + "-1", redis, namespace, postgres, database, properties),
					SampleAppProcess.of(name + "-2", redis, namespace, postgres, database, properties));
			try {
				// one after the other, so that Hibernate creates the tables once
				cluster.first.start();
				cluster.second.start();
				return cluster;
			}
			catch (Exception ex) {
				cluster.close();
				throw ex;
			}
		}

		List<Integer> ports() {
			return List.of(this.first.port(), this.second.port());
		}

		List<Path> logs() {
			return List.of(this.first.log(), this.second.log());
		}

		@Override
		public void close() throws InterruptedException {
			this.second.close();
			this.first.close();
		}

	}

}
