package io.syncro.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import io.syncro.scribe.Changes;
import io.syncro.scribe.Identity;
import io.syncro.scribe.Reader;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Records and the scribes a recorder would write for their changes, appended to a log:
 * creates, updates, destroys and audience changes (a {@code destroy} for who leaves, a
 * {@code create} for who joins, an {@code update} for who stays), from a seeded source.
 */
public final class AudienceHistory {

	private static final JsonNodeFactory json = JsonNodeFactory.instance;

	private final Random random;

	private final List<Recipients> audienceChoices;

	private final Map<String, ObjectNode> records = new TreeMap<>();

	private final Map<String, Recipients> audiences = new HashMap<>();

	private int created;

	// per record, how many destroys it had: for clients leaving its audience, or for all at its end
	private final Map<String, Integer> leaves = new HashMap<>();

	private final ScribeLog log;

	/**
	 * A history written to a log.
	 * @param log the log
	 * @param random the seeded source of choices
	 * @param audienceChoices the audiences records are given
	 */
	public AudienceHistory(ScribeLog log, Random random, List<Recipients> audienceChoices) {
		this.log = log;
		this.random = random;
		this.audienceChoices = audienceChoices;
	}

	/** The most tombstones compaction may keep: every destroy. */
	public int tombstones() {
		return this.leaves.values().stream().mapToInt(Integer::intValue).sum();
	}

	public int live() {
		return this.records.size();
	}

	/** How many records were ever made: no more can be alive at any point. */
	public int keys() {
		return (int) this.leaves.keySet().stream().filter((key) -> !this.records.containsKey(key)).count()
				+ this.records.size();
	}

	public int everCreated() {
		return this.created;
	}

	public void write(int count) {
		for (int i = 0; i < count; i++) {
			String id = "r" + this.random.nextInt(12);
			String klass = this.random.nextBoolean() ? "Todo" : "Page";
			String key = klass + ":" + id;
			ObjectNode record = this.records.get(key);
			List<ScribeEntry> scribes = new ArrayList<>();
			int choice = this.random.nextInt(10);
			if (record == null) {
				Recipients audience = pick(this.audienceChoices);
				ObjectNode created = json.objectNode().put("id", id).put("n", this.random.nextInt(100));
				this.records.put(key, created);
				this.audiences.put(key, audience);
				this.created++;
				scribes.addAll(Changes.created(klass, created, audience, null));
			}
			else if (choice < 5) {
				ObjectNode changes = json.objectNode().put("n", this.random.nextInt(100));
				if (this.random.nextInt(4) == 0) {
					changes.putNull("extra");
				}
				else if (this.random.nextInt(4) == 0) {
					changes.put("extra", "e" + i);
				}
				ObjectNode before = record.deepCopy();
				record.setAll(changes);
				Recipients audience = this.audiences.get(key);
				scribes.addAll(Changes.updated(klass, before, record, audience, audience, null));
			}
			else if (choice < 8) {
				Recipients before = this.audiences.get(key);
				Recipients after = pick(this.audienceChoices);
				ObjectNode changes = json.objectNode().put("n", this.random.nextInt(100));
				try {
					Recipients leave = before.minus(after);
					ObjectNode was = record.deepCopy();
					List<ScribeEntry> change = Changes.updated(klass, was, was.deepCopy().setAll(changes), before, after,
							null);
					// as the recorder writes it: a destroy for who leaves, a create for who
					// joins, an update for who stays, each saying who receives it after
					record.setAll(changes);
					scribes.addAll(change);
					this.audiences.put(key, after);
					if (!leave.isEmpty()) {
						this.leaves.merge(key, 1, Integer::sum);
					}
				}
				catch (IllegalStateException ex) {
					// an audience change the recipient algebra has no exact form for
					continue;
				}
			}
			else {
				this.records.remove(key);
				this.leaves.merge(key, 1, Integer::sum);
				scribes.addAll(Changes.destroyed(klass, id, this.audiences.remove(key), null));
			}
			this.log.append(scribes);
		}
	}

	private <T> T pick(List<T> from) {
		return from.get(this.random.nextInt(from.size()));
	}


	/**
	 * What a client that takes its own scribes holds after applying the log's scribes for
	 * it up to a position, by klass and id, attributes set to null left out.
	 * @param log the log
	 * @param reader the client
	 * @param position the position
	 * @return the records
	 */
	public static Map<String, JsonNode> stateUpTo(ScribeLog log, Identity reader, long position) {
		Map<String, JsonNode> records = new TreeMap<>();
		for (Scribe scribe : log.read(Reader.of(reader, true), 0, Integer.MAX_VALUE)) {
			if (scribe.id() > position) {
				break;
			}
			apply(records, scribe);
		}
		return records;
	}

	/**
	 * Applies a scribe as a client does, to records kept by klass and id.
	 * @param records the records, keyed {@code "<klass> <id>"}
	 * @param scribe the scribe
	 */
	public static void apply(Map<String, JsonNode> records, Scribe scribe) {
		String key = scribe.klass() + " " + scribe.recordId();
		switch (scribe.type()) {
			case CREATE -> records.put(key, withoutNulls(scribe.data()));
			case UPDATE -> {
				JsonNode record = records.get(key);
				if (record != null) {
					ObjectNode changed = ((ObjectNode) record).deepCopy();
					changed.setAll(scribe.attributes());
					records.put(key, withoutNulls(changed));
				}
			}
			case DESTROY -> records.remove(key);
		}
	}

	private static JsonNode withoutNulls(JsonNode record) {
		ObjectNode copy = ((ObjectNode) record).deepCopy();
		copy.remove(copy.properties().stream().filter((attribute) -> attribute.getValue().isNull())
			.map(Map.Entry::getKey).toList());
		return copy;
	}

}
