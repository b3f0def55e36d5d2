package io.syncro.scope;

import java.util.List;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * The records of one klass that a client receives under its subscriptions: those its
 * scopes select, among those the klass's policy gives it, read from the current state.
 *
 * @since 0.2.0
 */
public interface ScopedRecords {

	/**
	 * Reads records in id order.
	 * @param after the cursor a previous page gave, or {@code null} to start
	 * @param limit the most records to return
	 * @return the page
	 */
	Page after(@Nullable String after, int limit);

	/**
	 * A record as it is now, if the client receives it.
	 * @param recordId the record's id
	 * @return every attribute, or {@code null} when the record does not exist or the
	 * client does not receive it
	 */
	@Nullable ObjectNode find(String recordId);

	/**
	 * Records read in id order.
	 * @param records every attribute of each record
	 * @param next where the next page starts, or {@code null} when there is none
	 */
	record Page(List<ObjectNode> records, @Nullable String next) {
	}

}
