package io.syncro.testing;

import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;

/**
 * The listener of one {@link WireClient} connection on the JDK's {@link WebSocket}: it
 * joins the parts the JDK hands over into whole messages and reads on only while it is
 * not paused. The JDK reads from the socket only as the listener asks for more, so a
 * paused listener leaves what the server sends in the buffers of both ends, as a slow
 * consumer does.
 */
final class WireListener implements WebSocket.Listener {

	/** The close code of a connection that ended without a closing handshake (RFC 6455). */
	static final int ABNORMAL_CLOSURE = 1006;

	/**
	 * What a connection does with what arrives; called by one thread at a time.
	 */
	interface Receiver {

		void opened(WebSocket webSocket);

		void text(String text);

		void binary();

		void closed(int code, String reason);

	}

	private final Receiver receiver;

	private final StringBuilder parts = new StringBuilder();

	private final Object reading = new Object();

	private @Nullable WebSocket webSocket;

	// guarded by reading
	private boolean paused;

	// guarded by reading: the last part was handled without asking for the next
	private boolean starved;

	WireListener(Receiver receiver) {
		this.receiver = receiver;
	}

	/**
	 * Stops reading after the part being handled.
	 */
	void pause() {
		synchronized (this.reading) {
			this.paused = true;
		}
	}

	/**
	 * Reads again.
	 */
	void resume() {
		WebSocket socket;
		synchronized (this.reading) {
			this.paused = false;
			if (!this.starved) {
				return;
			}
			this.starved = false;
			socket = this.webSocket;
		}
		if (socket != null) {
			socket.request(1);
		}
	}

	@Override
	public void onOpen(WebSocket webSocket) {
		synchronized (this.reading) {
			this.webSocket = webSocket;
		}
		this.receiver.opened(webSocket);
		webSocket.request(1);
	}

	@Override
	public @Nullable CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
		this.parts.append(data);
		if (last) {
			String text = this.parts.toString();
			this.parts.setLength(0);
			this.receiver.text(text);
		}
		readOn(webSocket);
		return null;
	}

	@Override
	public @Nullable CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
		if (last) {
			this.receiver.binary();
		}
		readOn(webSocket);
		return null;
	}

	@Override
	public @Nullable CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
		this.receiver.closed(statusCode, reason);
		return null;
	}

	@Override
	public void onError(WebSocket webSocket, Throwable error) {
		this.receiver.closed(ABNORMAL_CLOSURE, String.valueOf(error));
	}

	private void readOn(WebSocket webSocket) {
		synchronized (this.reading) {
			if (this.paused) {
				this.starved = true;
				return;
			}
		}
		webSocket.request(1);
	}

}
