package io.syncro.client;

/**
 * The server's log holds another history than the one a {@link SyncroClient}'s position is
 * of: it was set back to a backup, or lost its data, so what it confirmed to the client may
 * not exist any more. The client dropped its confirmed copy of every record and its
 * position, kept its pending changes (they are sent again as usual), and syncs again from
 * nothing. Once that sync caught up, the records it did not bring back go, with a
 * {@link ChangeEvent} each, except those pending changes keep; the others do not blink.
 *
 * @param reason how the client learnt it
 * @since 0.1.0
 */
public record ResetEvent(Reason reason) {

	/**
	 * How the client learnt that the server's history changed.
	 */
	public enum Reason {

		/**
		 * The server's {@code hello} (protocol version 2) named another epoch than the one
		 * stored with the position.
		 */
		EPOCH,

		/**
		 * The server refused a sync from the position (410): it is of another history of
		 * the server's log, or beyond its end.
		 */
		GONE

	}

}
