package io.syncro.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import static org.awaitility.Awaitility.await;

/**
 * A connection that keeps what a session sends, for tests that play the peer by hand.
 * It also keeps one list of sends and the close, in the order they happened.
 */
final class CapturingConnection implements Connection {

	private final BlockingQueue<String> sent = new LinkedBlockingQueue<>();

	private final List<String> events = new ArrayList<>();

	private final int maxMessageBytes;

	volatile @Nullable Integer closeCode;

	CapturingConnection() {
		this(Integer.MAX_VALUE);
	}

	/**
	 * A connection that can carry messages of at most the given size, like a byte
	 * stream's 64 KiB frames.
	 */
	CapturingConnection(int maxMessageBytes) {
		this.maxMessageBytes = maxMessageBytes;
	}

	@Override
	public int maxMessageBytes() {
		return this.maxMessageBytes;
	}

	@Override
	public void send(String message) {
		synchronized (this.events) {
			this.events.add("send " + message);
		}
		this.sent.add(message);
	}

	@Override
	public void close(int code, String reason) {
		synchronized (this.events) {
			this.events.add("close " + code);
		}
		this.closeCode = code;
	}

	/**
	 * Waits for the next message the session sent.
	 */
	JsonNode next() {
		awaitSomethingSent();
		return Json.parse(this.sent.remove());
	}

	/**
	 * Waits for the next message the session sent, as text.
	 */
	String nextText() {
		awaitSomethingSent();
		return this.sent.remove();
	}

	private void awaitSomethingSent() {
		await().atMost(Duration.ofSeconds(10))
			.pollDelay(Duration.ZERO)
			.pollInterval(Duration.ofMillis(1))
			.until(() -> !this.sent.isEmpty());
	}

	boolean hasNext() {
		return !this.sent.isEmpty();
	}

	List<String> events() {
		synchronized (this.events) {
			return List.copyOf(this.events);
		}
	}

}
