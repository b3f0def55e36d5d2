package io.syncro.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.syncro.session.Session;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.convert.DataSizeUnit;
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

	private final SessionSettings session = new SessionSettings();

	private final Jdbc jdbc = new Jdbc();

	private final Redis redis = new Redis();

	private final Outbox outbox = new Outbox();

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

	/**
	 * Fails start-up, naming the property, when a value cannot work.
	 */
	void validate() {
		if (!this.path.startsWith("/")) {
			throw new InvalidConfigurationPropertyValueException("syncro.path", this.path, "It must start with '/'.");
		}
		if (!Session.isValidUid(this.serverId)) {
			throw new InvalidConfigurationPropertyValueException("syncro.server-id", this.serverId,
					"It must be 1 to 64 characters of [A-Za-z0-9_.:-].");
		}
		long bytes = this.maxMessageBytes.toBytes();
		if (bytes < 1024 || bytes > Integer.MAX_VALUE) {
			throw new InvalidConfigurationPropertyValueException("syncro.max-message-bytes", this.maxMessageBytes,
					"It must be from 1KB to 2GB.");
		}
		if (this.requestTimeout.isNegative() || this.requestTimeout.isZero()) {
			throw new InvalidConfigurationPropertyValueException("syncro.request-timeout", this.requestTimeout,
					"It must be positive.");
		}
		if (this.sync.batchSize < 1 || this.sync.batchSize > 10000) {
			throw new InvalidConfigurationPropertyValueException("syncro.sync.batch-size", this.sync.batchSize,
					"It must be from 1 to 10000.");
		}
		if (this.session.maxPending < 1) {
			throw new InvalidConfigurationPropertyValueException("syncro.session.max-pending", this.session.maxPending,
					"It must be positive.");
		}
		if (!this.jdbc.tablePrefix.matches("[A-Za-z_][A-Za-z0-9_]{0,30}")) {
			throw new InvalidConfigurationPropertyValueException("syncro.jdbc.table-prefix", this.jdbc.tablePrefix,
					"It must be a plain SQL identifier prefix of letters, digits and underscores.");
		}
		if (!this.redis.namespace.matches("[^\\s]{1,64}")) {
			throw new InvalidConfigurationPropertyValueException("syncro.redis.namespace", this.redis.namespace,
					"It must be 1 to 64 characters without white space.");
		}
		if (this.outbox.relayInterval.isNegative() || this.outbox.relayInterval.isZero()) {
			throw new InvalidConfigurationPropertyValueException("syncro.outbox.relay-interval",
					this.outbox.relayInterval, "It must be positive.");
		}
		if (this.outbox.batchSize < 1 || this.outbox.batchSize > 10000) {
			throw new InvalidConfigurationPropertyValueException("syncro.outbox.batch-size", this.outbox.batchSize,
					"It must be from 1 to 10000.");
		}
		if (this.jdbc.pollInterval.isNegative()) {
			throw new InvalidConfigurationPropertyValueException("syncro.jdbc.poll-interval", this.jdbc.pollInterval,
					"It must not be negative.");
		}
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

		public int getBatchSize() {
			return this.batchSize;
		}

		public void setBatchSize(int batchSize) {
			this.batchSize = batchSize;
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

		public int getMaxPending() {
			return this.maxPending;
		}

		public void setMaxPending(int maxPending) {
			this.maxPending = maxPending;
		}

	}

	/**
	 * The JDBC scribe log and client store.
	 */
	public static class Jdbc {

		/**
		 * Whether to create the tables at start-up when they are absent.
		 */
		private boolean initializeSchema = true;

		/**
		 * Prefix of the table names.
		 */
		private String tablePrefix = "syncro_";

		/**
		 * How often to look for scribes appended by other nodes sharing the database; 0
		 * disables it (one node).
		 */
		private Duration pollInterval = Duration.ofMillis(500);

		public boolean isInitializeSchema() {
			return this.initializeSchema;
		}

		public void setInitializeSchema(boolean initializeSchema) {
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

}
