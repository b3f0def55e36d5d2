package io.syncro.recording;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.syncro.recording.ScribeRecorder.State;
import io.syncro.scribe.ScribeEntry;
import org.jspecify.annotations.Nullable;

import org.springframework.core.Ordered;
import org.springframework.transaction.support.TransactionSynchronization;

/**
 * The scribes one transaction has recorded, appended when it commits and dropped when it
 * rolls back, with what the transaction has told clients about each record so far.
 * <p>
 * To append in commit order, it takes the recorder's commit lock just before the commit
 * and releases it once the scribes are appended, so a transaction that commits later
 * appends later. It writes the transaction's pending changes first, so that while it
 * holds the lock the commit waits for no row lock held by a transaction that in turn
 * waits for the lock.
 */
final class PendingScribes implements TransactionSynchronization {

	private final ScribeRecorder recorder;

	private final List<ScribeEntry> entries = new ArrayList<>();

	/** The last state recorded per record; {@code null} for a record recorded as gone. */
	private final Map<RecordKey, @Nullable State> known = new HashMap<>();

	private boolean locked;

	PendingScribes(ScribeRecorder recorder) {
		this.recorder = recorder;
	}

	boolean isOf(ScribeRecorder candidate) {
		return this.recorder == candidate;
	}

	boolean knows(RecordKey key) {
		return this.known.containsKey(key);
	}

	@Nullable State known(RecordKey key) {
		return this.known.get(key);
	}

	void remember(RecordKey key, @Nullable State state) {
		this.known.put(key, state);
	}

	void add(List<ScribeEntry> scribes) {
		this.entries.addAll(scribes);
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

	@Override
	public void beforeCommit(boolean readOnly) {
		if (this.entries.isEmpty()) {
			return;
		}
		if (!readOnly) {
			this.recorder.flush();
		}
		this.recorder.commitLock().lock();
		this.locked = true;
	}

	@Override
	public void afterCommit() {
		if (!this.entries.isEmpty()) {
			List<ScribeEntry> committed = List.copyOf(this.entries);
			this.entries.clear();
			this.recorder.append(committed);
		}
	}

	@Override
	public void afterCompletion(int status) {
		this.entries.clear();
		this.known.clear();
		if (this.locked) {
			this.locked = false;
			this.recorder.commitLock().unlock();
		}
	}

}
