package io.syncro.recording;

import java.util.ArrayList;
import java.util.List;

import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import io.syncro.scribe.ScribeType;
import io.syncro.store.ForwardingScribeLog;
import io.syncro.store.InMemoryScribeLog;
import io.syncro.store.Relayed;
import io.syncro.store.ScribeOutbox;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An {@link InMemoryScribeLog} that also keeps every appended entry, with its recipients
 * and origin, for assertions.
 */
class CapturingScribeLog extends ForwardingScribeLog {

	/** Reads numbers as entities with long ids are written. */
	private static final JsonMapper mapper = JsonMapper.builder()
		.enable(DeserializationFeature.USE_LONG_FOR_INTS)
		.build();

	private final List<ScribeEntry> entries = new ArrayList<>();

	CapturingScribeLog() {
		super(new InMemoryScribeLog());
	}

	private boolean failing;

	@Override
	public synchronized List<ScribeEntry> append(List<ScribeEntry> appended) {
		checkNotFailing();
		return captured(super.append(appended));
	}

	@Override
	public synchronized List<ScribeEntry> appendRelayed(List<Relayed> transactions) {
		checkNotFailing();
		return captured(super.appendRelayed(transactions));
	}

	/**
	 * Makes appends fail, as a log that cannot be reached, or work again.
	 * @param failing whether appends fail
	 */
	synchronized void failAppends(boolean failing) {
		this.failing = failing;
	}

	private void checkNotFailing() {
		if (this.failing) {
			throw new IllegalStateException("The log cannot be reached");
		}
	}

	/**
	 * An outbox that appends to this log at once, for recording without a database.
	 * @return the outbox
	 */
	ScribeOutbox asOutbox() {
		return new ScribeOutbox() {

			@Override
			public void add(List<ScribeEntry> entries) {
				append(entries);
			}

			@Override
			public void relay() {
			}

			@Override
			public long pending() {
				return 0;
			}

		};
	}

	/**
	 * Keeps the entries, their data read again as entities are written, as it came
	 * through the outbox's JSON text.
	 */
	private List<ScribeEntry> captured(List<ScribeEntry> withIds) {
		for (ScribeEntry entry : withIds) {
			Scribe scribe = entry.scribe();
			JsonNode data = mapper.readTree(scribe.data().toString());
			this.entries.add(new ScribeEntry(new Scribe(scribe.id(), scribe.klass(), scribe.type(), data),
					entry.recipients(), entry.origin(), entry.cause()));
		}
		return withIds;
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
