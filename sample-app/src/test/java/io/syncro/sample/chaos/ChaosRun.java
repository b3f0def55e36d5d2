package io.syncro.sample.chaos;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.syncro.protocol.MessageCodec;
import io.syncro.sample.SampleUsers;
import io.syncro.sample.reliability.CuttingProxy;
import io.syncro.sample.reliability.CuttingProxy.Moment;
import io.syncro.testing.Processes;
import io.syncro.testing.WireClient;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * One chaos run against running nodes of the sample app: Java and JavaScript clients
 * with local stores, of two users with several clients each, each behind a proxy of its
 * node that resets connections at random, and a REST writer per node, all writing for a
 * while (and a fault, such as a node killed, on the side); then quiet, and a comparison
 * of every client with the server. Every random choice comes from the seed.
 */
final class ChaosRun {

	/** The protocol version the Java clients ask for: {@code -Dchaos.java-protocol}, 2 by default. */
	private static final int JAVA_PROTOCOL = Integer.getInteger("chaos.java-protocol", 2);

	/** The quiet between settling and looking. */
	private static final Duration QUIET = Duration.ofSeconds(3);

	/** The longest wait for the clients to be online with nothing pending. */
	private static final Duration SETTLE = Duration.ofSeconds(60);

	/** How long the chaos goes on after a fault ended, such as a node back up. */
	private static final Duration AFTER_FAULT = Duration.ofSeconds(3);

	private final String topology;

	private final long seed;

	private final Duration duration;

	private final List<Integer> ports;

	private final int clientsPerKind;

	private @Nullable Fault fault;

	private List<Path> logs = List.of();

	private ChaosRun(String topology, long seed, Duration duration, List<Integer> ports, int clientsPerKind) {
		this.topology = topology;
		this.seed = seed;
		this.duration = duration;
		this.ports = ports;
		this.clientsPerKind = clientsPerKind;
	}

	/**
	 * A run against nodes already started.
	 * @param topology names the run in its summary
	 * @param seed every random choice comes from it
	 * @param duration how long the clients write
	 * @param ports the nodes' HTTP ports
	 * @param clientsPerKind how many Java clients, and how many JavaScript ones: at least 2
	 */
	static ChaosRun on(String topology, long seed, Duration duration, List<Integer> ports, int clientsPerKind) {
		if (clientsPerKind < 2) {
			throw new IllegalArgumentException("A chaos run needs at least 2 clients of each kind, so that two users "
					+ "take part with two clients each; asked for " + clientsPerKind);
		}
		return new ChaosRun(topology, seed, duration, ports, clientsPerKind);
	}

	/**
	 * Adds a fault, run on a thread of its own while the clients write; the run goes on
	 * until a few seconds after it ended.
	 */
	ChaosRun withFault(Fault fault) {
		this.fault = fault;
		return this;
	}

	/**
	 * Names the nodes' logs, copied beside a dump of the run when it diverges.
	 */
	/** How many compactions the nodes logged that removed something. */
	private long compactions() {
		long count = 0;
		for (Path log : this.logs) {
			try (Stream<String> lines = Files.lines(log)) {
				List<String> compacted = lines.filter((line) -> line.contains("Compacted the scribe log")).toList();
				count += compacted.size();
				if (!compacted.isEmpty()) {
					System.out.println("  last compaction: " + compacted.get(compacted.size() - 1));
				}
			}
			catch (IOException | java.io.UncheckedIOException ex) {
				// a log that cannot be read counts none
			}
		}
		return count;
	}

	ChaosRun withLogs(List<Path> logs) {
		this.logs = logs;
		return this;
	}

