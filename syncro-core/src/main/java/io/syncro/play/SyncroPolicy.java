package io.syncro.play;

import java.util.List;

import io.syncro.scribe.Identity;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import org.jspecify.annotations.Nullable;

/**
 * Who receives the scribes of a synchronised class's records, and which inbound scribes a
 * client may play (the original's {@code scribe_clients} and {@code scribe_authorized?}).
 * Secure by default: every client receives every change, and no client may write.
 *
 * @param <R> the record type
 * @since 0.1.0
 */
public interface SyncroPolicy<R> {

	/**
	 * The clients that receive the scribes of a record.
	 * @param record the record as it is (for a destroy, as it was)
	 * @return the recipients; every client by default
	 */
	default Recipients recipients(R record) {
		return Recipients.all();
	}

	/**
	 * The records whose recipients follow from this record's state, such as the Todos of
	 * a list that its members see, each with its recipients as they follow from the given
	 * record: compute them from its attributes, never by loading it again (the recorder
	 * calls this with the record as it was before a change, and as it is after).
	 * <p>
	 * When a change of this record changes a dependent's recipients, the library records,
	 * in the same transaction, a {@code create} of the dependent for the clients that gain
	 * it and a {@code destroy} for those that lose it. Its own policy's
	 * {@link #recipients} must give the same recipients, so that its own changes reach
	 * the same clients, and must read this record with a lock within a transaction (a
	 * {@code PESSIMISTIC_READ} query): otherwise a dependent written while this record's
	 * audience changes can be recorded for the audience it read, after this change looked
	 * for the dependents, and keep it.
	 * @param record the record
	 * @return its dependents; none by default
	 * @since 0.2.0
	 */
	default List<Dependent> dependents(R record) {
		return List.of();
	}

	/**
	 * Whether a client may play a scribe.
	 * @param scribe the inbound scribe
	 * @param client the sending client's uid
	 * @param existing the record as it exists now, or {@code null} if it does not
	 * @return whether to play it; {@code false} by default
	 */
	default boolean authorize(Scribe scribe, String client, @Nullable R existing) {
		return false;
	}

	/**
	 * Whether a client, whose user and authorities are known, may play a scribe; by
	 * default as {@link #authorize(Scribe, String, Object)} with its uid.
	 * @param scribe the inbound scribe
	 * @param who the sending client
	 * @param existing the record as it exists now, or {@code null} if it does not
	 * @return whether to play it
	 * @since 0.2.0
	 */
	default boolean authorize(Scribe scribe, Identity who, @Nullable R existing) {
		return authorize(scribe, who.client(), existing);
	}

}
