package io.syncro.sample.cluster;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.syncro.sample.SampleApplication;
import io.syncro.sample.SampleUsers;
import io.syncro.testing.PostgresServer;
import io.syncro.testing.Processes;
import org.jspecify.annotations.Nullable;

/**
 * A sample-app node in a JVM of its own, on the Redis log and a PostgreSQL database, or
 * alone on the embedded default (H2 in a file, the JDBC scribe log), that a test kills
 * with SIGKILL ({@code kill -9}) and starts again on the same port.
 */
public final class SampleAppProcess implements AutoCloseable {

	private static final HttpClient http = HttpClient.newHttpClient();

	private final int port;

	private final List<String> arguments;

	/** Where the node runs; {@code null} for the test's own folder. */
	private final @Nullable File directory;

	private final File output;

	private @Nullable Process process;

	private SampleAppProcess(int port, List<String> arguments, File output) {
		this(port, arguments, output, null);
	}

	private SampleAppProcess(int port, List<String> arguments, File output, @Nullable File directory) {
		this.port = port;
		this.arguments = arguments;
		this.directory = directory;
		this.output = output;
	}

	/**
	 * A node on a free port, not started.
	 */
	public static SampleAppProcess of(String name, int redisPort, String namespace, PostgresServer postgres,
			String database, String... properties) throws IOException {
		int port = freePort();
		List<String> arguments = new ArrayList<>(List.of("--server.port=" + port, "--spring.profiles.active=postgres",
				"--SPRING_DATASOURCE_URL=" + postgres.jdbcUrl(database),
				"--SPRING_DATASOURCE_USERNAME=" + postgres.username(),
				"--SPRING_DATASOURCE_PASSWORD=" + postgres.password(), "--spring.data.redis.host=localhost",
				"--spring.data.redis.port=" + redisPort, "--syncro.store=redis", "--syncro.redis.namespace=" + namespace,
				"--spring.datasource.hikari.maximum-pool-size=8", "--spring.main.banner-mode=off",
				"--syncro.outbox.relay-interval=200ms"));
		for (String property : properties) {
			arguments.add("--" + property);
		}
		return new SampleAppProcess(port, arguments, output(name));
	}

	/**
	 * A node on a free port, not started, on the sample's defaults: the JDBC scribe log on
	 * an H2 database in a file (with the URL options of {@code application.yml}), here in a
	 * folder of its own.
	 * @param name names the node's log file
	 * @param folder where the database files go
	 * @param properties more properties, as {@code name=value}
	 */
	public static SampleAppProcess embedded(String name, Path folder, String... properties) throws IOException {
		int port = freePort();
		// run in the folder, so the sample's own datasource settings put its files there
		List<String> arguments = new ArrayList<>(List.of("--server.port=" + port, "--spring.main.banner-mode=off"));
		for (String property : properties) {
			arguments.add("--" + property);
		}
		return new SampleAppProcess(port, arguments, output(name), folder.toFile());
	}

	private static int freePort() throws IOException {
		try (ServerSocket probe = new ServerSocket(0)) {
			return probe.getLocalPort();
		}
	}

	// kept in the build's folder after the test: when a node test fails (a kill -9 run did
	// once, in a full build, and did not again in four reruns), its nodes' output is what
	// tells why; `mvn clean` removes it
	private static File output(String name) throws IOException {
		File folder = new File("target", "node-logs").getAbsoluteFile();
		Files.createDirectories(folder.toPath());
		return File.createTempFile("syncro-" + name + "-", ".log", folder);
	}

	/**
	 * The node's HTTP port, the same across restarts.
	 */
	public int port() {
		return this.port;
	}

	/**
	 * Where the node writes its output, across restarts.
	 */
	public Path log() {
		return this.output.toPath();
	}

	/**
	 * Starts the node and waits until it answers.
	 */
	public synchronized void start() throws IOException {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.add("-Xmx256m");
		command.add("-cp");
		command.add(System.getProperty("java.class.path"));
		command.add(SampleApplication.class.getName());
		command.addAll(this.arguments);
		this.process = new ProcessBuilder(command).directory(this.directory)
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(this.output))
			.start();
		// a node restarted under load, beside its busy peer, may take a minute and more on
		// a small machine
		long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
		while (!answers()) {
			if (!this.process.isAlive() || System.nanoTime() > deadline) {
				throw new IllegalStateException("The sample app on port " + this.port + " did not start; see "
						+ this.output);
			}
			Processes.sleep(100);
		}
	}

	/**
	 * Kills the node with SIGKILL, giving it no chance to finish anything, and waits until
	 * it is gone.
	 */
	public synchronized void kill() throws InterruptedException {
		Process running = this.process;
		if (running != null) {
			running.destroyForcibly();
			running.waitFor();
			this.process = null;
		}
	}

	/** Whether the node answers a REST request of a signed-in user, its database reached. */
	private boolean answers() {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/api/todos"))
			.timeout(Duration.ofSeconds(2))
			.header("Authorization", SampleUsers.basic("alice"))
			.build();
		try {
			return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
		}
		catch (IOException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	@Override
	public void close() throws InterruptedException {
		kill();
	}

}
