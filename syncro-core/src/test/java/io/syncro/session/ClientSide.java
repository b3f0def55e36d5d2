package io.syncro.session;

import java.util.List;

import io.syncro.play.InMemoryRecords;
import io.syncro.play.SyncClasses;
import io.syncro.rpc.RpcRegistry;
import io.syncro.scribe.ScribeEntry;
import io.syncro.store.InMemoryClientStore;
import io.syncro.store.InMemoryScribeLog;

/**
 * A client engine as the design describes it: its {@code Todo} records are kept in
 * memory, only local changes (those with no origin) go into its own log, every scribe of
 * the server is played (the server is authoritative), and its position is the mark it
 * keeps for {@code server}.
 */
final class ClientSide implements AutoCloseable {

	static final String SERVER = "server";

	final String uid;

	final InMemoryScribeLog log = new InMemoryScribeLog();

	final InMemoryClientStore store = new InMemoryClientStore();

	final SyncClasses classes = new SyncClasses();

	final InMemoryRecords todos;

	final SyncroEngine engine;

	ClientSide(String uid) {
		this(EngineSettings.client(uid));
	}

	ClientSide(EngineSettings settings) {
		this.uid = settings.uid();
		this.todos = new InMemoryRecords(ServerSide.KLASS, Policies.open(), this::recordLocal);
		this.classes.register(ServerSide.KLASS, this.todos);
		this.engine = new SyncroEngine(settings, this.log, this.store, this.classes, new RpcRegistry());
	}

	private void recordLocal(List<ScribeEntry> entries) {
		this.log.append(entries.stream().filter((entry) -> entry.origin() == null).toList());
	}

	/**
	 * The highest server scribe id this client has processed.
	 */
	long position() {
		return this.store.mark(SERVER);
	}

	@Override
	public void close() {
		this.engine.close();
	}

}
