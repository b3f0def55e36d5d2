package io.syncro.session;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.syncro.protocol.MessageCodec;
import io.syncro.protocol.RecordDigest;
import io.syncro.scribe.Reader;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import io.syncro.store.ScribeLog;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The records of the log as its scribes leave them, kept for the digests of verified
 * replicas (docs/PROTOCOL.md section 8.9). Built from the log on first use, then read on
 * from its position; read again whole only when compaction removed a tombstone above its
 * position since it last read (it would miss that destroy). Records are kept per klass in buckets, one per
 * audience, each with the {@link RecordDigest} of its records, so that a client's digest
 * of a klass is the sum of the buckets that reach it: linear in the audiences, not in the
 * records. The changes of the newest {@value #UNDO_KEPT} scribes are kept too, so that a
 * digest can be given at a position below the index's own. Each record costs its state as
 * compact JSON, its hash and a reference to its audience.
 */
final class DigestIndex {

	/** How many changes are kept to give a digest at an older position. */
	static final int UNDO_KEPT = 100_000;

	private static final int READ_BATCH = 1000;

	private final ScribeLog log;

	private final int undoKept;

	// guarded by this: the last scribe id applied
	private long position;

	// guarded by this: the lowest position a digest can be given at
	private long floor;

	// guarded by this: the log's horizon as the last read found it, -1 before the first
	private long horizon = -1;

	// guarded by this: whether the log was read from its start, and changes are now kept
	private boolean built;

	// guarded by this
	private final Map<String, Klass> klasses = new TreeMap<>();

	// guarded by this: the changes of the newest scribes, oldest first
	private final ArrayDeque<Change> changes = new ArrayDeque<>();

	DigestIndex(ScribeLog log) {
		this(log, UNDO_KEPT);
	}

	DigestIndex(ScribeLog log, int undoKept) {
		this.log = log;
		this.undoKept = undoKept;
	}

	/**
	 * Reads the log on to a position, so that a digest asked for there soon after finds
	 * little left to read.
	 * @param head a position the log holds
	 */
	synchronized void advance(long head) {
		if (this.horizon < 0) {
			this.horizon = this.log.horizon();
		}
		while (this.position < head) {
			long from = this.position;
			List<ScribeEntry> entries = this.log.entries(from, READ_BATCH);
			// the horizon only rises, with the removal of tombstones: one removed above the
			// position since the last read may be missing from this one
			long horizon = this.log.horizon();
			if (horizon != this.horizon && horizon > from) {
				startOver(horizon);
				continue;
			}
			this.horizon = horizon;
			if (entries.isEmpty()) {
				break;
			}
			entries.forEach(this::apply);
		}
		if (!this.built) {
			// a compacted log read from its start gives the records as they are now, not as
			// they were at each position below
			this.floor = this.position;
			this.changes.clear();
			this.built = true;
		}
	}

	/** Forgets everything, to read the log again from its start. */
	private void startOver(long horizon) {
		this.klasses.clear();
		this.changes.clear();
		this.position = 0;
		this.built = false;
		this.horizon = horizon;
	}

	/**
	 * A reader's digest of each klass at a position.
	 * @param reader the reader
	 * @param at a position the log holds
	 * @param left the klasses to leave out
	 * @return the digests by klass, or {@code null} when the position is too old
	 */
	synchronized @Nullable Map<String, RecordDigest> digests(Reader reader, long at, Set<String> left) {
		advance(at);
		if (at < this.floor || this.position < at) {
			return null;
		}
		Map<String, RecordDigest> digests = digestsNow(reader, left);
		Iterator<Change> newest = this.changes.descendingIterator();
		while (newest.hasNext()) {
			Change change = newest.next();
			if (change.id() <= at) {
				break;
			}
			RecordDigest digest = digests.get(change.klass());
			if (digest == null) {
				continue;
			}
			if (change.after() != null && change.after().includesAny(reader.keys())) {
				digest = digest.minus(change.afterHash());
			}
			if (change.before() != null && change.before().includesAny(reader.keys())) {
				digest = digest.plus(change.beforeHash());
			}
			digests.put(change.klass(), digest);
		}
		return digests;
	}

	private Map<String, RecordDigest> digestsNow(Reader reader, Set<String> left) {
		Map<String, RecordDigest> digests = new TreeMap<>();
		this.klasses.forEach((name, klass) -> {
			if (!left.contains(name)) {
				RecordDigest digest = RecordDigest.EMPTY;
				for (Map.Entry<Recipients, RecordDigest> bucket : klass.buckets.entrySet()) {
					if (bucket.getKey().includesAny(reader.keys())) {
						digest = digest.plus(bucket.getValue());
					}
				}
				digests.put(name, digest);
			}
		});
		return digests;
	}

	// called holding the monitor
	private void apply(ScribeEntry entry) {
		Scribe scribe = entry.scribe();
		this.position = Math.max(this.position, scribe.id());
		Klass klass = this.klasses.computeIfAbsent(scribe.klass(), (name) -> new Klass());
		Record before = klass.records.get(scribe.recordId());
		Recipients audience = entry.audienceAfter();
		String state = switch (scribe.type()) {
			case CREATE -> MessageCodec.writeTree(scribe.data());
			case UPDATE -> (before != null) ? updated(before.state(), scribe.attributes()) : null;
			case DESTROY -> (before != null) ? before.state() : null;
		};
		Record after = (state != null && !audience.isEmpty())
				? new Record(state, RecordDigest.hash(MessageCodec.readTree(state)), klass.intern(audience)) : null;
		klass.replace(scribe.recordId(), before, after);
		remember(new Change(scribe.id(), scribe.klass(), (before != null) ? before.audience() : null,
				(before != null) ? before.hash() : 0, (after != null) ? after.audience() : null,
				(after != null) ? after.hash() : 0));
	}

	private static String updated(String state, ObjectNode attributes) {
		ObjectNode record = (ObjectNode) MessageCodec.readTree(state);
		for (Map.Entry<String, JsonNode> attribute : attributes.properties()) {
			record.set(attribute.getKey(), attribute.getValue());
		}
		return MessageCodec.writeTree(record);
	}

	private void remember(Change change) {
		this.changes.addLast(change);
		while (this.changes.size() > this.undoKept) {
			this.floor = this.changes.removeFirst().id();
		}
	}

	/** One klass's records, and the digest of each audience's. */
	private static final class Klass {

		final Map<String, Record> records = new HashMap<>();

		final Map<Recipients, RecordDigest> buckets = new HashMap<>();

		// one instance per audience, shared by its records
		final Map<Recipients, Recipients> audiences = new HashMap<>();

		Recipients intern(Recipients audience) {
			return this.audiences.computeIfAbsent(audience, (key) -> key);
		}

		void replace(String recordId, @Nullable Record before, @Nullable Record after) {
			if (before != null) {
				this.buckets.computeIfPresent(before.audience(),
						(audience, digest) -> (digest.count() == 1) ? null : digest.minus(before.hash()));
			}
			if (after != null) {
				this.records.put(recordId, after);
				this.buckets.merge(after.audience(), RecordDigest.EMPTY.plus(after.hash()), RecordDigest::plus);
			}
			else {
				this.records.remove(recordId);
			}
			if (before != null && !this.buckets.containsKey(before.audience())) {
				this.audiences.remove(before.audience());
			}
		}

	}

	private record Record(String state, long hash, Recipients audience) {
	}

	/** What one scribe changed: the record's audience and hash before and after it. */
	private record Change(long id, String klass, @Nullable Recipients before, long beforeHash,
			@Nullable Recipients after, long afterHash) {
	}

}
