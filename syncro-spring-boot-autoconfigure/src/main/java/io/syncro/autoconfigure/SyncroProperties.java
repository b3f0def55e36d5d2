package io.syncro.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.syncro.session.EngineSettings;
import io.syncro.web.ClientUidLimits;
import io.syncro.web.ConnectionLimits;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.convert.DataSizeUnit;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.util.unit.DataSize;
import org.springframework.util.unit.DataUnit;

/**
 * Configuration properties for Syncro.
 *
 * @since 0.1.0
 */
@ConfigurationProperties("syncro")
public class SyncroProperties {

	/**
	 * Whether Syncro is enabled.
	 */
	private boolean enabled = true;

	/**
	 * Path of the WebSocket endpoint clients connect to.
	 */
	private String path = "/syncro";

	/**
	 * Client uid of this server; clients may not connect with it.
	 */
	private String serverId = "server";

	/**
	 * Where scribes and per-client state are kept.
	 */
	private Store store = Store.JDBC;

	/**
	 * Largest message accepted from a client; a larger one is answered 413 and the
	 * connection closed.
	 */
	@DataSizeUnit(DataUnit.BYTES)
	private DataSize maxMessageBytes = DataSize.ofBytes(524288);

	/**
	 * How long a request the server sent waits for the client's reply.
	 */
	private Duration requestTimeout = Duration.ofSeconds(30);

	/**
	 * Origins allowed to open the WebSocket from a browser; empty allows the server's own
	 * origin only. Entries may be patterns such as "https://*.example.com".
	 */
	private List<String> allowedOrigins = new ArrayList<>();

	private final Sync sync = new Sync();

	private final Limits limits = new Limits();

	private final RateLimit rateLimit = new RateLimit();

	private final Connections connections = new Connections();

	private final Clients clients = new Clients();

	private final SessionSettings session = new SessionSettings();

	private final Jdbc jdbc = new Jdbc();

	private final Redis redis = new Redis();

	private final Outbox outbox = new Outbox();

	private final Log log = new Log();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getPath() {
		return this.path;
	}

	public void setPath(String path) {
		this.path = path;
	}

	public String getServerId() {
		return this.serverId;
	}

	public void setServerId(String serverId) {
		this.serverId = serverId;
	}

	public Store getStore() {
		return this.store;
	}

	public void setStore(Store store) {
		this.store = store;
	}

	public DataSize getMaxMessageBytes() {
		return this.maxMessageBytes;
	}

	public void setMaxMessageBytes(DataSize maxMessageBytes) {
		this.maxMessageBytes = maxMessageBytes;
	}

	public Duration getRequestTimeout() {
		return this.requestTimeout;
	}

	public void setRequestTimeout(Duration requestTimeout) {
		this.requestTimeout = requestTimeout;
	}

	public List<String> getAllowedOrigins() {
		return this.allowedOrigins;
	}

	public void setAllowedOrigins(List<String> allowedOrigins) {
		this.allowedOrigins = allowedOrigins;
	}

	public Sync getSync() {
		return this.sync;
	}

	public Limits getLimits() {
		return this.limits;
	}

	public RateLimit getRateLimit() {
		return this.rateLimit;
	}

	public Connections getConnections() {
		return this.connections;
	}

	public Clients getClients() {
		return this.clients;
	}

	public SessionSettings getSession() {
		return this.session;
	}

	public Jdbc getJdbc() {
		return this.jdbc;
	}

	public Redis getRedis() {
		return this.redis;
	}

	public Outbox getOutbox() {
		return this.outbox;
	}

	public Log getLog() {
		return this.log;
	}

	/**
	 * Where scribes and per-client state are kept.
	 */
	public enum Store {

		/** The application's own database, through its DataSource. */
		JDBC,

		/** Memory only, lost on restart: for tests. */
		MEMORY,

		/**
		 * Redis, shared by every node of a deployment; the production store. The
		 * clients' positions stay in the application's database when there is one, so
		 * that a client's change and its new position commit together.
		 */
		REDIS

	}

	/**
	 * Answers to clients' {@code sync} requests.
	 */
	public static class Sync {

		/**
		 * Most scribes in one sync answer.
		 */
		private int batchSize = 500;

		/**
		 * Newest scribes of a Redis or JDBC log kept in memory, from which the live
		 * sessions of this node read new scribes instead of each reading the log; 0 to
		 * keep none.
		 */
		private int cachedTail = 10000;

		public int getBatchSize() {
			return this.batchSize;
		}

