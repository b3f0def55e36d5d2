package io.syncro.web;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.syncro.session.Connection;
import io.syncro.session.Session;
import io.syncro.session.SyncroEngine;
import jakarta.websocket.RemoteEndpoint;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.util.ClassUtils;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.adapter.NativeWebSocketSession;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;

/**
 * Carries Syncro sessions over WebSocket: one JSON message per text frame, the
 * {@code receiveMessage} path. Partial frames are gathered up to the message size limit;
 * beyond it the session answers 413 and closes with 1009. Each session writes from one
 * thread at a time, so sends never interleave, and a slow client only holds its own
 * writer. On a JSR-356 container (Tomcat) the frames a session sends in one go are
 * batched and written out together when its queue is empty, rather than with one write
 * per frame.
 *
 * @since 0.1.0
 */
final class SyncroWebSocketHandler extends AbstractWebSocketHandler {

	private static final Logger logger = LoggerFactory.getLogger(SyncroWebSocketHandler.class);

	private static final boolean JAKARTA_WEBSOCKET_PRESENT = ClassUtils.isPresent("jakarta.websocket.Session",
			SyncroWebSocketHandler.class.getClassLoader());

	private final SyncroEngine engine;

	private final Map<String, Inbound> sessions = new ConcurrentHashMap<>();

	SyncroWebSocketHandler(SyncroEngine engine) {
		this.engine = engine;
	}

	@Override
	public void afterConnectionEstablished(WebSocketSession webSocket) {
		String client = (String) webSocket.getAttributes().get(SyncroHandshakeInterceptor.CLIENT_ATTRIBUTE);
		Session session = this.engine.open(client, connection(webSocket));
		this.sessions.put(webSocket.getId(), new Inbound(session, this.engine.settings().maxMessageBytes()));
	}

	private static Connection connection(WebSocketSession webSocket) {
		if (JAKARTA_WEBSOCKET_PRESENT) {
			Connection batching = BatchingConnection.of(webSocket);
			if (batching != null) {
				return batching;
			}
		}
		return new WebSocketConnection(webSocket);
	}

	@Override
	protected void handleTextMessage(WebSocketSession webSocket, TextMessage message) {
		Inbound inbound = this.sessions.get(webSocket.getId());
		if (inbound != null) {
			inbound.receive(message.getPayload(), message.isLast());
		}
	}

	@Override
	protected void handleBinaryMessage(WebSocketSession webSocket, BinaryMessage message) {
		Inbound inbound = this.sessions.get(webSocket.getId());
		if (inbound != null) {
			inbound.session.close(CloseStatus.NOT_ACCEPTABLE.getCode(), "Syncro speaks JSON text frames only");
		}
	}

	@Override
	public void handleTransportError(WebSocketSession webSocket, Throwable exception) {
		logger.debug("Transport error on {}", webSocket.getId(), exception);
	}

	@Override
	public void afterConnectionClosed(WebSocketSession webSocket, CloseStatus status) {
		Inbound inbound = this.sessions.remove(webSocket.getId());
		if (inbound != null) {
			inbound.session.closed();
		}
	}

	@Override
	public boolean supportsPartialMessages() {
		return true;
	}

	/**
	 * Gathers the parts of one text message; a message growing past the limit is handed
	 * on as soon as it does, so the session refuses it without buffering the rest.
	 */
	private static final class Inbound {

		private final Session session;

		private final int maxChars;

		private final StringBuilder parts = new StringBuilder();

		private boolean discarding;

		Inbound(Session session, int maxMessageBytes) {
			this.session = session;
			this.maxChars = maxMessageBytes;
		}

		synchronized void receive(String part, boolean last) {
			if (this.discarding) {
				this.discarding = !last;
				return;
			}
			if (last && this.parts.isEmpty()) {
				this.session.receiveMessage(part);
				return;
			}
			this.parts.append(part);
			if (this.parts.length() > this.maxChars) {
				String oversized = this.parts.toString();
				this.parts.setLength(0);
				this.discarding = !last;
				this.session.receiveMessage(oversized);
				return;
			}
			if (last) {
				String whole = this.parts.toString();
				this.parts.setLength(0);
				this.session.receiveMessage(whole);
			}
		}

	}

	private record WebSocketConnection(WebSocketSession webSocket) implements Connection {

		@Override
		public void send(String message) throws IOException {
			this.webSocket.sendMessage(new TextMessage(message));
		}

		@Override
		public void close(int code, String reason) {
			try {
				this.webSocket.close(new CloseStatus(code, reason));
			}
			catch (IOException ex) {
				logger.debug("Closing {} failed", this.webSocket.getId(), ex);
			}
		}

	}

	/**
	 * A connection on a JSR-356 session whose frames are batched: a send that fits the
	 * container's buffer is only copied into it, and {@link #flush} writes the batch.
	 */
	private static final class BatchingConnection implements Connection {

		private final WebSocketSession webSocket;

		private final RemoteEndpoint.Basic remote;

		private BatchingConnection(WebSocketSession webSocket, RemoteEndpoint.Basic remote) {
			this.webSocket = webSocket;
			this.remote = remote;
		}

		static @Nullable Connection of(WebSocketSession webSocket) {
			if (!(webSocket instanceof NativeWebSocketSession nativeSession)) {
				return null;
			}
			jakarta.websocket.Session session = nativeSession.getNativeSession(jakarta.websocket.Session.class);
			if (session == null) {
				return null;
			}
			try {
				RemoteEndpoint.Basic remote = session.getBasicRemote();
				remote.setBatchingAllowed(true);
				return new BatchingConnection(webSocket, remote);
			}
			catch (IOException | RuntimeException ex) {
				logger.debug("Could not batch the frames of {}", webSocket.getId(), ex);
				return null;
			}
		}

		@Override
		public void send(String message) throws IOException {
			this.webSocket.sendMessage(new TextMessage(message));
		}

		@Override
		public void flush() throws IOException {
			this.remote.flushBatch();
		}

		@Override
		public void close(int code, String reason) {
			try {
				this.webSocket.close(new CloseStatus(code, reason));
			}
			catch (IOException ex) {
				logger.debug("Closing {} failed", this.webSocket.getId(), ex);
			}
		}

	}

}
