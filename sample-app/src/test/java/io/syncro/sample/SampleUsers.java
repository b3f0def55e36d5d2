package io.syncro.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.syncro.protocol.MessageCodec;
import io.syncro.testing.WireClient;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample app's users as its tests sign in: alice, bob and carol, whose passwords in
 * {@code application.yml} are their names followed by {@code -secret}, by HTTP Basic on
 * the WebSocket handshake.
 */
public final class SampleUsers {

	private static final HttpClient http = HttpClient.newHttpClient();

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
	 * Calls the sample's REST API as a user and checks the status.
	 * @param port the app's port
	 * @param user the user, signed in by HTTP Basic
	 * @param method the HTTP method
	 * @param path the path, such as {@code /api/todos}
	 * @param body the JSON body, or {@code null}
	 * @param status the status expected
	 * @return the response's JSON, JSON {@code null} when it has no body
	 * @throws Exception when the request fails
	 */
	public static JsonNode rest(int port, String user, String method, String path, @Nullable String body, int status)
			throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
			.header("Authorization", basic(user))
			.header("Content-Type", "application/json")
			.method(method, (body != null) ? HttpRequest.BodyPublishers.ofString(body) : HttpRequest.BodyPublishers.noBody());
		HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as("%s %s as %s: %s", method, path, user, response.body()).isEqualTo(status);
		return response.body().isEmpty() ? JsonNodeFactory.instance.nullNode() : MessageCodec.readTree(response.body());
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
