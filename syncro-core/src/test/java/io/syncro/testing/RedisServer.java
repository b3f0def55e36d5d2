package io.syncro.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * A real Redis server started as a process for tests, from the machine's
 * {@code redis-server} (Debian's {@code redis-server} package). There is no fallback:
 * without the binary, starting fails with a message that says how to install it,
 * because a test that skips without its server proves nothing.
 * <p>
 * The server lives in a temporary folder and listens on a free port of
 * {@code 127.0.0.1}. It keeps its data in an append-only file written and synced
 * before every reply ({@code --appendonly yes --appendfsync always}) and never
 * snapshots, so {@link #restart()}, which kills it as a crash would and starts it
 * again on the same port and folder, keeps every write it acknowledged.
 * {@link #shared()} gives one server per JVM, stopped by a shutdown hook; should the JVM
 * die without running it, a watchdog next to the server stops it and removes its folder.
 * <p>
 * Tests share the server and start from an empty one with {@link #flushAll()}; a test
 * that restarts the server takes one of its own:
 * <pre class="code">
 * try (RedisServer redis = RedisServer.start()) {
 *     // connect to 127.0.0.1:redis.port()
 *     redis.restart();
 * }
 * </pre>
 *
 * @since 0.1.0
 */
public final class RedisServer implements AutoCloseable {

	/** System property naming the {@code redis-server} binary, if not on the usual paths. */
	public static final String BINARY_PROPERTY = "syncro.redis.server";

	private static final String INSTALL_HINT = "redis-server not found in /usr/bin, /usr/local/bin, the PATH nor in -D"
			+ BINARY_PROPERTY + ". Install it with: apt-get update && apt-get install -y redis-server";

	private static final String HOST = "127.0.0.1";

	private static final long START_TIMEOUT_MILLIS = 30_000;

	private static final int SOCKET_TIMEOUT_MILLIS = 30_000;

	private static @Nullable RedisServer shared;

	private final Path binary;

	private final Path folder;

	private final int port;

	/** The watchdog shell of the running server; replaced by each restart. */
	private Process process;

	private boolean stopped;

	private RedisServer(Path binary, Path folder, int port, Process process) {
		this.binary = binary;
		this.folder = folder;
		this.port = port;
		this.process = process;
	}

	/**
	 * The server shared by every test of this JVM, started on first use and stopped when
	 * the JVM exits. Do not restart or close it; take one of your own for that.
	 * @return the running server
	 */
	public static synchronized RedisServer shared() {
		if (shared == null) {
			RedisServer server = start();
			Runtime.getRuntime().addShutdownHook(new Thread(server::close, "syncro-redis-stop"));
			shared = server;
		}
		return shared;
	}

	/**
	 * Starts a server of its own, for a test that restarts or stops it (with
	 * {@link #close()}).
	 * @return the running server
	 */
	public static RedisServer start() {
		Path binary = findBinary();
		Path folder = createFolder();
		try {
			IllegalStateException failure = null;
			for (int attempt = 0; attempt < 3; attempt++) {
				// A free port can be taken by someone else before the server binds it: try another.
				int port = Processes.freePort();
				try {
					return new RedisServer(binary, folder, port, launch(binary, folder, port));
				}
				catch (IllegalStateException ex) {
					failure = ex;
				}
			}
			throw Objects.requireNonNull(failure);
		}
		catch (RuntimeException ex) {
			Processes.deleteFolder(folder);
			throw ex;
		}
	}

	/**
	 * The address the server listens on.
	 * @return {@code 127.0.0.1}
	 */
	public String host() {
		return HOST;
	}

	/**
	 * The TCP port the server listens on at {@code 127.0.0.1}.
	 * @return the port
	 */
	public int port() {
		return this.port;
	}

	/**
	 * Removes every key of every database and forgets the cached scripts.
	 */
	public void flushAll() {
		command("FLUSHALL", "SYNC");
		command("SCRIPT", "FLUSH", "SYNC");
	}

	/**
	 * Runs one command on a connection of its own and returns its reply as text: a simple
	 * or bulk string as is, an integer in decimal, a nil as an empty string and an array
	 * as its elements, one a line.
	 * @param arguments the command and its arguments, such as {@code "INFO", "stats"}
	 * @return the reply
	 * @throws IllegalStateException if the server answers with an error
	 * @throws UncheckedIOException if the server cannot be reached
	 */
	public String command(String... arguments) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(HOST, this.port), SOCKET_TIMEOUT_MILLIS);
			socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
			OutputStream output = socket.getOutputStream();
			output.write(request(arguments));
			output.flush();
			return reply(new BufferedInputStream(socket.getInputStream()), String.join(" ", arguments));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not run " + arguments[0] + " on Redis at port " + this.port, ex);
		}
	}

	/**
	 * One section of {@code INFO}, as {@code name:value} lines.
	 * @param section such as {@code stats} or {@code commandstats}
	 * @return the section's text
	 */
	public String info(String section) {
		return command("INFO", section);
	}

	/**
	 * Kills the server at once, as a crash would, and starts it again on the same port
	 * and folder. Every write it acknowledged is kept. Clients see their connections
	 * drop and must reconnect.
	 */
	public void restart() {
		restart(() -> {
		});
	}

	/**
	 * Kills the server at once, as a crash would, runs the given work while it is down,
	 * and starts it again on the same port and folder. Every write it acknowledged is
	 * kept. The server is started again even if the work fails.
	 * @param whileDown what to do while nothing listens on the port
	 */
	public synchronized void restart(Runnable whileDown) {
		if (this.stopped) {
			throw new IllegalStateException("Redis at port " + this.port + " was closed");
		}
		kill();
		try {
			whileDown.run();
		}
		finally {
			this.process = launch(this.binary, this.folder, this.port);
		}
	}

	/**
	 * Stops the server at once and deletes its folder. Calling it again does nothing.
	 */
	@Override
	public synchronized void close() {
		if (this.stopped) {
			return;
		}
		this.stopped = true;
		kill();
		Processes.deleteFolder(this.folder);
	}

	@Override
	public String toString() {
		return "RedisServer[" + HOST + ":" + this.port + "]";
	}

	private void kill() {
		Optional<ProcessHandle> server = serverProcess(this.folder);
		server.ifPresent(ProcessHandle::destroyForcibly);
		try {
			if (server.isPresent()) {
				server.get().onExit().get(10, TimeUnit.SECONDS);
			}
			// The watchdog shell ends on its own once the server is gone.
			if (!this.process.waitFor(5, TimeUnit.SECONDS)) {
				this.process.destroy();
				this.process.waitFor(5, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while stopping Redis", ex);
		}
		catch (Exception ex) {
			throw new IllegalStateException("Redis at port " + this.port + " did not stop", ex);
		}
		awaitPortClosed(this.port);
	}

	private static Optional<ProcessHandle> serverProcess(Path folder) {
		try {
			Path pidFile = folder.resolve("redis.pid");
			if (!Files.exists(pidFile)) {
				return Optional.empty();
			}
			return ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()));
		}
		catch (IOException | NumberFormatException ex) {
			return Optional.empty();
		}
	}

	private static Path findBinary() {
		String configured = System.getProperty(BINARY_PROPERTY);
		if (configured != null && !configured.isBlank()) {
			Path binary = Paths.get(configured);
			if (!Files.isExecutable(binary)) {
				throw new IllegalStateException(INSTALL_HINT + " (-D" + BINARY_PROPERTY + "=" + configured
						+ " is not an executable file)");
			}
			return binary;
		}
		List<Path> candidates = new ArrayList<>(List.of(Paths.get("/usr/bin/redis-server"),
				Paths.get("/usr/local/bin/redis-server")));
		String path = System.getenv("PATH");
		if (path != null) {
			for (String entry : path.split(File.pathSeparator)) {
				if (!entry.isEmpty()) {
					candidates.add(Paths.get(entry, "redis-server"));
				}
			}
		}
		return candidates.stream().filter(Files::isExecutable).findFirst()
			.orElseThrow(() -> new IllegalStateException(INSTALL_HINT));
	}

	private static Path createFolder() {
		try {
			return Files.createTempDirectory("syncro-redis");
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot create a folder for Redis", ex);
		}
	}

	private static Process launch(Path binary, Path folder, int port) {
		Path log = folder.resolve("redis.log");
		String server = String.join(" ", Processes.quote(binary.toString()), "--port", String.valueOf(port), "--bind", HOST,
				"--dir", Processes.quote(folder.toString()), "--pidfile", Processes.quote(folder.resolve("redis.pid").toString()),
				"--daemonize", "no", "--save", "''", "--appendonly", "yes", "--appendfsync", "always",
				"--logfile", "''");
		// The shell starts the server and watches this JVM: if the JVM dies without its
		// shutdown hook (kill -9), the server is stopped and its folder removed anyway.
		long jvm = ProcessHandle.current().pid();
		String alive = "{ if [ -d /proc/self ]; then [ -d /proc/" + jvm + " ]; else kill -0 " + jvm
				+ " 2>/dev/null; fi; }";
		String script = server + " >>" + Processes.quote(log.toString()) + " 2>&1 &\n" + "redis=$!\n"
				+ "trap 'kill -9 $redis 2>/dev/null' TERM INT\n" + "while kill -0 $redis 2>/dev/null && " + alive
				+ "; do sleep 0.5; done\n" + "if ! " + alive + "; then kill -9 $redis 2>/dev/null; wait $redis; rm -rf "
				+ Processes.quote(folder.toString()) + "; fi\n";
		Process process;
		try {
			Files.deleteIfExists(folder.resolve("redis.pid"));
			process = new ProcessBuilder(List.of("/bin/sh", "-c", script)).directory(folder.toFile())
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(folder.resolve("watchdog.log").toFile()))
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		awaitReady(process, folder, port);
		return process;
	}

	private static void awaitReady(Process process, Path folder, int port) {
		long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
		String lastProblem = "no answer";
		while (System.currentTimeMillis() < deadline) {
			if (!process.isAlive()) {
				throw new IllegalStateException("Redis did not start on port " + port + ":\n" + logTail(folder));
			}
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress(HOST, port), 1000);
				socket.setSoTimeout(5000);
				socket.getOutputStream().write(request(new String[] { "PING" }));
				// Answered with -LOADING while it reads its append-only file.
				String pong = reply(new BufferedInputStream(socket.getInputStream()), "PING");
				if ("PONG".equals(pong) && serverProcess(folder).isPresent()) {
					return;
				}
			}
			catch (IOException | IllegalStateException ex) {
				lastProblem = ex.getMessage();
			}
			Processes.sleep(20);
		}
		process.destroy();
		throw new IllegalStateException("Redis did not become ready on port " + port + " within "
				+ START_TIMEOUT_MILLIS + " ms (" + lastProblem + "):\n" + logTail(folder));
	}

	private static void awaitPortClosed(int port) {
		long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
		while (System.currentTimeMillis() < deadline) {
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress(HOST, port), 200);
			}
			catch (IOException ex) {
				return;
			}
			Processes.sleep(20);
		}
		throw new IllegalStateException("Something still listens on port " + port + " after Redis was killed");
	}

	private static String logTail(Path folder) {
		try {
			List<String> lines = Files.readAllLines(folder.resolve("redis.log"), StandardCharsets.UTF_8);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
		}
		catch (IOException ex) {
			return "(no log in " + folder + ")";
		}
	}

	private static byte[] request(String[] arguments) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		bytes.writeBytes(("*" + arguments.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
		for (String argument : arguments) {
			byte[] utf8 = argument.getBytes(StandardCharsets.UTF_8);
			bytes.writeBytes(("$" + utf8.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
			bytes.writeBytes(utf8);
			bytes.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
		}
		return bytes.toByteArray();
	}

	/** Reads one RESP2 reply. */
	private static String reply(InputStream input, String command) throws IOException {
		String line = line(input);
		if (line.isEmpty()) {
			throw new IOException("Empty reply to " + command);
		}
		char kind = line.charAt(0);
		String rest = line.substring(1);
		switch (kind) {
			case '+':
			case ':':
				return rest;
			case '-':
				throw new IllegalStateException("Redis refused " + command + ": " + rest);
			case '$': {
				int length = Integer.parseInt(rest);
				if (length < 0) {
					return "";
				}
				byte[] data = input.readNBytes(length + 2);
				if (data.length < length + 2) {
					throw new IOException("Connection closed in the reply to " + command);
				}
				return new String(data, 0, length, StandardCharsets.UTF_8);
			}
			case '*': {
				int count = Integer.parseInt(rest);
				List<String> elements = new ArrayList<>();
				for (int i = 0; i < count; i++) {
					elements.add(reply(input, command));
				}
				return String.join("\n", elements);
			}
			default:
				throw new IOException("Unexpected reply to " + command + ": " + line);
		}
	}

	private static String line(InputStream input) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		int previous = -1;
		while (true) {
			int next = input.read();
			if (next == -1) {
				throw new IOException("Connection closed by Redis");
			}
			if (previous == '\r' && next == '\n') {
				byte[] line = bytes.toByteArray();
				return new String(line, 0, line.length - 1, StandardCharsets.UTF_8);
			}
			bytes.write(next);
			previous = next;
		}
	}

}
