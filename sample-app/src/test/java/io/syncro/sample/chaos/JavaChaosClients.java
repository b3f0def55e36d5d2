package io.syncro.sample.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.syncro.client.Backoff;
import io.syncro.client.FileLocalStore;
import io.syncro.client.LocalStore;
import io.syncro.client.MemoryLocalStore;
import io.syncro.client.SyncroClient;
import io.syncro.client.SyncroCollection;
import io.syncro.testing.Processes;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Java {@link SyncroClient}s in this JVM, every other one on a {@link FileLocalStore},
 * each with a thread that makes random changes: to every Todo, and to its user's Pages.
 * The same mix of changes as the JavaScript clients of {@code chaos-clients.mjs}.
 */
final class JavaChaosClients implements ChaosClients {

	private static final JsonNodeFactory nodes = JsonNodeFactory.instance;

	private final List<Writer> writers = new ArrayList<>();

	private final Ops ops = new Ops();

	private volatile boolean writing = true;

	/**
	 * Opens the clients and starts their writers.
	 * @param specs the clients
	 * @param seed the run's seed
	 * @param folder where the file stores go
	 * @param protocol the newest protocol version the clients ask for
	 */
	JavaChaosClients(List<ClientSpec> specs, long seed, Path folder, int protocol) {
		for (int i = 0; i < specs.size(); i++) {
			ClientSpec spec = specs.get(i);
			LocalStore store = (i % 2 == 0) ? FileLocalStore.open(folder.resolve(spec.uid() + ".store"))
					: new MemoryLocalStore();
			SyncroClient client = SyncroClient.builder(spec.server())
				.uid(spec.uid())
				.basicAuthentication(spec.user(), spec.password())
				.store(store)
				.klasses("Todo", "Page")
				.backoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(500), 2, 0.5))
				.requestTimeout(Duration.ofSeconds(10))
				.protocolVersion(protocol)
				.build();
			if (protocol >= 2 && i % 2 == 1) {
				// narrowed to the shared Todos, which all of the run's are: what it holds must
				// not change, but every Todo scribe is checked against its record, and every
				// reconnection resets its Todos
				client.subscribe("sharedTodos", Map.of());
			}
			this.writers.add(new Writer(spec, client, new Random(ChaosRun.seedOf(seed, "java", i))));
		}
		for (Writer writer : this.writers) {
			writer.client.connect();
			writer.thread.start();
		}
	}

	@Override
	public Ops stop() throws InterruptedException {
		this.writing = false;
		for (Writer writer : this.writers) {
			writer.thread.join(TimeUnit.SECONDS.toMillis(30));
		}
		return this.ops;
	}

	@Override
	public List<String> settle(Duration timeout) {
		List<CompletableFuture<Void>> settled = new ArrayList<>();
		for (Writer writer : this.writers) {
			SyncroClient client = writer.client;
			settled.add(CompletableFuture.allOf(client.whenOnline(), client.whenSettled())
				.thenCompose((done) -> client.whenOnline()));
		}
		try {
			CompletableFuture.allOf(settled.toArray(CompletableFuture[]::new))
				.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (Exception ex) {
			// told below, client by client
		}
		List<String> unsettled = new ArrayList<>();
		for (int i = 0; i < settled.size(); i++) {
			if (!settled.get(i).isDone()) {
				SyncroClient client = this.writers.get(i).client;
				unsettled.add(client.uid() + " " + client.status() + " with " + client.pendingWrites() + " pending");
			}
		}
		return unsettled;
	}

	@Override
	public List<ClientState> report() {
		List<ClientState> states = new ArrayList<>();
		for (Writer writer : this.writers) {
			states.add(writer.state());
		}
		return states;
	}

	@Override
	public void close() {
		this.writing = false;
		this.writers.forEach((writer) -> writer.client.close());
	}

	/**
	 * One client and the thread that writes through it.
	 */
	private final class Writer {

		final ClientSpec spec;

		final SyncroClient client;

		final Random random;

		final SyncroCollection<ObjectNode> todos;

		final SyncroCollection<ObjectNode> pages;

		final Thread thread;

		final AtomicInteger refused = new AtomicInteger();

		final AtomicInteger errors = new AtomicInteger();

		final AtomicInteger restarts = new AtomicInteger();

		final List<String> mismatches = new java.util.concurrent.CopyOnWriteArrayList<>();

		int count;

		Writer(ClientSpec spec, SyncroClient client, Random random) {
			this.spec = spec;
			this.client = client;
			this.random = random;
			this.todos = client.collection("Todo");
			this.pages = client.collection("Page");
			client.onRefused((event) -> this.refused.incrementAndGet());
			// resets are the point of the run: count what they cause
			client.onError((error) -> this.errors.incrementAndGet());
			client.onReset((event) -> this.restarts.incrementAndGet());
			client.onMismatch((event) -> this.mismatches.add(event.klass() + " at " + event.at() + ": server "
					+ event.expected().count() + " records, client " + event.actual().count()));
			this.thread = new Thread(this::write, "chaos-" + spec.uid());
			this.thread.setDaemon(true);
		}

		private void write() {
			while (JavaChaosClients.this.writing) {
				try {
					change();
				}
				catch (NoSuchElementException | IllegalArgumentException ex) {
					// the record went meanwhile (a destroy, or the Page moved to another user)
					JavaChaosClients.this.ops.skipped.incrementAndGet();
				}
				Processes.sleep(20 + this.random.nextInt(130));
			}
		}

		private void change() {
			String uid = this.spec.uid();
			int n = ++this.count;
			List<ObjectNode> todos = this.todos.all();
			List<ObjectNode> pages = this.pages.all();
			Ops ops = JavaChaosClients.this.ops;
			if (this.random.nextDouble() < 0.6) {
				// Todos: everyone writes every one of them, so writes to one record collide
				double t = this.random.nextDouble();
				if (todos.isEmpty() || (t < 0.25 && todos.size() < 40)) {
					this.todos.create(nodes.objectNode()
						.put("id", uid + "-t" + n)
						.put("title", uid + " todo " + n)
						.put("done", false));
					ops.creates.incrementAndGet();
				}
				else if (t < 0.85 || todos.size() < 40) {
					ObjectNode todo = pick(todos);
					double u = this.random.nextDouble();
					Map<String, Object> changes = new LinkedHashMap<>();
					if (u < 0.4) {
						changes.put("done", !todo.path("done").asBoolean());
					}
					else {
						changes.put("title", uid + " edit " + n);
						if (u >= 0.8) {
							changes.put("done", this.random.nextBoolean());
						}
					}
					this.todos.update(todo.path("id").asString(), changes);
					ops.updates.incrementAndGet();
				}
				else {
					this.todos.destroy(pick(todos).path("id").asString());
					ops.destroys.incrementAndGet();
				}
			}
			else {
				// Pages: its user's, which her other clients change too and the REST writers
				// move to other users meanwhile
				double t = this.random.nextDouble();
				if (pages.isEmpty() || (t < 0.3 && pages.size() < 10)) {
					this.pages.create(nodes.objectNode()
						.put("id", uid + "-p" + n)
						.put("owner", this.spec.user())
						.put("title", uid + " page " + n)
						.put("body", "written " + n));
					ops.creates.incrementAndGet();
				}
				else if (t < 0.95) {
					ObjectNode page = pick(pages);
					this.pages.update(page.path("id").asString(), this.random.nextBoolean()
							? Map.of("title", uid + " retitled " + n) : Map.of("body", "rewritten " + n));
					ops.updates.incrementAndGet();
				}
				else {
					this.pages.destroy(pick(pages).path("id").asString());
					ops.destroys.incrementAndGet();
				}
			}
		}

		private ObjectNode pick(List<ObjectNode> records) {
			return records.get(this.random.nextInt(records.size()));
		}

		ClientState state() {
			@Nullable Long lastScribeId = null;
			@Nullable String problem = null;
			try {
				lastScribeId = this.client.rpc("Syncro", "last_scribe_id").get(15, TimeUnit.SECONDS).asLong();
			}
			catch (Exception ex) {
				problem = "Syncro.last_scribe_id failed: " + ex;
			}
			try {
				this.client.verify().get(15, TimeUnit.SECONDS);
			}
			catch (Exception ex) {
				problem = (problem != null) ? problem : "The last check of the digest failed: " + ex;
			}
			Map<String, Map<String, JsonNode>> records = new LinkedHashMap<>();
			records.put("Todo", byId(this.todos.all()));
			records.put("Page", byId(this.pages.all()));
			return new ClientState(this.spec.uid(), this.spec.user(), "java",
					this.client.status().name().toLowerCase(), this.client.pendingWrites(), this.client.position(),
					lastScribeId, problem, this.client.subscriptions().size(), this.restarts.get(), this.client.mismatches(), records, "refused " + this.refused + ", connection errors " + this.errors + ", started over "
							+ this.restarts.get() + (this.mismatches.isEmpty() ? "" : ", mismatches " + this.mismatches));
		}

		private static Map<String, JsonNode> byId(List<ObjectNode> records) {
			Map<String, JsonNode> byId = new LinkedHashMap<>();
			records.forEach((record) -> byId.put(record.path("id").asString(), record));
			return byId;
		}

	}

}
