package io.syncro.session;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests that a server engine and a client engine run against each other and converge
 * both ways, live and after offline changes on both sides, over a message transport (the
 * in-memory pair) and over a real byte stream (loopback TCP with the 2-byte framing).
 */
class SymmetryTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	/** Makes scribes big enough that a batch of 500 does not fit in one 64 KiB frame. */
	private static final String NOTE = "n".repeat(150);

	private ServerSide server;

	private ClientSide client;

	@BeforeEach
	void createEngines() {
		this.server = new ServerSide(EngineSettings.server(), Policies.open());
		this.client = new ClientSide("alice");
	}

	@AfterEach
	void closeEngines() {
		this.client.close();
		this.server.close();
	}

	@ParameterizedTest
	@EnumSource
	void changesOnBothSidesConvergeBothWays(Transport transport) {
		Link link = transport.connect(this.server, this.client);
		awaitLive(link);
		for (int i = 0; i < 50; i++) {
			this.client.todos.save(Json.todo("c" + i, "client " + i).put("n", i));
			this.server.todos.save(Json.todo("s" + i, "server " + i).put("n", i));
		}
		awaitConverged(100);
		// each side edits and removes the other side's records
		for (int i = 0; i < 50; i += 5) {
			this.client.todos.update("s" + i, attribute("title", "edited by the client"));
			this.server.todos.update("c" + i, attribute("title", "edited by the server"));
		}
		for (int i = 1; i < 50; i += 10) {
			this.client.todos.destroy("s" + i);
			this.server.todos.destroy("c" + i);
		}
		awaitConverged(90);
		assertThat(this.server.todos.get("s5").get().get("title").asString()).isEqualTo("edited by the client");
		assertThat(this.client.todos.get("c5").get().get("title").asString()).isEqualTo("edited by the server");
		assertThat(this.server.clients.mark("alice")).isEqualTo(this.client.log.size());
		await().atMost(WAIT).until(() -> this.client.position() == this.server.log.lastId("alice"));
		link.drop();
	}

	@ParameterizedTest
	@EnumSource
	void offlineChangesOnBothSidesArePulledOnReconnect(Transport transport) {
		Link first = transport.connect(this.server, this.client);
		awaitLive(first);
		for (int i = 0; i < 20; i++) {
			this.client.todos.save(Json.todo("c" + i, "client " + i));
			this.server.todos.save(Json.todo("s" + i, "server " + i));
		}
		awaitConverged(40);
		first.drop();
		await().atMost(WAIT).until(() -> this.server.engine.sessions().isEmpty() && this.client.engine.sessions().isEmpty());

		// both sides keep changing while disconnected: more than one batch each
		for (int i = 0; i < 1200; i++) {
			this.client.todos.save(Json.todo("o" + i, "offline " + i).put("note", NOTE));
		}
		for (int i = 0; i < 600; i++) {
			this.server.todos.save(Json.todo("p" + i, "meanwhile " + i).put("note", NOTE));
		}
		for (int i = 0; i < 20; i += 2) {
			this.client.todos.update("s" + i, attribute("title", "edited offline"));
			this.server.todos.destroy("c" + (i + 1));
		}
		RecordingListener listener = new RecordingListener();
		Link second = transport.connect(this.server, this.client, listener);
		awaitConverged(40 + 1200 + 600 - 10);
		assertThat(this.server.todos.get("s4").get().get("title").asString()).isEqualTo("edited offline");
		assertThat(this.client.todos.get("c5")).isEmpty();
		await().atMost(WAIT).until(() -> listener.settled() == this.client.log.size() && listener.synced() > 0);
		assertThat(this.server.totalPlays()).isEqualTo(this.client.log.size());
		assertThat(second.serverSession().isClosed()).isFalse();
		assertThat(second.clientSession().isClosed()).isFalse();
		second.drop();
	}

	private void awaitLive(Link link) {
		await().atMost(WAIT).until(() -> link.serverSession().isLive() && link.clientSession().isLive());
	}

	private void awaitConverged(int records) {
		await().atMost(WAIT)
			.until(() -> this.server.todos.all().size() == records
					&& new HashSet<>(this.server.todos.all()).equals(new HashSet<>(this.client.todos.all())));
		Set<ObjectNode> onServer = new HashSet<>(this.server.todos.all());
		assertThat(onServer).hasSize(records).isEqualTo(new HashSet<>(this.client.todos.all()));
	}

	private static ObjectNode attribute(String name, String value) {
		return JsonNodeFactory.instance.objectNode().put(name, value);
	}

	/**
	 * A link between the two engines, whatever carries it.
	 */
	interface Link {

		Session serverSession();

		Session clientSession();

		void drop();

	}

	enum Transport {

		IN_MEMORY {

			@Override
			Link connect(ServerSide server, ClientSide client, SessionListener listener) {
				InMemoryLink link = InMemoryLink.connect(server.engine, client.engine, listener);
				return new Link() {

					@Override
					public Session serverSession() {
						return link.serverSession();
					}

					@Override
					public Session clientSession() {
						return link.clientSession();
					}

					@Override
					public void drop() {
						link.drop();
					}

				};
			}

		},

		BYTE_STREAM {

			@Override
			Link connect(ServerSide server, ClientSide client, SessionListener listener) {
				StreamLink link;
				try {
					link = StreamLink.connect(server.engine, client.engine, listener);
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
				return new Link() {

					@Override
					public Session serverSession() {
						return link.serverSession();
					}

					@Override
					public Session clientSession() {
						return link.clientSession();
					}

					@Override
					public void drop() {
						link.drop();
					}

				};
			}

		};

		Link connect(ServerSide server, ClientSide client) {
			return connect(server, client, new SessionListener() {
			});
		}

		abstract Link connect(ServerSide server, ClientSide client, SessionListener listener);

	}

}
