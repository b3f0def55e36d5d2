package io.syncro.sample.chaos;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.syncro.protocol.MessageCodec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * JavaScript clients (syncro-client-js, protocol v2) run by {@code src/test/js/chaos-clients.mjs}
 * in one Node process, told what to do on its standard input, answering in JSON lines.
 */
final class NodeChaosClients implements ChaosClients {

	private static final Path SCRIPT = Path.of("src/test/js/chaos-clients.mjs");

	private static final Path WS = Path.of("../syncro-client-js/node_modules/ws/package.json");

	private final Process process;

	private final Writer commands;

	private final BlockingQueue<JsonNode> answers = new LinkedBlockingQueue<>();

	private final File log;

	/**
	 * Starts the Node process and waits until its clients are open and writing.
	 * @param specs the clients
	 * @param seed the run's seed
	 */
	NodeChaosClients(List<ClientSpec> specs, long seed) throws IOException, InterruptedException {
		if (!Files.exists(WS)) {
			throw new IllegalStateException("The JavaScript clients need syncro-client-js's dependencies: run "
					+ "'npm ci' in syncro-client-js (bin/test does it before the Maven build)");
		}
		ObjectNode config = JsonNodeFactory.instance.objectNode().put("seed", Long.toString(seed));
		ArrayNode clients = config.putArray("clients");
		for (ClientSpec spec : specs) {
			clients.addObject()
				.put("uid", spec.uid())
				.put("user", spec.user())
				.put("password", spec.password())
				.put("url", spec.server().toString());
		}
		this.log = File.createTempFile("syncro-chaos-node-", ".log");
		this.log.deleteOnExit();
		this.process = new ProcessBuilder("node", SCRIPT.toString(), config.toString())
			.redirectError(ProcessBuilder.Redirect.appendTo(this.log))
			.start();
		this.commands = new OutputStreamWriter(this.process.getOutputStream(), StandardCharsets.UTF_8);
		Thread reader = new Thread(this::read, "chaos-node-clients");
		reader.setDaemon(true);
		reader.start();
		await("ready", Duration.ofSeconds(60));
	}

	private void read() {
		try (BufferedReader lines = new BufferedReader(
				new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = lines.readLine()) != null) {
				if (line.startsWith("{")) {
					this.answers.add(MessageCodec.readTree(line));
				}
			}
		}
		catch (IOException ex) {
			// the process ended
		}
	}

	private void send(String command) throws IOException {
		this.commands.write(command + "\n");
		this.commands.flush();
	}

	private JsonNode await(String event, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			JsonNode answer = this.answers.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
			if (answer == null) {
				throw new IllegalStateException("The Node clients did not answer '" + event + "' within " + timeout
						+ (this.process.isAlive() ? "" : " (the process exited with " + this.process.exitValue() + ")")
						+ "; see " + this.log);
			}
			if (answer.path("event").asString().equals(event)) {
				return answer;
			}
		}
	}

	@Override
	public Ops stop() throws IOException, InterruptedException {
		send("stop");
		JsonNode ops = await("stopped", Duration.ofSeconds(30)).path("ops");
		Ops done = new Ops();
		done.add(ops.path("create").asInt(), ops.path("update").asInt(), ops.path("destroy").asInt(),
				ops.path("skipped").asInt());
		return done;
	}

	@Override
	public List<String> settle(Duration timeout) throws IOException, InterruptedException {
		send("settle " + timeout.toMillis());
		List<String> unsettled = new ArrayList<>();
		for (JsonNode client : await("settled", timeout.plusSeconds(30)).path("clients")) {
			if (!client.path("settled").asBoolean()) {
				unsettled.add(client.path("uid").asString() + " " + client.path("status").asString() + " with "
						+ client.path("pending").asInt() + " pending");
			}
		}
		return unsettled;
	}

	@Override
	public List<ClientState> report() throws IOException, InterruptedException {
		send("report");
		List<ClientState> states = new ArrayList<>();
		for (JsonNode client : await("report", Duration.ofSeconds(60)).path("clients")) {
			Map<String, Map<String, JsonNode>> records = new LinkedHashMap<>();
			client.path("records").properties().forEach((klass) -> {
				Map<String, JsonNode> byId = new LinkedHashMap<>();
				klass.getValue().forEach((record) -> byId.put(record.path("id").asString(), record));
				records.put(klass.getKey(), byId);
			});
			JsonNode last = client.path("lastScribeId");
			states.add(new ClientState(client.path("uid").asString(), client.path("user").asString(), "js",
					client.path("status").asString(), client.path("pending").asInt(), client.path("position").asLong(0),
					last.isNumber() ? last.asLong() : null,
					client.path("rpcError").isString() ? "Syncro.last_scribe_id failed: " + client.path("rpcError").asString()
							: null,
					client.path("subscriptions").asInt(), client.path("restarts").asInt(), client.path("mismatches").asLong(), records, "refused " + client.path("refused").asInt() + ", conflicts " + client.path("conflicts").asInt()
							+ ", connection errors " + client.path("errors").asInt() + ", started over "
							+ client.path("restarts").asInt()
							+ (client.path("mismatchNotes").isEmpty() ? "" : ", mismatches " + client.path("mismatchNotes"))));
		}
		return states;
	}

	/**
	 * Where the Node process's standard error goes.
	 */
	File log() {
		return this.log;
	}

	@Override
	public void close() throws InterruptedException {
		try {
			send("close");
		}
		catch (IOException ex) {
			// already gone
		}
		if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
			this.process.destroyForcibly();
		}
	}

}
