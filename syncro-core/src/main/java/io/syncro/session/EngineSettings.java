package io.syncro.session;

import java.time.Duration;

import io.syncro.protocol.InputLimits;

/**
 * How an engine behaves; immutable, with defaults from PROTOCOL.md.
 *
 * @param uid this side's own client uid ({@code server} on a server)
 * @param role whether this side serves clients or is a client of a server
 * @param batchSize the most scribes in one {@code sync} answer
 * @param maxPending the most messages waiting to be written to one connection before it
 * is closed with 1013
 * @param requestTimeout how long a request this side sent waits for its reply
 * @param maxMessageBytes the largest message accepted
 * @param transactions runs each play with the mark that settles it
 * @param inputLimits what a peer's scribes and rpcs may hold; {@link InputLimits#none()}
 * on a client
 * @param rateLimit how many requests one peer may send; {@link RateLimit#NONE} on a
 * client, which must take whatever its server sends
 * @param window the most live pushes a server sends one client before the client has
 * answered them
 * @param heartbeat how long a server lets a client be silent before it pings it
 * @param userRateLimit how many requests the connections of one user may send together,
 * beside each connection's own {@code rateLimit}; {@link RateLimit#NONE} for no such limit
 * (a client's, and connections opened without a user)
 * @since 0.1.0
 */
