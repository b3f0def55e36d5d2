package io.syncro.web;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.syncro.protocol.ProtocolVersion;
import io.syncro.scribe.Identity;
import io.syncro.session.Connection;
import io.syncro.session.Session;
import io.syncro.session.SessionListener;
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
 * beyond it the session answers 413 and closes with 1009. A connection over the
 * {@link ConnectionLimits} is closed as soon as it opens. Each session writes from one
 * thread at a time, so sends never interleave, and a slow client only holds its own
 * writer. On a JSR-356 container (Tomcat) the frames a session sends in one go are
 * batched and written out together when its queue is empty, rather than with one write
 * per frame; a lone frame is written at once, without being copied into the batch.
 * <p>
 * A connection that opens binds its uid to its user ({@link ClientBindings}); one whose
 * uid was bound to another user meanwhile, or whose user reached its
 * {@link ClientUidLimits} meanwhile, is closed with 1008 before its session starts.
 *
 * @since 0.1.0
 */
final class SyncroWebSocketHandler extends AbstractWebSocketHandler {

	private static final Logger logger = LoggerFactory.getLogger(SyncroWebSocketHandler.class);

	private static final boolean JAKARTA_WEBSOCKET_PRESENT = ClassUtils.isPresent("jakarta.websocket.Session",
			SyncroWebSocketHandler.class.getClassLoader());

	private final SyncroEngine engine;

	private final ConnectionCounter connections;

	private final ClientBindings bindings;

	private final Map<String, Inbound> sessions = new ConcurrentHashMap<>();

	SyncroWebSocketHandler(SyncroEngine engine, ConnectionCounter connections, ClientBindings bindings) {
		this.engine = engine;
		this.connections = connections;
		this.bindings = bindings;
	}

	@Override
	public void afterConnectionEstablished(WebSocketSession webSocket) throws IOException {
		String client = (String) webSocket.getAttributes().get(SyncroHandshakeInterceptor.CLIENT_ATTRIBUTE);
		String user = (String) webSocket.getAttributes().get(SyncroHandshakeInterceptor.USER_ATTRIBUTE);
		CloseStatus overLimit = this.connections.open(client, user);
		if (overLimit != null) {
			logger.debug("Closing a connection of {} over the connection limits: {}", client, overLimit);
			webSocket.close(overLimit);
			return;
		}
		Session session;
		try {
			CloseStatus unbound = this.bindings.bind(client, user);
			if (unbound != null) {
				logger.debug("Closing a connection of {} whose uid could not be bound: {}", client, unbound);
				this.connections.closed(client, user);
				webSocket.close(unbound);
				return;
			}
			Integer version = (Integer) webSocket.getAttributes().get(SyncroHandshakeInterceptor.VERSION_ATTRIBUTE);
			@SuppressWarnings("unchecked")
			Set<String> authorities = (Set<String>) webSocket.getAttributes()
				.getOrDefault(SyncroHandshakeInterceptor.AUTHORITIES_ATTRIBUTE, Set.of());
			session = this.engine.open(Identity.of(client, user, authorities), connection(webSocket),
					(version != null) ? version : ProtocolVersion.V1, new SessionListener() {
					});
		}
		catch (RuntimeException ex) {
			this.connections.closed(client, user);
			throw ex;
		}
		this.sessions.put(webSocket.getId(), new Inbound(session, this.engine.settings().maxMessageBytes()));
	}

