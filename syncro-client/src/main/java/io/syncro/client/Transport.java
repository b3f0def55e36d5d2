package io.syncro.client;

import io.syncro.session.Connection;

/**
 * Opens connections to the server for a {@link SyncroClient}: the JDK's WebSocket in
 * production, an in-memory link in tests.
 */
interface Transport {

	/**
	 * Starts opening a connection for a client uid. The handler is then told, from any
	 * thread but one call at a time: either {@link Handler#failed}, or
	 * {@link Handler#opened} followed by each message in order and at last
	 * {@link Handler#closed}.
	 * @param uid the client uid
	 * @param version the protocol version to ask for on the handshake; 1 asks for nothing
	 * @param handler told what happens
	 */
	void open(String uid, int version, Handler handler);

	/**
	 * Told what happens to one connection.
	 */
	interface Handler {

		/**
		 * The connection is open; nothing is received before this returns.
		 * @param connection where to send
		 */
		void opened(Connection connection);

		/**
		 * A whole message arrived.
		 * @param message the message's JSON text
		 */
		void received(String message);

		/**
		 * The open connection ended, closed by either side or broken.
		 * @param code the WebSocket close code (1006 when it broke)
		 * @param reason the reason given, possibly empty
		 */
		void closed(int code, String reason);

		/**
		 * The connection could not be opened.
		 * @param error why
		 */
		void failed(Throwable error);

	}

}
