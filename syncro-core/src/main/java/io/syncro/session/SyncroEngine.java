package io.syncro.session;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

import io.syncro.play.PlayScope;
import io.syncro.play.SyncClasses;
import io.syncro.protocol.ErrorCodes;
import io.syncro.protocol.MessageCodec;
import io.syncro.protocol.ProtocolVersion;
import io.syncro.protocol.SyncroException;
import io.syncro.rpc.RpcRegistry;
import io.syncro.scope.Scopes;
import io.syncro.scribe.Cause;
import io.syncro.scribe.Identity;
import io.syncro.scribe.Reader;
import io.syncro.scribe.Scribe;
import io.syncro.store.ClientStore;
import io.syncro.store.Refusal;
import io.syncro.store.ScribeLog;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * The sync engine of one side (the original's {@code App}): it owns the scribe log, the
 * per-peer state and the synchronised classes, opens a {@link Session} per connection and
 * wakes the live sessions when scribes are appended. The same engine serves clients
 * ({@link EngineSettings.Role#SERVER}) or is a client of a server
 * ({@link EngineSettings.Role#CLIENT}).
 *
 * @since 0.1.0
 */
public final class SyncroEngine implements AutoCloseable, Session.Host {

	private static final Logger logger = LoggerFactory.getLogger(SyncroEngine.class);

	private static final int PEER_LOCKS = 64;

	private static final int DELIVERY_THREADS = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

	private static final int READ_AHEAD_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());

	/** The most reads ahead that wait for a thread; past them, clients' next pages are read when asked for. */
	private static final int READ_AHEADS_WAITING = 256;

	private static final int WRITER_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());

	// a power of two: how many recently pushed scribes keep their JSON text
	private static final int SERIALISED_SLOTS = 4096;

	private final EngineSettings settings;

	private final ScribeLog log;

	private final ClientStore clients;

	private final SyncClasses classes;

	private final RpcRegistry rpc;

	private final Scopes scopes;

	private final ExecutorService executor;

	// reads the log for live sessions: a few threads, so that a session woken by many
	// appends while it waits for one reads them all at once, rather than a thread per
	// session each reading the log after every append
	private final Writers deliveries;

	private final ThreadPoolExecutor readAheads;

	private final Writers writers;

	private final Set<Session> sessions = ConcurrentHashMap.newKeySet();

	// the rate limit each user's connections share, by user; kept after a user's last
	// connection closes until it is as full as a new one, so that reconnecting gains nothing
	private final Map<String, UserLimit> userLimits = new ConcurrentHashMap<>();

	private final Object[] peerLocks = new Object[PEER_LOCKS];

	private final EngineObserver observer;

	// null when nothing observes the engine, so that it does no observing work
	private final @Nullable AppendClock appendClock;

	private final AutoCloseable subscription;

	// where plays of v2 clients land, learnt from the appended scribes' causes
	private final Landings landings;

	private volatile boolean watchHorizon;

	/** The log's records for digests, read from the log on the first digest asked for. */
	private final DigestIndex digests;

	// checks every second that clients answer pushes and pings
	private final ScheduledExecutorService liveness;

	// the JSON text of recently pushed scribes, by id modulo the size, so that a scribe
	// pushed to many sessions is serialised once rather than once per recipient
	private final AtomicReferenceArray<Serialised> serialised = new AtomicReferenceArray<>(SERIALISED_SLOTS);

	/**
	 * Creates an engine.
	 * @param settings how it behaves
	 * @param log its scribe log
	 * @param clients its per-peer state
	 * @param classes the synchronised classes peers may write to
	 * @param rpc the methods peers may call
	 */
	public SyncroEngine(EngineSettings settings, ScribeLog log, ClientStore clients, SyncClasses classes,
			RpcRegistry rpc) {
		this(settings, log, clients, classes, rpc, EngineObserver.NONE);
	}

	/**
	 * Creates an engine that tells an observer what it does, for metrics.
	 * @param settings how it behaves
	 * @param log its scribe log
	 * @param clients its per-peer state
	 * @param classes the synchronised classes peers may write to
	 * @param rpc the methods peers may call
	 * @param observer told what the engine does; {@link EngineObserver#NONE} for nothing
	 */
	public SyncroEngine(EngineSettings settings, ScribeLog log, ClientStore clients, SyncClasses classes,
			RpcRegistry rpc, EngineObserver observer) {
		this(settings, log, clients, classes, rpc, observer, Scopes.NONE);
	}

	/**
	 * Creates an engine whose v2 clients may subscribe to scopes.
	 * @param settings how it behaves
	 * @param log its scribe log
	 * @param clients its per-peer state
	 * @param classes the synchronised classes peers may write to
	 * @param rpc the methods peers may call
	 * @param observer told what the engine does; {@link EngineObserver#NONE} for nothing
	 * @param scopes the scopes clients may subscribe to; {@link Scopes#NONE} for none
	 * @since 0.2.0
	 */
	public SyncroEngine(EngineSettings settings, ScribeLog log, ClientStore clients, SyncClasses classes,
			RpcRegistry rpc, EngineObserver observer, Scopes scopes) {
		if (observer == null) {
			throw new IllegalArgumentException("observer must not be null; use EngineObserver.NONE");
		}
		this.settings = settings;
		this.log = log;
		this.digests = new DigestIndex(log);
		this.clients = clients;
		this.classes = classes;
		this.rpc = rpc;
		this.scopes = scopes;
		this.observer = observer;
		this.appendClock = (observer != EngineObserver.NONE) ? new AppendClock() : null;
		this.executor = Executors.newCachedThreadPool(daemonThreads("syncro-" + settings.uid() + "-"));
		// pushes are written by the thread that sends them (Channel.writingHere), so a slow client
		// can hold a delivery thread: the pool grows past a write stuck on one
		this.deliveries = new Writers(DELIVERY_THREADS, daemonThreads("syncro-" + settings.uid() + "-deliver-"));
		this.readAheads = new ThreadPoolExecutor(READ_AHEAD_THREADS, READ_AHEAD_THREADS, 30, TimeUnit.SECONDS,
				new ArrayBlockingQueue<>(READ_AHEADS_WAITING), daemonThreads("syncro-" + settings.uid() + "-read-ahead-"));
		this.readAheads.allowCoreThreadTimeOut(true);
		for (int i = 0; i < PEER_LOCKS; i++) {
			this.peerLocks[i] = new Object();
		}
		this.landings = new Landings(log);
		this.liveness = Executors.newSingleThreadScheduledExecutor(daemonThreads("syncro-" + settings.uid() + "-liveness-"));
		this.liveness.scheduleWithFixedDelay(this::checkLiveness, 1, 1, TimeUnit.SECONDS);
		this.writers = new Writers(WRITER_THREADS, daemonThreads("syncro-" + settings.uid() + "-write-"));
		this.liveness.scheduleWithFixedDelay(() -> {
			this.writers.watch();
			this.deliveries.watch();
		}, 50, 50, TimeUnit.MILLISECONDS);
		this.subscription = log.addListener(this::appended);
	}

	private void checkLiveness() {
		long now = System.nanoTime();
		for (Session session : this.sessions) {
			try {
				session.checkLiveness(now);
			}
			catch (RuntimeException ex) {
				logger.warn("Checking the connection to {} failed", session.peer(), ex);
			}
		}
		this.userLimits.forEach((user, limit) -> this.userLimits.computeIfPresent(user,
				(key, current) -> (current.sessions == 0 && current.limiter.isIdle(now)) ? null : current));
	}

	private void appended(long lastId) {
		// landings first: a session woken below then sends a play's answer right behind
		// the push that reaches its landing
		this.landings.appended(lastId);
		// noted before the sessions wake, so that their pushes find when it was reported
		AppendClock clock = this.appendClock;
		if (clock != null) {
			long count = clock.appended(lastId, System.nanoTime());
			if (count > 0) {
				try {
					this.observer.scribesAppended(count);
				}
				catch (RuntimeException ex) {
					observerFailed(ex);
				}
			}
		}
		this.sessions.forEach(Session::wake);
	}

	/**
	 * Checks a peer's uid before a connection is accepted (PROTOCOL.md section 5).
	 * @param peer the uid the peer claims
	 * @throws SyncroException with code 400 for a missing or bad uid, 403 for this side's
	 * own uid
	 */
	public void checkPeer(@Nullable String peer) {
		if (peer == null || !Session.isValidUid(peer)) {
			throw SyncroException.badRequest("A client uid is 1 to 64 characters of [A-Za-z0-9_.:-].");
		}
		if (peer.equals(this.settings.uid())) {
			throw SyncroException.forbidden("A peer cannot connect as this side's own uid.");
		}
	}

	/**
	 * Opens a session on a new connection and starts its life: this side pulls the peer's
	 * scribes at once.
	 * @param peer the peer's uid, checked with {@link #checkPeer}
	 * @param connection where the session sends
	 * @return the session, to be fed what the connection receives
	 */
	public Session open(String peer, Connection connection) {
		return open(peer, connection, new SessionListener() {
		});
	}

	/**
	 * Opens a session on a new connection, telling a listener what happens on it.
	 * @param peer the peer's uid, checked with {@link #checkPeer}
	 * @param connection where the session sends
	 * @param listener told of the session's events
	 * @return the session, to be fed what the connection receives
	 */
	public Session open(String peer, Connection connection, SessionListener listener) {
		return open(peer, connection, (this.settings.role() == EngineSettings.Role.SERVER) ? ProtocolVersion.V1
				: ProtocolVersion.LATEST, listener);
	}

	/**
	 * Opens a session on a new connection that speaks a given protocol version, telling a
	 * listener what happens on it. On a server, the version is the one negotiated at the
	 * handshake ({@link ProtocolVersion#negotiate}); on a client, the one it asked for,
	 * which the server's {@code hello} confirms.
	 * @param peer the peer's uid, checked with {@link #checkPeer}
	 * @param connection where the session sends
	 * @param version the protocol version
	 * @param listener told of the session's events
	 * @return the session, to be fed what the connection receives
	 */
	public Session open(String peer, Connection connection, int version, SessionListener listener) {
		return open(peer, connection, version, null, listener);
	}

	/**
	 * Opens a session on a new connection of a known user. Beside the connection's own rate
	 * limit ({@link EngineSettings#rateLimit()}), every request of the connections of one
	 * user takes from one limit they share ({@link EngineSettings#userRateLimit()}), so
	 * that opening more connections gains a user nothing.
	 * @param peer the peer's uid, checked with {@link #checkPeer}
	 * @param connection where the session sends
	 * @param version the protocol version
	 * @param user the user the transport authenticated, or {@code null} for none (then
	 * only the connection's own limit applies)
	 * @param listener told of the session's events
	 * @return the session, to be fed what the connection receives
	 */
	public Session open(String peer, Connection connection, int version, @Nullable String user,
			SessionListener listener) {
		return open(Identity.of(peer, user, Set.of()), connection, version, listener);
	}

	/**
	 * Opens a session on a new connection of a known client: its uid, user and the user's
	 * authorities, which policies and recipients see. Its user's connections share a rate
	 * limit, as with {@link #open(String, Connection, int, String, SessionListener)}.
	 * @param identity who the peer is; its uid is checked with {@link #checkPeer}
	 * @param connection where the session sends
	 * @param version the protocol version
	 * @param listener told of the session's events
	 * @return the session, to be fed what the connection receives
	 */
	public Session open(Identity identity, Connection connection, int version, SessionListener listener) {
		String peer = identity.client();
		checkPeer(peer);
		int spoken = (this.settings.role() == EngineSettings.Role.SERVER) ? version : ProtocolVersion.V1;
		Session session = new Session(this, identity, connection, spoken, userLimiter(identity.user()), listener);
		this.sessions.add(session);
		if (this.appendClock != null) {
			try {
				this.observer.sessionOpened(session);
			}
			catch (RuntimeException ex) {
				observerFailed(ex);
			}
		}
		session.start();
		return session;
	}

	/**
	 * The open sessions.
	 * @return a snapshot of them
	 */
	public Collection<Session> sessions() {
		return List.copyOf(this.sessions);
	}

	@Override
	public EngineSettings settings() {
		return this.settings;
	}

	public ScribeLog log() {
		return this.log;
	}

	public ClientStore clients() {
		return this.clients;
	}

	// Session.Host

	@Override
	public Executor executor() {
		return this.executor;
	}

	@Override
	public Executor writers() {
		return this.writers;
	}

	@Override
	public JsonNode call(Identity peer, String klass, String method, ArrayNode args) {
		return this.rpc.call(peer, klass, method, args);
	}

	@Override
	public long mark(String peer) {
		return this.clients.mark(peer);
	}

	@Override
	public void markSynced(String peer) {
		this.clients.markSynced(peer);
	}

	@Override
	public long lastId(Reader reader) {
		return this.log.lastId(reader);
	}

	/**
	 * Asks the log only for a position above what was announced, as announcements of
	 * other nodes' appends come a little late.
	 */
	@Override
	public boolean holds(long position) {
		return position <= this.landings.head() || position <= this.log.head();
	}

	@Override
	public String epoch() {
		return this.log.epoch();
	}

	@Override
	public long horizon() {
		return this.log.horizon();
	}

	/**
	 * Makes live pushes watch the log's horizon, as they must once the log is compacted on
	 * any node (docs/PROTOCOL.md section 8.8): a connection whose next scribes may include a
	 * tombstone compaction removed is closed, and its client refused with 410 on the next.
	 * Costs a read of the horizon per read of the log for pushes.
	 * @since 0.2.0
	 */
	public void watchHorizon() {
		this.watchHorizon = true;
	}

	@Override
	public ScribeLog ownLog() {
		return this.log;
	}

	@Override
	public Scopes scopes() {
		return this.scopes;
	}

	@Override
	public Delivery.Feed feed(Session session) {
		return new Delivery.Feed() {

			@Override
			public List<Scribe> read(Reader reader, long after, int limit) {
				return SyncroEngine.this.log.read(reader, after, limit);
			}

			@Override
			public List<Scribe> readComplete(Reader reader, long after, int limit) {
				return SyncroEngine.this.log.readComplete(reader, after, limit);
			}

			@Override
			public long head() {
				return SyncroEngine.this.landings.head();
			}

			@Override
			public Executor readAheads() {
				return SyncroEngine.this.readAheads;
			}

			@Override
			public String json(Scribe scribe) {
				return SyncroEngine.this.json(scribe);
			}

			@Override
			public void deliver(Runnable work) {
				try {
					SyncroEngine.this.deliveries.execute(() -> {
						try {
							work.run();
						}
						catch (RuntimeException ex) {
							logger.warn("Pushing to {} failed; it catches up on its next sync", session.peer(), ex);
							session.close(1011, "Internal error");
						}
					});
				}
				catch (java.util.concurrent.RejectedExecutionException ex) {
					session.close(1001, "Server going away");
				}
			}

			@Override
			public DigestIndex digests() {
				return SyncroEngine.this.digests;
			}

			@Override
			public long horizon() {
				return SyncroEngine.this.watchHorizon ? SyncroEngine.this.log.horizon() : -1;
			}

			@Override
			public long landingTimeoutMillis() {
				return SyncroEngine.this.settings.requestTimeout().toMillis();
			}

			@Override
			public void syncAnswered(int scribes) {
				SyncroEngine.this.syncAnswered(session, scribes);
			}

			@Override
			public void pushed(long scribeId) {
				SyncroEngine.this.pushed(session, scribeId);
			}

		};
	}

	/**
	 * The JSON text of a scribe, serialised once for every session that pushes it: the
	 * sessions read the same scribe from the log each for itself, so the text is kept by
	 * id and reused while the scribe read is equal to the one serialised.
	 */
	String json(Scribe scribe) {
		int slot = (int) (scribe.id() & (SERIALISED_SLOTS - 1));
		Serialised cached = this.serialised.get(slot);
		if (cached != null && cached.scribe().id() == scribe.id()
				&& (cached.scribe() == scribe || cached.scribe().equals(scribe))) {
			return cached.json();
		}
		String json = MessageCodec.writeTree(scribe.toJson());
		this.serialised.set(slot, new Serialised(scribe, json));
		return json;
	}

	/**
	 * The limit a user's connections share, counting one more of them; {@code null} when
	 * there is no user or no such limit.
	 */
	private @Nullable RateLimiter userLimiter(@Nullable String user) {
		RateLimit limit = this.settings.userRateLimit();
		if (user == null || !limit.isLimited()) {
			return null;
		}
		return this.userLimits.compute(user, (key, current) -> {
			UserLimit counted = (current != null) ? current : new UserLimit(new RateLimiter(limit, System.nanoTime()));
			counted.sessions++;
			return counted;
		}).limiter;
	}

	@Override
	public void removed(Session session) {
		String user = session.user();
		if (user != null) {
			this.userLimits.computeIfPresent(user, (key, current) -> {
				current.sessions--;
				return current;
			});
		}
		this.sessions.remove(session);
		if (this.appendClock != null) {
			try {
				this.observer.sessionClosed(session);
			}
			catch (RuntimeException ex) {
				observerFailed(ex);
			}
		}
	}

	void syncAnswered(Session session, int scribes) {
		if (this.appendClock != null) {
			try {
				this.observer.syncAnswered(session, scribes);
			}
			catch (RuntimeException ex) {
				observerFailed(ex);
			}
		}
	}

	void pushed(Session session, long scribeId) {
		AppendClock clock = this.appendClock;
		if (clock != null) {
			try {
				this.observer.scribePushed(session, scribeId, clock.lag(scribeId, System.nanoTime()));
			}
			catch (RuntimeException ex) {
				observerFailed(ex);
			}
		}
	}

	@Override
	public void errorSent(Session session, int code) {
		if (this.appendClock != null) {
			try {
				this.observer.errorSent(session, code);
			}
			catch (RuntimeException ex) {
				observerFailed(ex);
			}
		}
	}

	private void observerFailed(RuntimeException ex) {
		logger.warn("Engine observer {} failed", this.observer, ex);
	}

	@Override
	public Session.Played play(Identity who, JsonNode json, boolean followLanding) {
		String peer = who.client();
		long id;
		try {
			id = Scribe.idOf(json);
		}
		catch (SyncroException ex) {
			return new Session.Played(ex, null);
		}
		if (!followLanding) {
			return new Session.Played(receive(who, json, id, null), null);
		}
		Cause cause = new Cause(peer, id);
		CompletableFuture<Landing> landing = this.landings.follow(cause, who);
		Played played = new Played();
		SyncroException error = receive(who, json, id, played);
		if (error != null || !played.recorded) {
			this.landings.forget(cause);
			landing.complete(played.now ? Landing.NONE : Landing.UNKNOWN);
		}
		return new Session.Played(error, (error != null) ? null : landing);
	}

	/**
	 * Settles one inbound scribe of a peer by the mark rules of PROTOCOL.md section 4:
	 * a duplicate is answered with the outcome it had, the next id is played, a gap is a
	 * 409 (on a server; a client takes the server's sparse ids in order).
	 * @param who the sending peer
	 * @param json the scribe's JSON
	 * @param id the scribe's id
	 * @param played told whether the scribe was played now and recorded scribes, or
	 * {@code null}
	 * @return {@code null} if it was played (or is a duplicate of one that was), else the
	 * error to answer, with the scribe's id
	 */
	private @Nullable SyncroException receive(Identity who, JsonNode json, long id, @Nullable Played played) {
		String peer = who.client();
		boolean consecutive = this.settings.role() == EngineSettings.Role.SERVER;
		synchronized (this.peerLocks[Math.floorMod(peer.hashCode(), PEER_LOCKS)]) {
			while (true) {
				long mark = this.clients.mark(peer);
				if (id <= mark) {
					return consecutive ? outcomeOfDuplicate(peer, id) : null;
				}
				if (consecutive && id > mark + 1) {
					return new SyncroException(ErrorCodes.CONFLICT,
							"Client scribe " + id + " is out of order; " + (mark + 1) + " is expected next.", id, mark + 1);
				}
				try {
					PlayScope.Ran<Object> ran = PlayScope.run(new Cause(peer, id),
							() -> this.settings.transactions().inTransaction(() -> {
								playReadable(json, who);
								if (!this.clients.advanceMark(peer, mark, id, null)) {
									throw new MarkMoved();
								}
								return null;
							}));
					if (played != null) {
						played.now = true;
						played.recorded = ran.scope().hasRecorded();
					}
					return null;
				}
				catch (MarkMoved ex) {
					// another node settled this uid's scribe meanwhile: compare with the new mark
				}
				catch (SyncroException ex) {
					if (!ErrorCodes.isFinal(ex.getCode())) {
						return new SyncroException(ex.getCode(), ex.getMessage(), id, ex.getExpected());
					}
					Refusal refusal = new Refusal(ex.getCode(), ex.getMessage());
					if (this.settings.transactions()
						.inTransaction(() -> this.clients.advanceMark(peer, mark, id, refusal))) {
						return refused(refusal, id);
					}
				}
				catch (RuntimeException ex) {
					logger.error("Playing scribe {} of client {} failed", id, peer, ex);
					return new SyncroException(ErrorCodes.INTERNAL_ERROR, "The scribe could not be played; try again later.",
							id, null);
				}
			}
		}
	}

	/**
	 * Plays a scribe; a player or policy that cannot read the scribe's JSON as it expects
	 * (an attribute of the wrong JSON type) refuses it as malformed, for good: playing it
	 * again would fail the same way, so it must not be answered as a transient 500 that
	 * the client retries forever.
	 */
	private void playReadable(JsonNode json, Identity who) {
		String peer = who.client();
		try {
			this.classes.play(Scribe.fromJson(json, this.settings.inputLimits()), who);
		}
		catch (JacksonException ex) {
			logger.debug("Scribe of client {} has JSON its player cannot read", peer, ex);
			throw SyncroException.badRequest("The scribe has an attribute of the wrong type.");
		}
	}

	/**
	 * A duplicate is answered with the outcome it had: its refusal, or nothing (it was
	 * played), unless its refusal may have been forgotten, when saying it was played could
	 * be a lie (410).
	 */
	private @Nullable SyncroException outcomeOfDuplicate(String peer, long id) {
		Optional<Refusal> refusal = this.clients.refusal(peer, id);
		if (refusal.isPresent()) {
			return refused(refusal.get(), id);
		}
		if (id < this.clients.forgottenBelow(peer)) {
			return new SyncroException(ErrorCodes.OUTCOME_UNKNOWN, "Client scribe " + id
					+ " was settled long ago and whether it was played is no longer known; drop it and sync.", id, null);
		}
		return null;
	}

	private static SyncroException refused(Refusal refusal, long id) {
		return new SyncroException(refusal.code(), refusal.message(), id, null);
	}

	/**
	 * Closes every session (close code 1001) and stops listening to the log.
	 */
	@Override
	public void close() {
		for (Session session : new ArrayList<>(this.sessions)) {
			session.close(1001, "Server going away");
		}
		try {
			this.subscription.close();
		}
		catch (Exception ex) {
			logger.warn("Could not stop listening to the scribe log", ex);
		}
		this.executor.shutdown();
		this.writers.shutdown();
		this.deliveries.shutdown();
		this.readAheads.shutdown();
		this.liveness.shutdown();
	}

	private static ThreadFactory daemonThreads(String prefix) {
		AtomicInteger count = new AtomicInteger();
		return (task) -> {
			Thread thread = new Thread(task, prefix + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

	private record Serialised(Scribe scribe, String json) {
	}

	/**
	 * The limit a user's connections share, and how many sessions use it; changed only
	 * inside the map's {@code compute} of its user.
	 */
	private static final class UserLimit {

		final RateLimiter limiter;

		int sessions;

		UserLimit(RateLimiter limiter) {
			this.limiter = limiter;
		}

	}

	/**
	 * What became of one scribe settled now: whether it was played (not a duplicate) and
	 * whether its play recorded scribes.
	 */
	private static final class Played {

		boolean now;

		boolean recorded;

	}

	/**
	 * Thrown inside a play's transaction to roll it back when the mark moved under it.
	 */
	private static final class MarkMoved extends RuntimeException {

		MarkMoved() {
			super(null, null, false, false);
		}

	}

}
