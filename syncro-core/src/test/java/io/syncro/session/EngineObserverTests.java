package io.syncro.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import io.syncro.play.InMemoryRecords;
import io.syncro.play.SyncClasses;
import io.syncro.protocol.ErrorCodes;
import io.syncro.rpc.RpcRegistry;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import io.syncro.store.InMemoryClientStore;
import io.syncro.store.InMemoryScribeLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Tests that an engine tells its {@link EngineObserver} what happens on its sessions, with
 * two clients linked in memory and one peer played by hand.
 */
class EngineObserverTests {

	private final InMemoryScribeLog log = new InMemoryScribeLog();

	private final RecordingObserver observer = new RecordingObserver();

	private final SyncroEngine server = observedServer(this.observer);

	private final ClientSide alice = new ClientSide("alice");

	private final ClientSide bob = new ClientSide("bob");

	@AfterEach
	void closeEngines() {
		this.server.close();
		this.alice.close();
		this.bob.close();
	}

	@Test
	void openingAndClosingSessionsIsObserved() {
		InMemoryLink toAlice = InMemoryLink.connect(this.server, this.alice.engine);
		InMemoryLink toBob = InMemoryLink.connect(this.server, this.bob.engine);
		assertThat(this.observer.opened).containsExactly("alice", "bob");
		toAlice.drop();
		assertThat(this.observer.closed).containsExactly("alice");
		toBob.drop();
		assertThat(this.observer.closed).containsExactly("alice", "bob");
	}

	@Test
	void appendsAreCountedAfterTheFirstReportWhichOnlyTellsWhereTheLogStands() {
		append(1);
		assertThat(this.observer.appended).hasValue(0);
		append(3);
		append(2);
		assertThat(this.observer.appended).hasValue(5);
	}