	/**
	 * Runs the chaos, waits for quiet and compares.
	 * @return the outcome, with one line of summary
	 */
	Outcome run() throws Exception {
		System.out.println("Chaos " + this.topology + ": seed " + this.seed + " (rerun with -Dchaos.seed=" + this.seed
				+ "), " + this.duration.toSeconds() + " s");
		long started = System.nanoTime();
		Path folder = Files.createTempDirectory("syncro-chaos-");
		List<CuttingProxy> proxies = new ArrayList<>();
		List<Cutter> cutters = new ArrayList<>();
		List<RestWriter> restWriters = new ArrayList<>();
		Ops restOps = new Ops();
		List<ChaosClients> groups = new ArrayList<>();
		try {
			Path trace = Boolean.getBoolean("chaos.trace") ? Files.createDirectories(
					Path.of("target", "chaos", "trace-" + this.topology + "-" + this.seed)) : null;
			for (int port : this.ports) {
				CuttingProxy proxy = CuttingProxy.to(port);
				if (trace != null) {
					proxy.trace(trace);
				}
				proxies.add(proxy);
			}
			List<ClientSpec> java = new ArrayList<>();
			List<ClientSpec> js = new ArrayList<>();
			for (int n = 0; n < this.clientsPerKind; n++) {
				// two users with several clients (uids) each, so that each user's Pages reach
				// several of her clients; from three of each kind on two nodes, each user has
				// clients of both kinds on both nodes
				String user = ((n / 2) % 2 == 0) ? "alice" : "bob";
				String other = user.equals("alice") ? "bob" : "alice";
				java.add(spec("java" + (n + 1), user, n % this.ports.size(), proxies));
				js.add(spec("js" + (n + 1), other, (n + 1) % this.ports.size(), proxies));
			}
			// carol has no client: a Page the REST writers give her leaves every client
			List<String> users = List.of("alice", "bob", "carol");
			System.out.println("Chaos " + this.topology + ": clients "
					+ Stream.concat(java.stream(), js.stream())
						.map((spec) -> spec.uid() + " on node " + spec.node())
						.collect(Collectors.joining(", ")));

			JavaChaosClients javaClients = new JavaChaosClients(java, this.seed, folder, JAVA_PROTOCOL);
			groups.add(javaClients);
			NodeChaosClients jsClients = new NodeChaosClients(js, this.seed);
			groups.add(jsClients);
			for (int i = 0; i < this.ports.size(); i++) {
				restWriters.add(new RestWriter("rest" + (i + 1), this.ports.get(i), users,
						new Random(seedOf(this.seed, "rest", i)), restOps));
				cutters.add(new Cutter("node" + (i + 1), proxies.get(i), new Random(seedOf(this.seed, "cut", i))));
			}
			long chaosStarted = System.nanoTime();
			AtomicReference<@Nullable String> faultDone = new AtomicReference<>();
			AtomicReference<@Nullable Throwable> faultFailed = new AtomicReference<>();
			Thread faulting = null;
			if (this.fault != null) {
				Fault running = this.fault;
				Random random = new Random(seedOf(this.seed, "fault", 0));
				faulting = new Thread(() -> {
					try {
						faultDone.set(running.run(random, this.duration));
					}
					catch (Throwable ex) {
						faultFailed.set(ex);
					}
				}, "chaos-fault");
				faulting.start();
			}
			Processes.sleep(this.duration.toMillis());
			if (faulting != null) {
				faulting.join(Duration.ofMinutes(3).toMillis());
				if (faultFailed.get() != null) {
					throw new IllegalStateException("The fault failed", faultFailed.get());
				}
				Processes.sleep(AFTER_FAULT.toMillis());
			}
			double chaosSeconds = (System.nanoTime() - chaosStarted) / 1e9;

			// quiet: no more writes, no more cuts
			Ops jsOps = jsClients.stop();
			Ops javaOps = javaClients.stop();
			for (RestWriter writer : restWriters) {
				writer.stop();
			}
			for (Cutter cutter : cutters) {
				cutter.stop();
			}
			List<String> unsettled = new ArrayList<>(javaClients.settle(SETTLE));
			unsettled.addAll(jsClients.settle(SETTLE));
			Processes.sleep(QUIET.toMillis());

			ServerState server = ServerState.read(this.ports.get(0), users);
			List<ClientState> states = new ArrayList<>(javaClients.report());
			states.addAll(jsClients.report());
			// the server's mark of a client with writes still pending tells whether the server
			// settled them and the client never learnt it; asked once the clients are gone
			groups.forEach(ChaosRun::closeQuietly);
			Map<String, ClientSpec> specs = new HashMap<>();
			java.forEach((spec) -> specs.put(spec.uid(), spec));
			js.forEach((spec) -> specs.put(spec.uid(), spec));
			List<String> divergences = new ArrayList<>();
			for (ClientState state : states) {
				List<String> problems = new ArrayList<>(server.divergence(state, compactions() > 0));
				if (state.mismatches() > 0) {
					// a repair that hid a divergence: the records differed from the digest
					problems.add("its records differed from the server's digest " + state.mismatches() + " times");
				}
				if (state.pending() > 0) {
					problems.add("the server's mark for it: " + serverMark(specs.get(state.uid())));
				}
				if (!problems.isEmpty()) {
					divergences.add(state.uid() + " (" + state.kind() + ", " + state.status() + ", " + state.notes()
							+ "): " + String.join(" | ", problems));
				}
			}
			int armedNow = 0;
			int armedInstead = 0;
			int armedInside = 0;
			int resets = 0;
			for (int i = 0; i < cutters.size(); i++) {
				armedNow += cutters.get(i).armed(Moment.NOW);
				armedInstead += cutters.get(i).armed(Moment.INSTEAD_OF_NEXT_FRAME);
				armedInside += cutters.get(i).armed(Moment.INSIDE_NEXT_FRAME);
				resets += proxies.get(i).resets();
			}
			String summary = "chaos seed=" + this.seed + " topology=" + this.topology + " clients=" + states.size()
					+ " (" + states.stream().filter((state) -> state.subscriptions() > 0).count() + " subscribed)"
					+ " chaos=" + String.format("%.1f", chaosSeconds) + "s total="
					+ String.format("%.1f", (System.nanoTime() - started) / 1e9) + "s ops: java " + javaOps + ", js "
					+ jsOps + ", rest " + restOps + "; resets " + resets + " (" + armedNow + " at once, " + armedInstead
					+ " instead of a frame, " + armedInside + " inside one armed)"
					+ ((faultDone.get() != null) ? "; " + faultDone.get() : "") + "; server holds " + server.todos()
					+ " Todos, " + server.pages() + " Pages; clients started over " + states.stream()
						.mapToInt(ClientState::restarts)
						.sum() + " times; digest mismatches " + states.stream().mapToLong(ClientState::mismatches).sum()
					+ "; compactions " + compactions() + "; unsettled " + unsettled.size()
					+ "; divergent clients " + divergences.size();
			System.out.println(summary);
			divergences.forEach((divergence) -> System.out.println("  divergent: " + divergence));
			restOps.unexpected.stream()
				.limit(5)
				.forEach((answer) -> System.out.println("  unexpected REST answer: " + answer));
			Outcome outcome = new Outcome(summary, unsettled, divergences, List.copyOf(restOps.unexpected));
			if (!divergences.isEmpty()) {
				dump(server, states, jsClients);
			}
			return outcome;
		}
		finally {
			for (Cutter cutter : cutters) {
				cutter.stop();
			}
			for (RestWriter writer : restWriters) {
				writer.stop();
			}
			for (ChaosClients group : groups) {
				group.close();
			}
			proxies.forEach(CuttingProxy::close);
			deleteFolder(folder);
		}
	}

