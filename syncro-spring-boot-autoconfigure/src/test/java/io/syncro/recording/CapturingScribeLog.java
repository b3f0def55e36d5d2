package io.syncro.recording;

import java.util.ArrayList;
import java.util.List;

import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import io.syncro.scribe.ScribeType;
import io.syncro.store.InMemoryScribeLog;
import io.syncro.store.ScribeLog;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An {@link InMemoryScribeLog} that also keeps every appended entry, with its recipients
 * and origin, for assertions.
 */
class CapturingScribeLog implements ScribeLog {

	/** Reads numbers as entities with long ids are written. */
	private static final JsonMapper mapper = JsonMapper.builder()
		.enable(DeserializationFeature.USE_LONG_FOR_INTS)
		.build();

	private final InMemoryScribeLog log = new InMemoryScribeLog();

	private final List<ScribeEntry> entries = new ArrayList<>();

	@Override
	public synchronized List<ScribeEntry> append(List<ScribeEntry> appended) {
		List<ScribeEntry> withIds = this.log.append(appended);
		this.entries.addAll(withIds);
		return withIds;
	}

	@Override
	public List<Scribe> read(String client, long after, int limit) {
		return this.log.read(client, after, limit);
	}

	@Override
	public long lastId(String client) {
		return this.log.lastId(client);
	}

	@Override
	public AutoCloseable addListener(AppendListener listener) {
		return this.log.addListener(listener);
	}

	/**
	 * The entries appended since the last {@link #clear()}, oldest first, with their ids
	 * set to 0 so they compare with expected ones.
	 * @return the entries
	 */
	synchronized List<ScribeEntry> entries() {
		return this.entries.stream().map((entry) -> entry.withId(0)).toList();
	}

	synchronized void clear() {
		this.entries.clear();
	}

	static ScribeEntry create(String klass, String attributes, Recipients recipients) {
		return entry(klass, ScribeType.CREATE, attributes, recipients, null);
	}

	static ScribeEntry update(String klass, String data, Recipients recipients) {
		return entry(klass, ScribeType.UPDATE, data, recipients, null);
	}

	static ScribeEntry destroy(String klass, String data, Recipients recipients) {
		return entry(klass, ScribeType.DESTROY, data, recipients, null);
	}

	static ScribeEntry from(String origin, ScribeEntry entry) {
		return new ScribeEntry(entry.scribe(), entry.recipients(), origin);
	}

	private static ScribeEntry entry(String klass, ScribeType type, String data, Recipients recipients,
			@Nullable String origin) {
		return new ScribeEntry(new Scribe(0, klass, type, json(data)), recipients, origin);
	}

	/**
	 * JSON written with single quotes for readability.
	 * @param text the JSON, with {@code '} for {@code "}
	 * @return the JSON node
	 */
	static JsonNode json(String text) {
		return mapper.readTree(text.replace('\'', '"'));
	}

}
