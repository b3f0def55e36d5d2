package io.syncro.session;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import io.syncro.protocol.Message;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests how a {@link Channel} follows the replies to its requests and who writes what it
 * sends.
 */
class ChannelTests {

	@Test
	void aReplyThatComesBackWhileItsRequestIsStillBeingSentIsHandledByTheThreadThatReceivedIt() {
		List<String> events = new CopyOnWriteArrayList<>();
		AtomicReference<Channel> channel = new AtomicReference<>();
		// a peer so quick that its answer arrives before the request's sender goes on: the
		// writer runs on the sender's thread here, and the answer is received within send
		Connection quick = new Connection() {

			@Override
			public void send(String message) {
				long id = Json.parse(message).get("id").asLong();
				channel.get().receiveMessage("{\"type\":\"response\",\"id\":" + id + ",\"result\":true}");
				events.add("received");
			}

			@Override
			public void close(int code, String reason) {
			}

		};
		channel.set(new Channel("server", quick, EngineSettings.client("alice"), Runnable::run, null, new Ignoring()));
		channel.get()
			.requestText((id) -> "{\"type\":\"add_scribe\",\"id\":" + id + ",\"scribe\":" + Json.createTodo(1, "r1", "one")
					+ "}", (reply, failure) -> events.add("handled " + ((reply instanceof Message.Response) ? "true" : failure)));
		events.add("sent");
		assertThat(events).containsExactly("handled true", "received", "sent");
	}

	@Test
	void whatIsSentWritingHereIsWrittenByThatThreadOnceTheWorkEndsTogether() {
		Recording connection = new Recording();
		List<Runnable> handedToWriters = new ArrayList<>();
		Channel channel = serverChannel(connection, handedToWriters);
		channel.writingHere(() -> {
			channel.sendText("one");
			channel.sendText("two");
			channel.sendText("three");
			assertThat(connection.events).isEmpty();
		});
		assertThat(handedToWriters).isEmpty();
		String thread = Thread.currentThread().getName();
		assertThat(connection.events).containsExactly("one more on " + thread, "two more on " + thread,
				"three on " + thread, "flush on " + thread);
	}

	@Test
	void whatIsSentWritingHereWhileAWriterIsAtWorkIsLeftToThatWriter() {
		Recording connection = new Recording();
		List<Runnable> handedToWriters = new ArrayList<>();
		Channel channel = serverChannel(connection, handedToWriters);
		channel.sendText("reply");
		channel.writingHere(() -> channel.sendText("push"));
		assertThat(connection.events).isEmpty();
		assertThat(handedToWriters).hasSize(1);
		handedToWriters.get(0).run();
		String thread = Thread.currentThread().getName();
		assertThat(connection.events).containsExactly("reply more on " + thread, "push on " + thread,
				"flush on " + thread);
	}

	private static Channel serverChannel(Connection connection, List<Runnable> handedToWriters) {
		return new Channel("client", connection, EngineSettings.server(), handedToWriters::add, null, new Ignoring());
	}

	/**
	 * A connection that records what it is asked to do, and on which thread.
	 */
	private static final class Recording implements Connection {

		final List<String> events = new CopyOnWriteArrayList<>();

		@Override
		public void send(String message) {
			send(message, false);
		}

		@Override
		public void send(String message, boolean more) {
			this.events.add(message + (more ? " more" : "") + " on " + Thread.currentThread().getName());
		}

		@Override
		public void flush() {
			this.events.add("flush on " + Thread.currentThread().getName());
		}

		@Override
		public void close(int code, String reason) {
			this.events.add("close " + code);
		}

	}

	private static final class Ignoring implements Channel.Handler {

		@Override
		public @Nullable Message request(Message.Request request) {
			return null;
		}

		@Override
		public void unsolicitedError(Message.Error error) {
		}

		@Override
		public boolean untrackedReply(long id, Message reply) {
			return false;
		}

		@Override
		public void hello(Message.Hello hello) {
		}

		@Override
		public void errorSent(int code) {
		}

		@Override
		public void ended() {
		}

	}

}
