package io.syncro.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.syncro.session.Connection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for the JDK WebSocket adapter, on a stand-in {@link WebSocket}: partial text
 * frames make whole messages, sends go out one at a time, the connection ends once, and
 * the URI carries the uid and the protocol version asked for.
 */
class WebSocketTransportTests {

	private final List<String> received = new CopyOnWriteArrayList<>();

	private final List<String> closes = new CopyOnWriteArrayList<>();

	private final Transport.Handler handler = new Transport.Handler() {

		@Override
		public void opened(Connection connection) {
		}

		@Override
		public void received(String message) {
			WebSocketTransportTests.this.received.add(message);
		}

		@Override
		public void closed(int code, String reason) {
			WebSocketTransportTests.this.closes.add(code + " " + reason);
		}

		@Override
		public void failed(Throwable error) {
		}

	};

	private final ExecutorService senders = Executors.newFixedThreadPool(4);

	@AfterEach
	void stopSenders() {
		this.senders.shutdownNow();
	}

	private WebSocketTransport.WebSocketConnection connection(FakeWebSocket socket, int maxMessageBytes) {
		WebSocketTransport.WebSocketConnection connection = new WebSocketTransport.WebSocketConnection(this.handler,
				maxMessageBytes, Duration.ofSeconds(10));
		connection.onOpen(socket);
		return connection;
	}

	@Test
	void partialTextFramesAreGatheredIntoWholeMessages() {
		FakeWebSocket socket = new FakeWebSocket();
		WebSocketTransport.WebSocketConnection connection = connection(socket, 1024);
		connection.onText(socket, "{\"type\":\"noop\",", false);
		connection.onText(socket, "\"id\"", false);
		connection.onText(socket, ":1}", true);
		connection.onText(socket, "{\"type\":\"noop\",\"id\":2}", true);
		assertThat(this.received).containsExactly("{\"type\":\"noop\",\"id\":1}", "{\"type\":\"noop\",\"id\":2}");
		assertThat(socket.requested.get()).isEqualTo(5);
	}

	@Test
	void aMessageGrowingPastTheLimitIsHandedOnAtOnceAndItsRestDropped() {
		FakeWebSocket socket = new FakeWebSocket();
		WebSocketTransport.WebSocketConnection connection = connection(socket, 10);
		connection.onText(socket, "123456", false);
		connection.onText(socket, "789012", false);
		connection.onText(socket, "345", true);
		connection.onText(socket, "{}", true);
		assertThat(this.received).containsExactly("123456789012", "{}");
	}

