package io.syncro.sample.reliability;

import java.net.URI;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import io.syncro.protocol.MessageCodec;
import io.syncro.sample.TextMessageListener;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * One hostile connection: it sends whatever it is given and inspects every message the
 * server sends back (without keeping them), counting 500s and anything that looks like a
 * leak. It follows the server's pull and its {@code expected} ids so that the generator
 * can aim its scribes at the id the server expects next.
 */
final class FuzzConnection extends TextMessageListener {

	private static final long BARRIER_IDS = 1_000_000_000_000L;

	private static final long PROBE_SCRIBE_ID = 1L << 62;

	private final HostileInputs.Target target;

	private final FuzzFindings findings;

	private final WebSocket webSocket;

	private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();

	private volatile String closeReason = "";

	private final Map<Long, CompletableFuture<Void>> barriers = new ConcurrentHashMap<>();

	private final AtomicLong barrierIds = new AtomicLong(BARRIER_IDS);

	private FuzzConnection(URI server, HostileInputs.Target target, FuzzFindings findings) {
		this.target = target;
		this.findings = findings;
		this.webSocket = Handshake.open(server, target.uid, this);
	}

	static FuzzConnection open(URI server, HostileInputs.Target target, FuzzFindings findings) {
		return new FuzzConnection(server, target, findings);
	}

	CompletableFuture<Integer> closeCode() {
		return this.closeCode;
	}

	String closeReason() {
		return this.closeReason;
	}

	/**
	 * Sends a text frame.
	 * @return whether it was sent; not when the connection is closing or the text cannot
	 * be encoded as UTF-8 (a lone surrogate left by a mutation)
	 */
	boolean sendText(String text) throws InterruptedException, TimeoutException {
		return sent(this.webSocket.sendText(text, true));
	}

	/**
	 * Sends a text as several frames of one message, cut at random places.
	 */
	boolean sendFragments(String text, java.util.SplittableRandom random) throws InterruptedException, TimeoutException {
		int start = 0;
		while (text.length() - start > 1 && random.nextInt(3) != 0) {
			int end = start + 1 + random.nextInt(text.length() - start - 1);
			if (Character.isHighSurrogate(text.charAt(end - 1))) {
				end--;
			}
			if (end > start && !sent(this.webSocket.sendText(text.substring(start, end), false))) {
				return false;
			}
			start = Math.max(start, end);
		}
		return sent(this.webSocket.sendText(text.substring(start), true));
	}

	boolean sendPing(String text) throws InterruptedException, TimeoutException {
		byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
		return sent(this.webSocket.sendPing(ByteBuffer.wrap(bytes, 0, Math.min(bytes.length, 125))));
	}

	boolean sendBinary(String text) throws InterruptedException, TimeoutException {
		return sent(this.webSocket.sendBinary(ByteBuffer.wrap(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)), true));
	}

	private boolean sent(CompletableFuture<WebSocket> sending) throws InterruptedException, TimeoutException {
		try {
			sending.get(30, TimeUnit.SECONDS);
			return true;
		}
		catch (java.util.concurrent.ExecutionException ex) {
			return false;
		}
	}

	/**
	 * Sends a probe and waits for its answer: messages are handled in order, so every
	 * input before it has been answered (or dropped) by then. The probe is a scribe with an
	 * id far beyond the mark, which the server answers with 409 and the id it expects
	 * next, so the generator aims the next scribes at it.
	 * @return whether it was answered; not when the connection closed meanwhile
	 * @throws TimeoutException when the server answered nothing for 30 seconds
	 */
	boolean barrier() throws InterruptedException, TimeoutException {
		long id = this.barrierIds.incrementAndGet();
		CompletableFuture<Void> answered = new CompletableFuture<>();
		this.barriers.put(id, answered);
		if (!sendText("{\"type\":\"add_scribe\",\"id\":" + id + ",\"scribe\":{\"id\":" + PROBE_SCRIBE_ID
				+ ",\"klass\":\"Todo\",\"type\":\"destroy\",\"data\":[\"probe\"]}}")) {
			return false;
		}
		try {
			CompletableFuture.anyOf(answered, this.closeCode).get(30, TimeUnit.SECONDS);
		}
		catch (java.util.concurrent.ExecutionException ex) {
			return false;
		}
		finally {
			this.barriers.remove(id);
		}
		return answered.isDone();
	}

	/**
	 * Waits for the server to close the connection.
	 * @return the close code, or {@code null} if it stayed open
	 */
	@Nullable Integer awaitClose(long seconds) throws InterruptedException {
		try {
			return this.closeCode.get(seconds, TimeUnit.SECONDS);
		}
		catch (java.util.concurrent.ExecutionException | TimeoutException ex) {
			return null;
		}
	}

	void close() {
		if (!this.webSocket.isOutputClosed()) {
			try {
				this.webSocket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
			}
			catch (Exception ex) {
				this.webSocket.abort();
			}
		}
		try {
			this.closeCode.get(5, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			this.webSocket.abort();
		}
	}

	@Override
	protected void onMessage(String text) {
		inspect(text);
	}

	@Override
	public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
		this.findings.unexpected("a binary frame from the server");
		webSocket.request(1);
		return null;
	}

	@Override
	public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
		this.closeReason = reason;
		this.findings.inspectText(reason, "close reason");
		this.closeCode.complete(statusCode);
		return null;
	}

	@Override
	public void onError(WebSocket webSocket, Throwable error) {
		this.closeReason = String.valueOf(error);
		this.closeCode.complete(1006);
	}

	private void inspect(String text) {
		this.findings.inspectText(text, "message");
		JsonNode message;
		try {
			message = MessageCodec.readTree(text);
		}
		catch (RuntimeException ex) {
			this.findings.unexpected("a message that is not JSON: " + FuzzFindings.abbreviate(text));
			return;
		}
		String type = message.path("type").asString("");
		long id = message.path("id").asLong(-1);
		if (id <= BARRIER_IDS) {
			this.findings.received(type, message.path("code").asInt(0), text);
		}
		if (type.equals("error")) {
			JsonNode expected = message.get("expected");
			CompletableFuture<Void> barrier = this.barriers.get(id);
			if (barrier != null && expected != null && expected.canConvertToLong()) {
				this.target.nextScribeId = expected.longValue();
				barrier.complete(null);
			}
		}
		else if (type.equals("sync")) {
			this.target.pendingPull = message.path("id").asLong();
			this.target.nextScribeId = message.path("from").asLong(0) + 1;
		}
	}

}
