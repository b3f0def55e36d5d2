package io.syncro.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.syncro.play.SyncClasses;
import io.syncro.protocol.ErrorCodes;
import io.syncro.protocol.ProtocolVersion;
import io.syncro.protocol.RecordDigest;
import io.syncro.protocol.SyncroException;
import io.syncro.rpc.RpcRegistry;
import io.syncro.session.Connection;
import io.syncro.session.EngineSettings;
import io.syncro.session.Landing;
import io.syncro.session.Session;
import io.syncro.session.SessionListener;
import io.syncro.session.SyncroEngine;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A Syncro client for desktop and other JVM apps: offline-first records that stay in sync
 * with a Syncro server over the JDK's WebSocket, through the same engine as the server
 * ({@link SyncroEngine} in the client role). It speaks protocol version 2
 * (docs/PROTOCOL.md section 8) with a server that knows it, and version 1 with one that
 * does not, or when {@link Builder#protocolVersion(int) asked} to.
 * <p>
 * Local changes apply at once and go into the offline queue of a {@link LocalStore}
 * before they can be sent, so with a {@link FileLocalStore} a restart or a crash loses
 * nothing; they reach the server when it is reachable, exactly once (the server settles
 * client scribe ids by its mark). Changes from the server arrive live. A change the
 * server refuses (400, 403, 404) is dropped from the queue, its record rolls back to the
 * server's state, and {@link #onRefused refused} listeners are told. A lost connection is
 * opened again after a {@link Backoff} delay; pings find connections that died silently.
 * <p>
 * In version 2 the server says where each local change landed in its log, among other
 * clients' changes, and sends the client its own changes back in that order. The client
 * keeps showing a change until it has applied the server's log up to where it landed;
 * then the change leaves the queue and the record shows the server's state. When two
 * clients change the same attribute at nearly the same moment, every client therefore
 * ends with the value the server stored last. When a change leaving the queue changes
 * the record as the app sees it (the server ordered a concurrent change after it, or
 * stored something else than was sent), {@link #onConflict conflict} listeners are told,
 * after the change listeners. In version 1 a change leaves the queue as soon as the
 * server acknowledges it and stays applied: the client may then show its own value of
 * an attribute another client changed at nearly the same moment, until the record
 * changes again.
 * <p>
 * The server's log has an <em>epoch</em> that names its history: it changes when ids the
 * log handed out may have been lost (a store that restarted without its data, or was set
 * back to a backup). The client keeps the epoch its version 2 {@code hello} names with its
 * position, and names it when it syncs from that position. When a {@code hello} names
 * another epoch, or the server refuses a sync from the position (410: of another history,
 * or beyond the end of its log, which a version 1 client learns too), the client
 * <em>resets</em>: it drops the records as the server had confirmed them and its position,
 * keeps its queue of local changes (sent again as usual), tells {@link #onReset reset}
 * listeners, and syncs from nothing. What the app sees stays until that sync caught up;
 * then the records it did not bring back go, with a change event each, except those local
 * changes keep. In version 1 a sync leaves a client's own changes out, even from nothing,
 * so after a reset such a client no longer shows the records it changed last until
 * another client changes them.
 * <p>
 * Separately, the server keeps a mark per client uid, the highest id of the client's
 * changes it settled, and takes the change after it next. A server that pulls the
 * client's changes from below a mark it had before (or answers one with a 409 that
 * expects one below it) lost some it had settled, as a server set back to a backup does:
 * {@link #onError error} listeners are told with a {@link LostWritesException}. A server
 * that forgot this client's uid after {@code syncro.clients.expire-after} pulls from
 * nothing, its mark 0 (told the same way, though it keeps what those changes did). Either
 * way the changes in the queue would start above the one the
 * server takes next, and it would answer each of them 409 for good: so whenever the client
 * learns the server's mark and its queue starts above the change after it, it renumbers
 * its queue consecutively from there, in order, and stores that before any of them goes
 * out again. A change the server lost after settling it is not sent again (it left the
 * queue); in version 2, one it had played but whose landing the client had not reached is
 * played again.
 * <p>
 * Listeners are called one at a time, in the order of the changes: for a local change on
 * the thread that made it, before the write returns (unless listeners are being told on
 * another thread at that moment); for the rest on the client's threads. They must not
 * block.
 *
 * @since 0.1.0
 */
public final class SyncroClient implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(SyncroClient.class);

	private static final String BUILT_IN_KLASS = "Syncro";

	private final Replica replica;

	private final LocalStore store;

	private final SyncClasses classes = new SyncClasses();

	private final Set<String> klasses = ConcurrentHashMap.newKeySet();

	private final SyncroEngine engine;

	private final Transport transport;

	private final String serverId;

	private final Backoff backoff;

	private final Duration heartbeat;

	private final Duration requestTimeout;

	private final int protocolVersion;

	private final JsonMapper mapper;

	private final ScheduledExecutorService scheduler;

	private final Announcer announcer = new Announcer();

	private final Subscriptions subscriptions;

	private final List<Consumer<ChangeEvent<ObjectNode>>> changeListeners = new CopyOnWriteArrayList<>();

	private final List<Consumer<Status>> statusListeners = new CopyOnWriteArrayList<>();

	private final List<Consumer<RefusedEvent>> refusedListeners = new CopyOnWriteArrayList<>();

	private final List<Consumer<ConflictEvent>> conflictListeners = new CopyOnWriteArrayList<>();

	private final List<Consumer<ResetEvent>> resetListeners = new CopyOnWriteArrayList<>();

	private final List<Consumer<MismatchEvent>> mismatchListeners = new CopyOnWriteArrayList<>();

	private final AtomicLong mismatches = new AtomicLong();

	// whether the client started over for a difference no verify since found mended
	private final AtomicBoolean startedOver = new AtomicBoolean();

	private final List<Consumer<Throwable>> errorListeners = new CopyOnWriteArrayList<>();

	private final Object state = new Object();

	// the session of the latest connection, which plays the server's scribes
	private volatile @Nullable Session connected;

	// guarded by state

	private Status status = Status.OFFLINE;

	private boolean started;

	private boolean closed;

	private int attempts;

	private @Nullable Attempt current;

	private @Nullable ScheduledFuture<?> reconnect;

	private final List<CompletableFuture<Void>> onlineWaiters = new ArrayList<>();

	private final List<CompletableFuture<Session>> connectedWaiters = new ArrayList<>();

	private final List<CompletableFuture<Void>> settledWaiters = new ArrayList<>();

	private SyncroClient(Builder builder) {
		this.store = builder.store;
		this.serverId = builder.serverId;
		this.backoff = builder.backoff;
		this.heartbeat = builder.heartbeat;
		this.requestTimeout = builder.requestTimeout;
		this.protocolVersion = builder.protocolVersion;
		this.mapper = builder.mapper;
		this.replica = new Replica(this.store, builder.uid, builder.maxMessageBytes, new Events(), this.announcer);
		if (this.replica.uid().equals(this.serverId)) {
			throw new IllegalArgumentException("The client uid must differ from the server's uid '" + this.serverId + "'");
		}
		EngineSettings settings = EngineSettings.client(this.replica.uid())
			.withRequestTimeout(builder.requestTimeout)
			.withMaxMessageBytes(builder.maxMessageBytes)
			.withTransactions(this.replica::inTransaction);
		this.engine = new SyncroEngine(settings, this.replica.log(), this.replica.marks(), this.classes, new RpcRegistry());
		this.transport = (builder.transport != null) ? builder.transport
				: new WebSocketTransport(builder.httpClient, builder.server, builder.connectTimeout, builder.requestTimeout,
						builder.maxMessageBytes, builder.headers);
		String uid = this.replica.uid();
		this.scheduler = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "syncro-client-" + uid);
			thread.setDaemon(true);
			return thread;
		});
		builder.klasses.forEach(this::synchronise);
		this.subscriptions = new Subscriptions(this.store, this::reportError);
	}

	/**
	 * Starts building a client of the Syncro endpoint of a server.
	 * @param server the endpoint, such as {@code ws://localhost:8080/syncro};
	 * {@code http(s)} URIs are taken as {@code ws(s)}
	 * @return the builder
	 */
	public static Builder builder(URI server) {
		return new Builder(server);
	}

	/**
	 * This client's uid.
	 * @return the uid
	 */
	public String uid() {
		return this.replica.uid();
	}

	/**
	 * Where this client stands with the server.
	 * @return the status
	 */
	public Status status() {
		synchronized (this.state) {
			return this.status;
		}
	}

	/**
	 * The number of local changes in the offline queue: in protocol version 1 those the
	 * server has not settled yet; in version 2 also those it played whose landing this
	 * client has not reached yet.
	 * @return the count
	 */
	public int pendingWrites() {
		return this.replica.pendingWrites();
	}

	/**
	 * The highest server scribe id this client has processed, or 0; in protocol version 2
	 * the server's scribes of this client's own changes count too.
	 * @return the position
	 */
	public long position() {
		return this.replica.position();
	}

	/**
	 * The records of a synchronised class, as JSON objects. Before {@link #connect} any
	 * klass can be asked for; afterwards only those already synchronised, since scribes of
	 * other klasses were skipped.
	 * @param klass the class's name
	 * @return its records
	 * @throws IllegalArgumentException for a klass this connected client does not
	 * synchronise
	 */
	public SyncroCollection<ObjectNode> collection(String klass) {
		return collection(klass, ObjectNode.class);
	}

	/**
	 * The records of a synchronised class, converted to a type with the client's
	 * {@link JsonMapper}; the klass is the type's simple name.
	 * @param <T> the record type
	 * @param type the record type, with an {@code id} property
	 * @return its records
	 * @throws IllegalArgumentException as {@link #collection(String)}
	 */
	public <T> SyncroCollection<T> collection(Class<T> type) {
		return collection(type.getSimpleName(), type);
	}

	/**
	 * The records of a synchronised class, converted to a type with the client's
	 * {@link JsonMapper}.
	 * @param <T> the record type
	 * @param klass the class's name
	 * @param type the record type, with an {@code id} property
	 * @return its records
	 * @throws IllegalArgumentException as {@link #collection(String)}
	 */
	public <T> SyncroCollection<T> collection(String klass, Class<T> type) {
		if (!this.klasses.contains(klass)) {
			synchronized (this.state) {
				if (this.started) {
					throw new IllegalArgumentException("The klass '" + klass
							+ "' is not synchronised by this client; name it in Builder.klasses or ask for it before connect()");
				}
				synchronise(klass);
			}
		}
		return new SyncroCollection<>(this, klass, type, this.mapper);
	}

	private void synchronise(String klass) {
		if (this.klasses.add(klass)) {
			this.classes.register(klass, (scribe, peer) -> this.replica.playRemote(scribe, echoesOwnScribes()));
		}
	}

	Replica replica() {
		return this.replica;
	}

	/**
	 * Whether the connection speaks protocol v2, where the server sends this client's own
	 * scribes too. Its {@code hello} comes before any scribe, so this is settled by the
	 * time one is played.
	 */
	private boolean echoesOwnScribes() {
		Session session = this.connected;
		return session != null && session.version() >= ProtocolVersion.V2;
	}

	// Listeners

	/**
	 * Tells a listener of every change to a record of any klass, local or remote.
	 * @param listener the listener
	 * @return removes the listener when closed
	 */
	public Registration onChange(Consumer<ChangeEvent<ObjectNode>> listener) {
		return add(this.changeListeners, listener);
	}

	/**
	 * Tells a listener of each new status.
	 * @param listener the listener
	 * @return removes the listener when closed
	 */
	public Registration onStatus(Consumer<Status> listener) {
		return add(this.statusListeners, listener);
	}

	/**
	 * Tells a listener of each local change the server refused for good.
	 * @param listener the listener
	 * @return removes the listener when closed
	 */
	public Registration onRefused(Consumer<RefusedEvent> listener) {
		return add(this.refusedListeners, listener);
	}

	/**
	 * Tells a listener of each local change that left the offline queue in a way that
	 * changed its record as the app sees it: the server ordered a concurrent change after
	 * it, or stored something else than was sent (protocol version 2 only).
	 * @param listener the listener
	 * @return removes the listener when closed
	 */
	public Registration onConflict(Consumer<ConflictEvent> listener) {
		return add(this.conflictListeners, listener);
	}

	/**
	 * Tells a listener each time the server's log turned out to hold another history than
	 * the one this client's position is of (it was set back to a backup, or lost its data):
	 * the client dropped the records as the server had confirmed them and its position,
	 * kept its pending changes, and syncs again from nothing; the records that sync does not
	 * bring back go once it caught up. An app may tell the user.
	 * @param listener the listener
	 * @return removes the listener when closed
	 */
	public Registration onReset(Consumer<ResetEvent> listener) {
		return add(this.resetListeners, listener);
	}

	/**
	 * Tells a listener each time the records of a klass this client held differed from the
	 * server's digest of those it may see (protocol version 2, checked after each sync and
	 * by {@link #verify}); the server then sends the klass again.
	 * @param listener the listener
	 * @return removes the listener when closed
	 * @since 0.2.0
	 */
	public Registration onMismatch(Consumer<MismatchEvent> listener) {
		return add(this.mismatchListeners, listener);
	}

	/**
	 * How many times a klass this client held differed from the server's digest.
	 * @return the count
	 * @since 0.2.0
	 */
	public long mismatches() {
		return this.mismatches.get();
	}

	/**
	 * Tells a listener of failures that concern no single call, such as a connection that
	 * could not be opened (it is tried again after a backoff delay), or a
	 * {@link LostWritesException} when the server lost changes of this client that it had
	 * settled (the queued changes are then renumbered from the server's mark and sent).
	 * @param listener the listener
	 * @return removes the listener when closed
	 */
	public Registration onError(Consumer<Throwable> listener) {
		return add(this.errorListeners, listener);
	}

	private static <T> Registration add(List<T> listeners, T listener) {
		listeners.add(listener);
		return () -> listeners.remove(listener);
	}

	// Connecting

	/**
	 * Starts connecting to the server, and reconnecting whenever the connection is lost,
	 * until {@link #close}. Works offline too: changes wait in the queue until the server
	 * is reachable. Calling it again does nothing.
	 * @return this client
	 */
	public SyncroClient connect() {
		synchronized (this.state) {
			if (this.closed) {
				throw new IllegalStateException("The client is closed");
			}
			if (!this.started) {
				this.started = true;
				openConnection();
			}
		}
		this.announcer.drain();
		return this;
	}

	/**
	 * Completes when the client is {@link Status#ONLINE}: connected and caught up.
	 * @return a future, completed at once if online
	 */
	public CompletableFuture<Void> whenOnline() {
		CompletableFuture<Void> online = new CompletableFuture<>();
		synchronized (this.state) {
			if (this.status == Status.ONLINE) {
				online.complete(null);
			}
			else if (this.closed) {
				online.completeExceptionally(new IllegalStateException("The client is closed"));
			}
			else {
				this.onlineWaiters.add(online);
			}
		}
		return online;
	}

	/**
	 * Completes when every local change made so far or since has left the queue (the
	 * server settled it, and in protocol version 2 the client reached where it landed):
	 * when {@link #pendingWrites()} is 0.
	 * @return a future, completed at once if nothing is pending
	 */
	public CompletableFuture<Void> whenSettled() {
		CompletableFuture<Void> settled = new CompletableFuture<>();
		synchronized (this.state) {
			if (this.closed) {
				settled.completeExceptionally(new IllegalStateException("The client is closed"));
				return settled;
			}
			this.settledWaiters.add(settled);
		}
		if (this.replica.pendingWrites() == 0) {
			pendingWritesChanged(0);
		}
		return settled;
	}

	/**
	 * Calls a method the server exposes. When offline it waits for a connection, within
	 * the request timeout.
	 * @param klass the rpc klass
	 * @param method the method name
	 * @param args the arguments, converted to JSON with the client's {@link JsonMapper}
	 * @return the result; fails with {@link io.syncro.protocol.SyncroException} carrying
	 * the server's code, or with a {@link java.util.concurrent.TimeoutException}
	 */
	public CompletableFuture<JsonNode> rpc(String klass, String method, @Nullable Object... args) {
		ArrayNode arguments = this.mapper.valueToTree(Arrays.asList(args));
		return connectedSession().thenCompose((session) -> session.rpc(klass, method, arguments));
	}

	/**
	 * Checks the records this client holds against the server's digest of those it may see
	 * (protocol version 2, docs/PROTOCOL.md section 8.9), as the client does on its own after
	 * each sync. When offline it waits for a connection, within the request timeout.
	 * @return completes with the klasses that differed, each told to {@link #onMismatch}
	 * listeners and sent again by the server; fails with a {@link SyncroException} 501 when
	 * the server speaks only protocol v1
	 * @since 0.2.0
	 */
	public CompletableFuture<List<String>> verify() {
		return connectedSession().thenCompose((session) -> {
			Attempt attempt;
			synchronized (this.state) {
				attempt = this.current;
			}
			if (attempt == null || session.version() < ProtocolVersion.V2) {
				return CompletableFuture.failedFuture(
						new SyncroException(ErrorCodes.UNKNOWN_TYPE, "Digests need protocol version 2"));
			}
			return attempt.verify(session);
		});
	}

	/** The session of the connection, once there is one, within the request timeout. */
	private CompletableFuture<Session> connectedSession() {
		CompletableFuture<Session> connected = new CompletableFuture<>();
		synchronized (this.state) {
			Attempt attempt = this.current;
			Session session = (attempt != null) ? attempt.session : null;
			if (this.closed) {
				connected.completeExceptionally(new IllegalStateException("The client is closed"));
			}
			else if (session != null && !session.isClosed()) {
				connected.complete(session);
			}
			else {
				this.connectedWaiters.add(connected);
			}
		}
		connected.orTimeout(this.requestTimeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((session, failure) -> {
			synchronized (this.state) {
				this.connectedWaiters.remove(connected);
			}
		});
		return connected;
	}

	/**
	 * The klasses whose records, as the server confirmed them, differ from its digest;
	 * each told to the listeners. Runs as the digest is received, after the scribes up to
	 * its position and before any that follows.
	 */
	private List<String> compare(JsonNode digest) {
		List<String> differing = new ArrayList<>();
		long at = digest.path("at").asLong();
		for (Map.Entry<String, JsonNode> klass : digest.path("klasses").properties()) {
			RecordDigest expected = RecordDigest.fromJson(klass.getValue());
			RecordDigest actual = this.replica.digestOf(klass.getKey());
			if (!expected.equals(actual)) {
				differing.add(klass.getKey());
				this.mismatches.incrementAndGet();
				MismatchEvent event = new MismatchEvent(klass.getKey(), at, expected, actual);
				this.mismatchListeners.forEach((listener) -> listener.accept(event));
			}
		}
		return differing;
	}

	/**
	 * Subscribes to a scope of the server (protocol v2): from then on the klass it narrows
	 * holds only the records of this client's scopes of that klass (among those the
	 * server's policy gives it), and a record moving into or out of them arrives or leaves;
	 * other klasses are untouched. Subscriptions are kept in the store (when it keeps them),
	 * hold offline, and go again on every connection.
	 * @param scope the scope's name, as the server declares it
	 * @param params its parameters, converted to a JSON object with the client's
	 * {@link JsonMapper}
	 * @return completes once the scope's records are in (on the next connection when
	 * offline) with {@code {"klass": …}}; fails with a {@link SyncroException}: 404 for an
	 * unknown scope, 400 for bad parameters, 403 when the user may not subscribe to it (the
	 * subscription is dropped then), 501 when the server speaks only protocol v1
	 * @since 0.2.0
	 */
	public CompletableFuture<JsonNode> subscribe(String scope, Object params) {
		return changeSubscription(scope, params, true);
	}

	/**
	 * Ends a subscription: the records no other subscription of this client holds leave
	 * (the klass holds every record the policy gives once none is left). Made offline, it
	 * waits for the next connection.
	 * @param scope the scope's name
	 * @param params the parameters it was subscribed with
	 * @return completes once the server answered
	 * @since 0.2.0
	 */
	public CompletableFuture<JsonNode> unsubscribe(String scope, Object params) {
		return changeSubscription(scope, params, false);
	}

	/**
	 * The scopes this client subscribes to.
	 * @return each scope's name and parameters, in the order subscribed
	 * @since 0.2.0
	 */
	public List<Map.Entry<String, ObjectNode>> subscriptions() {
		return this.subscriptions.active().stream()
			.map((entry) -> Map.entry(entry.scope(), entry.params().deepCopy()))
			.toList();
	}

	private CompletableFuture<JsonNode> changeSubscription(String scope, Object params, boolean on) {
		if (this.protocolVersion < ProtocolVersion.V2) {
			return CompletableFuture.failedFuture(
					new SyncroException(ErrorCodes.UNKNOWN_TYPE, "Subscriptions need protocol v2."));
		}
		JsonNode json = this.mapper.valueToTree(params);
		if (scope == null || scope.isEmpty() || !(json instanceof ObjectNode object)) {
			throw new IllegalArgumentException("A subscription needs a scope and parameters that are a JSON object");
		}
		return this.subscriptions.change(scope, object, on);
	}

	/**
	 * Closes the connection, stops reconnecting, and closes the local store. Pending
	 * changes stay in the store for the next client on it.
	 */
	@Override
	public void close() {
		Attempt attempt;
		List<CompletableFuture<?>> waiters = new ArrayList<>();
		synchronized (this.state) {
			if (this.closed) {
				return;
			}
			this.closed = true;
			if (this.reconnect != null) {
				this.reconnect.cancel(false);
			}
			attempt = this.current;
			this.current = null;
			setStatus(Status.OFFLINE);
			waiters.addAll(this.onlineWaiters);
			waiters.addAll(this.connectedWaiters);
			waiters.addAll(this.settledWaiters);
			this.onlineWaiters.clear();
			this.connectedWaiters.clear();
			this.settledWaiters.clear();
		}
		if (attempt != null) {
			attempt.close();
		}
		this.engine.close();
		this.scheduler.shutdownNow();
		this.announcer.drain();
		waiters.forEach((waiter) -> waiter.completeExceptionally(new IllegalStateException("The client is closed")));
		this.subscriptions.closed();
		this.store.close();
	}

	// called holding state
	private void openConnection() {
		Attempt attempt = new Attempt();
		this.current = attempt;
		setStatus(Status.CONNECTING);
		this.scheduler.execute(() -> this.transport.open(uid(), this.protocolVersion, attempt));
	}

	// called holding state
	private void setStatus(Status status) {
		if (this.status != status) {
			this.status = status;
			this.announcer.enqueue(() -> this.statusListeners.forEach((listener) -> listener.accept(status)));
			if (status == Status.ONLINE) {
				this.onlineWaiters.forEach((waiter) -> waiter.complete(null));
				this.onlineWaiters.clear();
			}
		}
	}

	private void pendingWritesChanged(int count) {
		// the count may be old by now: a change made since must hold back the waiters
		if (count != 0 || this.replica.pendingWrites() != 0) {
			return;
		}
		List<CompletableFuture<Void>> settled;
		synchronized (this.state) {
			settled = new ArrayList<>(this.settledWaiters);
			this.settledWaiters.clear();
		}
		settled.forEach((waiter) -> waiter.complete(null));
	}

	private void reportError(Throwable error) {
		if (this.errorListeners.isEmpty()) {
			logger.debug("Syncro client {}: {}", uid(), error.toString());
		}
		this.announcer.enqueue(() -> this.errorListeners.forEach((listener) -> listener.accept(error)));
	}

	/**
	 * Where a client stands with the server.
	 */
	public enum Status {

		/** Opening a connection. */
		CONNECTING,

		/** Connected and catching up: the server's changes are still arriving. */
		SYNCING,

		/** Connected and caught up; changes go both ways live. */
		ONLINE,

		/** Not connected: waiting to reconnect, not started, or closed. */
		OFFLINE

	}

	/**
	 * A registered listener; closing it removes the listener.
	 */
	@FunctionalInterface
	public interface Registration extends AutoCloseable {

		/**
		 * Removes the listener.
		 */
		@Override
		void close();

	}

	/**
	 * The replica's events, handed to this client's listeners.
	 */
	private final class Events implements Replica.Events {

		@Override
		public void changed(ChangeEvent<ObjectNode> event) {
			SyncroClient.this.changeListeners.forEach((listener) -> listener.accept(event));
		}

		@Override
		public void refused(RefusedEvent event) {
			SyncroClient.this.refusedListeners.forEach((listener) -> listener.accept(event));
		}

		@Override
		public void conflict(ConflictEvent event) {
			SyncroClient.this.conflictListeners.forEach((listener) -> listener.accept(event));
		}

		@Override
		public void reset(ResetEvent event) {
			SyncroClient.this.resetListeners.forEach((listener) -> listener.accept(event));
		}

		@Override
		public void pendingWrites(int count) {
			pendingWritesChanged(count);
		}

	}

	/**
	 * One connection, from the attempt to open it until it ends: a transport handler and
	 * the listener of its session. When the client asks for protocol v2 the session opens
	 * on the server's first message: its {@code hello} names the history of its log, which
	 * the position must be of before the client syncs from it (or its pull says that it
	 * speaks v1).
	 */
	private final class Attempt implements Transport.Handler, SessionListener {

		private volatile @Nullable Session session;

		private volatile @Nullable Connection connection;

		private volatile @Nullable HistoryWatch history;

		// only on the transport's calls, one at a time
		private boolean sessionDue;

		private @Nullable ScheduledFuture<?> pings;

		private boolean ended;

		// the server's history changed: reconnect at once to sync from nothing
		private volatile boolean resync;

		// guarded by catchingUp: whether a catch-up runs, and whether another is due after it
		private final Object catchingUp = new Object();

		private boolean catchUpRuns;

		private boolean catchUpAgain;

		@Override
		public void opened(Connection connection) {
			synchronized (SyncroClient.this.state) {
				if (SyncroClient.this.current != this) {
					connection.close(1000, "Client closed");
					return;
				}
				this.connection = connection;
				setStatus(Status.SYNCING);
			}
			boolean asksForV2 = SyncroClient.this.protocolVersion >= ProtocolVersion.V2;
			HistoryWatch history = new HistoryWatch(connection, SyncroClient.this.replica::epoch, asksForV2);
			this.history = history;
			if (asksForV2) {
				this.sessionDue = true;
			}
			else {
				openSession(history);
			}
			SyncroClient.this.announcer.drain();
		}

		private void openSession(HistoryWatch history) {
			synchronized (SyncroClient.this.state) {
				if (SyncroClient.this.current != this || this.ended) {
					return;
				}
			}
			List<CompletableFuture<Session>> waiters;
			Connection connection = history.connection();
			Session opened;
			try {
				opened = SyncroClient.this.engine.open(SyncroClient.this.serverId, connection, this);
			}
			catch (RuntimeException ex) {
				connection.close(1011, "Could not open a session");
				reportError(ex);
				ended();
				return;
			}
			SyncroClient.this.connected = opened;
			synchronized (SyncroClient.this.state) {
				this.session = opened;
				waiters = new ArrayList<>(SyncroClient.this.connectedWaiters);
				SyncroClient.this.connectedWaiters.clear();
				if (!SyncroClient.this.heartbeat.isZero() && !this.ended) {
					long every = SyncroClient.this.heartbeat.toMillis();
					this.pings = SyncroClient.this.scheduler.scheduleWithFixedDelay(this::ping, every, every,
							TimeUnit.MILLISECONDS);
				}
			}
			waiters.forEach((waiter) -> waiter.complete(opened));
		}

		@Override
		public void received(String message) {
			HistoryWatch history = this.history;
			if (history == null) {
				return;
			}
			HistoryWatch.Notice notice = history.read(message);
			if (notice instanceof HistoryWatch.Notice.Gone gone) {
				gone(gone);
				return;
			}
			if (notice instanceof HistoryWatch.Notice.Hello hello && hello.epoch() != null) {
				// a hello that names no epoch (a server from before them) says nothing of it
				SyncroClient.this.replica.enterEpoch(hello.epoch());
			}
			else if (notice instanceof HistoryWatch.Notice.Pull pull) {
				long known = SyncroClient.this.replica.serverMark();
				long lost = SyncroClient.this.replica.serverPulled(pull.from());
				if (lost > 0) {
					reportError(new LostWritesException(lost, known, pull.from()));
				}
			}
			if (this.sessionDue) {
				this.sessionDue = false;
				openSession(history);
			}
			Session receiver = this.session;
			if (receiver != null) {
				receiver.receiveMessage(message);
				if (notice instanceof HistoryWatch.Notice.Hello && receiver.version() >= ProtocolVersion.V2) {
					SyncroClient.this.subscriptions.connected(receiver);
				}
				else if (notice instanceof HistoryWatch.Notice.Pull && receiver.version() < ProtocolVersion.V2) {
					SyncroClient.this.subscriptions.unsupported();
				}
			}
			SyncroClient.this.announcer.drain();
		}

		/**
		 * The server refused this client's sync with 410. From a position, that position
		 * is of another history of its log, or beyond its end: the client resets and
		 * reconnects at once, to sync from nothing. From nothing, it is a failure like any.
		 */
		private void gone(HistoryWatch.Notice.Gone gone) {
			Session open = this.session;
			if (gone.from() == null) {
				reportError(new SyncroException(ErrorCodes.GONE, "The server refused a sync from nothing (410)"));
				if (open != null) {
					open.close(1011, "Sync failed");
				}
				return;
			}
			startOver(open);
		}

		/** Whether a request failed with 501: the server does not know it. */
		private static boolean refusedAsUnknown(Throwable failure) {
			Throwable cause = (failure instanceof CompletionException) ? failure.getCause() : failure;
			return cause instanceof SyncroException refused && refused.getCode() == ErrorCodes.UNKNOWN_TYPE;
		}

		/** Drops the server's state and reconnects at once to sync from nothing. */
		private void startOver(@Nullable Session open) {
			SyncroClient.this.replica.gone();
			this.resync = true;
			if (open != null) {
				open.close(1000, "Syncing again from nothing");
			}
		}

		@Override
		public void closed(int code, String reason) {
			Session ending = this.session;
			if (ending != null) {
				ending.closed();
			}
			ended();
		}

		@Override
		public void failed(Throwable error) {
			reportError(error);
			ended();
		}

		// SessionListener

		@Override
		public void records(Session session, String klass, boolean first, ArrayNode records, boolean more) {
			SyncroClient.this.replica.applyRecords(klass, first, records, !more);
			SyncroClient.this.announcer.drain();
		}

		@Override
		public void synced(Session session) {
			SyncroClient.this.replica.resynced();
			synchronized (SyncroClient.this.state) {
				if (SyncroClient.this.current == this && !session.isClosed()) {
					SyncroClient.this.attempts = 0;
					setStatus(Status.ONLINE);
				}
			}
			SyncroClient.this.announcer.drain();
			if (session.version() >= ProtocolVersion.V2) {
				verify(session).whenComplete((differing, failure) -> {
					// a connection closed meanwhile checks again on the next one
					if (failure != null && !session.isClosed()) {
						reportError(failure);
					}
				});
			}
		}

		/**
		 * Asks for the digest, compares it as it comes, and has each klass that differs sent
		 * again; from a server that cannot, starts over from nothing.
		 */
		CompletableFuture<List<String>> verify(Session session) {
			return session.digest(SyncroClient.this::compare).exceptionally((failure) -> {
				if (refusedAsUnknown(failure)) {
					// a server that gives no digests
					return List.of();
				}
				throw (failure instanceof CompletionException completion) ? completion : new CompletionException(failure);
			}).thenCompose((differing) -> {
				CompletableFuture<?> rebuilt = CompletableFuture.completedFuture(null);
				for (String klass : differing) {
					rebuilt = rebuilt.thenCompose((done) -> session.rebuild(klass));
				}
				return rebuilt.handle((done, failure) -> {
					if (failure != null) {
						if (!refusedAsUnknown(failure)) {
							throw (failure instanceof CompletionException completion) ? completion
									: new CompletionException(failure);
						}
						// once: a difference that starting over does not mend is only told
						if (!SyncroClient.this.startedOver.getAndSet(true)) {
							startOver(session);
						}
					}
					else if (differing.isEmpty()) {
						SyncroClient.this.startedOver.set(false);
					}
					return differing;
				});
			});
		}

		@Override
		public void settled(Session session, long scribeId) {
			if (session.version() >= ProtocolVersion.V2) {
				SyncroClient.this.replica.settled(scribeId);
			}
			else {
				SyncroClient.this.replica.acknowledge(scribeId);
			}
		}

		@Override
		public void landed(Session session, long scribeId, Landing landing) {
			if (SyncroClient.this.replica.landed(scribeId, landing)) {
				catchUp(session);
			}
		}

		/**
		 * Learns how far the server's log reached for this client after the answers that
		 * did not say where scribes landed, so that those scribes leave once the position
		 * gets there: {@code Syncro.last_scribe_id}, asked after the answers came, counts
		 * the echo of each (its play was settled before the answer, in the same transaction
		 * as its append). One catch-up runs at a time; answers that come meanwhile wait for
		 * the next. A catch-up that fails leaves its scribes pending: the next connection
		 * sends them again, and its answers start a catch-up anew.
		 */
		private void catchUp(Session session) {
			synchronized (this.catchingUp) {
				if (this.catchUpRuns) {
					this.catchUpAgain = true;
					return;
				}
				this.catchUpRuns = true;
			}
			List<Long> waiting = SyncroClient.this.replica.awaitingCatchUp();
			session.rpc(BUILT_IN_KLASS, "last_scribe_id", JsonNodeFactory.instance.arrayNode())
				.whenComplete((lastId, failure) -> {
					if (failure == null && lastId.isIntegralNumber() && lastId.canConvertToLong()) {
						SyncroClient.this.replica.caughtUp(waiting, lastId.longValue());
					}
					else {
						logger.debug("Syncro client {} could not learn where the server's log reached: {}", uid(),
								(failure != null) ? failure.toString() : lastId);
					}
					boolean again;
					synchronized (this.catchingUp) {
						this.catchUpRuns = false;
						again = this.catchUpAgain && failure == null;
						this.catchUpAgain = false;
					}
					if (again && !session.isClosed()) {
						catchUp(session);
					}
				});
		}

		@Override
		public void refused(Session session, long scribeId, int code, String message) {
			SyncroClient.this.replica.refuse(scribeId, code, message);
		}

		/**
		 * The server forgot this client's changes from {@code expected} on: the queue is
		 * renumbered from there. On a pull, its mark was already taken (and a lower one
		 * reported); on a 409, a mark below the one the server was known to have is
		 * reported here.
		 */
		@Override
		public void forgot(Session session, long expected) {
			long known = SyncroClient.this.replica.serverMark();
			long mark = expected - 1;
			if (SyncroClient.this.replica.renumber(expected) && mark < known) {
				reportError(new LostWritesException(known - mark, known, mark));
			}
		}

		@Override
		public void closed(Session session) {
			ended();
		}

		private void ping() {
			Session pinged = this.session;
			if (pinged == null || pinged.isClosed()) {
				return;
			}
			pinged.noop().whenComplete((result, failure) -> {
				if (failure != null && !pinged.isClosed()) {
					logger.debug("The server did not answer a ping of {}; reconnecting", uid());
					pinged.close(1001, "The server did not answer a ping");
				}
			});
		}

		/**
		 * The connection ended or could not be opened: go offline and try again later.
		 */
		private void ended() {
			synchronized (SyncroClient.this.state) {
				if (this.ended) {
					return;
				}
				this.ended = true;
				if (this.pings != null) {
					this.pings.cancel(false);
				}
				if (SyncroClient.this.current != this) {
					return;
				}
				SyncroClient.this.current = null;
				setStatus(Status.OFFLINE);
				if (!SyncroClient.this.closed) {
					Duration delay = this.resync ? Duration.ZERO : SyncroClient.this.backoff.delay(SyncroClient.this.attempts++);
					SyncroClient.this.reconnect = SyncroClient.this.scheduler.schedule(this::reconnect, delay.toMillis(),
							TimeUnit.MILLISECONDS);
				}
			}
			SyncroClient.this.announcer.drain();
		}

		private void reconnect() {
			synchronized (SyncroClient.this.state) {
				if (!SyncroClient.this.closed && SyncroClient.this.current == null) {
					openConnection();
				}
			}
			SyncroClient.this.announcer.drain();
		}

		/**
		 * Closes this connection because the client closes.
		 */
		void close() {
			Session open = this.session;
			Connection connection = this.connection;
			if (open != null) {
				open.close(1000, "Client closed");
			}
			else if (connection != null) {
				connection.close(1000, "Client closed");
			}
			ended();
		}

	}

	/**
	 * Builds a {@link SyncroClient}.
	 */
	public static final class Builder {

		private final URI server;

		private @Nullable String uid;

		private String serverId = "server";

		private LocalStore store = new MemoryLocalStore();

		private final Set<String> klasses = new LinkedHashSet<>();

		private Backoff backoff = Backoff.defaults();

		private Duration requestTimeout = Duration.ofSeconds(30);

		private Duration connectTimeout = Duration.ofSeconds(10);

		private Duration heartbeat = Duration.ofSeconds(30);

		private int maxMessageBytes = EngineSettings.DEFAULT_MAX_MESSAGE_BYTES;

		private int protocolVersion = ProtocolVersion.LATEST;

		private JsonMapper mapper = JsonMapper.builder()
			.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
			.build();

		private @Nullable HttpClient httpClient;

		private final Map<String, String> headers = new LinkedHashMap<>();

		private @Nullable Transport transport;

		private Builder(URI server) {
			String scheme = (server.getScheme() != null) ? server.getScheme().toLowerCase(Locale.ROOT) : "";
			if (scheme.equals("http") || scheme.equals("https")) {
				server = URI.create(((scheme.equals("http")) ? "ws" : "wss") + server.toString().substring(scheme.length()));
			}
			else if (!scheme.equals("ws") && !scheme.equals("wss")) {
				throw new IllegalArgumentException("The server URI must be ws://, wss://, http:// or https://: " + server);
			}
			this.server = server;
		}

		/**
		 * Sets this client's uid: 1 to 64 characters of {@code [A-Za-z0-9_.:-]}. By default
		 * the store's uid, or a new UUID that the store then keeps.
		 * @param uid the uid
		 * @return this builder
		 * @throws IllegalStateException at {@link #build} if the store holds another uid
		 */
		public Builder uid(String uid) {
			this.uid = uid;
			return this;
		}

		/**
		 * Sets the server's own uid ({@code syncro.server-id}); {@code server} by default.
		 * @param serverId the server's uid
		 * @return this builder
		 */
		public Builder serverId(String serverId) {
			this.serverId = serverId;
			return this;
		}

		/**
		 * Sets where the client keeps its state; a {@link MemoryLocalStore} by default. The
		 * client closes it when it closes.
		 * @param store the store
		 * @return this builder
		 */
		public Builder store(LocalStore store) {
			this.store = store;
			return this;
		}

		/**
		 * Names the synchronised classes this client keeps. A client keeps only the klasses
		 * it synchronises: scribes of others are skipped for good.
		 * @param klasses the class names
		 * @return this builder
		 */
		public Builder klasses(String... klasses) {
			this.klasses.addAll(List.of(klasses));
			return this;
		}

		/**
		 * Sets the delays between attempts to reconnect.
		 * @param backoff the backoff; {@link Backoff#defaults()} by default
		 * @return this builder
		 */
		public Builder backoff(Backoff backoff) {
			this.backoff = backoff;
			return this;
		}

		/**
		 * Sets how long a request (a sync, a scribe sent, an rpc, a ping) waits for its
		 * answer, and a message for its send; 30 s by default.
		 * @param timeout the timeout
		 * @return this builder
		 */
		public Builder requestTimeout(Duration timeout) {
			this.requestTimeout = timeout;
			return this;
		}

		/**
		 * Sets how long opening a connection may take; 10 s by default.
		 * @param timeout the timeout
		 * @return this builder
		 */
		public Builder connectTimeout(Duration timeout) {
			this.connectTimeout = timeout;
			return this;
		}

		/**
		 * Sets the time between pings of an open connection; one unanswered within the
		 * request timeout closes the connection, which is then opened again. 30 s by
		 * default; {@link Duration#ZERO} turns pings off.
		 * @param every the time between pings
		 * @return this builder
		 */
		public Builder heartbeat(Duration every) {
			this.heartbeat = every;
			return this;
		}

		/**
		 * Sets the largest message the server accepts ({@code syncro.max-message-bytes});
		 * larger local changes are refused when they are made.
		 * @param bytes the limit; 524288 by default
		 * @return this builder
		 */
		public Builder maxMessageBytes(int bytes) {
			this.maxMessageBytes = bytes;
			return this;
		}

		/**
		 * Sets the newest protocol version the client asks for on the handshake; the
		 * newest it speaks (2) by default. With 1 it asks for nothing newer and speaks
		 * PROTOCOL.md version 1 only, as clients before version 2 did. A server that knows
		 * only version 1 is spoken to in version 1 whatever is asked.
		 * @param version 1 or 2
		 * @return this builder
		 */
		public Builder protocolVersion(int version) {
			if (version < ProtocolVersion.V1 || version > ProtocolVersion.LATEST) {
				throw new IllegalArgumentException(
						"The protocol version is " + ProtocolVersion.V1 + " to " + ProtocolVersion.LATEST + ", not " + version);
			}
			this.protocolVersion = version;
			return this;
		}

		/**
		 * Sets the mapper that converts typed records and rpc arguments to JSON and back.
		 * @param mapper the mapper
		 * @return this builder
		 */
		public Builder jsonMapper(JsonMapper mapper) {
			this.mapper = mapper;
			return this;
		}

		/**
		 * Sets the HTTP client that opens WebSockets; one shared client by default.
		 * @param httpClient the client
		 * @return this builder
		 */
		public Builder httpClient(HttpClient httpClient) {
			this.httpClient = httpClient;
			return this;
		}

		/**
		 * Adds a header to every WebSocket handshake, such as credentials the server
		 * authenticates the connection with. A header set twice keeps the last value.
		 * @param name the header's name
		 * @param value its value
		 * @return this builder
		 * @see #basicAuthentication(String, String)
		 */
		public Builder header(String name, String value) {
			if (name == null || name.isBlank() || value == null) {
				throw new IllegalArgumentException("A header needs a name and a value");
			}
			this.headers.put(name, value);
			return this;
		}

		/**
		 * Authenticates every WebSocket handshake with HTTP Basic: adds an
		 * {@code Authorization: Basic ...} header. Send it only over {@code wss://} outside
		 * a test: it carries the password.
		 * @param user the user name
		 * @param password the password
		 * @return this builder
		 */
		public Builder basicAuthentication(String user, String password) {
			if (user == null || user.contains(":") || password == null) {
				throw new IllegalArgumentException("A Basic user name must not contain ':'");
			}
			String credentials = user + ":" + password;
			return header("Authorization", "Basic "
					+ Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
		}

		Builder transport(Transport transport) {
			this.transport = transport;
			return this;
		}

		/**
		 * Loads the client's state from its store; the client does not connect until
		 * {@link SyncroClient#connect()}.
		 * @return the client
		 * @throws IllegalArgumentException for a bad uid or setting
		 * @throws IllegalStateException if the store holds the state of another uid
		 */
		public SyncroClient build() {
			if (this.heartbeat.isNegative() || this.requestTimeout.isNegative() || this.requestTimeout.isZero()
					|| this.connectTimeout.isNegative() || this.connectTimeout.isZero()) {
				throw new IllegalArgumentException("Timeouts must be positive and the heartbeat not negative");
			}
			if (!Session.isValidUid(this.serverId)) {
				throw new IllegalArgumentException("The server's uid is 1 to 64 characters of [A-Za-z0-9_.:-]");
			}
			return new SyncroClient(this);
		}

	}

}
