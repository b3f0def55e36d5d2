package io.syncro.play;

import java.util.function.Supplier;

import io.syncro.scribe.Cause;
import org.jspecify.annotations.Nullable;

/**
 * The client scribe whose play the current thread runs, from before its transaction
 * starts until after it ends. What records the play's changes tags every scribe it
 * records with the {@link #cause()} and says so with {@link #recorded()}, so that the
 * engine can tell the client where its write landed in the log, or that it appended
 * nothing (protocol v2).
 *
 * @since 0.1.0
 */
public final class PlayScope {

	private static final ThreadLocal<@Nullable PlayScope> current = new ThreadLocal<>();

	private final Cause cause;

	private volatile boolean recorded;

	private PlayScope(Cause cause) {
		this.cause = cause;
	}

	/**
	 * Runs a play in a scope of its own.
	 * @param <T> the result type
	 * @param cause the client scribe being played
	 * @param play the play, with the transaction around it
	 * @return the scope, telling whether the play recorded scribes, and the play's result
	 */
	public static <T> Ran<T> run(Cause cause, Supplier<T> play) {
		PlayScope previous = current.get();
		PlayScope scope = new PlayScope(cause);
		current.set(scope);
		try {
			return new Ran<>(scope, play.get());
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
	 * The scope of the play this thread runs.
	 * @return the scope, or {@code null} when this thread plays nothing
	 */
	public static @Nullable PlayScope current() {
		return current.get();
	}

	/**
	 * The client scribe being played.
	 * @return the cause that scribes recorded by the play carry
	 */
	public Cause cause() {
		return this.cause;
	}

	/**
	 * Tells the engine that the play recorded scribes, tagged with {@link #cause()}, that
	 * will reach the log once its transaction commits.
	 */
	public void recorded() {
		this.recorded = true;
	}

	/**
	 * Whether the play recorded scribes.
	 * @return whether {@link #recorded()} was called
	 */
	public boolean hasRecorded() {
		return this.recorded;
	}

	/**
	 * A play that ran.
	 * @param <T> the result type
	 * @param scope its scope
	 * @param result its result
	 */
	public record Ran<T>(PlayScope scope, T result) {
	}

}
