package io.syncro.store;

import java.util.List;

import io.syncro.scribe.Reader;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;

/**
 * A {@link ScribeLog} that passes every call on to another, for test doubles that change
 * one call: extend it and override that call. Closing it closes the other log when that
 * is {@link AutoCloseable}.
 */
public class ForwardingScribeLog implements ScribeLog, AutoCloseable {

	private final ScribeLog target;

	/**
	 * Creates a log that passes calls on.
	 * @param target the log to pass calls on to
	 */
	public ForwardingScribeLog(ScribeLog target) {
		this.target = target;
	}

	@Override
	public List<ScribeEntry> append(List<ScribeEntry> entries) {
		return this.target.append(entries);
	}

	@Override
	public List<ScribeEntry> appendRelayed(List<Relayed> transactions) {
		return this.target.appendRelayed(transactions);
	}

	@Override
	public List<Scribe> read(Reader reader, long after, int limit) {
		return this.target.read(reader, after, limit);
	}

	@Override
	public List<ScribeEntry> entries(long after, int limit) {
		return this.target.entries(after, limit);
	}

	@Override
	public long lastId(Reader reader) {
		return this.target.lastId(reader);
	}

	@Override
	public Compaction.Report compact(Compaction compaction, java.time.Instant now) {
		return this.target.compact(compaction, now);
	}

	@Override
	public boolean isCompactable() {
		return this.target.isCompactable();
	}

	@Override
	public long horizon() {
		return this.target.horizon();
	}

	@Override
	public long head() {
		return this.target.head();
	}

	@Override
	public String store() {
		return this.target.store();
	}

	@Override
	public String epoch() {
		return this.target.epoch();
	}

	@Override
	public AutoCloseable addListener(AppendListener listener) {
		return this.target.addListener(listener);
	}

	@Override
	public void close() throws Exception {
		if (this.target instanceof AutoCloseable closeable) {
			closeable.close();
		}
	}

}