public record EngineSettings(String uid, Role role, int batchSize, int maxPending, Duration requestTimeout,
		int maxMessageBytes, TransactionRunner transactions, InputLimits inputLimits, RateLimit rateLimit, int window,
		Duration heartbeat, RateLimit userRateLimit) {

	/** The default {@code syncro.session.window}. */
	public static final int DEFAULT_WINDOW = 64;

	/** The default {@code syncro.session.heartbeat}. */
	public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(30);

	/** The default {@code syncro.max-message-bytes} on WebSocket. */
	public static final int DEFAULT_MAX_MESSAGE_BYTES = 524288;

	public EngineSettings {
		if (uid == null || !Session.isValidUid(uid)) {
			throw new IllegalArgumentException("uid must be 1 to 64 characters of [A-Za-z0-9_.:-]");
		}
		if (batchSize < 1 || maxPending < 1 || maxMessageBytes < 64) {
			throw new IllegalArgumentException("batchSize and maxPending must be positive, maxMessageBytes at least 64");
		}
		if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
			throw new IllegalArgumentException("requestTimeout must be positive");
		}
		if (role == null || transactions == null || inputLimits == null || rateLimit == null || userRateLimit == null) {
			throw new IllegalArgumentException(
					"role, transactions, inputLimits, rateLimit and userRateLimit must not be null");
		}
		if (window < 1 || heartbeat == null || heartbeat.isNegative() || heartbeat.isZero()) {
			throw new IllegalArgumentException("window and heartbeat must be positive");
		}
	}

	/**
	 * Settings without a limit per user.
	 * @param uid this side's own client uid
	 * @param role which side of a connection this is
	 * @param batchSize the most scribes in one {@code sync} answer
	 * @param maxPending the most messages waiting to be written to one connection
	 * @param requestTimeout how long a request this side sent waits for its reply
	 * @param maxMessageBytes the largest message accepted
	 * @param transactions runs each play with the mark that settles it
	 * @param inputLimits what a peer's scribes and rpcs may hold
	 * @param rateLimit how many requests one peer may send
	 * @param window the most live pushes sent before the client answered them
	 * @param heartbeat how long a client may be silent before it is pinged
	 */
	public EngineSettings(String uid, Role role, int batchSize, int maxPending, Duration requestTimeout,
			int maxMessageBytes, TransactionRunner transactions, InputLimits inputLimits, RateLimit rateLimit, int window,
			Duration heartbeat) {
		this(uid, role, batchSize, maxPending, requestTimeout, maxMessageBytes, transactions, inputLimits, rateLimit,
				window, heartbeat, RateLimit.NONE);
	}

	/**
	 * Settings with the default window and heartbeat.
	 * @param uid this side's own client uid
	 * @param role which side of a connection this is
	 * @param batchSize the most scribes in one {@code sync} answer
	 * @param maxPending the most messages waiting to be written to one connection
	 * @param requestTimeout how long a request this side sent waits for its reply
	 * @param maxMessageBytes the largest message accepted
	 * @param transactions runs each play with the mark that settles it
	 * @param inputLimits what a peer's scribes and rpcs may hold
	 * @param rateLimit how many requests one peer may send
	 */
	public EngineSettings(String uid, Role role, int batchSize, int maxPending, Duration requestTimeout,
			int maxMessageBytes, TransactionRunner transactions, InputLimits inputLimits, RateLimit rateLimit) {
		this(uid, role, batchSize, maxPending, requestTimeout, maxMessageBytes, transactions, inputLimits, rateLimit,
				DEFAULT_WINDOW, DEFAULT_HEARTBEAT);
	}

	/**
	 * Settings with the default input limits on a server (none on a client, which takes
	 * what its server sends) and no rate limit (the Spring Boot starter sets one,
	 * {@code syncro.rate-limit.*}).
	 * @param uid this side's own client uid
	 * @param role which side of a connection this is
	 * @param batchSize the most scribes in one {@code sync} answer
	 * @param maxPending the most messages waiting to be written to one connection
	 * @param requestTimeout how long a request this side sent waits for its reply
	 * @param maxMessageBytes the largest message accepted
	 * @param transactions runs each play with the mark that settles it
	 */
	public EngineSettings(String uid, Role role, int batchSize, int maxPending, Duration requestTimeout,
			int maxMessageBytes, TransactionRunner transactions) {
		this(uid, role, batchSize, maxPending, requestTimeout, maxMessageBytes, transactions,
				(role == Role.SERVER) ? InputLimits.defaults() : InputLimits.none(), RateLimit.NONE);
	}

	/**
	 * The defaults of a server: uid {@code server}, batches of 500, 10,000 pending
	 * messages, 30 s timeout, 512 KiB messages, the default input limits and no rate limit.
	 * @return the settings
	 */
	public static EngineSettings server() {
		return new EngineSettings("server", Role.SERVER, 500, 10000, Duration.ofSeconds(30), DEFAULT_MAX_MESSAGE_BYTES,
				TransactionRunner.NONE);
	}

	/**
	 * The defaults of a client with the given uid.
	 * @param uid the client's uid
	 * @return the settings
	 */
	public static EngineSettings client(String uid) {
		return new EngineSettings(uid, Role.CLIENT, 500, 10000, Duration.ofSeconds(30), DEFAULT_MAX_MESSAGE_BYTES,
				TransactionRunner.NONE);
	}

	public EngineSettings withUid(String newUid) {
		return new EngineSettings(newUid, this.role, this.batchSize, this.maxPending, this.requestTimeout,
				this.maxMessageBytes, this.transactions, this.inputLimits, this.rateLimit, this.window, this.heartbeat,
				this.userRateLimit);
	}

	public EngineSettings withBatchSize(int size) {
		return new EngineSettings(this.uid, this.role, size, this.maxPending, this.requestTimeout, this.maxMessageBytes,
				this.transactions, this.inputLimits, this.rateLimit, this.window, this.heartbeat, this.userRateLimit);
	}

	public EngineSettings withMaxPending(int pending) {
		return new EngineSettings(this.uid, this.role, this.batchSize, pending, this.requestTimeout,
				this.maxMessageBytes, this.transactions, this.inputLimits, this.rateLimit, this.window, this.heartbeat,
				this.userRateLimit);
	}

	public EngineSettings withRequestTimeout(Duration timeout) {
		return new EngineSettings(this.uid, this.role, this.batchSize, this.maxPending, timeout, this.maxMessageBytes,
				this.transactions, this.inputLimits, this.rateLimit, this.window, this.heartbeat, this.userRateLimit);
	}

	public EngineSettings withMaxMessageBytes(int bytes) {
		return new EngineSettings(this.uid, this.role, this.batchSize, this.maxPending, this.requestTimeout, bytes,
				this.transactions, this.inputLimits, this.rateLimit, this.window, this.heartbeat, this.userRateLimit);
	}

	public EngineSettings withTransactions(TransactionRunner runner) {
		return new EngineSettings(this.uid, this.role, this.batchSize, this.maxPending, this.requestTimeout,
				this.maxMessageBytes, runner, this.inputLimits, this.rateLimit, this.window, this.heartbeat,
				this.userRateLimit);
	}

	public EngineSettings withInputLimits(InputLimits limits) {
		return new EngineSettings(this.uid, this.role, this.batchSize, this.maxPending, this.requestTimeout,
				this.maxMessageBytes, this.transactions, limits, this.rateLimit, this.window, this.heartbeat,
				this.userRateLimit);
	}

	public EngineSettings withRateLimit(RateLimit limit) {
		return new EngineSettings(this.uid, this.role, this.batchSize, this.maxPending, this.requestTimeout,
				this.maxMessageBytes, this.transactions, this.inputLimits, limit, this.window, this.heartbeat,
				this.userRateLimit);
	}

	public EngineSettings withWindow(int pushes) {
		return new EngineSettings(this.uid, this.role, this.batchSize, this.maxPending, this.requestTimeout,
				this.maxMessageBytes, this.transactions, this.inputLimits, this.rateLimit, pushes, this.heartbeat,
				this.userRateLimit);
	}

	public EngineSettings withHeartbeat(Duration silence) {
		return new EngineSettings(this.uid, this.role, this.batchSize, this.maxPending, this.requestTimeout,
				this.maxMessageBytes, this.transactions, this.inputLimits, this.rateLimit, this.window, silence,
				this.userRateLimit);
	}

	public EngineSettings withUserRateLimit(RateLimit limit) {
		return new EngineSettings(this.uid, this.role, this.batchSize, this.maxPending, this.requestTimeout,
				this.maxMessageBytes, this.transactions, this.inputLimits, this.rateLimit, this.window, this.heartbeat,
				limit);
	}

	/**
	 * Which side of a connection an engine is.
	 */
	public enum Role {

		/**
		 * Serves clients: their scribe ids must be consecutive (a gap is 409), and it pulls
		 * again after each batch that moved the client's mark.
		 */
		SERVER,

		/**
		 * A client of one server: the server's scribe ids have gaps (only those meant for
		 * this client arrive), and the outcome of each scribe it pushes is followed, to
		 * resend after a gap or a transient failure.
		 */
		CLIENT

	}

}
