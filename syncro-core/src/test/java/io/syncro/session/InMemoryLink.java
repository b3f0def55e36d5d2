package io.syncro.session;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * Two sessions linked in memory, one on a server engine and one on a client engine:
 * what one side sends is handed, in order, to the other side's
 * {@link Session#receiveMessage}. The link can be dropped mid-flight (both sessions are
 * told their connection closed and later sends fail), a direction can be held (messages
 * wait until released), and taps see every message after it was delivered.
 */
final class InMemoryLink {

	private final AtomicBoolean dropped = new AtomicBoolean();

	/** Carries what the client sends to the server session. */
	final End toServer = new End();

	/** Carries what the server sends to the client session. */
	final End toClient = new End();

	private final Session serverSession;

	private final Session clientSession;

	private InMemoryLink(SyncroEngine server, SyncroEngine client, SessionListener serverListener,
			SessionListener clientListener, List<Consumer<String>> clientTaps, List<Consumer<String>> serverTaps) {
		this.toClient.taps.addAll(clientTaps);
		this.toServer.taps.addAll(serverTaps);
		this.serverSession = server.open(client.settings().uid(), this.toClient, serverListener);
		this.clientSession = client.open(server.settings().uid(), this.toServer, clientListener);
		this.toClient.target.complete(this.clientSession);
		this.toServer.target.complete(this.serverSession);
	}

	static InMemoryLink connect(SyncroEngine server, SyncroEngine client) {
		return connect(server, client, new SessionListener() {
		}, new SessionListener() {
		});
	}

	static InMemoryLink connect(SyncroEngine server, SyncroEngine client, SessionListener clientListener) {
		return connect(server, client, new SessionListener() {
		}, clientListener);
	}

	static InMemoryLink connect(SyncroEngine server, SyncroEngine client, SessionListener serverListener,
			SessionListener clientListener) {
		return between(server, client).serverListener(serverListener).clientListener(clientListener).connect();
	}

	/**
	 * Starts a link whose listeners and taps are installed before the first message goes
	 * out, so that they see everything.
	 */
	static Builder between(SyncroEngine server, SyncroEngine client) {
		return new Builder(server, client);
	}

	static final class Builder {

		private final SyncroEngine server;

		private final SyncroEngine client;

		private SessionListener serverListener = new SessionListener() {
		};

		private SessionListener clientListener = new SessionListener() {
		};

		private final List<Consumer<String>> clientTaps = new ArrayList<>();

		private final List<Consumer<String>> serverTaps = new ArrayList<>();

		private Builder(SyncroEngine server, SyncroEngine client) {
			this.server = server;
			this.client = client;
		}

		Builder serverListener(SessionListener listener) {
			this.serverListener = listener;
			return this;
		}

		Builder clientListener(SessionListener listener) {
			this.clientListener = listener;
			return this;
		}

		/** Sees each message after the client session handled it. */
		Builder tapToClient(Consumer<String> tap) {
			this.clientTaps.add(tap);
			return this;
		}

		/** Sees each message after the server session handled it. */
		Builder tapToServer(Consumer<String> tap) {
			this.serverTaps.add(tap);
			return this;
		}

		InMemoryLink connect() {
			return new InMemoryLink(this.server, this.client, this.serverListener, this.clientListener,
					this.clientTaps, this.serverTaps);
		}

	}

	Session serverSession() {
		return this.serverSession;
	}

	Session clientSession() {
		return this.clientSession;
	}

	boolean isDropped() {
		return this.dropped.get();
	}

	/**
	 * Drops the link as a network failure would: both sessions are told that their
	 * connection closed, and whatever is sent afterwards fails.
	 */
	void drop() {
		if (this.dropped.compareAndSet(false, true)) {
			this.toServer.target.thenAccept(Session::closed);
			this.toClient.target.thenAccept(Session::closed);
		}
	}

	/**
	 * One direction of the link: the {@link Connection} the sending session writes to.
	 */
	final class End implements Connection {

		final CompletableFuture<Session> target = new CompletableFuture<>();

		final List<Consumer<String>> taps = new CopyOnWriteArrayList<>();

		private final Object lock = new Object();

		private boolean held;

		private final List<String> waiting = new ArrayList<>();

		volatile @Nullable Integer closeCode;

		private volatile @Nullable CountDownLatch stall;

		private final AtomicInteger stalledSends = new AtomicInteger();

		@Override
		public void send(String message) throws IOException {
			Session receiver = this.target.join();
			CountDownLatch stalled = this.stall;
			if (stalled != null) {
				this.stalledSends.incrementAndGet();
				try {
					stalled.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new IOException("Interrupted while stalled", ex);
				}
			}
			synchronized (this.lock) {
				if (InMemoryLink.this.dropped.get()) {
					throw new IOException("The link is down");
				}
				if (this.held) {
					this.waiting.add(message);
					return;
				}
				deliver(receiver, message);
			}
		}

		private void deliver(Session receiver, String message) {
			receiver.receiveMessage(message);
			for (Consumer<String> tap : this.taps) {
				tap.accept(message);
			}
		}

		@Override
		public void close(int code, String reason) {
			this.closeCode = code;
			drop();
		}

		/**
		 * Holds what is sent in this direction until {@link #release}.
		 */
		void hold() {
			synchronized (this.lock) {
				this.held = true;
			}
		}

		/**
		 * Delivers the held messages in order and lets later ones through.
		 */
		void release() {
			Session receiver = this.target.join();
			synchronized (this.lock) {
				this.held = false;
				for (String message : this.waiting) {
					if (!InMemoryLink.this.dropped.get()) {
						deliver(receiver, message);
					}
				}
				this.waiting.clear();
			}
		}

		/**
		 * Makes sends in this direction block, as on a peer that reads nothing, until
		 * {@link #unstall}.
		 */
		void stall() {
			this.stall = new CountDownLatch(1);
		}

		void unstall() {
			CountDownLatch stalled = this.stall;
			this.stall = null;
			if (stalled != null) {
				stalled.countDown();
			}
		}

		/** How many sends have blocked on a stall. */
		int stalledSends() {
			return this.stalledSends.get();
		}

		int heldCount() {
			synchronized (this.lock) {
				return this.waiting.size();
			}
		}

	}

}