	@Test
	void sendsGoOutOneAtATimeEachAfterThePreviousCompleted() throws Exception {
		FakeWebSocket socket = new FakeWebSocket();
		WebSocketTransport.WebSocketConnection connection = connection(socket, 1024);
		List<Future<?>> sends = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			String message = "m" + i;
			sends.add(this.senders.submit(() -> {
				connection.send(message);
				return null;
			}));
		}
		for (int i = 0; i < 4; i++) {
			await().atMost(Duration.ofSeconds(10)).until(() -> socket.outstanding.size() == 1);
			socket.completeOldest();
		}
		for (Future<?> send : sends) {
			send.get(10, TimeUnit.SECONDS);
		}
		assertThat(socket.sent).hasSize(4);
		assertThat(socket.maxOutstanding.get()).isOne();
	}

	@Test
	void aFailedSendEndsTheConnectionOnce() {
		FakeWebSocket socket = new FakeWebSocket();
		socket.failSends = true;
		WebSocketTransport.WebSocketConnection connection = connection(socket, 1024);
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> connection.send("m"));
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> connection.send("again"));
		connection.onClose(socket, 1000, "late");
		assertThat(socket.aborted).isTrue();
		assertThat(this.closes).containsExactly("1006 Sending failed");
	}

	@Test
	void closingSendsACodeAClientMaySendAndEndsOnce() {
		FakeWebSocket socket = new FakeWebSocket();
		WebSocketTransport.WebSocketConnection connection = connection(socket, 1024);
		connection.close(1013, "Too many messages pending; reconnect and sync");
		connection.close(1000, "again");
		assertThat(socket.closeCodes).containsExactly(1000);
		assertThat(this.closes).containsExactly("1013 Too many messages pending; reconnect and sync");
		assertThat(WebSocketTransport.WebSocketConnection.sendableCode(1009)).isEqualTo(1000);
		assertThat(WebSocketTransport.WebSocketConnection.sendableCode(1011)).isEqualTo(1011);
		assertThat(WebSocketTransport.WebSocketConnection.shortened("é".repeat(100))).hasSize(61);
	}

	@Test
	void aBinaryFrameClosesTheConnection() {
		FakeWebSocket socket = new FakeWebSocket();
		WebSocketTransport.WebSocketConnection connection = connection(socket, 1024);
		connection.onBinary(socket, ByteBuffer.allocate(1), true);
		assertThat(socket.closeCodes).containsExactly(1008);
	}

	@Test
	void theUriCarriesTheUidAsTheClientParameter() {
		assertThat(WebSocketTransport.uri(URI.create("ws://localhost:8080/syncro"), "alice", 1))
			.isEqualTo(URI.create("ws://localhost:8080/syncro?client=alice"));
		assertThat(WebSocketTransport.uri(URI.create("wss://example.com/sync?token=x"), "a:b", 1))
			.isEqualTo(URI.create("wss://example.com/sync?token=x&client=a%3Ab"));
	}

	@Test
	void theUriAsksForAVersionNewerThanOneAndForNothingOtherwise() {
		assertThat(WebSocketTransport.uri(URI.create("ws://localhost:8080/syncro"), "alice", 2))
			.isEqualTo(URI.create("ws://localhost:8080/syncro?client=alice&v=2"));
		assertThat(WebSocketTransport.uri(URI.create("wss://example.com/sync?token=x"), "a:b", 2))
			.isEqualTo(URI.create("wss://example.com/sync?token=x&client=a%3Ab&v=2"));
		assertThat(WebSocketTransport.uri(URI.create("ws://localhost:8080/syncro"), "alice", 1).getQuery())
			.doesNotContain("v=");
	}

	/**
	 * Stands in for the JDK's WebSocket: sends complete when the test says so.
	 */
	static final class FakeWebSocket implements WebSocket {

		final List<CompletableFuture<WebSocket>> outstanding = new CopyOnWriteArrayList<>();

		final List<String> sent = new CopyOnWriteArrayList<>();

		final List<Integer> closeCodes = new CopyOnWriteArrayList<>();

		final AtomicInteger requested = new AtomicInteger();

		final AtomicInteger maxOutstanding = new AtomicInteger();

		volatile boolean failSends;

		volatile boolean aborted;

		@Override
		public CompletableFuture<WebSocket> sendText(CharSequence data, boolean last) {
			if (this.failSends) {
				return CompletableFuture.failedFuture(new IOException("broken pipe"));
			}
			CompletableFuture<WebSocket> send = new CompletableFuture<>();
			this.sent.add(data.toString());
			this.outstanding.add(send);
			this.maxOutstanding.accumulateAndGet(this.outstanding.size(), Math::max);
			return send;
		}

		void completeOldest() {
			CompletableFuture<WebSocket> oldest = this.outstanding.remove(0);
			oldest.complete(this);
		}

		@Override
		public CompletableFuture<WebSocket> sendBinary(ByteBuffer data, boolean last) {
			throw new UnsupportedOperationException();
		}

		@Override
		public CompletableFuture<WebSocket> sendPing(ByteBuffer message) {
			return CompletableFuture.completedFuture(this);
		}

		@Override
		public CompletableFuture<WebSocket> sendPong(ByteBuffer message) {
			return CompletableFuture.completedFuture(this);
		}

		@Override
		public CompletableFuture<WebSocket> sendClose(int statusCode, String reason) {
			this.closeCodes.add(statusCode);
			return CompletableFuture.completedFuture(this);
		}

		@Override
		public void request(long n) {
			this.requested.addAndGet((int) n);
		}

		@Override
		public String getSubprotocol() {
			return "";
		}

		@Override
		public boolean isOutputClosed() {
			return false;
		}

		@Override
		public boolean isInputClosed() {
			return false;
		}

		@Override
		public void abort() {
			this.aborted = true;
		}

	}

}
