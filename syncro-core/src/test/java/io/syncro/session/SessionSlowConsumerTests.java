package io.syncro.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests that a connection with more than {@code maxPending} messages waiting is closed
 * with 1013 without holding up the other sessions, and that its client catches up with
 * {@code sync} after reconnecting (PROTOCOL.md section 5, step 6).
 */
class SessionSlowConsumerTests {

	private static final int MAX_PENDING = 50;

	private static final Duration WAIT = Duration.ofSeconds(20);

	private final List<AutoCloseable> resources = new ArrayList<>();

	private final List<Runnable> releases = new ArrayList<>();

	@AfterEach
	void release() throws Exception {
		this.releases.forEach(Runnable::run);
		for (AutoCloseable resource : this.resources) {
			resource.close();
		}
	}

	@Test
	void connectionWhoseSendBlocksIsClosedWith1013AndOthersKeepReceiving() {
		ServerSide server = server();
		BlockingConnection stuck = new BlockingConnection();
		this.releases.add(stuck::release);
		Session slow = server.engine.open("slowpoke", stuck);
		// its writer is now blocked on the server's pull
		await().atMost(WAIT).until(() -> stuck.blockedSends.get() == 1);
		slow.receiveMessage("{\"type\":\"sync\",\"id\":1,\"from\":null}");
		assertThat(slow.isLive()).isTrue();

		ClientSide healthy = client("healthy");
		InMemoryLink link = InMemoryLink.connect(server.engine, healthy.engine);
		await().atMost(WAIT).until(() -> link.serverSession().isLive());

		// in steps a reading client keeps up with, while the stuck one piles them up
		for (int step = 0; step < 6; step++) {
			for (int i = step * 10; i < (step + 1) * 10; i++) {
				server.todos.save(Json.todo("t" + i, "todo " + i));
			}
			int saved = (step + 1) * 10;
			await().atMost(WAIT).until(() -> healthy.todos.all().size() == saved);
		}
		await().atMost(WAIT).until(() -> stuck.closeCode != null);
		assertThat(stuck.closeCode).isEqualTo(1013);
		assertThat(slow.isClosed()).isTrue();
		assertThat(slow.pendingMessages()).isZero();
		assertThat(server.engine.sessions()).doesNotContain(slow).contains(link.serverSession());
		assertThat(stuck.blockedSends.get()).isOne();

		await().atMost(WAIT).until(() -> healthy.todos.all().size() == MAX_PENDING + 10);
		for (int i = 0; i < 20; i++) {
			server.todos.save(Json.todo("u" + i, "later " + i));
			int saved = MAX_PENDING + 11 + i;
			await().atMost(WAIT).until(() -> healthy.todos.all().size() == saved);
		}
		await().atMost(WAIT).until(() -> healthy.todos.all().size() == MAX_PENDING + 30);
		assertThat(healthy.position()).isEqualTo(server.log.lastId("healthy"));
		assertThat(link.serverSession().isClosed()).isFalse();
	}

	@Test
	void clientClosedForBeingSlowCatchesUpWithSyncAfterReconnecting() {
		ServerSide server = server();
		ClientSide client = client("alice");
		InMemoryLink first = InMemoryLink.connect(server.engine, client.engine);
		await().atMost(WAIT).until(() -> first.serverSession().isLive() && first.clientSession().isLive());
		for (int i = 0; i < 10; i++) {
			server.todos.save(Json.todo("a" + i, "before"));
		}
		await().atMost(WAIT).until(() -> client.todos.all().size() == 10);
		first.toClient.stall();
		this.releases.add(first.toClient::unstall);
		for (int i = 0; i < 200; i++) {
			server.todos.save(Json.todo("b" + i, "while stalled"));
		}
		await().atMost(WAIT).until(() -> first.toClient.closeCode != null);
		assertThat(first.toClient.closeCode).isEqualTo(1013);
		first.toClient.unstall();
		await().atMost(WAIT).until(() -> first.clientSession().isClosed() && server.engine.sessions().isEmpty());
		assertThat(client.todos.all().size()).isLessThan(210);

		InMemoryLink second = InMemoryLink.connect(server.engine, client.engine);
		await().atMost(WAIT).until(() -> client.todos.all().size() == 210);
		assertThat(client.todos.all()).containsExactlyInAnyOrderElementsOf(server.todos.all());
		assertThat(client.position()).isEqualTo(server.log.lastId("alice"));
		assertThat(second.serverSession().isClosed()).isFalse();
	}

	private ServerSide server() {
		ServerSide server = new ServerSide(EngineSettings.server().withMaxPending(MAX_PENDING), Policies.open());
		this.resources.add(server);
		return server;
	}

	private ClientSide client(String uid) {
		ClientSide client = new ClientSide(uid);
		this.resources.add(client);
		return client;
	}

	/**
	 * A connection to a peer that reads nothing: every send blocks until released.
	 */
	private static final class BlockingConnection implements Connection {

		private final CountDownLatch released = new CountDownLatch(1);

		final AtomicInteger blockedSends = new AtomicInteger();

		volatile @Nullable Integer closeCode;

		@Override
		public void send(String message) {
			this.blockedSends.incrementAndGet();
			try {
				this.released.await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		@Override
		public void close(int code, String reason) {
			this.closeCode = code;
		}

		void release() {
			this.released.countDown();
		}

	}

}
