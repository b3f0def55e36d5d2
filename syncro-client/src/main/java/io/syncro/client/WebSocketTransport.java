package io.syncro.client;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import io.syncro.protocol.ProtocolVersion;
import io.syncro.session.Connection;
import org.jspecify.annotations.Nullable;

/**
 * Connects to a Syncro server over the JDK's {@link java.net.http.WebSocket}: one JSON
 * message per text frame (PROTOCOL.md section 2), the uid in the {@code client} query
 * parameter (section 5), the protocol version asked for in the {@code v} parameter when
 * it is newer than 1 (docs/v2-draft.md), and the given headers on each handshake
 * (credentials).
 */
final class WebSocketTransport implements Transport {

	private static final Object sharedLock = new Object();

	private static @Nullable HttpClient shared;

	private final HttpClient http;

	private final URI endpoint;

	private final Duration connectTimeout;

	private final Duration sendTimeout;

	private final int maxMessageBytes;

	private final Map<String, String> headers;

	WebSocketTransport(@Nullable HttpClient http, URI endpoint, Duration connectTimeout, Duration sendTimeout,
			int maxMessageBytes) {
		this(http, endpoint, connectTimeout, sendTimeout, maxMessageBytes, Map.of());
	}

	WebSocketTransport(@Nullable HttpClient http, URI endpoint, Duration connectTimeout, Duration sendTimeout,
			int maxMessageBytes, Map<String, String> headers) {
		this.http = (http != null) ? http : sharedClient();
		this.endpoint = endpoint;
		this.connectTimeout = connectTimeout;
		this.sendTimeout = sendTimeout;
		this.maxMessageBytes = maxMessageBytes;
		this.headers = Map.copyOf(headers);
	}

	/**
	 * One client for every connection of this JVM: its threads are daemons, and Java 17
	 * has no way to stop them, so making one per connection would leak them.
	 */
	private static HttpClient sharedClient() {
		synchronized (sharedLock) {
			if (shared == null) {
				shared = HttpClient.newHttpClient();
			}
			return shared;
		}
	}

	@Override
	public void open(String uid, int version, Handler handler) {
		WebSocketConnection connection = new WebSocketConnection(handler, this.maxMessageBytes, this.sendTimeout);
		CompletableFuture<WebSocket> opening;
		try {
			WebSocket.Builder builder = this.http.newWebSocketBuilder().connectTimeout(this.connectTimeout);
			this.headers.forEach(builder::header);
			opening = builder.buildAsync(uri(this.endpoint, uid, version), connection);
		}
		catch (RuntimeException ex) {
			handler.failed(ex);
			return;
		}
		opening.whenComplete((webSocket, failure) -> {
			if (failure != null) {
				handler.failed((failure instanceof CompletionException && failure.getCause() != null) ? failure.getCause()
						: failure);
			}
		});
	}

	/**
	 * The endpoint with the {@code client} query parameter added, and the {@code v}
	 * parameter for a version newer than 1 (a v1 handshake asks for nothing, as before v2).
	 * @param endpoint the server's Syncro endpoint
	 * @param uid the client uid
	 * @param version the protocol version to ask for
	 * @return the URI to open
	 */
	static URI uri(URI endpoint, String uid, int version) {
		String base = endpoint.toString();
		String separator = (endpoint.getRawQuery() == null) ? "?" : "&";
		String asked = (version > ProtocolVersion.V1) ? "&v=" + version : "";
		return URI.create(base + separator + "client=" + URLEncoder.encode(uid, StandardCharsets.UTF_8) + asked);
	}

	/**
	 * One WebSocket as a {@link Connection}: it gathers partial text frames into whole
	 * messages and writes one message at a time, waiting for each {@code sendText} to
	 * complete before the next (the JDK allows only one outstanding).
	 */
	static final class WebSocketConnection implements Connection, WebSocket.Listener {

		private final Transport.Handler handler;

		private final int maxChars;

		private final Duration sendTimeout;

