package io.syncro.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

/**
 * A real PostgreSQL server started as a process for tests, from the binaries of the
 * machine (Debian's {@code postgresql} package: {@code /usr/lib/postgresql/<version>/bin}).
 * There is no fallback: without the binaries, starting fails with a message that says how
 * to install them, because a test that skips without its database proves nothing.
 * <p>
 * The cluster lives in a temporary folder, listens on a free port of {@code 127.0.0.1}
 * with trust authentication, and trades durability for speed ({@code fsync=off}). As
 * PostgreSQL refuses to run as root, a root JVM runs it as the {@code postgres} user.
 * {@link #shared()} gives one server per JVM, stopped by a shutdown hook; should the JVM
 * die without running it, a watchdog next to the server stops it and removes its folder.
 * <p>
 * Tests stay isolated by taking a schema each (quick) or a database each (a fifth of a
 * second):
 * <pre class="code">
 * PostgresServer postgres = PostgresServer.shared();
 * String url = postgres.jdbcUrlOfSchema(postgres.createSchema());
 * String other = postgres.jdbcUrl(postgres.createDatabase());
 * </pre>
 *
 * @since 0.1.0
 */
public final class PostgresServer implements AutoCloseable {

	/** System property naming the folder of {@code initdb} and {@code postgres}, if not Debian's. */
	public static final String BIN_PROPERTY = "syncro.postgres.bin";

	private static final String INSTALL_HINT = "PostgreSQL server binaries (initdb, postgres, pg_ctl) not found in "
			+ "/usr/lib/postgresql/*/bin nor in -D" + BIN_PROPERTY + ". Install them with: "
			+ "apt-get update && apt-get install -y postgresql";

	private static final String USER = "syncro";

	private static final String DEFAULT_DATABASE = "syncro";

	private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

	private static final long START_TIMEOUT_MILLIS = 60_000;

	private static final AtomicInteger names = new AtomicInteger();

	private static @Nullable PostgresServer shared;

	private final Path bin;

	private final Path folder;

	private final Path data;

	private final Path log;

	private final boolean asPostgresUser;

	private final int port;

	private final Process process;

	private volatile boolean stopped;

	private PostgresServer(Path bin, Path folder, boolean asPostgresUser, int port, Process process) {
		this.bin = bin;
		this.folder = folder;
		this.data = folder.resolve("data");
		this.log = folder.resolve("postgres.log");
		this.asPostgresUser = asPostgresUser;
		this.port = port;
		this.process = process;
	}

	/**
	 * The server shared by every test of this JVM, started on first use and stopped when
	 * the JVM exits.
	 * @return the running server
	 */
	public static synchronized PostgresServer shared() {
		if (shared == null) {
			PostgresServer server = start();
			Runtime.getRuntime().addShutdownHook(new Thread(server::close, "syncro-postgres-stop"));
			shared = server;
		}
		return shared;
	}

