package io.syncro.sample.reliability;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * Opens every WebSocket of these tests, so that what a handshake carries is said once:
 * HTTP Basic credentials of a sample user. The clients whose uid starts with
 * {@code victim-} are bob, every other is alice, so that what the fuzz aims at another
 * client's records is aimed at another user's too.
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
		String user = uid.startsWith("victim-") ? "bob" : "alice";
		String credentials = Base64.getEncoder()
			.encodeToString((user + ":" + user + "-secret").getBytes(StandardCharsets.UTF_8));
		return http.newWebSocketBuilder()
			.connectTimeout(Duration.ofSeconds(10))
			.header("Authorization", "Basic " + credentials)
			.buildAsync(endpoint(server, uid), listener)
			.join();
	}

	static URI endpoint(URI server, String uid) {
		return server.resolve("/syncro?client=" + URLEncoder.encode(uid, StandardCharsets.UTF_8));
	}

}
