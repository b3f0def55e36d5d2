package io.syncro.sample;

import java.net.http.WebSocket;
import java.util.concurrent.CompletionStage;

/**
 * A listener of the JDK's {@link WebSocket} that hands on whole text messages, however
 * the JDK splits them into parts, and asks for the next one after each part.
 */
public abstract class TextMessageListener implements WebSocket.Listener {

	private final StringBuilder parts = new StringBuilder();

	@Override
	public void onOpen(WebSocket webSocket) {
		opened(webSocket);
		webSocket.request(1);
	}

	@Override
	public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
		this.parts.append(data);
		if (last) {
			String text = this.parts.toString();
			this.parts.setLength(0);
			onMessage(text);
		}
		requestNext(webSocket);
		return null;
	}

	/**
	 * Told that the connection is open, before the first message is asked for.
	 * @param webSocket the connection
	 */
	protected void opened(WebSocket webSocket) {
	}

	/**
	 * Handles a whole text message.
	 * @param text the message
	 */
	protected abstract void onMessage(String text);

	/**
	 * Asks for the next part; a listener that stops reading overrides this.
	 * @param webSocket the connection
	 */
	protected void requestNext(WebSocket webSocket) {
		webSocket.request(1);
	}

}
