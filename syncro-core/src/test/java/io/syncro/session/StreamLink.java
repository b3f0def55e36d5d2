package io.syncro.session;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Two sessions linked by a real byte stream: a loopback TCP connection, each end written
 * by a {@link StreamConnection} and read by {@link StreamConnection#pump} on a thread of
 * its own.
 */
final class StreamLink implements AutoCloseable {

	private final Socket serverEnd;

	private final Socket clientEnd;

	private final Session serverSession;

	private final Session clientSession;

	private StreamLink(SyncroEngine server, SyncroEngine client, SessionListener clientListener) throws IOException {
		try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			this.clientEnd = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
			this.serverEnd = listener.accept();
		}
		this.serverEnd.setTcpNoDelay(true);
		this.clientEnd.setTcpNoDelay(true);
		this.serverSession = server.open(client.settings().uid(),
				new StreamConnection(this.serverEnd.getOutputStream(), this.serverEnd));
		this.clientSession = client.open(server.settings().uid(),
				new StreamConnection(this.clientEnd.getOutputStream(), this.clientEnd), clientListener);
		pump("server", this.serverEnd, this.serverSession);
		pump("client", this.clientEnd, this.clientSession);
	}

	static StreamLink connect(SyncroEngine server, SyncroEngine client, SessionListener clientListener)
			throws IOException {
		return new StreamLink(server, client, clientListener);
	}

	private static void pump(String side, Socket socket, Session session) throws IOException {
		Thread thread = new Thread(() -> {
			try {
				StreamConnection.pump(socket.getInputStream(), session);
			}
			catch (IOException ex) {
				session.closed();
			}
		}, "pump-" + side + "-" + socket.getLocalPort());
		thread.setDaemon(true);
		thread.start();
	}

	Session serverSession() {
		return this.serverSession;
	}

	Session clientSession() {
		return this.clientSession;
	}

	/**
	 * Breaks the connection: both pumps see the stream end.
	 */
	void drop() {
		close();
	}

	@Override
	public void close() {
		try {
			this.clientEnd.close();
			this.serverEnd.close();
		}
		catch (IOException ex) {
			// already closed
		}
	}

}
