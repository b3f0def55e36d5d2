package io.syncro.sample.cluster;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.syncro.protocol.MessageCodec;
import io.syncro.sample.TextMessageListener;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A protocol client that behaves like a real one across failures: it keeps its position
 * (the highest server scribe id it processed), syncs from it on every connection, applies
 * pushes above it, and reconnects whenever the server closes the connection or it cannot
 * connect. Writes by {@code add_scribe} are retried with the same client scribe id until
 * settled, as PROTOCOL.md section 4 asks of a 500 or a dropped connection.
 * <p>
 * It answers the server's pull with no scribes (it sends its own by {@code add_scribe},
 * which section 5 allows) and sends no {@code add_scribe} on a connection before it has
 * answered that pull. Everything it applies is kept in order, and anything the server
 * sends that the protocol rules out (a scribe not above the position, ids not increasing
 * on one connection) is kept as a violation.
 */
final class SyncClient implements AutoCloseable {

	static final JsonNodeFactory json = JsonNodeFactory.instance;

	private static final HttpClient http = HttpClient.newHttpClient();

	// every client of these tests is the sample user alice, by HTTP Basic
	private static final String AUTHORIZATION = "Basic "
			+ java.util.Base64.getEncoder().encodeToString("alice:alice-secret".getBytes(StandardCharsets.UTF_8));

	private static final long RETRY_DELAY_MILLIS = 200;

	private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

	final String uid;

	private final int port;

	private final ScheduledExecutorService timer;

	private final Object state = new Object();

	// guarded by state

	private long position;

	private final List<JsonNode> applied = new ArrayList<>();

	private final List<String> violations = new ArrayList<>();

	private @Nullable Link link;

	private boolean closed;

	private final AtomicInteger connections = new AtomicInteger();

	private final AtomicInteger drops = new AtomicInteger();

