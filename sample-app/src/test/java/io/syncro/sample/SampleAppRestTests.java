package io.syncro.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import io.syncro.protocol.MessageCodec;
import io.syncro.testing.Scribes;
import io.syncro.testing.WireClient;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample app's REST API: what it answers for good and bad input, and what a large
 * message over WebSocket left in it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "spring.datasource.url=jdbc:h2:mem:sample-rest;DB_CLOSE_DELAY=-1")
class SampleAppRestTests {

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Test
	void todosAreCreatedWithAServerChosenIdListedChangedAndDeleted() throws Exception {
		HttpResponse<String> created = call("POST", "/api/todos", "{\"title\":\"Water plants\"}");
		assertThat(created.statusCode()).isEqualTo(201);
		JsonNode todo = MessageCodec.readTree(created.body());
		String id = todo.path("id").asString();
		assertThat(id).isNotBlank();
		assertThat(todo.path("title").asString()).isEqualTo("Water plants");
		assertThat(todo.path("done").asBoolean()).isFalse();
		assertThat(call("GET", "/api/todos", null).body()).contains(id);
		JsonNode patched = MessageCodec.readTree(call("PATCH", "/api/todos/" + id, "{\"done\":true}").body());
		assertThat(patched.path("done").asBoolean()).isTrue();
		assertThat(call("DELETE", "/api/todos/" + id, null).statusCode()).isEqualTo(204);
		assertThat(call("DELETE", "/api/todos/" + id, null).statusCode()).isEqualTo(404);
	}

	@Test
	void pagesAreListedOnlyToTheirOwner() throws Exception {
		assertThat(call("POST", "/api/pages", "{\"owner\":\"alice\",\"title\":\"Alice's\",\"body\":\"\"}")
			.statusCode()).isEqualTo(201);
		assertThat(call("bob", "POST", "/api/pages", "{\"title\":\"Bob's\"}").statusCode()).isEqualTo(201);
		JsonNode alices = MessageCodec.readTree(call("GET", "/api/pages", null).body());
		assertThat(alices).isNotEmpty().allMatch((page) -> page.path("owner").asString().equals("alice"));
		assertThat(alices).anyMatch((page) -> page.path("title").asString().equals("Alice's"));
		JsonNode bobs = MessageCodec.readTree(call("bob", "GET", "/api/pages", null).body());
		assertThat(bobs).isNotEmpty().allMatch((page) -> page.path("owner").asString().equals("bob"));
		assertThat(bobs).anyMatch((page) -> page.path("title").asString().equals("Bob's"));
	}

	@Test
	void badInputIsA400WithAJsonErrorNeverA500() throws Exception {
		String[][] cases = { { "POST", "/api/todos", "not json" }, { "POST", "/api/todos", "[1,2]" },
				{ "POST", "/api/todos", "{}" }, { "POST", "/api/todos", "{\"title\":\"\"}" },
				{ "POST", "/api/todos", "{\"title\":\" \\t\\n\"}" }, { "POST", "/api/lists", "{\"name\":\"   \"}" },
				{ "POST", "/api/todos", "{\"title\":\"" + "x".repeat(501) + "\"}" }, { "POST", "/api/todos", "{\"title\":7}" },
				{ "POST", "/api/pages", "{\"owner\":\"bad owner!\",\"title\":\"t\"}" },
				{ "POST", "/api/pages", "{\"owner\":null,\"title\":\"t\"}" },
				{ "POST", "/api/pages", "{\"body\":\"no title\"}" },
				{ "POST", "/api/pages", "{\"owner\":\"alice\",\"title\":\"t\",\"body\":5}" } };
		for (String[] request : cases) {
			HttpResponse<String> response = call(request[0], request[1], request[2]);
			assertThat(response.statusCode()).as(request[2]).isEqualTo(400);
			assertThat(response.headers().firstValue("Content-Type")).get().asString().contains("json");
			assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
		}
		String id = MessageCodec.readTree(call("POST", "/api/todos", "{\"title\":\"ok\"}").body()).path("id").asString();
		assertThat(call("PATCH", "/api/todos/" + id, "{\"done\":\"yes\"}").statusCode()).isEqualTo(400);
		assertThat(call("PATCH", "/api/todos/" + id, "{\"colour\":\"red\"}").statusCode()).isEqualTo(400);
		assertThat(call("PATCH", "/api/todos/missing", "{\"done\":true}").statusCode()).isEqualTo(404);
		String page = MessageCodec.readTree(call("POST", "/api/pages", "{\"title\":\"ok\"}").body()).path("id").asString();
		assertThat(call("PATCH", "/api/pages/" + page, "{\"owner\":\"bad owner!\"}").statusCode()).isEqualTo(400);
		assertThat(call("PATCH", "/api/pages/" + page, "{\"colour\":\"red\"}").statusCode()).isEqualTo(400);
		assertThat(call("PATCH", "/api/pages/missing", "{\"title\":\"t\"}").statusCode()).isEqualTo(404);
	}

