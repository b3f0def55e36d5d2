package io.syncro.sample;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.syncro.testing.WireClient;

/**
 * The sample app's users as its tests sign in: alice, bob and carol, whose passwords in
 * {@code application.yml} are their names followed by {@code -secret}, by HTTP Basic on
 * the WebSocket handshake.
 */
public final class SampleUsers {

	private SampleUsers() {
	}

	/**
	 * Clients of the sample app on this machine, signed in as alice.
	 * @param port the app's port
	 * @return the clients' options
	 */
	public static WireClient.Builder alice(int port) {
		return signedIn("alice", port);
	}

	/**
	 * Clients of the sample app on this machine, signed in as a user.
	 * @param user the user
	 * @param port the app's port
	 * @return the clients' options
	 */
	public static WireClient.Builder signedIn(String user, int port) {
		return signedIn(user, URI.create("ws://localhost:" + port));
	}

	/**
	 * Clients of the sample app, or of a proxy in front of it, signed in as a user.
	 * @param user the user
	 * @param server the app, as {@code ws://host:port}
	 * @return the clients' options
	 */
	public static WireClient.Builder signedIn(String user, URI server) {
		return WireClient.to(server).basicAuth(user, user + "-secret");
	}

	/**
	 * The {@code Authorization} header of a user's REST requests: the REST API is
	 * authenticated like the WebSocket.
	 * @param user the user
	 * @return the header's value, HTTP Basic with the user's password
	 */
	public static String basic(String user) {
		String credentials = user + ":" + user + "-secret";
		return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
	}

}
