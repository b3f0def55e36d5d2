package io.syncro.sample.reliability;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Opens every WebSocket of these tests, so that what a handshake carries is said once:
 * when the sample app requires authentication, the {@code Authorization} header goes
 * here.
 */
final class Handshake {

	private static final HttpClient http = HttpClient.newHttpClient();

	private Handshake() {
	}

	/**
	 * The Syncro endpoint of a server on this machine.
	 * @param port the server's (or a proxy's) port
	 * @return {@code ws://127.0.0.1:port}
	 */
	static URI local(int port) {
		return URI.create("ws://127.0.0.1:" + port);
	}

	/**
	 * Opens a connection as a client uid.
	 * @param server the server, as {@code ws://host:port}
	 * @param uid the client's uid
	 * @param listener told what arrives
	 * @return the open WebSocket
	 */
	static WebSocket open(URI server, String uid, WebSocket.Listener listener) {
		return http.newWebSocketBuilder()
			.connectTimeout(Duration.ofSeconds(10))
			.buildAsync(endpoint(server, uid), listener)
			.join();
	}

	static URI endpoint(URI server, String uid) {
		return server.resolve("/syncro?client=" + URLEncoder.encode(uid, StandardCharsets.UTF_8));
	}

}