	private static Connection connection(WebSocketSession webSocket) {
		return new WebSocketConnection(webSocket, JAKARTA_WEBSOCKET_PRESENT ? Jsr356.tune(webSocket) : null);
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
			this.connections.closed(inbound.session.peer(), inbound.session.user());
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

	/**
	 * A session's connection. A close asked for while a send is in progress (a slow
	 * consumer's send blocks once the network's buffers are full) waits for that send to
	 * end: closing under it makes the container drop the connection without a close
	 * frame, so the client would see 1006 instead of the code it should act on, and would
	 * lose what it had not read yet. The send ends when the client reads again, or when
	 * the container's send timeout gives up on it.
	 */
	private static final class WebSocketConnection implements Connection {

		private final WebSocketSession webSocket;

		/** The container's batching of frames, or {@code null} when frames are not batched. */
		private final @Nullable Batching batching;

		private final Object state = new Object();

		// guarded by state
		private boolean sending;

		// guarded by state
		private @Nullable CloseStatus deferredClose;

		WebSocketConnection(WebSocketSession webSocket, @Nullable Batching batching) {
			this.webSocket = webSocket;
			this.batching = batching;
		}

		@Override
		public void send(String message) throws IOException {
			send(message, false);
		}

		@Override
		public void send(String message, boolean more) throws IOException {
			whileSending(() -> {
				if (more && this.batching != null) {
					this.batching.start();
				}
				this.webSocket.sendMessage(new TextMessage(message));
			});
		}

		@Override
		public void flush() throws IOException {
			if (this.batching != null) {
				whileSending(this.batching::writeOut);
			}
		}

		private void whileSending(IoAction sending) throws IOException {
			synchronized (this.state) {
				this.sending = true;
			}
			try {
				sending.run();
			}
			finally {
				CloseStatus deferred;
				synchronized (this.state) {
					this.sending = false;
					deferred = this.deferredClose;
					this.deferredClose = null;
				}
				if (deferred != null) {
					closeNow(deferred);
				}
			}
		}

		@Override
		public void close(int code, String reason) {
			CloseStatus status = new CloseStatus(code, reason);
			synchronized (this.state) {
				if (this.sending) {
					this.deferredClose = status;
					return;
				}
			}
			closeNow(status);
		}

		private void closeNow(CloseStatus status) {
			try {
				this.webSocket.close(status);
			}
			catch (IOException ex) {
				logger.debug("Closing {} failed", this.webSocket.getId(), ex);
			}
		}

	}

	/**
	 * Something sent that may block and fail.
	 */
	@FunctionalInterface
	private interface IoAction {

		void run() throws IOException;

	}

	/**
	 * The batching of a JSR-356 session's frames: while it is on, a send that fits the
	 * container's buffer is only copied into it, and turning it off writes the batch out.
	 * It is on only while frames wait behind the one being sent, as a lone frame is written
	 * faster without the copy. Used by one sending thread at a time.
	 */
	private static final class Batching {

		private final RemoteEndpoint.Basic remote;

		private boolean on;

		Batching(RemoteEndpoint.Basic remote) {
			this.remote = remote;
		}

		void start() throws IOException {
			if (!this.on) {
				this.remote.setBatchingAllowed(true);
				this.on = true;
			}
		}

		void writeOut() throws IOException {
			if (this.on) {
				this.on = false;
				this.remote.setBatchingAllowed(false);
			}
		}

	}

	/**
	 * Tuning of a JSR-356 session (Tomcat's), loaded only when that API is present. Its
	 * frames are batched when several are sent in one go ({@link Batching}). Its incoming message buffers are cut to
	 * {@value #MESSAGE_BUFFER_SIZE} characters and bytes: the handler gathers partial
	 * messages itself, so they only set the size of the parts, and Tomcat's defaults
	 * (8,192 characters, 16 KB, and 8 KB) are most of an idle connection's heap. Tomcat
	 * resizes them when the next message starts; other endpoints keep the defaults.
	 */
	private static final class Jsr356 {

		static final int MESSAGE_BUFFER_SIZE = 1024;

		/**
		 * Tunes the session.
		 * @return the batching of its frames, or {@code null} when they cannot be batched
		 */
		static @Nullable Batching tune(WebSocketSession webSocket) {
			if (!(webSocket instanceof NativeWebSocketSession nativeSession)) {
				return null;
			}
			jakarta.websocket.Session session = nativeSession.getNativeSession(jakarta.websocket.Session.class);
			if (session == null) {
				return null;
			}
			session.setMaxTextMessageBufferSize(MESSAGE_BUFFER_SIZE);
			session.setMaxBinaryMessageBufferSize(MESSAGE_BUFFER_SIZE);
			return new Batching(session.getBasicRemote());
		}

	}

}
