package io.syncro.recording;

import java.util.function.Supplier;

import io.syncro.scribe.Identity;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the current thread is doing that changes how its changes are recorded: playing an
 * inbound scribe (so the scribe that mirrors it carries the sender as origin and the
 * sender gets no echo), or running with recording suspended.
 */
final class RecordingContext {

	private static final ThreadLocal<@Nullable Frame> current = new ThreadLocal<>();

	private RecordingContext() {
	}

	/**
	 * Runs work as the play of an inbound scribe.
	 * @param playing the scribe being played
	 * @param work the work
	 * @return the work's result
	 */
	static <T> T playing(Playing playing, Supplier<T> work) {
		Frame previous = current.get();
		return in(new Frame(playing, previous != null && previous.suspended), previous, work);
	}

	/**
	 * Runs work with recording suspended.
	 * @param work the work
	 * @return the work's result
	 */
	static <T> T suspended(Supplier<T> work) {
		Frame previous = current.get();
		return in(new Frame((previous != null) ? previous.playing : null, true), previous, work);
	}

	static boolean isSuspended() {
		Frame frame = current.get();
		return frame != null && frame.suspended;
	}

	/**
	 * The inbound scribe this thread plays, if any.
	 * @return what is being played, or {@code null}
	 */
	static @Nullable Playing playing() {
		Frame frame = current.get();
		return (frame != null) ? frame.playing : null;
	}

	private static <T> T in(Frame frame, @Nullable Frame previous, Supplier<T> work) {
		current.set(frame);
		try {
			return work.get();
		}
		finally {
			if (previous != null) {
				current.set(previous);
			}
			else {
				current.remove();
			}
		}
	}

	/**
	 * An inbound scribe being played.
	 * @param client the uid of the client that sent it
	 * @param key the record it changes
	 * @param sent the attributes the client sent
	 */
	record Playing(Identity who, RecordKey key, ObjectNode sent) {

		String client() {
			return this.who.client();
		}

	}

	private record Frame(@Nullable Playing playing, boolean suspended) {
	}

}
