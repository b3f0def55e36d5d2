package io.syncro.client;

import java.io.IOException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import io.syncro.protocol.ProtocolVersion;
import io.syncro.session.Connection;
import io.syncro.session.Session;
import io.syncro.session.SessionListener;
import io.syncro.session.SyncroEngine;
import org.jspecify.annotations.Nullable;

/**
 * Connects clients to a server engine in memory, as a network would: each direction of a
 * link delivers its messages in order on its own thread, in the protocol version the
 * client asks for, up to the newest the server is made to know. The server can be made
 * unreachable, open links can be dropped (both sides see the connection close), and the
 * server's answers to a client's requests can be held back while its pushes go through,
 * which is the order a busy server may produce, or its pushes held back while its
 * answers go through, which no server should produce. The server can be replaced by
 * another, as by a restart on a store that was set back to a backup or lost its data.
 */
final class InMemoryTransport implements Transport {

	private volatile SyncroEngine server;

	private volatile boolean reachable = true;

	private volatile int serverVersion = ProtocolVersion.LATEST;

	// what is held back: answers, pushes, or nothing
	private volatile @Nullable Predicate<String> holding;

	private final List<Link> links = new CopyOnWriteArrayList<>();

	final AtomicInteger attempts = new AtomicInteger();

	/** The protocol version each connection asked for, in order. */
	final List<Integer> askedVersions = new CopyOnWriteArrayList<>();

	// every message the server sent to each uid, held back or not, in order
	private final Map<String, List<String>> sent = new ConcurrentHashMap<>();

	InMemoryTransport(SyncroEngine server) {
		this.server = server;
	}

	@Override
	public void open(String uid, int version, Handler handler) {
		this.attempts.incrementAndGet();
		if (!this.reachable) {
			handler.failed(new ConnectException("The server is unreachable"));
			return;
		}
		this.askedVersions.add(version);
		Link link = new Link(uid, Math.min(version, this.serverVersion), handler);
		this.links.add(link);
		link.start();
	}

	void reachable(boolean reachable) {
		this.reachable = reachable;
	}

	/**
	 * Connects new links to another server engine; open links stay with the one they have.
	 */
	void serve(SyncroEngine server) {
		this.server = server;
	}

	/**
	 * Makes the server know protocol versions up to one only, as a server from before a
	 * version would: it speaks no newer one whatever a client asks.
	 */
	void serverVersion(int version) {
		this.serverVersion = version;
	}

	/**
	 * Drops every open link, as a network failure would.
	 */
	void drop() {
		this.links.forEach((link) -> link.drop(1006));
	}

	/**
	 * Holds back the server's answers, {@code response} and {@code error} messages
	 * (pushes still arrive), until {@link #releaseResponses}; a link dropped meanwhile
	 * loses them.
	 */
	void holdResponses() {
		this.holding = Link::isAnswer;
	}

	void releaseResponses() {
		release();
	}

	/**
	 * Holds back the server's pushes ({@code add_scribe} and {@code add_scribes}), while
	 * its answers still arrive, until {@link #releasePushes}: the order of a server that
	 * answers a write before it sent the scribes the answer speaks of.
	 */
	void holdPushes() {
		this.holding = Link::isPush;
	}

	void releasePushes() {
		release();
	}

	private void release() {
		this.holding = null;
		this.links.forEach(Link::release);
	}

	/**
	 * Every message the server sent to a client uid, on any connection, held back or not.
	 */
	List<String> sentTo(String uid) {
		return this.sent.computeIfAbsent(uid, (key) -> new CopyOnWriteArrayList<>());
	}

	int openLinks() {
		return (int) this.links.stream().filter((link) -> !link.down.get()).count();
	}

	private final class Link {

		private final String uid;

		private final int version;

		private final Handler handler;

		private final ExecutorService toClient = Executors.newSingleThreadExecutor();

		private final ExecutorService toServer = Executors.newSingleThreadExecutor();

		private final CompletableFuture<Session> serverSession = new CompletableFuture<>();

		final AtomicBoolean down = new AtomicBoolean();

		private final List<String> held = new ArrayList<>();

		Link(String uid, int version, Handler handler) {
			this.uid = uid;
			this.version = version;
			this.handler = handler;
		}

		void start() {
			this.toClient.execute(() -> this.handler.opened(new ClientEnd()));
			try {
				this.serverSession.complete(InMemoryTransport.this.server.open(this.uid, new ServerEnd(), this.version,
						new SessionListener() {
						}));
			}
			catch (RuntimeException ex) {
				this.serverSession.completeExceptionally(ex);
				drop(1008);
			}
		}

		void drop(int code) {
			if (this.down.compareAndSet(false, true)) {
				this.serverSession.thenAccept(Session::closed);
				this.toClient.execute(() -> this.handler.closed(code, ""));
				this.toClient.shutdown();
				this.toServer.shutdown();
				InMemoryTransport.this.links.remove(this);
			}
		}

		void release() {
			synchronized (this.held) {
				for (String message : this.held) {
					deliverToClient(message);
				}
				this.held.clear();
			}
		}

		private void deliverToClient(String message) {
			this.toClient.execute(() -> {
				if (!this.down.get()) {
					this.handler.received(message);
				}
			});
		}

		/** What the server session writes to. */
		private final class ServerEnd implements Connection {

			@Override
			public void send(String message) throws IOException {
				if (Link.this.down.get()) {
					throw new IOException("The link is down");
				}
				sentTo(Link.this.uid).add(message);
				synchronized (Link.this.held) {
					Predicate<String> holding = InMemoryTransport.this.holding;
					if (holding != null && holding.test(message)) {
						Link.this.held.add(message);
						return;
					}
					if (!Link.this.held.isEmpty() && holding == null) {
						release();
					}
					deliverToClient(message);
				}
			}

			@Override
			public void close(int code, String reason) {
				drop(code);
			}

		}

		private static boolean isAnswer(String message) {
			return message.startsWith("{\"type\":\"response\"") || message.startsWith("{\"type\":\"error\"");
		}

		/**
		 * A push, or the answer to a digest: that answer is of the position the pushes before
		 * it reach, so it is held with them (compared before them, it would differ).
		 */
		private static boolean isPush(String message) {
			return message.startsWith("{\"type\":\"add_scribe") || message.contains("\"unverified\":");
		}

		/** What the client session writes to. */
		private final class ClientEnd implements Connection {

			@Override
			public void send(String message) throws IOException {
				if (Link.this.down.get()) {
					throw new IOException("The link is down");
				}
				try {
					Link.this.toServer.execute(() -> {
						if (!Link.this.down.get()) {
							Link.this.serverSession.join().receiveMessage(message);
						}
					});
				}
				catch (RejectedExecutionException ex) {
					throw new IOException("The link is down", ex);
				}
			}

			@Override
			public void close(int code, String reason) {
				drop(code);
			}

		}

	}

}
