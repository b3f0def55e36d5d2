package io.syncro.sample.reliability;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.syncro.protocol.MessageCodec;
import io.syncro.sample.SampleUsers;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The sample app's REST API, as a test calls it signed in as one of the sample's users
 * (the API answers 401 without credentials).
 */
public final class Rest {

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	private final int port;

	private final String user;

	/**
	 * The REST API of the app on this port, called as a user.
	 * @param port the app's port
	 * @param user the user, who signs each request in with HTTP Basic
	 */
	public Rest(int port, String user) {
		this.port = port;
		this.user = user;
	}

	public JsonNode get(String path) {
		return call("GET", path, null, 200);
	}

	public JsonNode post(String path, String body) {
		return call("POST", path, body, 201);
	}

	public JsonNode patch(String path, String body) {
		return call("PATCH", path, body, 200);
	}

	JsonNode call(String method, String path, @Nullable String body, int expectedStatus) {
		HttpResponse<String> response = send(method, path, body);
		if (response.statusCode() != expectedStatus) {
			throw new AssertionError(method + " " + path + " answered " + response.statusCode() + " instead of "
					+ expectedStatus + ": " + response.body());
		}
		return response.body().isEmpty() ? JsonNodeFactory.instance.nullNode() : MessageCodec.readTree(response.body());
	}

	HttpResponse<String> send(String method, String path, @Nullable String body) {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(Duration.ofSeconds(30))
			.header("Content-Type", "application/json")
			.header("Authorization", SampleUsers.basic(this.user))
			.method(method, (body != null) ? HttpRequest.BodyPublishers.ofString(body) : HttpRequest.BodyPublishers.noBody())
			.build();
		try {
			return http.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new IllegalStateException(method + " " + path + " failed", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(method + " " + path + " was interrupted", ex);
		}
	}

}