	@Test
	void every4xxOfTheApiIsOneProblemJsonShape() throws Exception {
		String id = MessageCodec.readTree(call("POST", "/api/todos", "{\"title\":\"ok\"}").body()).path("id").asString();
		assertProblem(call("POST", "/api/todos", "{\"title\":"), 400, "/api/todos");
		assertProblem(call("POST", "/api/todos", "{\"title\":\" \"}"), 400, "/api/todos");
		assertProblem(call("PUT", "/api/todos/" + id, "{}"), 405, "/api/todos/" + id);
		assertProblem(call("GET", "/api/todos/missing", null), 404, "/api/todos/missing");
		assertProblem(call("GET", "/api/nothing-here", null), 404, "/api/nothing-here");
		assertProblem(call("bob", "POST", "/api/pages", "{\"owner\":\"alice\",\"title\":\"t\"}"), 403, "/api/pages");
		HttpRequest textPlain = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/api/todos"))
			.header("Content-Type", "text/plain")
			.header("Authorization", SampleUsers.basic("alice"))
			.POST(HttpRequest.BodyPublishers.ofString("title"))
			.build();
		assertProblem(this.http.send(textPlain, HttpResponse.BodyHandlers.ofString()), 415, "/api/todos");
		HttpRequest anonymous = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/api/todos")).build();
		HttpResponse<String> unauthorized = this.http.send(anonymous, HttpResponse.BodyHandlers.ofString());
		assertProblem(unauthorized, 401, "/api/todos");
		assertThat(unauthorized.headers().firstValue("WWW-Authenticate")).isEmpty();
	}

	private static void assertProblem(HttpResponse<String> response, int status, String instance) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type")).get().asString().startsWith("application/problem+json");
		JsonNode problem = MessageCodec.readTree(response.body());
		assertThat(problem.path("status").asInt()).isEqualTo(status);
		assertThat(problem.path("title").asString()).isNotBlank();
		assertThat(problem.path("instance").asString()).isEqualTo(instance);
		assertThat(problem.has("detail")).as(response.body()).isTrue();
		assertThat(response.body()).doesNotContain("Exception").doesNotContain("timestamp");
	}

	@Test
	void aPageSentOverWebSocketInManyPartsIsReadBackWhole() throws Exception {
		// Tomcat hands the server this message in parts of 1,024 characters, some of them
		// splitting a surrogate pair; the handler joins them
		String body = "é✓😀 ".repeat(12_000);
		try (WireClient client = SampleUsers.alice(this.port).live("many-parts")) {
			ObjectNode page = SampleRecords.page("long-page", "alice", "Long", body);
			assertThat(client.addScribe(Scribes.create(1, "Page", page)).path("result").asBoolean()).isTrue();
		}
		JsonNode read = MessageCodec.readTree(call("GET", "/api/pages/long-page", null).body());
		assertThat(read.path("body").asString()).isEqualTo(body);
	}

	/** Calls the API as alice. */
	private HttpResponse<String> call(String method, String path, String body) throws Exception {
		return call("alice", method, path, body);
	}

	private HttpResponse<String> call(String user, String method, String path, String body) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.header("Content-Type", "application/json")
			.header("Authorization", SampleUsers.basic(user))
			.method(method, (body != null) ? HttpRequest.BodyPublishers.ofString(body) : HttpRequest.BodyPublishers.noBody())
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.ofString());
	}

}
