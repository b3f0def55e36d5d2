package io.syncro.client;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.syncro.protocol.MessageCodec;
import io.syncro.session.Connection;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A server played by hand, for tests that need the server's messages in an exact order,
 * including orders a real server never produces: the test reads what the client sent and
 * writes the server's messages, which the client handles on the test's thread before
 * {@link #send} returns. One connection at a time.
 */
final class ScriptedServer implements Transport {

	private static final Duration WAIT = Duration.ofSeconds(10);

	/** The protocol version each connection asked for, in order. */
	final List<Integer> askedVersions = new CopyOnWriteArrayList<>();

	private volatile @Nullable Link link;

	@Override
	public void open(String uid, int version, Handler handler) {
		this.askedVersions.add(version);
		Link opened = new Link(handler);
		handler.opened(opened);
		// only now: the client drops what arrives before opened returns
		this.link = opened;
	}

	/**
	 * Waits for the client to open a connection.
	 */
	void awaitOpen() {
		await().atMost(WAIT).until(() -> this.link != null && !this.link.ended.get());
	}

	/**
	 * Sends the client a message, which it handles before this returns.
	 * @param message the message's JSON text
	 */
	void send(String message) {
		link().handler.received(message);
	}

	/**
	 * Waits for the next message the client sent, answering its {@code digest} requests as a
	 * server that gives none.
	 * @return the message
	 */
	JsonNode next() {
		JsonNode message = poll(WAIT.toMillis());
		assertThat(message).as("a message from the client").isNotNull();
		return message;
	}

	/**
	 * Waits for the next message the client sent, which must be of a type.
	 * @param type the message's type
	 * @return the message
	 */
	JsonNode next(String type) {
		JsonNode message = next();
		assertThat(message.path("type").asString()).as("the type of " + message).isEqualTo(type);
		return message;
	}

	/**
	 * Whether the client sent nothing more within a moment, but {@code digest} requests
	 * (answered as {@link #next()} answers them).
	 * @return whether nothing came
	 */
	boolean sentNothingMore() {
		return poll(200) == null;
	}

	/**
	 * The next message the client sent within a time, answering its {@code digest}
	 * requests as a server that gives none (docs/PROTOCOL.md section 8.9).
	 */
	private @Nullable JsonNode poll(long millis) {
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
		try {
			while (true) {
				String message = link().sent.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
				if (message == null) {
					return null;
				}
				JsonNode read = MessageCodec.readTree(message);
				if (!read.path("type").asString().equals("digest")) {
					return read;
				}
				send("{\"type\":\"error\",\"id\":" + read.path("id").asLong()
						+ ",\"code\":501,\"message\":\"The message type 'digest' is unknown.\"}");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Ends the connection, as a network failure would.
	 */
	void drop() {
		link().end(1006);
	}

	private Link link() {
		Link current = this.link;
		assertThat(current).as("an open connection").isNotNull();
		return current;
	}

	/**
	 * One connection: what the client sends waits in a queue for the test.
	 */
	private static final class Link implements Connection {

		private final Handler handler;

		private final BlockingQueue<String> sent = new LinkedBlockingQueue<>();

		private final AtomicBoolean ended = new AtomicBoolean();

		Link(Handler handler) {
			this.handler = handler;
		}

		@Override
		public void send(String message) throws IOException {
			if (this.ended.get()) {
				throw new IOException("The connection is closed");
			}
			this.sent.add(message);
		}

		@Override
		public void close(int code, String reason) {
			end(code);
		}

		void end(int code) {
			if (this.ended.compareAndSet(false, true)) {
				this.handler.closed(code, "");
			}
		}

	}

}
