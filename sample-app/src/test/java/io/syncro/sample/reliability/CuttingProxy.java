package io.syncro.sample.reliability;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * A TCP proxy in front of the server that reads the WebSocket frames it passes on (RFC
 * 6455; the JDK client negotiates no extensions, so frames are plain) and, when told to,
 * drops one chosen frame and cuts that connection at once, as a network that fails at
 * exactly the worst moment: after the client's request reached the server and before
 * the server's answer reached the client, or before the request got through at all.
 * <p>
 * It can also reset one open connection at random ({@link #reset}), with a TCP RST to
 * both sides, at once or at the next frame going one way: instead of that frame or in
 * the middle of it. A frame is only looked at for its length there, so compressed frames
 * (permessage-deflate, which Node's {@code ws} negotiates) are cut as well.
 */
public final class CuttingProxy implements AutoCloseable {

	/**
	 * Which way a frame travels.
	 */
	public enum Direction {

		TO_SERVER, TO_CLIENT

	}

	/**
	 * When a {@link #reset} cuts the connection.
	 */
	public enum Moment {

		/** At once, whatever is in flight. */
		NOW,

		/** Instead of the next frame going the given way: it is lost whole. */
		INSTEAD_OF_NEXT_FRAME,

		/** In the middle of the next frame going the given way: part of it gets through. */
		INSIDE_NEXT_FRAME

	}

	private static final Pattern CLIENT = Pattern.compile("[?&]client=([A-Za-z0-9_.:-]+)");

	private final int target;

	private final ServerSocket listening;

	private final ExecutorService threads = Executors.newCachedThreadPool((task) -> {
		Thread thread = new Thread(task, "cutting-proxy");
		thread.setDaemon(true);
		return thread;
	});

	private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

	private final List<Link> links = new CopyOnWriteArrayList<>();

	private final AtomicReference<Cut> cut = new AtomicReference<>();

	private final AtomicInteger resets = new AtomicInteger();

	private final AtomicInteger connections = new AtomicInteger();

	private volatile @Nullable Path trace;

	private CuttingProxy(int target) throws IOException {
		this.target = target;
		this.listening = new ServerSocket();
		this.listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
		this.threads.execute(this::accept);
	}

	/**
	 * Starts a proxy to a port of this machine.
	 */
	public static CuttingProxy to(int target) throws IOException {
		return new CuttingProxy(target);
	}

	/**
	 * The server as reached through the proxy.
	 */
	public URI server() {
		return URI.create("ws://127.0.0.1:" + this.listening.getLocalPort());
	}

	/**
	 * Arms a cut: the next text frame going the given way that matches is dropped and its
	 * connection cut in both directions.
	 * @return completes with the dropped frame's text once the cut happened
	 */
	CompletableFuture<String> cutAt(Direction direction, Predicate<String> frame) {
		Cut armed = new Cut(direction, frame, new CompletableFuture<>());
		this.cut.set(armed);
		return armed.done();
	}

	/**
	 * Resets one open connection chosen at random, with a TCP RST to the client and to the
	 * server.
	 * @param random chooses the connection, and the cut inside a frame
	 * @param moment when: at once, or at the next frame going the given way
	 * @param direction the way of that frame (ignored for {@link Moment#NOW})
	 * @return whether there was an open connection to reset
	 */
	public boolean reset(Random random, Moment moment, Direction direction) {
		List<Link> open = this.links.stream().filter((link) -> !link.client().isClosed()).toList();
		if (open.isEmpty()) {
			return false;
		}
		Link link = open.get(random.nextInt(open.size()));
		if (moment == Moment.NOW) {
			traced(link, direction, "RESET now");
			link.reset();
			this.resets.incrementAndGet();
		}
		else {
			link.armed().set(new Reset(direction, moment == Moment.INSIDE_NEXT_FRAME, random.nextDouble()));
		}
		return true;
	}

	/**
	 * Writes every text frame from now on to a file per client uid in a folder (one line
	 * each: time, connection, direction, text), to study a run afterwards. Compressed
	 * frames are written as such, unreadable.
	 * @param folder the folder, which must exist
	 */
	public void trace(Path folder) {
		this.trace = folder;
	}

	/**
	 * Takes back every reset armed for a next frame that has not come yet.
	 */
	public void disarm() {
		this.links.forEach((link) -> link.armed().set(null));
	}

	/**
	 * The connections reset so far by {@link #reset}.
	 */
	public int resets() {
		return this.resets.get();
	}

	private void accept() {
		while (!this.listening.isClosed()) {
			Socket client;
			try {
				client = this.listening.accept();
			}
			catch (IOException ex) {
				// closed while accepting
				continue;
			}
			try {
				Socket server = new Socket(InetAddress.getLoopbackAddress(), this.target);
				client.setTcpNoDelay(true);
				server.setTcpNoDelay(true);
				this.sockets.add(client);
				this.sockets.add(server);
				Link link = new Link(client, server, new AtomicReference<>(), this.connections.incrementAndGet(),
						new AtomicReference<>());
				this.links.removeIf((old) -> old.client().isClosed());
				this.links.add(link);
				this.threads.execute(() -> pump(link, client, server, Direction.TO_SERVER));
				this.threads.execute(() -> pump(link, server, client, Direction.TO_CLIENT));
			}
			catch (IOException ex) {
				// the server is down: the client learns it at once, as it would without a proxy
				abort(client);
			}
		}
	}

	/**
	 * Closes a socket with an RST (SO_LINGER 0), not the orderly FIN of a close.
	 */
	private static void abort(Socket socket) {
		try {
			socket.setSoLinger(true, 0);
			socket.close();
		}
		catch (IOException ex) {
			// already closed
		}
	}

	private void pump(Link link, Socket from, Socket to, Direction direction) {
		try {
			InputStream in = from.getInputStream();
			OutputStream out = to.getOutputStream();
			byte[] head = readHead(in);
			out.write(head);
			out.flush();
			String firstLine = new String(head, 0, Math.min(head.length, 200), StandardCharsets.ISO_8859_1);
			Matcher uid = CLIENT.matcher(firstLine);
			if (direction == Direction.TO_SERVER && uid.find()) {
				link.uid().set(uid.group(1));
			}
			if (direction == Direction.TO_CLIENT && !firstLine.startsWith("HTTP/1.1 101")) {
				in.transferTo(out);
				return;
			}
			while (true) {
				Frame frame = readFrame(in);
				Reset reset = link.armed().get();
				if (reset != null && reset.direction() == direction && link.armed().compareAndSet(reset, null)) {
					traced(link, direction, "RESET " + (reset.inside() ? "inside " : "instead of ") + frame.text());
					if (reset.inside()) {
						byte[] bytes = frame.bytes();
						out.write(bytes, 0, 1 + (int) (reset.fraction() * (bytes.length - 1)));
						out.flush();
						// an RST makes the peer's kernel drop what it has not read yet: let it read the part
						pause(20);
					}
					link.reset();
					this.resets.incrementAndGet();
					return;
				}
				Cut armed = this.cut.get();
				String text = frame.text();
				if (armed != null && armed.direction() == direction && text != null && armed.frame().test(text)
						&& this.cut.compareAndSet(armed, null)) {
					closeQuietly(from);
					closeQuietly(to);
					armed.done().complete(text);
					return;
				}
				traced(link, direction, text);
				out.write(frame.bytes());
				out.flush();
			}
		}
		catch (IOException ex) {
			// cut, or closed by either side
		}
		finally {
			closeQuietly(from);
			closeQuietly(to);
		}
	}

	private static void pause(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private void traced(Link link, Direction direction, @Nullable String text) {
		Path folder = this.trace;
		String uid = link.uid().get();
		if (folder == null || text == null || uid == null) {
			return;
		}
		String line = System.currentTimeMillis() + " #" + link.number() + " "
				+ ((direction == Direction.TO_SERVER) ? "> " : "< ") + text.replace('\n', ' ') + "\n";
		synchronized (this) {
			try {
				Files.writeString(folder.resolve(uid + ".trace"), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
						StandardOpenOption.APPEND);
			}
			catch (IOException ex) {
				// a trace is best effort
			}
		}
	}

	private static byte[] readHead(InputStream in) throws IOException {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		int matched = 0;
		while (matched < 4) {
			int b = in.read();
			if (b == -1) {
				throw new EOFException();
			}
			head.write(b);
			matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r') ? 1 : 0;
		}
		return head.toByteArray();
	}

	private static Frame readFrame(InputStream in) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		int b0 = readByte(in, bytes);
		int b1 = readByte(in, bytes);
		long length = b1 & 0x7F;
		if (length == 126) {
			length = ((long) readByte(in, bytes) << 8) | readByte(in, bytes);
		}
		else if (length == 127) {
			length = 0;
			for (int i = 0; i < 8; i++) {
				length = (length << 8) | readByte(in, bytes);
			}
		}
		byte @Nullable [] mask = null;
		if ((b1 & 0x80) != 0) {
			mask = new byte[4];
			for (int i = 0; i < 4; i++) {
				mask[i] = (byte) readByte(in, bytes);
			}
		}
		byte[] payload = in.readNBytes((int) length);
		if (payload.length != length) {
			throw new EOFException();
		}
		bytes.write(payload);
		int opcode = b0 & 0x0F;
		@Nullable String text = null;
		if (opcode == 1 || opcode == 0) {
			byte[] plain = payload.clone();
			if (mask != null) {
				for (int i = 0; i < plain.length; i++) {
					plain[i] ^= mask[i % 4];
				}
			}
			text = new String(plain, StandardCharsets.UTF_8);
		}
		return new Frame(bytes.toByteArray(), text);
	}

	private static int readByte(InputStream in, ByteArrayOutputStream copy) throws IOException {
		int b = in.read();
		if (b == -1) {
			throw new EOFException();
		}
		copy.write(b);
		return b;
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

	/**
	 * Stops accepting and closes every connection.
	 */
	@Override
	public void close() {
		try {
			this.listening.close();
		}
		catch (IOException ex) {
			// already closed
		}
		this.sockets.forEach(this::closeQuietly);
		this.threads.shutdownNow();
	}

	private record Cut(Direction direction, Predicate<String> frame, CompletableFuture<String> done) {
	}

	/**
	 * A reset armed on one connection: at the next frame going one way, instead of it or
	 * after a fraction of its bytes.
	 */
	private record Reset(Direction direction, boolean inside, double fraction) {
	}

	/**
	 * One connection through the proxy: the client's socket and the server's.
	 */
	private record Link(Socket client, Socket server, AtomicReference<@Nullable Reset> armed, int number,
			AtomicReference<@Nullable String> uid) {

		void reset() {
			abort(this.client);
			abort(this.server);
		}

	}

	private record Frame(byte[] bytes, @Nullable String text) {
	}

}
