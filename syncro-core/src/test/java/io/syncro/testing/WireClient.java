package io.syncro.testing;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

import io.syncro.protocol.MessageCodec;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.BooleanNode;
import tools.jackson.databind.node.ObjectNode;

import static io.syncro.testing.WireMessages.isType;
import static io.syncro.testing.WireMessages.json;
import static org.awaitility.Awaitility.await;

/**
 * The tests' client of the wire protocol: one WebSocket connection on the JDK's
 * {@link WebSocket}, opened by a {@link Builder} that says what the handshake carries and
 * how the client behaves. It keeps every message it receives and every scribe that
 * reaches it (pushed, or in the answer to one of its {@code sync}s) in arrival order,
 * unfiltered, so that a test sees a duplicate or a gap; by default it answers the
 * server's pull and its pushes as a well-behaved client does. It sends JSON requests
 * with the next id and waits for their replies, and raw text, fragments, pings and
 * binary frames for tests of hostile input; it can stop reading, as a slow consumer does.
 * <pre class="code">
 * WireClient.Builder server = WireClient.to(port).basicAuth("alice", "alice-secret");
 * try (WireClient client = server.live("laptop")) {
 *     JsonNode reply = client.addScribe(Scribes.create(1, "Todo", attributes));
 * }
 * int status = server.origin("https://evil.example").handshakeStatus("laptop");
 * </pre>
 * What differs between protocol versions is in {@link WireVersion}; the client asks for
 * {@link WireVersion#V1} unless told otherwise. {@link ReconnectingClient} builds on it
 * for a client that rides out failures.
 *
 * @since 0.1.0
 */
public final class WireClient implements AutoCloseable {

	private static final HttpClient http = HttpClient.newHttpClient();

	private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

	private static final int MAX_PING_BYTES = 125;

	/** The path of the endpoint, {@code syncro.path} by default. */
	private static final String PATH = "/syncro";

	private final String uid;

	private final Builder options;

	private final WireListener listener = new WireListener(new Receiver());

	private final Replies replies;

	/** The ids of this client's {@code sync} requests without an answer yet. */
	private final Set<Long> syncs = ConcurrentHashMap.newKeySet();

	private final List<JsonNode> received = new CopyOnWriteArrayList<>();

	// the server's records messages (protocol v2 subscriptions), in order
	private final List<JsonNode> records = new CopyOnWriteArrayList<>();

	private final List<Arrival> arrivals = new CopyOnWriteArrayList<>();

	private final List<String> violations = new CopyOnWriteArrayList<>();

	private final CompletableFuture<JsonNode> pull = new CompletableFuture<>();

	private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();

	private final AtomicBoolean ended = new AtomicBoolean();

	/** Held while a message is sent: the JDK sends one at a time, and fragments must not interleave. */
	private final Object sending = new Object();

	private volatile @Nullable WebSocket webSocket;

	private volatile WireVersion version;

	private volatile boolean heard;

	private volatile String closeReason = "";

	private WireClient(String uid, Builder options) {
		this.uid = uid;
		this.options = options;
		this.replies = new Replies(options.firstRequestId);
		this.version = options.version;
	}

	/**
	 * Clients of a Syncro server on this machine, with the default options.
	 * @param port the server's port
	 * @return the options
	 */
	public static Builder to(int port) {
		return to(URI.create("ws://localhost:" + port));
	}

	/**
	 * Clients of a Syncro server, or of a proxy in front of it, with the default options.
	 * @param server the server, as {@code ws://host:port}
	 * @return the options
	 */
	public static Builder to(URI server) {
		return new Builder(server);
	}

	/**
	 * The client's uid.
	 * @return the uid
	 */
	public String uid() {
		return this.uid;
	}

	/**
	 * The protocol version this connection speaks: the one asked for until the server's
	 * first message, then the one both sides know.
	 * @return the version
	 */
	public WireVersion version() {
		return this.version;
	}

	// Sending raw

