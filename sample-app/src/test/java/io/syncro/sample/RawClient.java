package io.syncro.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import io.syncro.protocol.MessageCodec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import static org.awaitility.Awaitility.await;

/**
 * A bare protocol client on the JDK's WebSocket for end-to-end tests: it keeps every
 * message it receives, answers the server's pull with the scribes it is given, and
 * answers pushes with {@code true}, so tests can assert the exact replies.
 */
final class RawClient implements AutoCloseable {

	static final JsonNodeFactory json = JsonNodeFactory.instance;

	private static final HttpClient http = HttpClient.newHttpClient();

	final String uid;

	private volatile WebSocket webSocket;

	private final List<JsonNode> received = new CopyOnWriteArrayList<>();

	private final AtomicLong ids = new AtomicLong();

	private volatile List<ObjectNode> offlineScribes = List.of();

	private volatile boolean answerPushes = true;

	final CompletableFuture<Integer> closeCode = new CompletableFuture<>();

	private RawClient(String uid, List<ObjectNode> offlineScribes) {
		this.uid = uid;
		this.offlineScribes = offlineScribes;
	}

	/** Connects as the sample user alice. */
	static RawClient connect(int port, String uid) {
		return connect(port, uid, basic("alice"), List.of());
	}

	/** Connects as the sample user alice. */
	static RawClient connect(int port, String uid, List<ObjectNode> offlineScribes) {
		return connect(port, uid, basic("alice"), offlineScribes);
	}

	/** Connects as one of the sample users (alice, bob, carol). */
	static RawClient connectAs(int port, String user, String uid) {
		return connect(port, uid, basic(user), List.of());
	}

	/**
	 * The HTTP Basic header of a sample user, whose password in the sample's
	 * configuration is its name followed by {@code -secret}.
	 */
	static Map<String, String> basic(String user) {
		return basic(user, user + "-secret");
	}

	static Map<String, String> basic(String user, String password) {
		String credentials = java.util.Base64.getEncoder()
			.encodeToString((user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
		return Map.of("Authorization", "Basic " + credentials);
	}

	/** Connects with exactly these handshake headers, credentials included or not. */
	static RawClient connect(int port, String uid, Map<String, String> headers, List<ObjectNode> offlineScribes) {
		RawClient client = new RawClient(uid, offlineScribes);
		WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
		headers.forEach(builder::header);
		client.webSocket = builder.buildAsync(uri(port, uid), new Listener(client)).join();
		return client;
	}

	static URI uri(int port, String uid) {
		return URI.create("ws://localhost:" + port + "/syncro?client="
				+ java.net.URLEncoder.encode(uid, java.nio.charset.StandardCharsets.UTF_8));
	}

	/**
	 * Sends raw text.
	 */
	synchronized void sendText(String text) {
		this.webSocket.sendText(text, true).join();
	}

	/**
	 * Sends a request with the next id and waits for its reply (a response or an error).
	 */
	JsonNode request(ObjectNode message) {
		long id = this.ids.incrementAndGet();
		message.put("id", id);
		sendText(MessageCodec.writeTree(message));
		return awaitMessage((reply) -> reply.path("id").asLong(-1) == id
				&& (reply.path("type").asString().equals("response") || reply.path("type").asString().equals("error")));
	}

	JsonNode sync(Long from) {
		ObjectNode sync = json.objectNode().put("type", "sync");
		sync.put("from", from);
		return request(sync);
	}

	/**
	 * Syncs from a position until no more remain; returns every scribe fetched.
	 */
	List<JsonNode> syncAll(Long from) {
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

	JsonNode addScribe(ObjectNode scribe) {
		return request(json.objectNode().put("type", "add_scribe").set("scribe", scribe));
	}

	JsonNode rpc(String klass, String method, ArrayNode args) {
		ObjectNode rpc = json.objectNode().put("type", "rpc").put("klass", klass).put("method", method);
		rpc.set("args", args);
		return request(rpc);
	}

	/**
	 * The scribes the server pushed, in arrival order.
	 */
	List<JsonNode> pushed() {
		return this.received.stream()
			.filter((message) -> message.path("type").asString().equals("add_scribe"))
			.map((message) -> message.get("scribe"))
			.toList();
	}

	List<JsonNode> received() {
		return List.copyOf(this.received);
	}

	JsonNode awaitMessage(Predicate<JsonNode> matching) {
		return await().atMost(Duration.ofSeconds(20))
			.until(() -> this.received.stream().filter(matching).findFirst().orElse(null), (found) -> found != null);
	}

	void awaitPushes(int count) {
		await().atMost(Duration.ofSeconds(20)).until(() -> pushed().size() >= count);
	}

	void stopAnsweringPushes() {
		this.answerPushes = false;
	}

	int awaitClose() throws Exception {
		return this.closeCode.get(20, TimeUnit.SECONDS);
	}

	static ObjectNode scribe(long id, String klass, String type, JsonNode data) {
		ObjectNode scribe = json.objectNode().put("id", id).put("klass", klass).put("type", type);
		scribe.set("data", data);
		return scribe;
	}

	static ObjectNode create(long id, String klass, ObjectNode attributes) {
		return scribe(id, klass, "create", attributes);
	}

	static ObjectNode update(long id, String klass, String recordId, ObjectNode changes) {
		return scribe(id, klass, "update", json.arrayNode().add(recordId).add(changes));
	}

	static ObjectNode destroy(long id, String klass, String recordId) {
		return scribe(id, klass, "destroy", json.arrayNode().add(recordId));
	}

	@Override
	public void close() {
		if (!this.webSocket.isOutputClosed()) {
			try {
				this.webSocket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
			}
			catch (CompletionException ex) {
				// the client answered a close the server began in the meantime
				if (!this.webSocket.isOutputClosed()) {
					throw ex;
				}
			}
		}
	}

	/**
	 * Drops the connection without a closing handshake, as a lost network would.
	 */
	void abort() {
		this.webSocket.abort();
	}

	private void received(JsonNode message) {
		this.received.add(message);
		String type = message.path("type").asString();
		if (type.equals("sync")) {
			long from = message.path("from").asLong(0);
			ArrayNode result = json.arrayNode();
			this.offlineScribes.stream().filter((scribe) -> scribe.path("id").asLong() > from).forEach(result::add);
			ObjectNode answer = json.objectNode().put("type", "response").put("id", message.path("id").asLong());
			answer.set("result", result);
			sendText(MessageCodec.writeTree(answer));
		}
		else if (type.equals("add_scribe") && this.answerPushes) {
			sendText(MessageCodec.writeTree(
					json.objectNode().put("type", "response").put("id", message.path("id").asLong()).put("result", true)));
		}
	}

	private static final class Listener extends TextMessageListener {

		private final RawClient client;

		Listener(RawClient client) {
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
		public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
			this.client.closeCode.complete(statusCode);
			return null;
		}

		@Override
		public void onError(WebSocket webSocket, Throwable error) {
			this.client.closeCode.complete(1006);
		}

	}

}
