package io.syncro.store;

import java.util.List;

import io.syncro.scribe.ScribeEntry;

/**
 * Where recorded scribes wait, in the database of the records they describe, until they
 * are in the {@link ScribeLog}. Scribes are added in the transaction of the change they
 * mirror, so they are kept exactly when the change commits, and a relay appends them to
 * the log afterwards, in order, each once, also after a crash of the process.
 *
 * @since 0.1.0
 */
public interface ScribeOutbox {

	/**
	 * Keeps scribes as part of the current transaction, or at once when there is none.
	 * @param entries the scribes one change recorded, to be appended together
	 */
	void add(List<ScribeEntry> entries);

	/**
	 * Relays the scribes of committed transactions to the log, on the calling thread,
	 * unless another thread of this process is relaying, which then goes on to relay these
	 * too. A failure is not thrown: what could not be relayed stays in the outbox, to be
	 * relayed later by the outbox itself.
	 */
	void relay();

	/**
	 * The number of transactions whose scribes wait to be relayed: near 0 unless the log
	 * cannot be reached.
	 * @return the backlog
	 * @since 0.2.0
	 */
	long pending();

}
