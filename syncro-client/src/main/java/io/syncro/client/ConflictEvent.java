package io.syncro.client;

import io.syncro.scribe.ScribeType;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * One of a {@link SyncroClient}'s changes landed in the server's log and left the offline
 * queue, and that changed the record as the app sees it: the server ordered another
 * client's concurrent change after it, or stored something else than was sent. The
 * record now shows the server's state (with the client's other pending changes on top),
 * and the app's own change is not sent again. Only told on protocol version 2
 * connections, where the server says where each change landed.
 *
 * @param klass the synchronised class's name
 * @param id the record's id
 * @param scribeId the client scribe id of the change
 * @param type what the change did
 * @param written the attributes the change set: every attribute of a {@code CREATE}, the
 * changed ones of an {@code UPDATE}, none for a {@code DESTROY}
 * @param previous the record as the app saw it before, or {@code null} if it did not
 * exist
 * @param record the record as the app sees it now, or {@code null} if it does not exist
 * @since 0.1.0
 */
public record ConflictEvent(String klass, String id, long scribeId, ScribeType type, ObjectNode written,
		@Nullable ObjectNode previous, @Nullable ObjectNode record) {
}