	/**
	 * Starts a server of its own, for a test that stops it (with {@link #close()}).
	 * @return the running server
	 */
	public static PostgresServer start() {
		Path bin = findBinaries();
		boolean root = "root".equals(System.getProperty("user.name"));
		Path folder = createFolder(root);
		try {
			initdb(bin, folder, root);
			IllegalStateException failure = null;
			for (int attempt = 0; attempt < 3; attempt++) {
				// A free port can be taken by someone else before the server binds it: try another.
				try {
					return launch(bin, folder, root, Processes.freePort());
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
	 * @return a {@code jdbc:postgresql:} URL
	 */
	public String jdbcUrl() {
		return jdbcUrl(DEFAULT_DATABASE);
	}

	/**
	 * The JDBC URL of a database of this server.
	 * @param database the database's name
	 * @return a {@code jdbc:postgresql:} URL
	 */
	public String jdbcUrl(String database) {
		return "jdbc:postgresql://127.0.0.1:" + this.port + "/" + database;
	}

	/**
	 * The user to connect as, a superuser.
	 * @return the user name
	 */
	public String username() {
		return USER;
	}

	/**
	 * The password to connect with; the server trusts local connections, so any will do.
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
		List<String> command = List.of(this.bin.resolve("createdb").toString(), "-h", "127.0.0.1", "-p",
				String.valueOf(this.port), "-U", USER, "-w", name);
		run(command, false, "create database " + name);
		return name;
	}

	/**
	 * Creates an empty schema, with a name not used before in this JVM, in the database
	 * of {@link #jdbcUrl()}.
	 * @return the schema's name
	 * @see #jdbcUrlOfSchema(String)
	 */
	public String createSchema() {
		return createSchema(uniqueName());
	}

	/**
	 * Creates an empty schema in the database of {@link #jdbcUrl()}.
	 * @param name the schema's name: lower-case letters, digits and underscores
	 * @return the name
	 * @see #jdbcUrlOfSchema(String)
	 */
	public String createSchema(String name) {
		checkName(name);
		List<String> command = List.of(this.bin.resolve("psql").toString(), "-h", "127.0.0.1", "-p",
				String.valueOf(this.port), "-U", USER, "-w", "-d", DEFAULT_DATABASE, "-q", "-v", "ON_ERROR_STOP=1",
				"-c", "CREATE SCHEMA " + name);
		run(command, false, "create schema " + name);
		return name;
	}

	/**
	 * The JDBC URL of the database of {@link #jdbcUrl()} with a schema as the current one,
	 * where unqualified tables are created and found.
	 * @param schema the schema's name
	 * @return a {@code jdbc:postgresql:} URL
	 */
	public String jdbcUrlOfSchema(String schema) {
		checkName(schema);
		return jdbcUrl() + "?currentSchema=" + schema;
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
		try {
			run(List.of(this.bin.resolve("pg_ctl").toString(), "stop", "-D", this.data.toString(), "-m", "immediate",
					"-w", "-t", "30"), this.asPostgresUser, "stop PostgreSQL");
		}
		catch (RuntimeException ex) {
			// Already gone; otherwise destroying the watchdog below stops it.
		}
		try {
			// The watchdog shell ends on its own once the server is gone; waiting for it
			// lets runuser reap it instead of leaving a zombie behind.
			if (!this.process.waitFor(5, TimeUnit.SECONDS)) {
				this.process.destroy();
				this.process.waitFor(5, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public String toString() {
		return "PostgresServer[" + jdbcUrl() + "]";
	}

	private static Path findBinaries() {
		String configured = System.getProperty(BIN_PROPERTY);
		if (configured != null && !configured.isBlank()) {
			Path bin = Paths.get(configured);
			if (!isServerBin(bin)) {
				throw new IllegalStateException(INSTALL_HINT + " (-D" + BIN_PROPERTY + "=" + configured
						+ " has no initdb, postgres and pg_ctl)");
			}
			return bin;
		}
		// The real binaries, not wrappers on the PATH such as Debian's pg_ctlcluster scripts.
		Path debian = Paths.get("/usr/lib/postgresql");
		if (Files.isDirectory(debian)) {
			try (Stream<Path> versions = Files.list(debian)) {
				Path newest = versions.map((version) -> version.resolve("bin"))
					.filter(PostgresServer::isServerBin)
					.max(Comparator.comparingInt(PostgresServer::majorVersion))
					.orElse(null);
				if (newest != null) {
					return newest;
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		throw new IllegalStateException(INSTALL_HINT);
	}

	private static boolean isServerBin(Path bin) {
		return Stream.of("initdb", "postgres", "pg_ctl", "createdb", "psql", "pg_isready")
			.allMatch((name) -> Files.isExecutable(bin.resolve(name)));
	}

	private static int majorVersion(Path bin) {
		try {
			return Integer.parseInt(bin.getParent().getFileName().toString().replaceAll("\\..*", ""));
		}
		catch (NumberFormatException ex) {
			return 0;
		}
	}

	private static Path createFolder(boolean root) {
		try {
			Path folder = Files.createTempDirectory("syncro-pg");
			if (root) {
				UserPrincipal postgres = folder.getFileSystem()
					.getUserPrincipalLookupService()
					.lookupPrincipalByName("postgres");
				Files.setOwner(folder, postgres);
			}
			return folder;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot create a folder for PostgreSQL owned by the 'postgres' user "
					+ "(PostgreSQL refuses to run as root); the postgresql package creates that user", ex);
		}
	}

	private static void initdb(Path bin, Path folder, boolean root) {
		Path passwordFile = folder.resolve("password");
		try {
			Files.writeString(passwordFile, USER + "\n");
			if (root) {
				Files.setOwner(passwordFile, Files.getOwner(folder));
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		run(List.of(bin.resolve("initdb").toString(), "-D", folder.resolve("data").toString(), "-U", USER,
				"--pwfile=" + passwordFile, "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"), root,
				"initialise a PostgreSQL cluster");
	}

	private static PostgresServer launch(Path bin, Path folder, boolean root, int port) {
		Path data = folder.resolve("data");
		Path log = folder.resolve("postgres.log");
		String postgres = String.join(" ", Processes.quote(bin.resolve("postgres").toString()), "-D", Processes.quote(data.toString()),
				"-p", String.valueOf(port), "-k", Processes.quote(folder.toString()), "-c", "listen_addresses=127.0.0.1",
				"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c",
				"max_connections=200");
		// The shell starts the server and watches this JVM: if the JVM dies without its
		// shutdown hook (kill -9), the server is stopped and its folder removed anyway.
		long jvm = ProcessHandle.current().pid();
		String alive = "{ if [ -d /proc/self ]; then [ -d /proc/" + jvm + " ]; else kill -0 " + jvm + " 2>/dev/null; fi; }";
		String script = postgres + " >>" + Processes.quote(log.toString()) + " 2>&1 &\n" + "pg=$!\n"
				+ "trap 'kill -QUIT $pg 2>/dev/null' TERM INT\n" + "while kill -0 $pg 2>/dev/null && " + alive
				+ "; do sleep 0.5; done\n" + "kill -QUIT $pg 2>/dev/null\n" + "wait $pg\n" + "if ! " + alive
				+ "; then rm -rf " + Processes.quote(folder.toString()) + "; fi\n";
		Process process;
		try {
			process = new ProcessBuilder(asUser(List.of("/bin/sh", "-c", script), root)).directory(folder.toFile())
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(folder.resolve("watchdog.log").toFile()))
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		PostgresServer server = new PostgresServer(bin, folder, root, port, process);
		server.awaitReady();
		try {
			server.createDatabase(DEFAULT_DATABASE);
		}
		catch (RuntimeException ex) {
			server.stop();
			throw ex;
		}
		return server;
	}

	private void awaitReady() {
		long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
		List<String> isReady = List.of(this.bin.resolve("pg_isready").toString(), "-q", "-h", "127.0.0.1", "-p",
				String.valueOf(this.port), "-U", USER, "-d", "postgres");
		while (System.currentTimeMillis() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("PostgreSQL did not start on port " + this.port + ":\n" + logTail());
			}
			if (Processes.exitCode(isReady) == 0) {
				return;
			}
			Processes.sleep(50);
		}
		stop();
		throw new IllegalStateException("PostgreSQL did not become ready within " + START_TIMEOUT_MILLIS + " ms:\n"
				+ logTail());
	}

	private String logTail() {
		try {
			List<String> lines = Files.readAllLines(this.log, StandardCharsets.UTF_8);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
		}
		catch (IOException ex) {
			return "(no log at " + this.log + ")";
		}
	}

	private static void run(List<String> command, boolean asPostgresUser, String purpose) {
		Processes.run(asUser(command, asPostgresUser), purpose);
	}

	private static List<String> asUser(List<String> command, boolean asPostgresUser) {
		if (!asPostgresUser) {
			return command;
		}
		List<String> full = new ArrayList<>();
		Path runuser = Stream.of("/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser")
			.map(Paths::get)
			.filter(Files::isExecutable)
			.findFirst()
			.orElse(null);
		if (runuser != null) {
			full.addAll(List.of(runuser.toString(), "-u", "postgres", "--"));
			full.addAll(command);
		}
		else {
			full.addAll(List.of("su", "-s", "/bin/sh", "postgres", "-c",
					String.join(" ", command.stream().map(Processes::quote).toList())));
		}
		return full;
	}

}