		public void setBatchSize(int batchSize) {
			this.batchSize = batchSize;
		}

		public int getCachedTail() {
			return this.cachedTail;
		}

		public void setCachedTail(int cachedTail) {
			this.cachedTail = cachedTail;
		}

	}

	/**
	 * What a client's scribes and rpcs may hold; anything over a limit is refused with
	 * 400.
	 */
	public static class Limits {

		/**
		 * Largest scribe data, and largest rpc arguments, as compact JSON; a message is
		 * never larger than max-message-bytes anyway.
		 */
		@DataSizeUnit(DataUnit.BYTES)
		private DataSize maxDataBytes = DataSize.ofKilobytes(256);

		/**
		 * Deepest nesting of arrays and objects in a scribe's data or an rpc's arguments.
		 */
		private int maxNestingDepth = 32;

		/**
		 * Longest client uid accepted at the handshake; at most 64.
		 */
		private int maxUidLength = 64;

		/**
		 * Longest klass name of a scribe or an rpc; at most 128.
		 */
		private int maxKlassLength = 128;

		/**
		 * Longest rpc method name.
		 */
		private int maxMethodLength = 128;

		public DataSize getMaxDataBytes() {
			return this.maxDataBytes;
		}

		public void setMaxDataBytes(DataSize maxDataBytes) {
			this.maxDataBytes = maxDataBytes;
		}

		public int getMaxNestingDepth() {
			return this.maxNestingDepth;
		}

		public void setMaxNestingDepth(int maxNestingDepth) {
			this.maxNestingDepth = maxNestingDepth;
		}

		public int getMaxUidLength() {
			return this.maxUidLength;
		}

		public void setMaxUidLength(int maxUidLength) {
			this.maxUidLength = maxUidLength;
		}

		public int getMaxKlassLength() {
			return this.maxKlassLength;
		}

		public void setMaxKlassLength(int maxKlassLength) {
			this.maxKlassLength = maxKlassLength;
		}

		public int getMaxMethodLength() {
			return this.maxMethodLength;
		}

		public void setMaxMethodLength(int maxMethodLength) {
			this.maxMethodLength = maxMethodLength;
		}

	}

	/**
	 * How many requests one connection may send: over the limit a request is answered
	 * 429, and a connection that goes on is closed with 1008.
	 */
	public static class RateLimit {

		/**
		 * Whether requests are rate limited per connection.
		 */
		private boolean enabled = true;

		/**
		 * Requests per second one connection may send, sustained.
		 */
		private double requestsPerSecond = 100;

		/**
		 * Requests one connection may send at once after a quiet time.
		 */
		private int burst = 1000;

		/**
		 * Requests refused with 429 within the refused window before the connection is
		 * closed.
		 */
		private int maxRefused = 1000;

		/**
		 * Window in which refused requests are counted.
		 */
		private Duration refusedWindow = Duration.ofSeconds(10);

		private final PerUser perUser = new PerUser();

		public PerUser getPerUser() {
			return this.perUser;
		}

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public double getRequestsPerSecond() {
			return this.requestsPerSecond;
		}

		public void setRequestsPerSecond(double requestsPerSecond) {
			this.requestsPerSecond = requestsPerSecond;
		}

		public int getBurst() {
			return this.burst;
		}

		public void setBurst(int burst) {
			this.burst = burst;
		}

		public int getMaxRefused() {
			return this.maxRefused;
		}

		public void setMaxRefused(int maxRefused) {
			this.maxRefused = maxRefused;
		}

		public Duration getRefusedWindow() {
			return this.refusedWindow;
		}

		public void setRefusedWindow(Duration refusedWindow) {
			this.refusedWindow = refusedWindow;
		}

	}

	/**
	 * How many requests the connections of one user (the handshake's principal) may send
	 * together, beside each connection's own limit; over it a request is answered 429.
	 * Refusals are counted as for one connection (max-refused within refused-window).
	 */
	public static class PerUser {

		/**
		 * Requests per second the connections of one user may send together, sustained.
		 */
		private double requestsPerSecond = 300;

		/**
		 * Requests the connections of one user may send together at once after a quiet
		 * time.
		 */
		private int burst = 3000;

		public double getRequestsPerSecond() {
			return this.requestsPerSecond;
		}

		public void setRequestsPerSecond(double requestsPerSecond) {
			this.requestsPerSecond = requestsPerSecond;
		}

		public int getBurst() {
			return this.burst;
		}

		public void setBurst(int burst) {
			this.burst = burst;
		}

	}

