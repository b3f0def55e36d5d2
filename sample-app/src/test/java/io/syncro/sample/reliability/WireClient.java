package io.syncro.sample.reliability;

import java.net.URI;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import io.syncro.protocol.MessageCodec;
import io.syncro.sample.TextMessageListener;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import static org.awaitility.Awaitility.await;

/**
 * A well-behaved protocol client on the JDK's WebSocket: it answers the server's pull
 * with the scribes it is given, answers pushes with {@code true}, and keeps every scribe
 * that reaches it (by push or in a sync answer) in arrival order, unfiltered, so that
 * tests can see a duplicate or a gap. It can stop reading, as a slow consumer does: the
 * JDK's WebSocket reads from the socket only while the listener asks for more.
 */
final class WireClient implements AutoCloseable {

	static final JsonNodeFactory json = JsonNodeFactory.instance;

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	final String uid;

	private final List<ObjectNode> offlineScribes;

	private volatile @Nullable WebSocket webSocket;

	private final List<Arrival> arrivals = new CopyOnWriteArrayList<>();

	private final List<JsonNode> received = new CopyOnWriteArrayList<>();

	private final Map<Long, CompletableFuture<JsonNode>> replies = new ConcurrentHashMap<>();

	private final Map<Long, Boolean> syncRequests = new ConcurrentHashMap<>();

	private final AtomicLong ids = new AtomicLong();

	private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();

	private final Object reading = new Object();

	// guarded by reading
	private boolean paused;

	// guarded by reading: the listener returned without asking for the next message
	private boolean starved;

	private WireClient(String uid, List<ObjectNode> offlineScribes) {
		this.uid = uid;
		this.offlineScribes = offlineScribes;
	}

	static WireClient connect(URI server, String uid) {
		return connect(server, uid, List.of());
	}

	static WireClient connect(URI server, String uid, List<ObjectNode> offlineScribes) {
		WireClient client = new WireClient(uid, offlineScribes);
		client.webSocket = Handshake.open(server, uid, new Listener(client));
		return client;
	}

	/**
	 * Connects and syncs from a position until no more remain, so the connection is live.
	 */
	static WireClient live(URI server, String uid, @Nullable Long from) {
		WireClient client = connect(server, uid);
		client.syncAll(from);
		return client;
	}

	/**
	 * A scribe that reached the client, when, and how.
	 */
	record Arrival(JsonNode scribe, long nanos, boolean pushed) {

		long id() {
			return this.scribe.path("id").asLong();
		}

	}

	// Sending

	synchronized void sendText(String text) {
		WebSocket socket = this.webSocket;
		if (socket != null) {
			socket.sendText(text, true).join();
		}
	}

	/**
	 * Sends a request with the next id and returns its id without waiting for the reply.
	 */
	long send(ObjectNode message) {
		long id = this.ids.incrementAndGet();
		message.put("id", id);
		this.replies.put(id, new CompletableFuture<>());
		if (message.path("type").asString().equals("sync")) {
			this.syncRequests.put(id, Boolean.TRUE);
		}
		sendText(MessageCodec.writeTree(message));
		return id;
	}

