package io.syncro.store;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import io.syncro.scribe.ScribeType;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Folds the old scribes of each record into what a client needs of them, as a compacted
 * Kafka topic keeps one message per key (docs/PROTOCOL.md section 8.8). Fed every scribe
 * up to a cut-off in id order, it keeps per record:
 * <ul>
 * <li>one {@code create} carrying the record's state folded from the scribes themselves,
 * under the id of the last scribe that created or changed it, for the record's audience as
 * its last scribe gives it ({@link ScribeEntry#audience()}): every client that receives the
 * record now, whether it got the record by a create, kept it through updates, or joined
 * its audience later;</li>
 * <li>every {@code destroy} as it is, a tombstone: for those who left the audience, or for
 * everyone who had the record when it was destroyed.</li>
 * </ul>
 * A client that read a record's scribes up to some id finds, at or above that id, either
 * the record as it is (a create) or its end (a destroy), so that the record ends for it as
 * the whole log would have left it; ids never move down, so a reader that goes on reading
 * finds what was folded. Records whose scribes do not all carry their audience (written
 * before logs kept it) are folded only when all their scribes have the same recipients.
 *
 * @since 0.2.0
 */
public final class RecordFolds {

	private final Map<String, Fold> folds = new LinkedHashMap<>();

	/** How many entries one read of the log for folding takes. */
	private static final int READ_BATCH = 1000;

	/**
	 * Folds the scribes of a log up to a cut-off, read in pages.
	 * @param log the log
	 * @param cutoff the highest id to fold
	 * @return what the folds change
	 */
	public static Result upTo(ScribeLog log, long cutoff) {
		RecordFolds folds = new RecordFolds();
		long after = 0;
		while (after < cutoff) {
			List<ScribeEntry> page = log.entries(after, READ_BATCH);
			if (page.isEmpty()) {
				break;
			}
			for (ScribeEntry entry : page) {
				if (entry.id() <= cutoff) {
					folds.add(entry);
				}
			}
			after = page.get(page.size() - 1).id();
		}
		return folds.result();
	}

	/**
	 * Takes the next scribe in id order.
	 * @param entry the scribe
	 */
	public void add(ScribeEntry entry) {
		Scribe scribe = entry.scribe();
		this.folds.computeIfAbsent(scribe.klass() + '\u0000' + scribe.recordId(), (key) -> new Fold()).add(entry);
	}

	/**
	 * What the folds change.
	 * @return the scribes to write, the ids to remove and the tombstones kept
	 */
	public Result result() {
		List<Change> changes = new ArrayList<>();
		Set<Long> tombstones = new HashSet<>();
		for (Fold fold : this.folds.values()) {
			List<ScribeEntry> written = new ArrayList<>();
			List<Long> removed = new ArrayList<>();
			if (fold.fold(written, removed, tombstones)) {
				changes.add(new Change(written, removed));
			}
		}
		return new Result(changes, tombstones);
	}

	/**
	 * What folding changes.
	 * @param changes what changes of each record that folding changes, to be written
	 * together
	 * @param tombstones the ids of the destroys the folded records keep, which may go once
	 * old enough (the destroys of a record left unfolded are not among them)
	 */
	public record Result(List<Change> changes, Set<Long> tombstones) {

		/** The scribes to write, each under an id the log holds, replacing what is there. */
		public List<ScribeEntry> written() {
			return this.changes.stream().flatMap((change) -> change.written().stream()).toList();
		}

		/** The ids to remove. */
		public List<Long> removed() {
			return this.changes.stream().flatMap((change) -> change.removed().stream()).toList();
		}

		/** How many records folding changed. */
		public int records() {
			return this.changes.size();
		}

	}

	/**
	 * What folding changes of one record.
	 * @param written the scribes to write under their ids
	 * @param removed the ids to remove
	 */
	public record Change(List<ScribeEntry> written, List<Long> removed) {
	}

	/** One record's scribes, folded as they come. */
	private static final class Fold {

		private final List<ScribeEntry> entries = new ArrayList<>();

		private @Nullable ObjectNode state;

		private long lastLive;

		// an update of a record that does not exist: left as it is
		private boolean unfoldable;

		public void add(ScribeEntry entry) {
			this.entries.add(entry);
			Scribe scribe = entry.scribe();
			switch (scribe.type()) {
				case CREATE -> {
					this.state = ((ObjectNode) scribe.data()).deepCopy();
					this.lastLive = scribe.id();
				}
				case UPDATE -> {
					if (this.state == null) {
						this.unfoldable = true;
						return;
					}
					for (Map.Entry<String, JsonNode> attribute : scribe.attributes().properties()) {
						this.state.set(attribute.getKey(), attribute.getValue().deepCopy());
					}
					this.lastLive = scribe.id();
				}
				case DESTROY -> {
					Recipients audience = entry.audienceAfter();
					if (audience == null || audience.isEmpty()) {
						this.state = null;
					}
				}
			}
		}

		/**
		 * Adds what folding changes of this record.
		 * @return whether it changes anything
		 */
		boolean fold(List<ScribeEntry> written, List<Long> removed, Set<Long> tombstones) {
			if (this.unfoldable || !audiencesKnown()) {
				return false;
			}
			Recipients audience = this.entries.get(this.entries.size() - 1).audienceAfter();
			boolean live = this.state != null && audience != null && !audience.isEmpty();
			boolean changed = false;
			for (ScribeEntry entry : this.entries) {
				if (entry.scribe().type() == ScribeType.DESTROY) {
					tombstones.add(entry.id());
				}
				else if (live && entry.id() == this.lastLive) {
					ScribeEntry create = new ScribeEntry(new Scribe(this.lastLive, entry.scribe().klass(), ScribeType.CREATE,
							this.state), audience, null, null, audience);
					if (!create.scribe().equals(entry.scribe()) || !create.recipients().equals(entry.recipients())) {
						written.add(create);
						changed = true;
					}
				}
				else {
					removed.add(entry.id());
					changed = true;
				}
			}
			return changed;
		}

		/**
		 * Whether every scribe says who receives the record after it, or, for scribes written
		 * before logs kept that, all have the same recipients (so that is the audience).
		 */
		private boolean audiencesKnown() {
			if (this.entries.stream().allMatch((entry) -> entry.audience() != null)) {
				return true;
			}
			Recipients first = this.entries.get(0).recipients();
			return this.entries.stream().allMatch((entry) -> entry.recipients().equals(first));
		}

	}

}