		private final Object sending = new Object();

		private final StringBuilder parts = new StringBuilder();

		private boolean discarding;

		private final AtomicBoolean ended = new AtomicBoolean();

		private volatile @Nullable WebSocket webSocket;

		WebSocketConnection(Transport.Handler handler, int maxMessageBytes, Duration sendTimeout) {
			this.handler = handler;
			this.maxChars = maxMessageBytes;
			this.sendTimeout = sendTimeout;
		}

		@Override
		public void onOpen(WebSocket webSocket) {
			this.webSocket = webSocket;
			this.handler.opened(this);
			webSocket.request(1);
		}

		@Override
		public @Nullable CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
			String message = gather(data, last);
			if (message != null && !this.ended.get()) {
				this.handler.received(message);
			}
			webSocket.request(1);
			return null;
		}

		/**
		 * Adds a part to the message being gathered; a message growing past the size limit
		 * is handed on as soon as it does, so the session refuses it (413) without the rest
		 * being buffered.
		 * @return the whole message, or {@code null} while parts are missing
		 */
		@Nullable String gather(CharSequence part, boolean last) {
			if (this.discarding) {
				this.discarding = !last;
				return null;
			}
			if (last && this.parts.length() == 0) {
				return part.toString();
			}
			this.parts.append(part);
			if (this.parts.length() > this.maxChars) {
				String oversized = this.parts.toString();
				this.parts.setLength(0);
				this.discarding = !last;
				return oversized;
			}
			if (!last) {
				return null;
			}
			String whole = this.parts.toString();
			this.parts.setLength(0);
			return whole;
		}

		@Override
		public @Nullable CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
			close(1008, "Syncro speaks JSON text frames only");
			return null;
		}

		@Override
		public @Nullable CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
			ended(statusCode, reason);
			return null;
		}

		@Override
		public void onError(WebSocket webSocket, Throwable error) {
			ended(1006, String.valueOf(error.getMessage()));
		}

		private void ended(int code, String reason) {
			if (this.ended.compareAndSet(false, true)) {
				this.handler.closed(code, reason);
			}
		}

		@Override
		public void send(String message) throws IOException {
			WebSocket socket = this.webSocket;
			synchronized (this.sending) {
				if (socket == null || this.ended.get()) {
					throw new IOException("The connection is closed");
				}
				try {
					socket.sendText(message, true).get(this.sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					abort(socket, "Interrupted while sending");
					throw new InterruptedIOException("Interrupted while sending");
				}
				catch (ExecutionException ex) {
					abort(socket, "Sending failed");
					throw new IOException("Sending failed", ex.getCause());
				}
				catch (TimeoutException ex) {
					// the send stays outstanding, so nothing more can be sent on this socket
					abort(socket, "Sending timed out");
					throw new IOException("Sending took longer than " + this.sendTimeout);
				}
			}
		}

		private void abort(WebSocket socket, String reason) {
			socket.abort();
			ended(1006, reason);
		}

		@Override
		public void close(int code, String reason) {
			WebSocket socket = this.webSocket;
			if (socket == null || this.ended.get()) {
				return;
			}
			try {
				socket.sendClose(sendableCode(code), shortened(reason))
					.orTimeout(1, TimeUnit.SECONDS)
					.whenComplete((result, failure) -> socket.abort());
			}
			catch (RuntimeException ex) {
				socket.abort();
			}
			ended(code, reason);
		}

		/** The JDK lets a client send only some close codes; the others become 1000. */
		static int sendableCode(int code) {
			return (code == 1000 || code == 1001 || code == 1008 || code == 1011 || (code >= 3000 && code <= 4999)) ? code
					: 1000;
		}

		/** A close reason may take at most 123 bytes. */
		static String shortened(String reason) {
			String shortened = reason;
			while (shortened.getBytes(StandardCharsets.UTF_8).length > 123) {
				shortened = shortened.substring(0, shortened.length() - 1);
			}
			return shortened;
		}

	}

}