	/**
	 * Sends a text frame, whatever it holds.
	 * @param text the text
	 * @return whether it was sent; not when the connection is closing or the text cannot
	 * be encoded as UTF-8 (a lone surrogate)
	 * @throws IllegalStateException if it could not be sent within the timeout
	 */
	public boolean sendText(String text) {
		return sendFragments(List.of(text));
	}

	/**
	 * Sends one text message as several frames, one a part.
	 * @param parts the parts, in order
	 * @return whether every part was sent
	 * @throws IllegalStateException if a part could not be sent within the timeout
	 */
	public boolean sendFragments(List<String> parts) {
		WebSocket socket = socket();
		synchronized (this.sending) {
			for (int i = 0; i < parts.size(); i++) {
				String part = parts.get(i);
				boolean last = (i == parts.size() - 1);
				if (!sent(() -> socket.sendText(part, last))) {
					return false;
				}
			}
		}
		return true;
	}

	/**
	 * Sends a ping with at most the first 125 bytes of a text, the most a control frame
	 * holds.
	 * @param text the payload
	 * @return whether it was sent
	 */
	public boolean sendPing(String text) {
		byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
		WebSocket socket = socket();
		synchronized (this.sending) {
			return sent(() -> socket.sendPing(ByteBuffer.wrap(bytes, 0, Math.min(bytes.length, MAX_PING_BYTES))));
		}
	}

