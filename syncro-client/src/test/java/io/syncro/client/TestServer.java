package io.syncro.client;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.syncro.play.InMemoryRecords;
import io.syncro.play.SyncClasses;
import io.syncro.play.SyncroPolicy;
import io.syncro.rpc.RpcRegistry;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import io.syncro.session.EngineSettings;
import io.syncro.session.SyncroEngine;
import io.syncro.store.InMemoryClientStore;
import io.syncro.store.InMemoryScribeLog;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A server engine on in-memory stores, as the sample app has it: {@code Todo} records
 * every client receives and may write, except those marked {@code locked}; {@code Page}
 * records only their {@code owner} receives and writes. Every play of a client scribe is
 * counted, to prove each one is played exactly once.
 */
final class TestServer implements AutoCloseable {

	static final JsonNodeFactory json = JsonNodeFactory.instance;

	final InMemoryScribeLog log = new InMemoryScribeLog();

	final InMemoryClientStore clients = new InMemoryClientStore();

	final SyncClasses classes = new SyncClasses();

	final RpcRegistry rpc = new RpcRegistry();

	final InMemoryRecords todos = new InMemoryRecords("Todo", new TodoPolicy(), this.log::append);

	final InMemoryRecords pages = new InMemoryRecords("Page", new PagePolicy(), this.log::append);

	final SyncroEngine engine;

	private final Map<String, AtomicInteger> plays = new ConcurrentHashMap<>();

	TestServer() {
		this.classes.register("Todo", (scribe, client) -> {
			this.todos.play(scribe, client);
			counted(scribe, client);
		});
		this.classes.register("Page", (scribe, client) -> {
			this.pages.play(scribe, client);
			counted(scribe, client);
		});
		this.engine = new SyncroEngine(EngineSettings.server(), this.log, this.clients, this.classes, this.rpc);
	}

	private void counted(Scribe scribe, String client) {
		this.plays.computeIfAbsent(client + "#" + scribe.id(), (key) -> new AtomicInteger()).incrementAndGet();
	}

	/**
	 * How many times each scribe of a client was played, by scribe id.
	 */
	Map<Long, Integer> playsOf(String client) {
		Map<Long, Integer> counts = new TreeMap<>();
		this.plays.forEach((key, count) -> {
			if (key.startsWith(client + "#")) {
				counts.put(Long.parseLong(key.substring(client.length() + 1)), count.get());
			}
		});
		return counts;
	}

	static ObjectNode todo(String id, String title) {
		return json.objectNode().put("id", id).put("title", title).put("done", false);
	}

	static ObjectNode page(String id, String owner, String title) {
		return json.objectNode().put("id", id).put("owner", owner).put("title", title);
	}

	@Override
	public void close() {
		this.engine.close();
	}

	private static final class TodoPolicy implements SyncroPolicy<ObjectNode> {

		@Override
		public boolean authorize(Scribe scribe, String client, @Nullable ObjectNode existing) {
			return existing == null || !existing.path("locked").asBoolean(false);
		}

	}

	private static final class PagePolicy implements SyncroPolicy<ObjectNode> {

		@Override
		public Recipients recipients(ObjectNode page) {
			return Recipients.only(page.path("owner").asString(""));
		}

		@Override
		public boolean authorize(Scribe scribe, String client, @Nullable ObjectNode existing) {
			ObjectNode record = (existing != null) ? existing : scribe.attributes();
			return client.equals(record.path("owner").asString(""));
		}

	}

}
