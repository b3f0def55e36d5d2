package io.syncro.sample.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.jspecify.annotations.Nullable;

/**
 * A TCP load balancer of the simplest kind: each new connection goes to the first node
 * of its list that accepts it, so clients of a node that died reconnect to the next one.
 * Bytes are passed through untouched.
 */
final class Balancer implements AutoCloseable {

	private final List<Integer> targets;

	private final ServerSocket server;

	private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

	private final ExecutorService threads = Executors.newCachedThreadPool((task) -> {
		Thread thread = new Thread(task, "balancer");
		thread.setDaemon(true);
		return thread;
	});

	Balancer(List<Integer> targets) throws IOException {
		this.targets = List.copyOf(targets);
		this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
		this.threads.execute(this::accept);
	}

	int port() {
		return this.server.getLocalPort();
	}

	private void accept() {
		while (!this.server.isClosed()) {
			try {
				Socket client = this.server.accept();
				Socket upstream = connect();
				if (upstream == null) {
					client.close();
					continue;
				}
				this.sockets.add(client);
				this.sockets.add(upstream);
				this.threads.execute(() -> pump(client, upstream));
				this.threads.execute(() -> pump(upstream, client));
			}
			catch (IOException ex) {
				// closed, or a client that went away at once
			}
		}
	}

	private @Nullable Socket connect() {
		for (int target : this.targets) {
			try {
				return new Socket(InetAddress.getLoopbackAddress(), target);
			}
			catch (IOException ex) {
				// that node is down: try the next
			}
		}
		return null;
	}

	private void pump(Socket from, Socket to) {
		byte[] buffer = new byte[16384];
		try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
			int read;
			while ((read = in.read(buffer)) >= 0) {
				out.write(buffer, 0, read);
			}
		}
		catch (IOException ex) {
			// one side went away
		}
		finally {
			closeQuietly(from);
			closeQuietly(to);
		}
	}

	private void closeQuietly(Socket socket) {
		this.sockets.remove(socket);
		try {
			socket.close();
		}
		catch (IOException ex) {
			// already closed
		}
	}

	@Override
	public void close() throws IOException {
		this.server.close();
		this.sockets.forEach(this::closeQuietly);
		this.threads.shutdownNow();
	}

}
