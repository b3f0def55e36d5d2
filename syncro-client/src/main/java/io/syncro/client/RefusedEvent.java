package io.syncro.client;

import io.syncro.scribe.ScribeType;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * The server refused one of a {@link SyncroClient}'s changes for good (400, 403 or 404,
 * PROTOCOL.md section 4). The change was dropped from the offline queue and its record
 * rolled back to the server's state, with the client's other pending changes on top.
 *
 * @param scribeId the refused client scribe's id
 * @param code the error code
 * @param message the server's sentence
 * @param klass the synchronised class's name
 * @param id the record's id
 * @param type what the refused change did
 * @param record the record after the rollback, or {@code null} if it does not exist
 * @since 0.1.0
 */
public record RefusedEvent(long scribeId, int code, String message, String klass, String id, ScribeType type,
		@Nullable ObjectNode record) {
}
