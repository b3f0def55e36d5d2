package io.syncro.session;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

import io.syncro.protocol.FrameEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection over a byte stream (a TCP socket, a pipe): each message is written with
 * its 2-byte length prefix, and {@link #pump} feeds what the input stream delivers to a
 * session until the stream ends.
 *
 * @since 0.1.0
 */
public final class StreamConnection implements Connection {

	private static final Logger logger = LoggerFactory.getLogger(StreamConnection.class);

	private final OutputStream output;

	private final AutoCloseable resource;

	/**
	 * Creates a connection writing to a stream.
	 * @param output where framed messages are written
	 * @param resource what to close when the connection is closed (the socket)
	 */
	public StreamConnection(OutputStream output, AutoCloseable resource) {
		this.output = output;
		this.resource = resource;
	}

	@Override
	public void send(String message) throws IOException {
		byte[] frame = FrameEncoder.encode(message);
		synchronized (this.output) {
			this.output.write(frame);
			this.output.flush();
		}
	}

	/**
	 * A frame's 2-byte length prefix holds at most {@value FrameEncoder#MAX_FRAME_BYTES}
	 * bytes.
	 */
	@Override
	public int maxMessageBytes() {
		return FrameEncoder.MAX_FRAME_BYTES;
	}

	@Override
	public void close(int code, String reason) {
		try {
			this.resource.close();
		}
		catch (Exception ex) {
			logger.debug("Closing the stream failed", ex);
		}
	}

	/**
	 * Reads the input stream until it ends, feeding the session; then tells the session
	 * its connection is closed. Blocks: run it on a thread of its own.
	 * @param input the stream to read
	 * @param session the session to feed
	 */
	public static void pump(InputStream input, Session session) {
		byte[] buffer = new byte[8192];
		try {
			int read;
			while ((read = input.read(buffer)) != -1) {
				session.receiveData(buffer, 0, read);
			}
		}
		catch (IOException ex) {
			logger.debug("Reading from {} ended", session.peer(), ex);
		}
		finally {
			session.closed();
		}
	}

}
