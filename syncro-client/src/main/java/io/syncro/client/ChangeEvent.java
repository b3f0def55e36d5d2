package io.syncro.client;

import java.util.function.Function;

import io.syncro.scribe.ScribeType;
import org.jspecify.annotations.Nullable;

/**
 * A record of a {@link SyncroClient} changed as the app sees it: by the app itself, by
 * the server, by a rollback after the server refused one of the client's changes, or by
 * one of its changes leaving the queue when the server ordered another after it
 * ({@link ConflictEvent}).
 *
 * @param <T> the record type
 * @param klass the synchronised class's name
 * @param id the record's id
 * @param type {@code CREATE} when the record appeared, {@code DESTROY} when it went,
 * {@code UPDATE} otherwise
 * @param record the record now, or {@code null} if it is gone
 * @param previous the record before, or {@code null} if it did not exist
 * @param source where the change came from
 * @since 0.1.0
 */
public record ChangeEvent<T>(String klass, String id, ScribeType type, @Nullable T record, @Nullable T previous,
		Source source) {

	/**
	 * The same change with the records converted.
	 * @param <R> the new record type
	 * @param converter converts one record
	 * @return the converted event
	 */
	public <R> ChangeEvent<R> map(Function<T, R> converter) {
		return new ChangeEvent<>(this.klass, this.id, this.type, (this.record != null) ? converter.apply(this.record) : null,
				(this.previous != null) ? converter.apply(this.previous) : null, this.source);
	}

	/**
	 * Where a change came from.
	 */
	public enum Source {

		/** The app changed the record through this client; told at once, before it returns. */
		LOCAL,

		/**
		 * The server sent the change, or refused a local change, which was rolled back, or
		 * (protocol version 2) a local change left the queue and the record shows what the
		 * server made of it.
		 */
		REMOTE

	}

}