	/**
	 * Deletes a folder of the run, such as the Java clients' file stores.
	 */
	static void deleteFolder(Path folder) throws IOException {
		if (Files.exists(folder)) {
			try (Stream<Path> paths = Files.walk(folder)) {
				paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
			}
		}
	}

	private String serverMark(ClientSpec spec) {
		try (WireClient client = SampleUsers.signedIn(spec.user(), this.ports.get(spec.node() - 1))
			.answerPulls(false)
			.connect(spec.uid())) {
			return client.awaitPull().path("from").toString();
		}
		catch (RuntimeException ex) {
			return "unknown (" + ex.getMessage() + ")";
		}
	}

	private static void closeQuietly(AutoCloseable closeable) {
		try {
			closeable.close();
		}
		catch (Exception ex) {
			// told by the outcome, if it matters
		}
	}

	private static ClientSpec spec(String name, String user, int node, List<CuttingProxy> proxies) {
		URI server = URI.create(proxies.get(node).server() + "/syncro");
		return new ClientSpec(name + "-" + user, user, node + 1, server);
	}

	/**
	 * Writes the server's records, every client's state and the logs to
	 * {@code target/chaos/<topology>-<seed>/}, to study a divergence.
	 */
	private void dump(ServerState server, List<ClientState> states, NodeChaosClients jsClients) throws IOException {
		Path folder = Path.of("target", "chaos", this.topology + "-" + this.seed);
		Files.createDirectories(folder);
		Files.writeString(folder.resolve("server.json"), MessageCodec.writeTree(server.toJson()));
		ArrayNode clients = JsonNodeFactory.instance.arrayNode();
		for (ClientState state : states) {
			ObjectNode client = clients.addObject()
				.put("uid", state.uid())
				.put("user", state.user())
				.put("kind", state.kind())
				.put("status", state.status())
				.put("pending", state.pending())
				.put("position", state.position())
				.put("notes", state.notes());
			client.put("lastScribeId", state.lastScribeId());
			ObjectNode records = client.putObject("records");
			state.records().forEach((klass, byId) -> records.putObject(klass).setAll(byId));
		}
		Files.writeString(folder.resolve("clients.json"), MessageCodec.writeTree(clients));
		List<Path> logs = new ArrayList<>(this.logs);
		logs.add(jsClients.log().toPath());
		for (Path log : logs) {
			if (Files.exists(log)) {
				Files.copy(log, folder.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
			}
		}
		System.out.println("  dump: " + folder.toAbsolutePath());
	}

	/**
	 * The seed of one actor of a run, so that each draws its own sequence from the run's.
	 */
	static long seedOf(long seed, String actor, int index) {
		return seed * 31 + actor.hashCode() * 1_000_003L + index;
	}

	/**
	 * Something done to the deployment during the run, such as killing a node.
	 */
	@FunctionalInterface
	interface Fault {

		/**
		 * Does the fault and returns once the deployment is whole again.
		 * @param random its choices
		 * @param duration how long the clients write
		 * @return what it did, for the summary
		 */
		String run(Random random, Duration duration) throws Exception;

	}

	/**
	 * What a run found.
	 * @param summary one line: seed, topology, what was done, divergent clients
	 * @param unsettled clients not online with nothing pending within the settling time
	 * @param divergences each divergent client and how
	 * @param unexpectedRestAnswers REST answers neither a success nor a 404
	 */
	record Outcome(String summary, List<String> unsettled, List<String> divergences,
			List<String> unexpectedRestAnswers) {

		/**
		 * Fails with the summary and every divergence unless every client converged.
		 */
		void assertConverged() {
			if (!this.divergences.isEmpty()) {
				StringBuilder message = new StringBuilder(this.summary).append('\n');
				this.unsettled.forEach((client) -> message.append("  not settled: ").append(client).append('\n'));
				this.divergences.forEach((divergence) -> message.append("  divergent: ").append(divergence).append('\n'));
				throw new AssertionError(message.toString());
			}
		}

	}

}
