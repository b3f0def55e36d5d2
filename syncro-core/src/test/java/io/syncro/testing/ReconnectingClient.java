package io.syncro.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import static io.syncro.testing.WireMessages.isType;

/**
 * A client of the wire protocol that behaves like a real one across failures, on
 * {@link WireClient} connections: it keeps its position (the highest server scribe id it
 * processed), syncs from it on every connection, applies scribes above it, and
 * reconnects whenever the server closes the connection or it cannot connect. Writes by
 * {@code add_scribe} are retried with the same client scribe id until settled, as
 * PROTOCOL.md section 4 asks of a 500, a 429 or a dropped connection.
 * <p>
 * It answers the server's pull with no scribes (it sends its own by {@code add_scribe},
 * which section 5 allows) and sends no {@code add_scribe} on a connection before it has
 * answered that pull. Everything it applies is kept in order, and anything the server
 * sends that the protocol rules out (a scribe not above the position, ids not increasing
 * on one connection, what {@link WireClient#violations()} tells) is kept as a violation.
 *
 * @since 0.1.0
 */
public final class ReconnectingClient implements AutoCloseable {

	private static final long RETRY_DELAY_MILLIS = 200;

	private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

	private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(30);

	private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(90);

	private final String uid;

	private final WireClient.Builder server;

	private final ScheduledExecutorService timer;

	private final Object state = new Object();

	// guarded by state

	private long position;

	private final List<JsonNode> applied = new ArrayList<>();

	private final List<String> violations = new ArrayList<>();

	// the highest client scribe id answered true: the server's mark may never fall below it
	private long acknowledged;

	private @Nullable Link link;

	private boolean closed;

	private final AtomicInteger connections = new AtomicInteger();

