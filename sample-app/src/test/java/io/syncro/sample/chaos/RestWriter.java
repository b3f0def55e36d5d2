package io.syncro.sample.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.syncro.protocol.MessageCodec;
import io.syncro.sample.SampleUsers;
import io.syncro.testing.Processes;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Changes records through one node's REST API at random, as a back office would, signed
 * in as one user or another: Todos, and Pages, each user her own, which she also gives
 * to another user (a PATCH of {@code owner}), so that the clients of their old owner lose
 * them and those of the new one get them. Its requests go to the node directly, not
 * through a proxy; while the node is down they fail and it goes on.
 */
final class RestWriter {

	private static final JsonNodeFactory nodes = JsonNodeFactory.instance;

	private final String name;

	private final int port;

	private final List<String> users;

	private final Random random;

	private final Ops ops;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private final Thread thread;

	private volatile boolean writing = true;

	private List<String> todos = List.of();

	/** The ids of each user's Pages, as the REST API lists them to her. */
	private final Map<String, List<String>> pages = new HashMap<>();

	private int count;

	/**
	 * Starts writing.
	 * @param name names its records
	 * @param port the node's HTTP port
	 * @param users the sample users it signs in as, and gives Pages to
	 * @param random its choices
	 * @param ops where it counts what it did
	 */
	RestWriter(String name, int port, List<String> users, Random random, Ops ops) {
		this.name = name;
		this.port = port;
		this.users = users;
		this.random = random;
		this.ops = ops;
		this.thread = new Thread(this::write, "chaos-" + name);
		this.thread.setDaemon(true);
		this.thread.start();
	}

	/**
	 * Stops writing and waits for the last request.
	 */
	void stop() throws InterruptedException {
		this.writing = false;
		this.thread.join(30_000);
	}

	private void write() {
		while (this.writing) {
			try {
				if (this.count++ % 5 == 0) {
					this.todos = ids(send(pick(this.users), "GET", "/api/todos", null));
					for (String user : this.users) {
						this.pages.put(user, ids(send(user, "GET", "/api/pages", null)));
					}
				}
				change();
			}
			catch (IOException ex) {
				// no answer (the node is down, or was killed mid-request): it may have committed
				this.ops.failed.incrementAndGet();
				Processes.sleep(200);
			}
			Processes.sleep(30 + this.random.nextInt(150));
		}
	}

	private void change() throws IOException {
		int n = this.count;
		// who signs in: Todos are everyone's, Pages each her own
		String user = pick(this.users);
		double r = this.random.nextDouble();
		if (r < 0.45) {
			double t = this.random.nextDouble();
			if (this.todos.isEmpty() || t < 0.2) {
				count(send(user, "POST", "/api/todos", nodes.objectNode().put("title", this.name + " todo " + n)),
						"create");
			}
			else if (t < 0.85) {
				ObjectNode changes = (this.random.nextBoolean()) ? nodes.objectNode().put("done", this.random.nextBoolean())
						: nodes.objectNode().put("title", this.name + " edit " + n);
				count(send(user, "PATCH", "/api/todos/" + pick(this.todos), changes), "update");
			}
			else {
				count(send(user, "DELETE", "/api/todos/" + pick(this.todos), null), "destroy");
			}
		}
		else {
			List<String> own = this.pages.getOrDefault(user, List.of());
			double t = this.random.nextDouble();
			if (own.isEmpty() || t < 0.15) {
				// her own, named or by default
				ObjectNode page = nodes.objectNode().put("title", this.name + " page " + n).put("body", "");
				if (this.random.nextBoolean()) {
					page.put("owner", user);
				}
				count(send(user, "POST", "/api/pages", page), "create");
			}
			else if (t < 0.65) {
				count(send(user, "PATCH", "/api/pages/" + pick(own), nodes.objectNode().put("owner", pick(this.users))),
						"update");
			}
			else if (t < 0.95) {
				count(send(user, "PATCH", "/api/pages/" + pick(own),
						nodes.objectNode().put("title", this.name + " retitled " + n)), "update");
			}
			else {
				count(send(user, "DELETE", "/api/pages/" + pick(own), null), "destroy");
			}
		}
	}

	private String pick(List<String> ids) {
		return ids.get(this.random.nextInt(ids.size()));
	}

	private void count(HttpResponse<String> response, String type) {
		if (response.statusCode() == 404) {
			// the record went meanwhile: destroyed, or a Page given to another user
			this.ops.skipped.incrementAndGet();
			return;
		}
		if (response.statusCode() >= 300) {
			this.ops.unexpected.add(this.name + " " + type + ": " + response.statusCode() + " " + response.body());
			return;
		}
		switch (type) {
			case "create" -> this.ops.creates.incrementAndGet();
			case "update" -> this.ops.updates.incrementAndGet();
			default -> this.ops.destroys.incrementAndGet();
		}
	}

	private HttpResponse<String> send(String user, String method, String path, @Nullable JsonNode body)
			throws IOException {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.timeout(Duration.ofSeconds(10))
			.header("Content-Type", "application/json")
			.header("Authorization", SampleUsers.basic(user))
			.method(method, (body != null) ? HttpRequest.BodyPublishers.ofString(body.toString())
					: HttpRequest.BodyPublishers.noBody())
			.build();
		try {
			return this.http.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("Interrupted", ex);
		}
	}

	private List<String> ids(HttpResponse<String> response) {
		List<String> ids = new ArrayList<>();
		if (response.statusCode() == 200) {
			MessageCodec.readTree(response.body()).forEach((record) -> ids.add(record.path("id").asString()));
		}
		else {
			this.ops.unexpected.add(this.name + " list: " + response.statusCode() + " " + response.body());
		}
		return ids;
	}

}