	@Test
	void eachSyncAnswerIsObservedWithTheNumberOfScribesItCarried() {
		append(2);
		InMemoryLink.connect(this.server, this.alice.engine);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.alice.position() == 2);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.observer.syncScribes.size() == 1);
		assertThat(this.observer.syncScribes).containsExactly(2);
	}

	@Test
	void livePushesAreObservedPerPeerWithTheLagSinceTheAppendWasReported() {
		append(1);
		InMemoryLink.connect(this.server, this.alice.engine);
		InMemoryLink.connect(this.server, this.bob.engine);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.alice.position() == 1 && this.bob.position() == 1);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.server.sessions().stream().allMatch(Session::isLive));
		append(3);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.alice.position() == 4 && this.bob.position() == 4);
		assertThat(this.observer.pushes).containsExactlyInAnyOrder("alice#2", "alice#3", "alice#4", "bob#2", "bob#3",
				"bob#4");
		assertThat(this.observer.lags).hasSize(6).allSatisfy((lag) -> assertThat(lag).isNotNegative());
	}

	@Test
	void everyErrorSentIsObservedWithItsCode() {
		CapturingConnection carol = new CapturingConnection();
		Session session = this.server.open("carol", carol);
		carol.next();
		session.receiveMessage("{\"type\":\"dance\",\"id\":1}");
		session.receiveMessage("{\"type\":\"sync\",\"id\":2,\"from\":-1}");
		session.receiveMessage("not json");
		session.receiveMessage("{\"type\":\"rpc\",\"id\":3,\"klass\":\"Syncro\",\"method\":\"shutdown\",\"args\":[]}");
		assertThat(this.observer.errors).containsExactly(ErrorCodes.UNKNOWN_TYPE, ErrorCodes.BAD_REQUEST,
				ErrorCodes.BAD_REQUEST, ErrorCodes.METHOD_NOT_ALLOWED);
	}

	@Test
	void anObserverThatThrowsDoesNotDisturbTheSessions() {
		EngineObserver failing = new EngineObserver() {

			@Override
			public void scribePushed(Session session, long scribeId, long lagNanos) {
				throw new IllegalStateException("broken observer");
			}

			@Override
			public void syncAnswered(Session session, int scribes) {
				throw new IllegalStateException("broken observer");
			}

		};
		try (SyncroEngine observed = observedServer(failing)) {
			append(1);
			InMemoryLink link = InMemoryLink.connect(observed, this.alice.engine);
			await().atMost(Duration.ofSeconds(10)).until(() -> link.serverSession().isLive());
			append(2);
			await().atMost(Duration.ofSeconds(10)).until(() -> this.alice.position() == 3);
			assertThat(link.serverSession().isClosed()).isFalse();
		}
	}

	@Test
	void anObserverThatThrowsDoesNotKeepTheOthersFromBeingTold() {
		EngineObserver failing = new EngineObserver() {

			@Override
			public void errorSent(Session session, int code) {
				throw new IllegalStateException("broken observer");
			}

		};
		RecordingObserver recording = new RecordingObserver();
		try (SyncroEngine observed = observedServer(EngineObserver.of(List.of(failing, recording)))) {
			CapturingConnection carol = new CapturingConnection();
			Session session = observed.open("carol", carol);
			carol.next();
			session.receiveMessage("{\"type\":\"dance\",\"id\":1}");
			assertThat(recording.errors).containsExactly(ErrorCodes.UNKNOWN_TYPE);
			assertThat(recording.opened).containsExactly("carol");
			assertThat(carol.next().path("code").intValue()).isEqualTo(ErrorCodes.UNKNOWN_TYPE);
		}
	}

	@Test
	void ofTellsEachObserverInOrder() {
		List<String> told = new CopyOnWriteArrayList<>();
		EngineObserver first = new EngineObserver() {

			@Override
			public void scribesAppended(long count) {
				told.add("first " + count);
			}

		};
		EngineObserver second = new EngineObserver() {

			@Override
			public void scribesAppended(long count) {
				told.add("second " + count);
			}

		};
		EngineObserver.of(List.of(first, second)).scribesAppended(3);
		assertThat(told).containsExactly("first 3", "second 3");
		assertThat(EngineObserver.of(List.of())).isSameAs(EngineObserver.NONE);
		assertThat(EngineObserver.of(List.of(first))).isSameAs(first);
	}

	@Test
	void aNullObserverIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> observedServer(null));
	}

	private SyncroEngine observedServer(EngineObserver observer) {
		SyncClasses classes = new SyncClasses();
		classes.register(ServerSide.KLASS, new InMemoryRecords(ServerSide.KLASS, Policies.open(), this.log::append));
		return new SyncroEngine(EngineSettings.server(), this.log, new InMemoryClientStore(), classes,
				new RpcRegistry(), observer);
	}

	private void append(int count) {
		List<ScribeEntry> entries = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			ObjectNode todo = JsonNodeFactory.instance.objectNode().put("id", "todo-" + this.log.size() + "-" + i);
			entries.add(new ScribeEntry(Scribe.create(ServerSide.KLASS, todo), Recipients.all(), null));
		}
		this.log.append(entries);
	}

	/**
	 * Keeps what it is told.
	 */
	static final class RecordingObserver implements EngineObserver {

		final List<String> opened = new CopyOnWriteArrayList<>();

		final List<String> closed = new CopyOnWriteArrayList<>();

		final AtomicLong appended = new AtomicLong();

		final List<Integer> syncScribes = new CopyOnWriteArrayList<>();

		final List<String> pushes = new CopyOnWriteArrayList<>();

		final List<Long> lags = new CopyOnWriteArrayList<>();

		final List<Integer> errors = new CopyOnWriteArrayList<>();

		@Override
		public void sessionOpened(Session session) {
			this.opened.add(session.peer());
		}

		@Override
		public void sessionClosed(Session session) {
			this.closed.add(session.peer());
		}

		@Override
		public void scribesAppended(long count) {
			this.appended.addAndGet(count);
		}

		@Override
		public void syncAnswered(Session session, int scribes) {
			this.syncScribes.add(scribes);
		}

		@Override
		public void scribePushed(Session session, long scribeId, long lagNanos) {
			this.pushes.add(session.peer() + "#" + scribeId);
			this.lags.add(lagNanos);
		}

		@Override
		public void errorSent(Session session, int code) {
			this.errors.add(code);
		}

	}

}
