package io.syncro.session;

import java.util.function.Supplier;

/**
 * Runs the play of one inbound scribe together with the mark that settles it, in one
 * transaction where the stores allow (PROTOCOL.md section 4). A failure thrown by the
 * work rolls the transaction back and is rethrown.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface TransactionRunner {

	/** Runs the work directly, for stores without transactions. */
	TransactionRunner NONE = Supplier::get;

	/**
	 * Runs work in a transaction.
	 * @param <T> the result type
	 * @param work the work
	 * @return the work's result
	 */
	<T> T inTransaction(Supplier<T> work);

}
