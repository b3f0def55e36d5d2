package io.syncro.sample.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.syncro.protocol.MessageCodec;
import io.syncro.testing.Processes;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Changes records through one node's REST API at random, as a back office would: Todos,
 * and Pages, which it also hands from one client to another (a PATCH of {@code owner}),
 * so that their old owner loses them and the new one gets them. Its requests go to the
 * node directly, not through a proxy; while the node is down they fail and it goes on.
 */
final class RestWriter {

	private static final JsonNodeFactory nodes = JsonNodeFactory.instance;

	private final String name;

	private final int port;

	private final List<String> owners;

	private final Random random;

	private final Ops ops;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private final Thread thread;

	private volatile boolean writing = true;

	private List<String> todos = List.of();

	private List<String> pages = List.of();

	private int count;

	/**
	 * Starts writing.
	 * @param name names its records
	 * @param port the node's HTTP port
	 * @param owners the client uids it hands Pages to
	 * @param random its choices
	 * @param ops where it counts what it did
	 */
	RestWriter(String name, int port, List<String> owners, Random random, Ops ops) {
		this.name = name;
		this.port = port;
		this.owners = owners;
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
					this.todos = ids(send("GET", "/api/todos", null));
					this.pages = ids(send("GET", "/api/pages", null));
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
		String owner = this.owners.get(this.random.nextInt(this.owners.size()));
		double r = this.random.nextDouble();
		if (r < 0.45) {
			double t = this.random.nextDouble();
			if (this.todos.isEmpty() || t < 0.2) {
				count(send("POST", "/api/todos", nodes.objectNode().put("title", this.name + " todo " + n)), "create");
			}
			else if (t < 0.85) {
				ObjectNode changes = (this.random.nextBoolean()) ? nodes.objectNode().put("done", this.random.nextBoolean())
						: nodes.objectNode().put("title", this.name + " edit " + n);
				count(send("PATCH", "/api/todos/" + pick(this.todos), changes), "update");
			}
			else {
				count(send("DELETE", "/api/todos/" + pick(this.todos), null), "destroy");
			}
		}
		else {
			double t = this.random.nextDouble();
			if (this.pages.isEmpty() || t < 0.15) {
				count(send("POST", "/api/pages",
						nodes.objectNode().put("owner", owner).put("title", this.name + " page " + n).put("body", "")),
						"create");
			}
			else if (t < 0.65) {
				count(send("PATCH", "/api/pages/" + pick(this.pages), nodes.objectNode().put("owner", owner)), "update");
			}
			else if (t < 0.95) {
				count(send("PATCH", "/api/pages/" + pick(this.pages),
						nodes.objectNode().put("title", this.name + " retitled " + n)), "update");
			}
			else {
				count(send("DELETE", "/api/pages/" + pick(this.pages), null), "destroy");
			}
		}
	}

	private String pick(List<String> ids) {
		return ids.get(this.random.nextInt(ids.size()));
	}

	private void count(HttpResponse<String> response, String type) {
		if (response.statusCode() == 404) {
			// the record went meanwhile
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

	private HttpResponse<String> send(String method, String path, @Nullable JsonNode body) throws IOException {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.timeout(Duration.ofSeconds(10))
			.header("Content-Type", "application/json")
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

	private static List<String> ids(HttpResponse<String> response) {
		List<String> ids = new ArrayList<>();
		if (response.statusCode() == 200) {
			MessageCodec.readTree(response.body()).forEach((record) -> ids.add(record.path("id").asString()));
		}
		return ids;
	}

}
