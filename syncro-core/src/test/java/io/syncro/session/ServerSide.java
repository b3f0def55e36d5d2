package io.syncro.session;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

import io.syncro.play.InMemoryRecords;
import io.syncro.play.Player;
import io.syncro.play.SyncClasses;
import io.syncro.play.SyncroPolicy;
import io.syncro.rpc.RpcRegistry;
import io.syncro.scribe.Scribe;
import io.syncro.store.InMemoryClientStore;
import io.syncro.store.InMemoryScribeLog;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * A server engine on in-memory stores with one synchronised class, {@code Todo}, whose
 * plays are counted per client scribe. More classes and rpc methods can be registered
 * on {@link #classes} and {@link #rpc} at any time.
 */
final class ServerSide implements AutoCloseable {

	static final String KLASS = "Todo";

	final InMemoryScribeLog log = new InMemoryScribeLog();

	final InMemoryClientStore clients = new InMemoryClientStore();

	final SyncClasses classes = new SyncClasses();

	final RpcRegistry rpc = new RpcRegistry();

	final InMemoryRecords todos;

	final SyncroEngine engine;

	private final Map<String, AtomicInteger> plays = new ConcurrentHashMap<>();

	/** Called before each play of a {@code Todo} scribe; may throw to fail it. */
	volatile @Nullable BiConsumer<Scribe, String> beforePlay;

	ServerSide(EngineSettings settings, SyncroPolicy<ObjectNode> policy) {
		this.todos = new InMemoryRecords(KLASS, policy, this.log::append);
		Player counting = (scribe, client) -> {
			BiConsumer<Scribe, String> hook = this.beforePlay;
			if (hook != null) {
				hook.accept(scribe, client);
			}
			this.todos.play(scribe, client);
			this.plays.computeIfAbsent(client + "#" + scribe.id(), (key) -> new AtomicInteger()).incrementAndGet();
		};
		this.classes.register(KLASS, counting);
		this.engine = new SyncroEngine(settings, this.log, this.clients, this.classes, this.rpc);
	}

	/**
	 * How many times a client's scribe was played here without failing.
	 */
	int plays(String client, long scribeId) {
		AtomicInteger count = this.plays.get(client + "#" + scribeId);
		return (count != null) ? count.get() : 0;
	}

	/**
	 * How many client scribes were played here without failing, counting repeats.
	 */
	int totalPlays() {
		return this.plays.values().stream().mapToInt(AtomicInteger::get).sum();
	}

	@Override
	public void close() {
		this.engine.close();
	}

}