	private SyncClient(String uid, int port) {
		this.uid = uid;
		this.port = port;
		this.timer = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "sync-client-" + uid);
			thread.setDaemon(true);
			return thread;
		});
	}

	/**
	 * Starts a client that connects (and keeps reconnecting) to a node.
	 * @param port the node's port
	 * @param uid the client's uid
	 * @return the client, possibly not connected yet
	 */
	static SyncClient start(int port, String uid) {
		SyncClient client = new SyncClient(uid, port);
		client.connect();
		return client;
	}

	/**
	 * Starts a client and waits until it has caught up with the log once.
	 */
	static SyncClient live(int port, String uid) {
		SyncClient client = start(port, uid);
		client.awaitLive(Duration.ofSeconds(30));
		return client;
	}

	/**
	 * Everything a client of this uid that syncs from null gets: a new connection, synced
	 * until no more remain, then closed.
	 * @param port the node's port
	 * @param uid the uid to sync as
	 * @return the scribes, in the order they were answered
	 */
	static List<JsonNode> fullSync(int port, String uid) {
		try (SyncClient cold = live(port, uid)) {
			return cold.applied();
		}
	}

	// What the client has

	List<JsonNode> applied() {
		synchronized (this.state) {
			return List.copyOf(this.applied);
		}
	}

	long position() {
		synchronized (this.state) {
			return this.position;
		}
	}

	List<String> violations() {
		synchronized (this.state) {
			return List.copyOf(this.violations);
		}
	}

	/** How many connections were opened. */
	int connections() {
		return this.connections.get();
	}

	/** How many connections ended before this client was closed: closed by the server, or dropped. */
	int drops() {
		return this.drops.get();
	}

	boolean isLive() {
		Link current = currentLink();
		return current != null && current.live;
	}

	void awaitLive(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!isLive()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError(this.uid + " did not catch up within " + timeout);
			}
			sleep(10);
		}
	}

	// Writes

	/**
	 * Sends a scribe until it is settled: retried with the same id after a 500 or 429,
	 * after no answer and on the next connection after a dropped one.
	 * @param scribe the scribe, with its client scribe id
	 * @param failures told of each failed attempt
	 * @return the reply that settled it: {@code true}, or an error that is final
	 */
	JsonNode addScribe(ObjectNode scribe, Failures failures) {
		long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
		while (true) {
			Link current = readyLink(deadline);
			ObjectNode message = json.objectNode().put("type", "add_scribe");
			message.set("scribe", scribe);
			JsonNode reply;
			try {
				reply = current.request(message).get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (ExecutionException ex) {
				failures.noReply();
				continue;
			}
			catch (TimeoutException ex) {
				// a connection that answers nothing is as good as lost
				failures.noReply();
				current.abort();
				continue;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
			if (reply.path("type").asString().equals("response")) {
				return reply;
			}
			int code = reply.path("code").asInt();
			if (code != 500 && code != 429) {
				return reply;
			}
			failures.errorReply(code);
			sleep(RETRY_DELAY_MILLIS);
		}
	}

	/**
	 * Sends a request on the current connection and waits for its reply.
	 */
	JsonNode request(ObjectNode message) {
		Link current = readyLink(System.nanoTime() + REQUEST_TIMEOUT.toNanos());
		try {
			return current.request(message).get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new IllegalStateException(this.uid + " got no reply to " + message, ex);
		}
	}

	private Link readyLink(long deadline) {
		while (true) {
			Link current = currentLink();
			if (current != null && !current.dead.get() && current.pulled.isDone()) {
				return current;
			}
			if (System.nanoTime() > deadline) {
				throw new AssertionError(this.uid + " found no connection to write on");
			}
			sleep(20);
		}
	}

	private @Nullable Link currentLink() {
		synchronized (this.state) {
			return this.link;
		}
	}

	/**
	 * Drops the connection without a closing handshake; the client reconnects.
	 */
	void abort() {
		Link current = currentLink();
		if (current != null) {
			current.abort();
		}
	}

	@Override
	public void close() {
		Link current;
		synchronized (this.state) {
			this.closed = true;
			current = this.link;
			this.link = null;
		}
		if (current != null) {
			current.close();
		}
		this.timer.shutdownNow();
	}

	// Connections

	private void connect() {
		synchronized (this.state) {
			if (this.closed) {
				return;
			}
		}
		Link next = new Link(this.connections.incrementAndGet());
		URI uri = URI.create("ws://localhost:" + this.port + "/syncro?client="
				+ URLEncoder.encode(this.uid, StandardCharsets.UTF_8));
		http.newWebSocketBuilder()
			.connectTimeout(Duration.ofSeconds(5))
			.header("Authorization", AUTHORIZATION)
			.buildAsync(uri, next)
			.whenComplete((webSocket, failure) -> {
				if (failure != null) {
					reconnectLater();
					return;
				}
				boolean current;
				synchronized (this.state) {
					current = !this.closed;
					if (current) {
						this.link = next;
					}
				}
				if (!current) {
					next.close();
					return;
				}
				next.sync();
			});
	}

	private void reconnectLater() {
		try {
			this.timer.schedule(this::connect, RETRY_DELAY_MILLIS, TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			// closed
		}
	}

	private void down(Link gone) {
		if (!gone.dead.compareAndSet(false, true)) {
			return;
		}
		IllegalStateException failure = new IllegalStateException("Connection " + gone.number + " of " + this.uid
				+ " was closed");
		gone.awaiting.values().forEach((future) -> future.completeExceptionally(failure));
		gone.awaiting.clear();
		boolean reconnect;
		synchronized (this.state) {
			if (this.link == gone) {
				this.link = null;
			}
			reconnect = !this.closed;
		}
		if (reconnect) {
			this.drops.incrementAndGet();
			reconnectLater();
		}
	}

	/** Applies a scribe the server sent on a connection, in the listener's thread. */
	private void apply(Link on, JsonNode scribe, String how) {
		long id = scribe.path("id").asLong();
		synchronized (this.state) {
			if (id <= on.highest) {
				this.violations.add(this.uid + " connection " + on.number + ": " + how + " of scribe " + id
						+ " after scribe " + on.highest);
			}
			on.highest = Math.max(on.highest, id);
			if (id <= this.position) {
				this.violations.add(this.uid + " connection " + on.number + ": " + how + " of scribe " + id
						+ " at position " + this.position);
				return;
			}
			this.applied.add(scribe);
			this.position = id;
		}
	}

	private void violation(String text) {
		synchronized (this.state) {
			this.violations.add(this.uid + ": " + text);
		}
	}

	/**
	 * Sleeps, turning an interruption into a failure of the test thread.
	 * @param millis how long
	 */
	static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Counts the failed attempts of writes.
	 */
	static final class Failures {

		private final AtomicInteger errorReplies = new AtomicInteger();

		private final Map<Integer, AtomicInteger> byCode = new ConcurrentHashMap<>();

		private final AtomicInteger dropped = new AtomicInteger();

		void errorReply(int code) {
			this.errorReplies.incrementAndGet();
			this.byCode.computeIfAbsent(code, (key) -> new AtomicInteger()).incrementAndGet();
		}

		void noReply() {
			this.dropped.incrementAndGet();
		}

		int errorReplies() {
			return this.errorReplies.get();
		}

		int noReplies() {
			return this.dropped.get();
		}

		@Override
		public String toString() {
			return this.errorReplies + " error replies " + this.byCode + ", " + this.dropped + " without reply";
		}

	}

	/**
	 * One WebSocket connection of the client.
	 */
	private final class Link extends TextMessageListener {

		final int number;

		final AtomicBoolean dead = new AtomicBoolean();

		final Map<Long, CompletableFuture<JsonNode>> awaiting = new ConcurrentHashMap<>();

		/** Completed once the server's pull is answered, after which writes may go. */
		final CompletableFuture<Void> pulled = new CompletableFuture<>();

		/** The ids of this connection's sync requests without an answer yet. */
		final Set<Long> syncs = ConcurrentHashMap.newKeySet();

		final AtomicLong ids = new AtomicLong();

		/** The highest scribe id received on this connection; guarded by the client's state. */
		long highest;

		volatile boolean live;

		private volatile @Nullable WebSocket webSocket;

		Link(int number) {
			this.number = number;
		}

		CompletableFuture<JsonNode> request(ObjectNode message) {
			long id = this.ids.incrementAndGet();
			message.put("id", id);
			CompletableFuture<JsonNode> reply = new CompletableFuture<>();
			this.awaiting.put(id, reply);
			if (this.dead.get()) {
				this.awaiting.remove(id);
				reply.completeExceptionally(new IllegalStateException("Connection " + this.number + " is closed"));
				return reply;
			}
			send(message);
			return reply.whenComplete((result, failure) -> this.awaiting.remove(id));
		}

		void sync() {
			long id = this.ids.incrementAndGet();
			this.syncs.add(id);
			ObjectNode sync = json.objectNode().put("type", "sync").put("id", id);
			long from = position();
			if (from > 0) {
				sync.put("from", from);
			}
			else {
				sync.putNull("from");
			}
			send(sync);
		}

		void send(ObjectNode message) {
			WebSocket open = this.webSocket;
			if (open == null || this.dead.get()) {
				return;
			}
			try {
				synchronized (this) {
					open.sendText(MessageCodec.writeTree(message), true).get(10, TimeUnit.SECONDS);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			catch (ExecutionException | TimeoutException | RuntimeException ex) {
				abort();
			}
		}

		void abort() {
			WebSocket open = this.webSocket;
			if (open != null) {
				open.abort();
			}
			down(this);
		}

		void close() {
			this.dead.set(true);
			WebSocket open = this.webSocket;
			if (open != null && !open.isOutputClosed()) {
				open.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(5, TimeUnit.SECONDS).exceptionally((ex) -> {
					open.abort();
					return null;
				});
			}
		}

		@Override
		protected void opened(WebSocket webSocket) {
			this.webSocket = webSocket;
		}

		@Override
		protected void onMessage(String text) {
			try {
				received(MessageCodec.readTree(text));
			}
			catch (RuntimeException ex) {
				violation("could not handle " + text + ": " + ex);
			}
		}

		private void received(JsonNode message) {
			String type = message.path("type").asString();
			if (type.equals("sync")) {
				// the server's pull: this client's scribes all go by add_scribe
				ObjectNode answer = json.objectNode().put("type", "response").put("id", message.path("id").asLong());
				answer.set("result", json.arrayNode());
				send(answer);
				this.pulled.complete(null);
			}
			else if (type.equals("add_scribe")) {
				apply(this, message.path("scribe"), "push");
				send(json.objectNode().put("type", "response").put("id", message.path("id").asLong()).put("result", true));
			}
			else if (type.equals("response") || type.equals("error")) {
				long id = message.path("id").asLong(-1);
				if (this.syncs.remove(id)) {
					synced(message);
				}
				else {
					CompletableFuture<JsonNode> reply = this.awaiting.remove(id);
					if (reply != null) {
						reply.complete(message);
					}
				}
			}
		}

		/** Applies a sync answer in the listener's thread, so that no push overtakes it. */
		private void synced(JsonNode answer) {
			if (answer.path("type").asString().equals("error")) {
				// the log could not be read (Redis down, say): ask again a little later
				try {
					SyncClient.this.timer.schedule(() -> {
						if (!this.dead.get()) {
							sync();
						}
					}, RETRY_DELAY_MILLIS, TimeUnit.MILLISECONDS);
				}
				catch (RejectedExecutionException ex) {
					// closed
				}
				return;
			}
			for (JsonNode scribe : answer.path("result")) {
				apply(this, scribe, "sync answer");
			}
			if (answer.path("more").asBoolean(false)) {
				sync();
			}
			else {
				this.live = true;
			}
		}

		@Override
		public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
			down(this);
			return null;
		}

		@Override
		public void onError(WebSocket webSocket, Throwable error) {
			down(this);
		}

	}

}