	/**
	 * How many WebSocket connections one node keeps open at once; a handshake over a
	 * limit is refused (429 per client uid or user, 503 in total).
	 */
	public static class Connections {

		/**
		 * Most connections open at once on this node. Keep it below the container's own
		 * cap (server.tomcat.max-connections, 8192 by default) so that a handshake over it
		 * is refused with 503 while other requests are still taken.
		 */
		private int maxTotal = ConnectionLimits.DEFAULT_MAX_TOTAL;

		/**
		 * Most connections open at once with one client uid.
		 */
		private int maxPerClient = ConnectionLimits.DEFAULT_MAX_PER_CLIENT;

		/**
		 * Most connections open at once of one user (the handshake's principal), over all
		 * its client uids.
		 */
		private int maxPerUser = ConnectionLimits.DEFAULT_MAX_PER_USER;

		/**
		 * Time Tomcat waits for the next bytes of a request's line and headers (a
		 * WebSocket handshake's included) and keeps an idle keep-alive connection, against
		 * clients that open connections and send slowly or nothing. Sets the connector's
		 * connection timeout unless server.tomcat.connection-timeout is set.
		 */
		private Duration handshakeTimeout = Duration.ofSeconds(10);

		public int getMaxPerUser() {
			return this.maxPerUser;
		}

		public void setMaxPerUser(int maxPerUser) {
			this.maxPerUser = maxPerUser;
		}

		public Duration getHandshakeTimeout() {
			return this.handshakeTimeout;
		}

		public void setHandshakeTimeout(Duration handshakeTimeout) {
			this.handshakeTimeout = handshakeTimeout;
		}

		public int getMaxTotal() {
			return this.maxTotal;
		}

		public void setMaxTotal(int maxTotal) {
			this.maxTotal = maxTotal;
		}

		public int getMaxPerClient() {
			return this.maxPerClient;
		}

		public void setMaxPerClient(int maxPerClient) {
			this.maxPerClient = maxPerClient;
		}

	}

	/**
	 * What is kept per client uid and per user: a new uid is bound to its user when its
	 * WebSocket opens, and forgotten with its mark and refusals once unused for a while.
	 */
	public static class Clients {

		/**
		 * Most client uids bound to one user at once; a handshake that would bind one more
		 * is refused with 429 until unused ones expire. With at most 1,000 refusals kept
		 * per uid, this bounds what is kept per user.
		 */
		private int maxPerUser = ClientUidLimits.DEFAULT_MAX_PER_USER;

		/**
		 * Most client uids one user may bind within an hour; a handshake that would bind
		 * one more is refused with 429.
		 */
		private int maxNewPerHour = ClientUidLimits.DEFAULT_MAX_NEW_PER_HOUR;

		/**
		 * Time a client uid may go without connecting before it is forgotten with its
		 * mark, refusals and binding; a client back after longer is a new client.
		 */
		private Duration expireAfter = Duration.ofDays(30);

		/**
		 * Time between two cleanups of the uids to forget, on each node (with a shared
		 * store, one node at a time); each also marks the uids of this node's open
		 * connections as seen.
		 */
		private Duration cleanupInterval = Duration.ofHours(1);

		public int getMaxPerUser() {
			return this.maxPerUser;
		}

		public void setMaxPerUser(int maxPerUser) {
			this.maxPerUser = maxPerUser;
		}

		public int getMaxNewPerHour() {
			return this.maxNewPerHour;
		}

		public void setMaxNewPerHour(int maxNewPerHour) {
			this.maxNewPerHour = maxNewPerHour;
		}

		public Duration getExpireAfter() {
			return this.expireAfter;
		}

		public void setExpireAfter(Duration expireAfter) {
			this.expireAfter = expireAfter;
		}

		public Duration getCleanupInterval() {
			return this.cleanupInterval;
		}

		public void setCleanupInterval(Duration cleanupInterval) {
			this.cleanupInterval = cleanupInterval;
		}

	}

	/**
	 * Per-connection limits.
	 */
	public static class SessionSettings {

		/**
		 * Most messages waiting to be written to one connection before it is closed with
		 * 1013 (the client reconnects and catches up).
		 */
		private int maxPending = 10000;

		/**
		 * Most live pushes sent to one client before it has answered them; the rest wait
		 * in the scribe log, so a burst of any size costs no memory per connection.
		 */
		private int window = EngineSettings.DEFAULT_WINDOW;

