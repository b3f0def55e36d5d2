package io.syncro.sample.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.jspecify.annotations.Nullable;

/**
 * A TCP port in front of the server that the test opens and shuts, so that a client sees
 * the server unreachable (connection refused), then reachable, then its connections cut,
 * as on a real network. Bytes are passed through untouched.
 */
final class TcpGate implements AutoCloseable {

	private final int port;

	private final int target;

	private final ExecutorService threads = Executors.newCachedThreadPool((task) -> {
		Thread thread = new Thread(task, "tcp-gate");
		thread.setDaemon(true);
		return thread;
	});

	private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

	private volatile @Nullable ServerSocket listening;

	private TcpGate(int port, int target) {
		this.port = port;
		this.target = target;
	}

	/**
	 * A shut gate on a free port, leading to a port of this machine.
	 */
	static TcpGate to(int target) throws IOException {
		try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
			return new TcpGate(probe.getLocalPort(), target);
		}
	}

	/**
	 * The Syncro endpoint behind this gate.
	 */
	URI syncroUri() {
		return URI.create("ws://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + this.port + "/syncro");
	}

	/**
	 * Starts accepting connections and passing them on to the target.
	 */
	synchronized void open() throws IOException {
		if (this.listening != null) {
			return;
		}
		ServerSocket server = new ServerSocket();
		server.setReuseAddress(true);
		server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), this.port));
		this.listening = server;
		this.threads.execute(() -> accept(server));
	}

	private void accept(ServerSocket server) {
		while (!server.isClosed()) {
			try {
				Socket client = server.accept();
				Socket upstream = new Socket(InetAddress.getLoopbackAddress(), this.target);
				this.sockets.add(client);
				this.sockets.add(upstream);
				this.threads.execute(() -> pump(client, upstream));
				this.threads.execute(() -> pump(upstream, client));
			}
			catch (IOException ex) {
				// shut while accepting
			}
		}
	}

	private void pump(Socket from, Socket to) {
		byte[] buffer = new byte[16384];
		try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
			int read;
			while ((read = in.read(buffer)) != -1) {
				out.write(buffer, 0, read);
				out.flush();
			}
		}
		catch (IOException ex) {
			// cut
		}
		finally {
			closeQuietly(from);
			closeQuietly(to);
		}
	}

	/**
	 * Breaks every connection through the gate, which stays open for new ones.
	 */
	void cut() {
		for (Socket socket : this.sockets) {
			closeQuietly(socket);
		}
		this.sockets.clear();
	}

	/**
	 * Stops accepting (connections are refused) and breaks every connection.
	 */
	synchronized void shut() {
		ServerSocket server = this.listening;
		this.listening = null;
		if (server != null) {
			try {
				server.close();
			}
			catch (IOException ex) {
				// already closed
			}
		}
		cut();
	}

	@Override
	public void close() {
		shut();
		this.threads.shutdownNow();
	}

	private void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// already closed
		}
		this.sockets.remove(socket);
	}

}