	JsonNode reply(long id) {
		CompletableFuture<JsonNode> reply = this.replies.get(id);
		if (reply == null) {
			throw new IllegalStateException(this.uid + " sent no request " + id + " or took its reply already");
		}
		try {
			return reply.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (Exception ex) {
			throw new IllegalStateException(this.uid + " got no reply to request " + id, ex);
		}
		finally {
			this.replies.remove(id);
		}
	}

	JsonNode request(ObjectNode message) {
		return reply(send(message));
	}

	JsonNode sync(@Nullable Long from) {
		ObjectNode sync = json.objectNode().put("type", "sync");
		sync.put("from", from);
		return request(sync);
	}

	/**
	 * Syncs from a position until no more remain.
	 * @return every scribe the answers held, in order
	 */
	List<JsonNode> syncAll(@Nullable Long from) {
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

	static ObjectNode addScribe(ObjectNode scribe) {
		return json.objectNode().put("type", "add_scribe").set("scribe", scribe);
	}

	JsonNode rpc(String klass, String method) {
		ObjectNode rpc = json.objectNode().put("type", "rpc").put("klass", klass).put("method", method);
		rpc.set("args", json.arrayNode());
		return request(rpc);
	}

	// What arrived

	List<Arrival> arrivals() {
		return List.copyOf(this.arrivals);
	}

	List<JsonNode> scribes() {
		return this.arrivals.stream().map(Arrival::scribe).toList();
	}

	/**
	 * The highest server scribe id that reached the client.
	 */
	long position() {
		return this.arrivals.stream().mapToLong(Arrival::id).max().orElse(0);
	}

	List<JsonNode> received() {
		return List.copyOf(this.received);
	}

	JsonNode awaitMessage(Predicate<JsonNode> matching) {
		return await().atMost(TIMEOUT)
			.until(() -> this.received.stream().filter(matching).findFirst().orElse(null), (found) -> found != null);
	}

	List<JsonNode> awaitScribes(Predicate<JsonNode> matching, int count) {
		await().atMost(TIMEOUT).until(() -> scribes().stream().filter(matching).count() >= count);
		return scribes().stream().filter(matching).toList();
	}

	CompletableFuture<Integer> closeCode() {
		return this.closeCode;
	}

	// Reading

	/**
	 * Stops reading: what the server sends stays in its buffers and the network's.
	 */
	void pause() {
		synchronized (this.reading) {
			this.paused = true;
		}
	}

	/**
	 * Reads again.
	 */
	void resume() {
		WebSocket socket;
		synchronized (this.reading) {
			this.paused = false;
			if (!this.starved) {
				return;
			}
			this.starved = false;
			socket = this.webSocket;
		}
		if (socket != null) {
			socket.request(1);
		}
	}

	private void askForMore(WebSocket socket) {
		synchronized (this.reading) {
			if (this.paused) {
				this.starved = true;
				return;
			}
		}
		socket.request(1);
	}

	@Override
	public void close() {
		WebSocket socket = this.webSocket;
		if (socket != null && !socket.isOutputClosed()) {
			try {
				socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
			}
			catch (Exception ex) {
				socket.abort();
			}
		}
	}

	/**
	 * Drops the connection without a closing handshake, as a lost network would.
	 */
	void abort() {
		WebSocket socket = this.webSocket;
		if (socket != null) {
			socket.abort();
		}
	}

	private void received(JsonNode message) {
		long now = System.nanoTime();
		this.received.add(message);
		String type = message.path("type").asString();
		if (type.equals("sync")) {
			long from = message.path("from").asLong(0);
			ArrayNode result = json.arrayNode();
			this.offlineScribes.stream().filter((scribe) -> scribe.path("id").asLong() > from).forEach(result::add);
			ObjectNode answer = json.objectNode().put("type", "response").put("id", message.path("id").asLong());
			answer.set("result", result);
			sendQuietly(MessageCodec.writeTree(answer));
		}
		else if (type.equals("add_scribe")) {
			this.arrivals.add(new Arrival(message.get("scribe"), now, true));
			sendQuietly(MessageCodec.writeTree(
					json.objectNode().put("type", "response").put("id", message.path("id").asLong()).put("result", true)));
		}
		else if (type.equals("response") || type.equals("error")) {
			long id = message.path("id").asLong(-1);
			if (type.equals("response") && this.syncRequests.remove(id) != null) {
				message.path("result").forEach((scribe) -> this.arrivals.add(new Arrival(scribe, now, false)));
			}
			CompletableFuture<JsonNode> reply = this.replies.get(id);
			if (reply != null) {
				reply.complete(message);
			}
		}
	}

	private void sendQuietly(String text) {
		try {
			sendText(text);
		}
		catch (RuntimeException ex) {
			// the connection is going; the server catches the client up on the next one
		}
	}

	private static final class Listener extends TextMessageListener {

		private final WireClient client;

		Listener(WireClient client) {
			this.client = client;
		}

		@Override
		protected void opened(WebSocket webSocket) {
			this.client.webSocket = webSocket;
		}

		@Override
		protected void onMessage(String text) {
			this.client.received(MessageCodec.readTree(text));
		}

		@Override
		protected void requestNext(WebSocket webSocket) {
			this.client.askForMore(webSocket);
		}

		@Override
		public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
			this.client.closeCode.complete(statusCode);
			this.client.replies.values()
				.forEach((reply) -> reply.completeExceptionally(new IllegalStateException("closed with " + statusCode + " " + reason)));
			return null;
		}

		@Override
		public void onError(WebSocket webSocket, Throwable error) {
			this.client.closeCode.complete(1006);
			this.client.replies.values()
				.forEach((reply) -> reply.completeExceptionally(new IllegalStateException("connection lost", error)));
		}

	}

}