		/**
		 * Silence from a client after which the server pings it ({@code noop}); a ping or
		 * a push unanswered within {@code syncro.request-timeout} closes the connection
		 * with 1013.
		 */
		private Duration heartbeat = EngineSettings.DEFAULT_HEARTBEAT;

		public int getMaxPending() {
			return this.maxPending;
		}

		public void setMaxPending(int maxPending) {
			this.maxPending = maxPending;
		}

		public int getWindow() {
			return this.window;
		}

		public void setWindow(int window) {
			this.window = window;
		}

		public Duration getHeartbeat() {
			return this.heartbeat;
		}

		public void setHeartbeat(Duration heartbeat) {
			this.heartbeat = heartbeat;
		}

	}

	/**
	 * The JDBC scribe log and client store.
	 */
	public static class Jdbc {

		/**
		 * When to create the tables at start-up (those absent): in an embedded database
		 * only, always, or never (the application's migrations create them).
		 */
		private DatabaseInitializationMode initializeSchema = DatabaseInitializationMode.EMBEDDED;

		/**
		 * Prefix of the table names.
		 */
		private String tablePrefix = "syncro_";

		/**
		 * How often to look for scribes appended by other nodes sharing the database; 0
		 * disables it (one node).
		 */
		private Duration pollInterval = Duration.ofMillis(500);

		public DatabaseInitializationMode getInitializeSchema() {
			return this.initializeSchema;
		}

		public void setInitializeSchema(DatabaseInitializationMode initializeSchema) {
			this.initializeSchema = initializeSchema;
		}

		public String getTablePrefix() {
			return this.tablePrefix;
		}

		public void setTablePrefix(String tablePrefix) {
			this.tablePrefix = tablePrefix;
		}

		public Duration getPollInterval() {
			return this.pollInterval;
		}

		public void setPollInterval(Duration pollInterval) {
			this.pollInterval = pollInterval;
		}

	}

	/**
	 * The Redis scribe log and client store.
	 */
	public static class Redis {

		/**
		 * Prefix of every Redis key and channel Syncro uses.
		 */
		private String namespace = "syncro";

		public String getNamespace() {
			return this.namespace;
		}

		public void setNamespace(String namespace) {
			this.namespace = namespace;
		}

	}

	/**
	 * The outbox in the application's database where recorded scribes wait to be relayed
	 * to the scribe log.
	 */
	public static class Outbox {

		/**
		 * Time between two relays of what waits in the outbox, such as the scribes of a
		 * process that stopped, or of a time the scribe log could not be reached.
		 */
		private Duration relayInterval = Duration.ofMillis(500);

		/**
		 * Most transactions relayed in one append to the scribe log.
		 */
		private int batchSize = 500;

		public Duration getRelayInterval() {
			return this.relayInterval;
		}

		public void setRelayInterval(Duration relayInterval) {
			this.relayInterval = relayInterval;
		}

		public int getBatchSize() {
			return this.batchSize;
		}

		public void setBatchSize(int batchSize) {
			this.batchSize = batchSize;
		}

	}

	/**
	 * The scribe log.
	 */
	public static class Log {

		private final LogCompaction compaction = new LogCompaction();

		public LogCompaction getCompaction() {
			return this.compaction;
		}

	}

	/**
	 * Compaction of the scribe log (docs/PROTOCOL.md section 8.8): each record's scribes
	 * older than the newest {@code keep-recent} fold into one create, and destroys stay as
	 * tombstones for {@code tombstone-retention}. Clients whose position is older than a
	 * tombstone removed then sync again from nothing.
	 */
	public static class LogCompaction {

		/**
		 * Whether the log is compacted. Off, nothing changes.
		 */
		private boolean enabled;

		/**
		 * How many of the newest scribes stay as they are.
		 */
		private long keepRecent = 10_000;

		/**
		 * How long a destroy stays as a tombstone once compaction kept it.
		 */
		private Duration tombstoneRetention = Duration.ofDays(7);

		/**
		 * Time between two compactions; nodes sharing a log take turns.
		 */
		private Duration interval = Duration.ofMinutes(1);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public long getKeepRecent() {
			return this.keepRecent;
		}

		public void setKeepRecent(long keepRecent) {
			this.keepRecent = keepRecent;
		}

		public Duration getTombstoneRetention() {
			return this.tombstoneRetention;
		}

		public void setTombstoneRetention(Duration tombstoneRetention) {
			this.tombstoneRetention = tombstoneRetention;
		}

		public Duration getInterval() {
			return this.interval;
		}

		public void setInterval(Duration interval) {
			this.interval = interval;
		}
	}

}