	/**
	 * Sends a binary frame, which the protocol does not use.
	 * @param text the payload, as UTF-8
	 * @return whether it was sent
	 */
	public boolean sendBinary(String text) {
		WebSocket socket = socket();
		synchronized (this.sending) {
			return sent(() -> socket.sendBinary(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), true));
		}
	}

	private boolean sent(Supplier<CompletableFuture<WebSocket>> send) {
		try {
			send.get().get(this.options.timeout.toMillis(), TimeUnit.MILLISECONDS);
			return true;
		}
		catch (ExecutionException | RuntimeException ex) {
			return false;
		}
		catch (TimeoutException ex) {
			throw new IllegalStateException(this.uid + " could not send within " + this.options.timeout, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(this.uid + " was interrupted sending", ex);
		}
	}

	private WebSocket socket() {
		return Objects.requireNonNull(this.webSocket, "not connected");
	}

	// Requests

	/**
	 * Sends a request with the next id, without waiting for its reply.
	 * @param message the request, which is given the {@code id}
	 * @return the id and the reply, which fails if the request could not be sent or the
	 * connection ends first
	 */
	public Request send(ObjectNode message) {
		Request request = this.replies.next();
		message.put("id", request.id());
		if (isType(message, "sync")) {
			this.syncs.add(request.id());
		}
		try {
			if (!sendText(MessageCodec.writeTree(message))) {
				String failure = this.uid + " could not send " + message;
				request.reply().completeExceptionally(new IllegalStateException(failure));
			}
		}
		catch (IllegalStateException ex) {
			request.reply().completeExceptionally(ex);
		}
		return request;
	}

	/**
	 * Sends a request with the next id and waits for its reply.
	 * @param message the request, which is given the {@code id}
	 * @return the reply: a {@code response} or an {@code error}
	 * @throws IllegalStateException if no reply came within the timeout
	 */
	public JsonNode request(ObjectNode message) {
		Request request = send(message);
		try {
			return request.reply().get(this.options.timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(this.uid + " got no reply to request " + request.id(), ex.getCause());
		}
		catch (TimeoutException ex) {
			throw new IllegalStateException(this.uid + " got no reply to request " + request.id() + " within "
					+ this.options.timeout, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Subscribes to a scope (protocol v2) and waits for the answer, which comes after the
	 * scope's records.
	 * @param scope the scope's name
	 * @param params its parameters
	 * @return the answer: a {@code response} or an {@code error}
	 */
	public JsonNode subscribe(String scope, JsonNode params) {
		ObjectNode message = WireMessages.json.objectNode().put("type", "subscribe").put("scope", scope);
		message.set("params", params);
		return request(message);
	}

	/**
	 * Unsubscribes from a scope (protocol v2) and waits for the answer.
	 * @param scope the scope's name
	 * @param params its parameters
	 * @return the answer: a {@code response} or an {@code error}
	 */
	public JsonNode unsubscribe(String scope, JsonNode params) {
		ObjectNode message = WireMessages.json.objectNode().put("type", "unsubscribe").put("scope", scope);
		message.set("params", params);
		return request(message);
	}

	/**
	 * The server's {@code records} messages so far, each answered {@code true}.
	 * @return the messages, in order
	 */
	public List<JsonNode> records() {
		return List.copyOf(this.records);
	}

	/**
	 * Sends a {@code sync} and waits for its answer.
	 * @param from the position to sync from, or {@code null}
	 * @return the answer
	 */
	public JsonNode sync(@Nullable Long from) {
		return request(WireMessages.sync(from));
	}

	/**
	 * Syncs from a position until no more remain, which makes the connection live.
	 * @param from the position to sync from, or {@code null}
	 * @return every scribe the answers held, in order
	 */
	public List<JsonNode> syncToEnd(@Nullable Long from) {
		List<JsonNode> scribes = new ArrayList<>();
		Long position = from;
		while (true) {
			JsonNode answer = sync(position);
			answer.path("result").forEach(scribes::add);
			if (!scribes.isEmpty()) {
				position = scribes.get(scribes.size() - 1).path("id").asLong();
			}
			if (!answer.path("more").asBoolean(false)) {
				return scribes;
			}
		}
	}

	/**
	 * Sends an {@code add_scribe} and waits for its answer.
	 * @param scribe the scribe, with its client scribe id
	 * @return the answer: {@code true}, or an error
	 */
	public JsonNode addScribe(JsonNode scribe) {
		return request(WireMessages.addScribe(scribe));
	}

	/**
	 * Sends an {@code rpc} and waits for its answer.
	 * @param klass the rpc klass
	 * @param method the method
	 * @param args the arguments
	 * @return the answer
	 */
	public JsonNode rpc(String klass, String method, ArrayNode args) {
		return request(WireMessages.rpc(klass, method, args));
	}

	/**
	 * Asks the server for the highest server scribe id a {@code sync} of this client
	 * could return (the {@code Syncro.last_scribe_id} rpc).
	 * @return the id, or 0
	 * @throws IllegalStateException if the server answered with an error
	 */
	public long lastScribeId() {
		JsonNode answer = rpc("Syncro", "last_scribe_id", json.arrayNode());
		if (!isType(answer, "response")) {
			throw new IllegalStateException("Syncro.last_scribe_id was answered " + answer);
		}
		return answer.path("result").asLong();
	}

	/**
	 * Sends a {@code noop}, a ping of the protocol, and waits for its answer.
	 * @return the answer
	 */
	public JsonNode noop() {
		return request(WireMessages.noop());
	}

	// What arrived

	/**
	 * The server's first pull: its {@code sync} with {@code from} = its mark for this uid,
	 * answered already if the client answers pulls.
	 * @return the pull, once it came
	 */
	public CompletableFuture<JsonNode> pull() {
		return this.pull.copy();
	}

	/**
	 * Waits for the server's first pull.
	 * @return the pull
	 */
	public JsonNode awaitPull() {
		return await().atMost(this.options.timeout).until(() -> this.pull.getNow(null), Objects::nonNull);
	}

	/**
	 * Every message received, in order; none if the client keeps none.
	 * @return the messages
	 */
	public List<JsonNode> received() {
		return List.copyOf(this.received);
	}

	/**
	 * Waits for a message.
	 * @param matching what it holds
	 * @return the first message received that matches
	 */
	public JsonNode awaitMessage(Predicate<JsonNode> matching) {
		return await().atMost(this.options.timeout)
			.until(() -> this.received.stream().filter(matching).findFirst().orElse(null), Objects::nonNull);
	}

	/**
	 * Every scribe that reached the client, pushed or in the answer to one of its
	 * {@code sync}s, in arrival order.
	 * @return the arrivals
	 */
	public List<Arrival> arrivals() {
		return List.copyOf(this.arrivals);
	}

	/**
	 * The scribes of {@link #arrivals()}.
	 * @return the scribes
	 */
	public List<JsonNode> scribes() {
		return this.arrivals.stream().map(Arrival::scribe).toList();
	}

	/**
	 * The scribes the server pushed, in arrival order.
	 * @return the scribes
	 */
	public List<JsonNode> pushed() {
		return this.arrivals.stream().filter(Arrival::pushed).map(Arrival::scribe).toList();
	}

	/**
	 * Waits until this many scribes that match have reached the client.
	 * @param matching what they hold
	 * @param count how many
	 * @return every scribe that matches, in arrival order
	 */
	public List<JsonNode> awaitScribes(Predicate<JsonNode> matching, int count) {
		return awaitArrivals((arrival) -> matching.test(arrival.scribe()), count);
	}

	/**
	 * Waits until the server has pushed this many scribes that match.
	 * @param matching what they hold
	 * @param count how many
	 * @return every pushed scribe that matches, in arrival order
	 */
	public List<JsonNode> awaitPushed(Predicate<JsonNode> matching, int count) {
		return awaitArrivals((arrival) -> arrival.pushed() && matching.test(arrival.scribe()), count);
	}

	private List<JsonNode> awaitArrivals(Predicate<Arrival> matching, int count) {
		Supplier<List<JsonNode>> found = () -> this.arrivals.stream().filter(matching).map(Arrival::scribe).toList();
		return await().atMost(this.options.timeout).until(found::get, (scribes) -> scribes.size() >= count);
	}

	/**
	 * The highest server scribe id that reached the client.
	 * @return the id, or 0
	 */
	public long position() {
		return this.arrivals.stream().mapToLong(Arrival::id).max().orElse(0);
	}

	/**
	 * What the server sent that the protocol rules out (a binary frame, text that is not
	 * a JSON object), and messages the client could not handle.
	 * @return what went wrong, in order
	 */
	public List<String> violations() {
		return List.copyOf(this.violations);
	}

	// Reading

	/**
	 * Stops reading: what the server sends stays in its buffers and the network's.
	 */
	public void pause() {
		this.listener.pause();
	}

	/**
	 * Reads again.
	 */
	public void resume() {
		this.listener.resume();
	}

	// The end

	/**
	 * The close code of the connection: the server's, or 1006 if it ended without a
	 * closing handshake.
	 * @return the code, once the connection ended
	 */
	public CompletableFuture<Integer> closeCode() {
		return this.closeCode.copy();
	}

	/**
	 * Why the connection ended: the reason of the close frame, or the error.
	 * @return the reason; empty while open
	 */
	public String closeReason() {
		return this.closeReason;
	}

	/**
	 * Waits for the connection to end.
	 * @return the close code
	 */
	public int awaitClose() {
		return await().atMost(this.options.timeout).until(() -> this.closeCode.getNow(null), Objects::nonNull);
	}

	/**
	 * Closes the connection with a closing handshake, or drops it if the server does not
	 * take part.
	 */
	@Override
	public void close() {
		WebSocket socket = this.webSocket;
		if (socket == null) {
			return;
		}
		try {
			if (!socket.isOutputClosed()) {
				CompletableFuture<WebSocket> closing;
				synchronized (this.sending) {
					closing = socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
				}
				closing.get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			}
			this.closeCode.get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			abort();
		}
		catch (ExecutionException | TimeoutException | RuntimeException ex) {
			abort();
		}
	}

	/**
	 * Drops the connection without a closing handshake, as a lost network would.
	 */
	public void abort() {
		WebSocket socket = this.webSocket;
		if (socket != null) {
			socket.abort();
		}
		ended(WireListener.ABNORMAL_CLOSURE, "aborted");
	}

	@Override
	public String toString() {
		return "WireClient " + this.uid + " (" + this.version + ")";
	}

	// Receiving, in the listener's thread

	private void received(String text) {
		this.options.onText.accept(text);
		JsonNode message;
		try {
			message = MessageCodec.readTree(text);
		}
		catch (RuntimeException ex) {
			violation("a message that is not JSON: " + abbreviate(text));
			return;
		}
		if (!message.isObject()) {
			violation("a message that is not a JSON object: " + abbreviate(text));
			return;
		}
		long now = System.nanoTime();
		if (!this.heard) {
			this.heard = true;
			this.version = WireVersion.spoken(this.options.version, message);
		}
		if (this.options.recordMessages) {
			this.received.add(message);
		}
		WireVersion speaking = this.version;
		if (isType(message, "sync")) {
			if (this.options.answerPulls) {
				JsonNode answer = speaking.pullAnswer(message, this.options.pullAnswer);
				sendQuietly(WireMessages.response(message.path("id").asLong(), answer));
			}
			this.pull.complete(message);
		}
		else if (speaking.isPush(message)) {
			speaking.pushedScribes(message).forEach((scribe) -> arrived(scribe, now, true));
			if (this.options.answerPushes) {
				sendQuietly(speaking.pushAnswer(message));
			}
		}
		else if (isType(message, "records")) {
			this.records.add(message);
			sendQuietly(WireMessages.response(message.path("id").asLong(), BooleanNode.TRUE));
		}
		else if (isType(message, "response", "error")) {
			long id = message.path("id").asLong(-1);
			if (this.syncs.remove(id) && isType(message, "response")) {
				message.path("result").forEach((scribe) -> arrived(scribe, now, false));
			}
			this.replies.complete(id, message);
		}
	}

	private void arrived(JsonNode scribe, long nanos, boolean pushed) {
		Arrival arrival = new Arrival(scribe, nanos, pushed);
		if (this.options.keepArrivals) {
			this.arrivals.add(arrival);
		}
		this.options.onArrival.accept(arrival);
	}

	private void sendQuietly(ObjectNode message) {
		try {
			sendText(MessageCodec.writeTree(message));
		}
		catch (IllegalStateException ex) {
			// the connection is going; the server catches the client up on the next one
		}
	}

	private void ended(int code, String reason) {
		if (!this.ended.compareAndSet(false, true)) {
			return;
		}
		this.closeReason = reason;
		this.replies.end(new IllegalStateException(this.uid + " was closed with " + code + " " + reason));
		this.closeCode.complete(code);
	}

	private void violation(String what) {
		this.violations.add(what);
	}

	private static String abbreviate(String text) {
		return (text.length() <= 300) ? text : text.substring(0, 300) + "… (" + text.length() + " chars)";
	}

	/**
	 * A request sent: its id and its reply.
	 * @param id the request's id
	 * @param reply the reply, a {@code response} or an {@code error}; fails if the request
	 * could not be sent or the connection ended first
	 */
	public record Request(long id, CompletableFuture<JsonNode> reply) {
	}

	/**
	 * A scribe that reached the client, when, and how.
	 * @param scribe the scribe
	 * @param nanos when, by {@link System#nanoTime()}
	 * @param pushed whether it was pushed, not in the answer to a {@code sync}
	 */
	public record Arrival(JsonNode scribe, long nanos, boolean pushed) {

		/**
		 * The scribe's id.
		 * @return the id
		 */
		public long id() {
			return this.scribe.path("id").asLong();
		}

	}

	private final class Receiver implements WireListener.Receiver {

		@Override
		public void opened(WebSocket webSocket) {
			WireClient.this.webSocket = webSocket;
		}

		@Override
		public void text(String text) {
			try {
				received(text);
			}
			catch (RuntimeException ex) {
				violation("could not handle " + abbreviate(text) + ": " + ex);
			}
		}

		@Override
		public void binary() {
			violation("a binary frame");
		}

		@Override
		public void closed(int code, String reason) {
			ended(code, reason);
		}

	}

	/**
	 * What the handshake of a client carries and how the client behaves. A builder does
	 * not change: each method returns a new one, so that a test keeps one for a server
	 * and a user and varies it where it needs to.
	 */
	public static final class Builder {

		private final URI server;

		private final Map<String, String> headers = new LinkedHashMap<>();

		private WireVersion version = WireVersion.V1;

		private List<JsonNode> pullAnswer = List.of();

		private boolean answerPulls = true;

		private boolean answerPushes = true;

		private boolean recordMessages = true;

		private boolean keepArrivals = true;

		private Consumer<String> onText = (text) -> {
		};

		private Consumer<Arrival> onArrival = (arrival) -> {
		};

		private long firstRequestId = 1;

		private Duration timeout = Duration.ofSeconds(30);

		private Duration connectTimeout = Duration.ofSeconds(10);

		private Builder(URI server) {
			this.server = server;
		}

		private Builder(Builder original) {
			this.server = original.server;
			this.headers.putAll(original.headers);
			this.version = original.version;
			this.pullAnswer = original.pullAnswer;
			this.answerPulls = original.answerPulls;
			this.answerPushes = original.answerPushes;
			this.recordMessages = original.recordMessages;
			this.keepArrivals = original.keepArrivals;
			this.onText = original.onText;
			this.onArrival = original.onArrival;
			this.firstRequestId = original.firstRequestId;
			this.timeout = original.timeout;
			this.connectTimeout = original.connectTimeout;
		}

		private Builder with(Consumer<Builder> change) {
			Builder copy = new Builder(this);
			change.accept(copy);
			return copy;
		}

		/**
		 * A header of the handshake.
		 * @param name the name
		 * @param value the value
		 * @return a new builder
		 */
		public Builder header(String name, String value) {
			return with((copy) -> copy.headers.put(name, value));
		}

		/**
		 * HTTP Basic credentials on the handshake.
		 * @param user the user
		 * @param password the password
		 * @return a new builder
		 */
		public Builder basicAuth(String user, String password) {
			String credentials = Base64.getEncoder()
				.encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
			return header("Authorization", "Basic " + credentials);
		}

		/**
		 * The {@code Origin} header of the handshake, as a browser sends it; none unless
		 * told.
		 * @param origin the origin
		 * @return a new builder
		 */
		public Builder origin(String origin) {
			return header("Origin", origin);
		}

		/**
		 * The protocol version to ask for; {@link WireVersion#V1} unless told otherwise.
		 * @param version the version
		 * @return a new builder
		 */
		public Builder version(WireVersion version) {
			return with((copy) -> copy.version = version);
		}

		/**
		 * The client's own scribes, which it answers the server's pull with: those above
		 * the pull's {@code from} (a version 2 client answers with none, as that version
		 * asks). None unless told.
		 * @param scribes the scribes, oldest first
		 * @return a new builder
		 */
		public Builder answerPullWith(List<? extends JsonNode> scribes) {
			return with((copy) -> copy.pullAnswer = List.copyOf(scribes));
		}

		/**
		 * Whether the client answers the server's pull; if not, the test does.
		 * @param answer whether it does (it does unless told)
		 * @return a new builder
		 */
		public Builder answerPulls(boolean answer) {
			return with((copy) -> copy.answerPulls = answer);
		}

		/**
		 * Whether the client answers the server's pushes with {@code true}.
		 * @param answer whether it does (it does unless told)
		 * @return a new builder
		 */
		public Builder answerPushes(boolean answer) {
			return with((copy) -> copy.answerPushes = answer);
		}

		/**
		 * Whether the client keeps every message it receives for {@link WireClient#received()}
		 * and {@link WireClient#awaitMessage(Predicate)}; a connection that gets a great many turns it
		 * off. Scribes that arrive are kept anyway.
		 * @param record whether it does (it does unless told)
		 * @return a new builder
		 */
		public Builder recordMessages(boolean record) {
			return with((copy) -> copy.recordMessages = record);
		}

		/**
		 * Whether the client keeps every scribe that arrives for {@link WireClient#arrivals()}
		 * and the methods that read them; a connection that gets a great many, and only counts
		 * them through {@link #onArrival}, turns it off.
		 * @param keep whether it does (it does unless told)
		 * @return a new builder
		 */
		public Builder keepArrivals(boolean keep) {
			return with((copy) -> copy.keepArrivals = keep);
		}

		/**
		 * Told every text message the server sends, as it is, before the client handles
		 * it, in the listener's thread.
		 * @param observer the observer
		 * @return a new builder
		 */
		public Builder onText(Consumer<String> observer) {
			return with((copy) -> copy.onText = observer);
		}

		/**
		 * Told every scribe that reaches the client, in order, in the listener's thread: a
		 * scribe of a {@code sync} answer before the answer's reply completes.
		 * @param observer the observer
		 * @return a new builder
		 */
		public Builder onArrival(Consumer<Arrival> observer) {
			return with((copy) -> copy.onArrival = observer);
		}

		/**
		 * The id of the client's first request; 1 unless told otherwise, so that a test
		 * that writes requests of its own can keep its ids apart.
		 * @param id the id
		 * @return a new builder
		 */
		public Builder firstRequestId(long id) {
			return with((copy) -> copy.firstRequestId = id);
		}

		/**
		 * How long the client waits for a reply, a send or anything awaited; 30 seconds
		 * unless told otherwise.
		 * @param timeout the timeout
		 * @return a new builder
		 */
		public Builder timeout(Duration timeout) {
			return with((copy) -> copy.timeout = timeout);
		}

		/**
		 * How long the handshake may take; 10 seconds unless told otherwise.
		 * @param timeout the timeout
		 * @return a new builder
		 */
		public Builder connectTimeout(Duration timeout) {
			return with((copy) -> copy.connectTimeout = timeout);
		}

		/**
		 * The address a client of a uid connects to.
		 * @param uid the uid
		 * @return the address, with the uid and the version asked for
		 */
		public URI endpoint(String uid) {
			return this.server.resolve(PATH + "?client=" + URLEncoder.encode(uid, StandardCharsets.UTF_8)
					+ this.version.handshakeQuery());
		}

		/**
		 * Opens a connection.
		 * @param uid the client's uid
		 * @return the client, once the handshake was accepted
		 * @throws IllegalStateException if the handshake was refused or failed
		 */
		public WireClient connect(String uid) {
			try {
				return connectAsync(uid).join();
			}
			catch (CompletionException ex) {
				if (ex.getCause() instanceof WebSocketHandshakeException refused) {
					throw new IllegalStateException("The handshake of " + uid + " was refused with HTTP "
							+ refused.getResponse().statusCode(), refused);
				}
				throw new IllegalStateException("The handshake of " + uid + " failed", ex.getCause());
			}
		}

		/**
		 * Opens a connection without waiting.
		 * @param uid the client's uid
		 * @return the client, once the handshake was accepted; fails with a
		 * {@link WebSocketHandshakeException} if it was refused
		 */
		public CompletableFuture<WireClient> connectAsync(String uid) {
			WireClient client = new WireClient(uid, this);
			WebSocket.Builder handshake = http.newWebSocketBuilder().connectTimeout(this.connectTimeout);
			this.headers.forEach(handshake::header);
			return handshake.buildAsync(endpoint(uid), client.listener).thenApply((webSocket) -> {
				client.webSocket = webSocket;
				return client;
			});
		}

		/**
		 * Opens a connection and syncs from {@code null} until no more remain, so that
		 * the connection is live.
		 * @param uid the client's uid
		 * @return the client
		 */
		public WireClient live(String uid) {
			WireClient client = connect(uid);
			try {
				client.syncToEnd(null);
			}
			catch (RuntimeException ex) {
				client.abort();
				throw ex;
			}
			return client;
		}

		/**
		 * Opens a handshake that the server is expected to refuse.
		 * @param uid the client's uid
		 * @return the HTTP status the server refused it with
		 * @throws AssertionError if the server accepted it, or it failed without a status
		 */
		public int handshakeStatus(String uid) {
			WireClient accepted;
			try {
				accepted = connectAsync(uid).join();
			}
			catch (CompletionException ex) {
				if (ex.getCause() instanceof WebSocketHandshakeException refused) {
					return refused.getResponse().statusCode();
				}
				throw new AssertionError("The handshake of " + uid + " failed without an HTTP status", ex);
			}
			accepted.close();
			throw new AssertionError("The server accepted the handshake of " + uid);
		}

	}

}