	private ReconnectingClient(WireClient.Builder server, String uid) {
		this.uid = uid;
		// whatever the options say, a real client answers the pull and every push, and
		// tries again soon when a node is away
		this.server = server.answerPullWith(List.of())
			.answerPulls(true)
			.answerPushes(true)
			.connectTimeout(Duration.ofSeconds(5));
		this.timer = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "reconnecting-client-" + uid);
			thread.setDaemon(true);
			return thread;
		});
	}

	/**
	 * Starts a client that connects, and keeps reconnecting, to a server, and waits until
	 * it has caught up with the log once.
	 * @param server the server and what the handshake carries
	 * @param uid the client's uid
	 * @return the client
	 */
	public static ReconnectingClient live(WireClient.Builder server, String uid) {
		ReconnectingClient client = new ReconnectingClient(server, uid);
		client.connect();
		try {
			client.awaitLive(CATCH_UP_TIMEOUT);
		}
		catch (AssertionError ex) {
			client.close();
			throw ex;
		}
		return client;
	}

	/**
	 * Everything a client of a uid that syncs from {@code null} gets, however often it
	 * has to reconnect or sync again: a new client, caught up, then closed.
	 * @param server the server and what the handshake carries
	 * @param uid the uid to sync as
	 * @return the scribes, in the order they were answered
	 */
	public static List<JsonNode> fullSync(WireClient.Builder server, String uid) {
		try (ReconnectingClient cold = live(server, uid)) {
			return cold.applied();
		}
	}

	/**
	 * The client's uid.
	 * @return the uid
	 */
	public String uid() {
		return this.uid;
	}

	// What the client has

	/**
	 * The scribes the client applied, in order.
	 * @return the scribes
	 */
	public List<JsonNode> applied() {
		synchronized (this.state) {
			return List.copyOf(this.applied);
		}
	}

	/**
	 * The highest server scribe id the client applied.
	 * @return the id, or 0
	 */
	public long position() {
		synchronized (this.state) {
			return this.position;
		}
	}

	/**
	 * What the server sent on any connection that the protocol rules out.
	 * @return what went wrong, in order
	 */
	public List<String> violations() {
		List<String> all;
		synchronized (this.state) {
			all = new ArrayList<>(this.violations);
		}
		Link current = currentLink();
		if (current != null && current.connection != null) {
			current.connection.violations().forEach((violation) -> all.add(this.uid + ": " + violation));
		}
		return all;
	}

	/**
	 * How many connections were opened.
	 * @return the number
	 */
	public int connections() {
		return this.connections.get();
	}

	/**
	 * Waits until the current connection has caught up with the log.
	 * @param timeout how long
	 * @throws AssertionError if it did not within the timeout
	 */
	public void awaitLive(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!isLive()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError(this.uid + " did not catch up within " + timeout);
			}
			Processes.sleep(10);
		}
	}

	private boolean isLive() {
		Link current = currentLink();
		return current != null && current.live;
	}

	// Writes

	/**
	 * Sends a scribe until it is settled: retried with the same id after a 500 or 429,
	 * after no answer and on the next connection after a dropped one.
	 * @param scribe the scribe, with its client scribe id
	 * @param failures told of each failed attempt
	 * @return the reply that settled it: {@code true}, or an error that is final
	 */
	public JsonNode addScribe(ObjectNode scribe, Failures failures) {
		long deadline = System.nanoTime() + WRITE_TIMEOUT.toNanos();
		while (true) {
			WireClient connection = readyConnection(deadline);
			WireClient.Request request = connection.send(WireMessages.addScribe(scribe));
			JsonNode reply;
			try {
				reply = request.reply().get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (ExecutionException ex) {
				failures.noReply();
				continue;
			}
			catch (TimeoutException ex) {
				// a connection that answers nothing is as good as lost
				failures.noReply();
				connection.abort();
				continue;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
			if (isType(reply, "response")) {
				if (reply.path("result").asBoolean(false)) {
					synchronized (this.state) {
						this.acknowledged = Math.max(this.acknowledged, scribe.path("id").asLong());
					}
				}
				return reply;
			}
			int code = reply.path("code").asInt();
			if (code != 500 && code != 429) {
				return reply;
			}
			failures.errorReply(code);
			Processes.sleep(RETRY_DELAY_MILLIS);
		}
	}

	private WireClient readyConnection(long deadline) {
		while (true) {
			Link current = currentLink();
			WireClient connection = (current != null) ? current.connection : null;
			if (connection != null && !current.dead.get() && connection.pull().isDone()) {
				return connection;
			}
			if (System.nanoTime() > deadline) {
				throw new AssertionError(this.uid + " found no connection to write on");
			}
			Processes.sleep(20);
		}
	}

	private @Nullable Link currentLink() {
		synchronized (this.state) {
			return this.link;
		}
	}

	@Override
	public void close() {
		Link current;
		synchronized (this.state) {
			this.closed = true;
			current = this.link;
			this.link = null;
			if (current != null) {
				keepViolationsOf(current);
			}
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
		this.server.onArrival(next::apply).connectAsync(this.uid).whenComplete((connection, failure) -> {
			if (failure != null) {
				reconnectLater();
				return;
			}
			next.connection = connection;
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
			connection.closeCode().whenComplete((code, error) -> down(next));
			long answered;
			synchronized (this.state) {
				answered = this.acknowledged;
			}
			connection.pull().thenAccept((pull) -> checkMark(pull, answered));
			next.sync();
		});
	}

	/** The server's mark for this uid moved backwards if it asks for a scribe it answered. */
	private void checkMark(JsonNode pull, long answered) {
		long mark = pull.path("from").asLong(0);
		if (mark < answered) {
			synchronized (this.state) {
				this.violations.add(this.uid + ": the server's mark went back to " + mark + " below " + answered
						+ ", a scribe it had answered true");
			}
		}
	}

	private void reconnectLater() {
		later(this::connect);
	}

	private void later(Runnable task) {
		try {
			this.timer.schedule(task, RETRY_DELAY_MILLIS, TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			// closed
		}
	}

	private void down(Link gone) {
		if (!gone.dead.compareAndSet(false, true)) {
			return;
		}
		boolean reconnect;
		synchronized (this.state) {
			keepViolationsOf(gone);
			if (this.link == gone) {
				this.link = null;
			}
			reconnect = !this.closed;
		}
		if (reconnect) {
			reconnectLater();
		}
	}

	// guarded by state
	private void keepViolationsOf(Link gone) {
		WireClient connection = gone.connection;
		if (connection != null) {
			connection.violations().forEach((violation) -> this.violations.add(this.uid + ": " + violation));
		}
	}

	/**
	 * Counts the failed attempts of writes.
	 */
	public static final class Failures {

		private final AtomicInteger errorReplies = new AtomicInteger();

		private final Map<Integer, AtomicInteger> byCode = new ConcurrentHashMap<>();

		private final AtomicInteger noReplies = new AtomicInteger();

		void errorReply(int code) {
			this.errorReplies.incrementAndGet();
			this.byCode.computeIfAbsent(code, (key) -> new AtomicInteger()).incrementAndGet();
		}

		void noReply() {
			this.noReplies.incrementAndGet();
		}

		/**
		 * How many attempts were answered with a transient error.
		 * @return the number
		 */
		public int errorReplies() {
			return this.errorReplies.get();
		}

		/**
		 * How many attempts got no answer.
		 * @return the number
		 */
		public int noReplies() {
			return this.noReplies.get();
		}

		@Override
		public String toString() {
			return this.errorReplies + " error replies " + this.byCode + ", " + this.noReplies + " without reply";
		}

	}

	/**
	 * One connection of the client and what the client knows of it.
	 */
	private final class Link {

		final int number;

		final AtomicBoolean dead = new AtomicBoolean();

		volatile @Nullable WireClient connection;

		/** The highest scribe id received on this connection; guarded by the client's state. */
		long highest;

		volatile boolean live;

		Link(int number) {
			this.number = number;
		}

		/** Asks for the scribes above the position; the answer's scribes are applied as they arrive. */
		void sync() {
			WireClient open = this.connection;
			if (open == null || this.dead.get()) {
				return;
			}
			long from = position();
			open.send(WireMessages.sync((from > 0) ? from : null)).reply().whenComplete((answer, failure) -> {
				if (failure != null) {
					abort();
				}
				else if (isType(answer, "error")) {
					// the log could not be read (Redis down, say): ask again a little later
					later(this::sync);
				}
				else if (answer.path("more").asBoolean(false)) {
					sync();
				}
				else {
					this.live = true;
				}
			});
		}

		/** Applies a scribe the server sent on this connection, in the listener's thread. */
		void apply(WireClient.Arrival arrival) {
			long id = arrival.id();
			String how = arrival.pushed() ? "push" : "sync answer";
			ReconnectingClient client = ReconnectingClient.this;
			synchronized (client.state) {
				if (id <= this.highest) {
					client.violations.add(client.uid + " connection " + this.number + ": " + how + " of scribe " + id
							+ " after scribe " + this.highest);
				}
				this.highest = Math.max(this.highest, id);
				if (id <= client.position) {
					client.violations.add(client.uid + " connection " + this.number + ": " + how + " of scribe " + id
							+ " at position " + client.position);
					return;
				}
				client.applied.add(arrival.scribe());
				client.position = id;
			}
		}

		void abort() {
			WireClient open = this.connection;
			if (open != null) {
				open.abort();
			}
			down(this);
		}

		void close() {
			this.dead.set(true);
			WireClient open = this.connection;
			if (open != null) {
				open.close();
			}
		}

	}

}
