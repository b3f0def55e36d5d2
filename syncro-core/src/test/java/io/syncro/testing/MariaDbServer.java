package io.syncro.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * A real MariaDB server started as a process for tests, from the binaries of the machine
 * (Debian's {@code mariadb-server} package: {@code /usr/sbin/mariadbd},
 * {@code /usr/bin/mariadb-install-db} and the {@code /usr/bin/mariadb} client). There is
 * no fallback: without the binaries, starting fails with a message that says how to
 * install them, because a test that skips without its database proves nothing.
 * <p>
 * The data directory is made by {@code mariadb-install-db} in a temporary folder; the
 * server listens on a free port of {@code 127.0.0.1}, where a user {@code syncro} may do
 * anything, and on a Unix socket in that folder, where the harness talks to it as
 * {@code root}. It trades durability for speed (no binary log, no doublewrite buffer, the
 * InnoDB log written once a second) and otherwise keeps MariaDB's defaults, REPEATABLE
 * READ isolation among them, with the character set and case-insensitive collation of
 * Debian's configuration ({@code utf8mb4}, {@code utf8mb4_general_ci}), so that tests
 * meet the server as applications do. A root JVM runs it as root ({@code --user=root}).
 * {@link #shared()} gives one server per JVM, stopped by a shutdown hook; should the JVM
 * die without running it, a watchdog next to the server stops it and removes its folder.
 * <p>
 * Tests stay isolated by taking a database each (a few hundredths of a second):
 * <pre class="code">
 * MariaDbServer mariadb = MariaDbServer.shared();
 * String url = mariadb.jdbcUrl(mariadb.createDatabase());
 * </pre>
 *
 * @since 0.1.0
 */
public final class MariaDbServer implements AutoCloseable {

	/**
	 * System property naming the folder of {@code mariadbd}, {@code mariadb-install-db} and
	 * {@code mariadb}, if not Debian's.
	 */
	public static final String BIN_PROPERTY = "syncro.mariadb.bin";

	private static final String INSTALL_HINT = "MariaDB binaries (mariadbd, mariadb-install-db, mariadb) not found in "
			+ "/usr/sbin, /usr/bin, /usr/local/sbin, /usr/local/bin, the PATH nor in -D" + BIN_PROPERTY
			+ ". Install them with: apt-get update && apt-get install -y mariadb-server";

	private static final String HOST = "127.0.0.1";

	private static final String USER = "syncro";

	private static final String DEFAULT_DATABASE = "syncro";

	private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,63}");

	private static final long START_TIMEOUT_MILLIS = 60_000;

	private static final AtomicInteger names = new AtomicInteger();

	private static @Nullable MariaDbServer shared;

	private final Binaries binaries;

	private final Path folder;

	private final int port;

	private final Process process;

	private volatile boolean stopped;

	private MariaDbServer(Binaries binaries, Path folder, int port, Process process) {
		this.binaries = binaries;
		this.folder = folder;
		this.port = port;
		this.process = process;
	}

	/**
	 * The server shared by every test of this JVM, started on first use and stopped when
	 * the JVM exits.
	 * @return the running server
	 */
	public static synchronized MariaDbServer shared() {
		if (shared == null) {
			MariaDbServer server = start();
			Runtime.getRuntime().addShutdownHook(new Thread(server::close, "syncro-mariadb-stop"));
			shared = server;
		}
		return shared;
	}

	/**
	 * Starts a server of its own, for a test that stops it (with {@link #close()}).
	 * @return the running server
	 */
	public static MariaDbServer start() {
		Binaries binaries = findBinaries();
		boolean root = "root".equals(System.getProperty("user.name"));
		Path folder = createFolder();
		try {
			installDb(binaries, folder, root);
			IllegalStateException failure = null;
			for (int attempt = 0; attempt < 3; attempt++) {
				// A free port can be taken by someone else before the server binds it: try another.
				try {
					return launch(binaries, folder, root, Processes.freePort());
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
	 * The JDBC URL of the database created with the server.
	 * @return a {@code jdbc:mariadb:} URL
	 */
	public String jdbcUrl() {
		return jdbcUrl(DEFAULT_DATABASE);
	}

	/**
	 * The JDBC URL of a database of this server.
	 * @param database the database's name
	 * @return a {@code jdbc:mariadb:} URL
	 */
	public String jdbcUrl(String database) {
		return "jdbc:mariadb://" + HOST + ":" + this.port + "/" + database;
	}

	/**
	 * The user to connect as, granted every privilege on every database.
	 * @return the user name
	 */
	public String username() {
		return USER;
	}

	/**
	 * The password of {@link #username()}.
	 * @return the password
	 */
	public String password() {
		return USER;
	}

	/**
	 * The TCP port the server listens on at {@code 127.0.0.1}.
	 * @return the port
	 */
	public int port() {
		return this.port;
	}

	/**
	 * Creates an empty database with a name not used before in this JVM.
	 * @return the database's name
	 */
	public String createDatabase() {
		return createDatabase(uniqueName());
	}

	/**
	 * Creates an empty database.
	 * @param name the database's name: lower-case letters, digits and underscores
	 * @return the name
	 */
	public String createDatabase(String name) {
		checkName(name);
		execute("CREATE DATABASE " + name, "create database " + name);
		return name;
	}

	/** Runs SQL statements, separated by semicolons, as root through the client. */
	private void execute(String sql, String purpose) {
		Processes.run(client(this.binaries, this.folder, "-e", sql), purpose);
	}

	private static String uniqueName() {
		return "test_" + ProcessHandle.current().pid() + "_" + names.incrementAndGet();
	}

	private static void checkName(String name) {
		if (!NAME.matcher(name).matches()) {
			throw new IllegalArgumentException("Name must be lower-case letters, digits and underscores: " + name);
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
		stop();
		Processes.deleteFolder(this.folder);
	}

	private void stop() {
		// Killed as a crash would: the folder goes next, so nothing needs to be flushed.
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
		}
		catch (Exception ex) {
			// Already gone; otherwise destroying the watchdog above stops it.
		}
	}

	@Override
	public String toString() {
		return "MariaDbServer[" + jdbcUrl() + "]";
	}

	private static Optional<ProcessHandle> serverProcess(Path folder) {
		try {
			Path pidFile = folder.resolve("mariadb.pid");
			if (!Files.exists(pidFile)) {
				return Optional.empty();
			}
			return ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()));
		}
		catch (IOException | NumberFormatException ex) {
			return Optional.empty();
		}
	}

	private static Binaries findBinaries() {
		String configured = System.getProperty(BIN_PROPERTY);
		if (configured != null && !configured.isBlank()) {
			Path bin = Paths.get(configured);
			Binaries binaries = new Binaries(bin.resolve("mariadbd"), bin.resolve("mariadb-install-db"),
					bin.resolve("mariadb"));
			if (!binaries.areExecutable()) {
				throw new IllegalStateException(INSTALL_HINT + " (-D" + BIN_PROPERTY + "=" + configured
						+ " has no mariadbd, mariadb-install-db and mariadb)");
			}
			return binaries;
		}
		List<Path> folders = new ArrayList<>(List.of(Paths.get("/usr/sbin"), Paths.get("/usr/bin"),
				Paths.get("/usr/local/sbin"), Paths.get("/usr/local/bin")));
		String path = System.getenv("PATH");
		if (path != null) {
			for (String entry : path.split(File.pathSeparator)) {
				if (!entry.isEmpty()) {
					folders.add(Paths.get(entry));
				}
			}
		}
		Binaries binaries = new Binaries(find(folders, "mariadbd"), find(folders, "mariadb-install-db"),
				find(folders, "mariadb"));
		if (!binaries.areExecutable()) {
			throw new IllegalStateException(INSTALL_HINT);
		}
		return binaries;
	}

	private static Path find(List<Path> folders, String name) {
		return folders.stream()
			.map((folder) -> folder.resolve(name))
			.filter(Files::isExecutable)
			.findFirst()
			.orElse(Paths.get("/usr/bin", name));
	}

	private static Path createFolder() {
		try {
			return Files.createTempDirectory("syncro-mariadb");
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot create a folder for MariaDB", ex);
		}
	}

	/** The server's options, given to {@code mariadb-install-db} too. */
	private static List<String> serverOptions(boolean root) {
		List<String> options = new ArrayList<>(List.of("--character-set-server=utf8mb4",
				"--collation-server=utf8mb4_general_ci", "--innodb-buffer-pool-size=64M",
				"--innodb-log-file-size=16M"));
		if (root) {
			// mariadbd refuses to run as root unless told to.
			options.add("--user=root");
		}
		return options;
	}

	private static void installDb(Binaries binaries, Path folder, boolean root) {
		List<String> command = new ArrayList<>(List.of(binaries.installDb().toString(), "--no-defaults",
				"--datadir=" + folder.resolve("data"), "--auth-root-authentication-method=normal", "--skip-test-db",
				"--skip-name-resolve"));
		command.addAll(serverOptions(root));
		Processes.run(command, "initialise a MariaDB data directory");
	}

	private static MariaDbServer launch(Binaries binaries, Path folder, boolean root, int port) {
		Path log = folder.resolve("mariadb.log");
		List<String> command = new ArrayList<>(List.of(binaries.server().toString(), "--no-defaults",
				"--datadir=" + folder.resolve("data"), "--port=" + port, "--bind-address=" + HOST,
				"--socket=" + socket(folder), "--pid-file=" + folder.resolve("mariadb.pid"),
				"--tmpdir=" + folder, "--log-error=" + log, "--skip-name-resolve", "--skip-log-bin",
				"--innodb-flush-log-at-trx-commit=0", "--innodb-doublewrite=0", "--max-connections=300"));
		command.addAll(serverOptions(root));
		String mariadbd = String.join(" ", command.stream().map(Processes::quote).toList());
		// The shell starts the server and watches this JVM: if the JVM dies without its
		// shutdown hook (kill -9), the server is stopped and its folder removed anyway.
		long jvm = ProcessHandle.current().pid();
		String alive = "{ if [ -d /proc/self ]; then [ -d /proc/" + jvm + " ]; else kill -0 " + jvm
				+ " 2>/dev/null; fi; }";
		String script = mariadbd + " >>" + Processes.quote(log.toString()) + " 2>&1 &\n" + "db=$!\n"
				+ "trap 'kill -9 $db 2>/dev/null' TERM INT\n" + "while kill -0 $db 2>/dev/null && " + alive
				+ "; do sleep 0.5; done\n" + "if ! " + alive + "; then kill -9 $db 2>/dev/null; wait $db; rm -rf "
				+ Processes.quote(folder.toString()) + "; fi\n";
		Process process;
		try {
			Files.deleteIfExists(folder.resolve("mariadb.pid"));
			process = new ProcessBuilder(List.of("/bin/sh", "-c", script)).directory(folder.toFile())
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(folder.resolve("watchdog.log").toFile()))
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		MariaDbServer server = new MariaDbServer(binaries, folder, port, process);
		server.awaitReady();
		try {
			// Over TCP from 127.0.0.1, as the tests connect; root keeps the socket.
			server.execute("CREATE USER IF NOT EXISTS '" + USER + "'@'" + HOST + "' IDENTIFIED BY '" + USER + "';"
					+ " GRANT ALL PRIVILEGES ON *.* TO '" + USER + "'@'" + HOST + "' WITH GRANT OPTION;"
					+ " CREATE DATABASE IF NOT EXISTS " + DEFAULT_DATABASE, "create the user " + USER);
		}
		catch (RuntimeException ex) {
			server.stop();
			throw ex;
		}
		return server;
	}

	private void awaitReady() {
		long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
		List<String> ping = client(this.binaries, this.folder, "-e", "SELECT 1");
		while (System.currentTimeMillis() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("MariaDB did not start on port " + this.port + ":\n" + logTail());
			}
			// The pid file is how close() finds the server to stop.
			if (serverProcess(this.folder).isPresent() && Processes.exitCode(ping) == 0) {
				return;
			}
			Processes.sleep(50);
		}
		stop();
		throw new IllegalStateException("MariaDB did not become ready within " + START_TIMEOUT_MILLIS + " ms:\n"
				+ logTail());
	}

	private String logTail() {
		Path log = this.folder.resolve("mariadb.log");
		try {
			List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
		}
		catch (IOException ex) {
			return "(no log at " + log + ")";
		}
	}

	private static Path socket(Path folder) {
		return folder.resolve("mariadb.sock");
	}

	/** The {@code mariadb} client, as root on the server's socket. */
	private static List<String> client(Binaries binaries, Path folder, String... arguments) {
		List<String> command = new ArrayList<>(List.of(binaries.client().toString(), "--no-defaults",
				"--protocol=socket", "--socket=" + socket(folder), "--user=root", "--batch", "--silent"));
		command.addAll(List.of(arguments));
		return command;
	}

	/** The server, the tool that makes its data directory, and the command-line client. */
	private record Binaries(Path server, Path installDb, Path client) {

		boolean areExecutable() {
			return Files.isExecutable(this.server) && Files.isExecutable(this.installDb)
					&& Files.isExecutable(this.client);
		}

	}

}
