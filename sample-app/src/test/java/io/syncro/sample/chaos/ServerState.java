package io.syncro.sample.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.syncro.protocol.MessageCodec;
import io.syncro.sample.SampleUsers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The records as the server holds them, read through the REST API, and what of them each
 * client should hold: every Todo, and the Pages of its user (a Page goes to every client
 * of the user who is its {@code owner}: {@code PagePolicy}), which the REST API lists to
 * that user.
 */
final class ServerState {

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final Map<String, JsonNode> todos;

	private final Map<String, Map<String, JsonNode>> pagesByUser;

	private ServerState(Map<String, JsonNode> todos, Map<String, Map<String, JsonNode>> pagesByUser) {
		this.todos = todos;
		this.pagesByUser = pagesByUser;
	}

	/**
	 * Reads every Todo and each user's Pages from a node.
	 * @param port the node's HTTP port
	 * @param users the sample users whose Pages to read; the Todos are read as the first
	 */
	static ServerState read(int port, List<String> users) throws IOException, InterruptedException {
		Map<String, Map<String, JsonNode>> pagesByUser = new LinkedHashMap<>();
		for (String user : users) {
			pagesByUser.put(user, byId(get(port, user, "/api/pages")));
		}
		return new ServerState(byId(get(port, users.get(0), "/api/todos")), pagesByUser);
	}

	int todos() {
		return this.todos.size();
	}

	int pages() {
		return this.pagesByUser.values().stream().mapToInt(Map::size).sum();
	}

	/**
	 * The records a client should hold.
	 * @param klass {@code Todo} or {@code Page}
	 * @param user the client's user
	 */
	Map<String, JsonNode> expected(String klass, String user) {
		if (klass.equals("Todo")) {
			return this.todos;
		}
		return this.pagesByUser.getOrDefault(user, Map.of());
	}

	/**
	 * How a client's state differs from what the server gives it: records, pending writes,
	 * position; empty when it converged. On a compacted log the scribe at a client's position
	 * may have been folded into the record's state, so its position may be above the last id
	 * the log holds for it, never below.
	 */
	List<String> divergence(ClientState client, boolean compacted) {
		List<String> problems = new ArrayList<>();
		if (client.problem() != null) {
			problems.add(client.problem());
		}
		if (client.pending() != 0) {
			problems.add(client.pending() + " writes still pending");
		}
		if (client.lastScribeId() != null && client.position() != client.lastScribeId()
				&& !(compacted && client.position() > client.lastScribeId())) {
			problems.add("position " + client.position() + " but Syncro.last_scribe_id " + client.lastScribeId());
		}
		for (String klass : List.of("Todo", "Page")) {
			Map<String, JsonNode> expected = expected(klass, client.user());
			Map<String, JsonNode> held = client.records(klass);
			List<String> differences = new ArrayList<>();
			for (String id : union(expected.keySet(), held.keySet())) {
				JsonNode server = expected.get(id);
				JsonNode mine = held.get(id);
				if (server == null) {
					differences.add(id + " is not on the server for it, but the client holds " + mine);
				}
				else if (mine == null) {
					differences.add(id + " is missing: the server holds " + server);
				}
				else if (!server.equals(mine)) {
					differences.add(id + ": the client holds " + mine + ", the server " + server);
				}
			}
			if (!differences.isEmpty()) {
				problems.add(differences.size() + " of " + expected.size() + " " + klass + "s differ, first "
						+ String.join("; ", differences.subList(0, Math.min(3, differences.size()))));
			}
		}
		return problems;
	}

	private static TreeSet<String> union(Set<String> a, Set<String> b) {
		TreeSet<String> union = new TreeSet<>(a);
		union.addAll(b);
		return union;
	}

	/**
	 * The server's records as one JSON text, for a dump beside a failure: the Pages by
	 * user.
	 */
	ObjectNode toJson() {
		ObjectNode json = JsonNodeFactory.instance.objectNode();
		json.putObject("Todo").setAll(this.todos);
		ObjectNode pages = json.putObject("Page");
		this.pagesByUser.forEach((user, byId) -> pages.putObject(user).setAll(byId));
		return json;
	}

	private static String get(int port, String user, String path) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
			.timeout(Duration.ofSeconds(30))
			.header("Authorization", SampleUsers.basic(user))
			.build();
		HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new IllegalStateException("GET " + path + " as " + user + " answered " + response.statusCode() + ": "
					+ response.body());
		}
		return response.body();
	}

	private static Map<String, JsonNode> byId(String json) {
		Map<String, JsonNode> byId = new LinkedHashMap<>();
		MessageCodec.readTree(json).forEach((record) -> byId.put(record.path("id").asString(), record));
		return byId;
	}

}
