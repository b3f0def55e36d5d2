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
 * The scribes one transaction has recorded, written to the outbox as part of it just
 * before it commits and relayed once it has, with what the transaction has told clients
 * about each record so far.
 * <p>
 * It writes the transaction's pending changes first, so that the transaction holds the
 * row locks of every record it changed before its outbox row is numbered: of two
 * transactions that change one record, the one that commits later numbers its row later.
 */
final class PendingScribes implements TransactionSynchronization {

	private final ScribeRecorder recorder;

	private final List<ScribeEntry> entries = new ArrayList<>();

	/** The last state recorded per record; {@code null} for a record recorded as gone. */
	private final Map<RecordKey, @Nullable State> known = new HashMap<>();

	private boolean written;

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
		this.recorder.outbox().add(List.copyOf(this.entries));
		this.entries.clear();
		this.written = true;
	}

	@Override
	public void afterCommit() {
		if (this.written) {
			this.recorder.outbox().relay();
		}
	}

	@Override
	public void afterCompletion(int status) {
		this.entries.clear();
		this.known.clear();
		this.written = false;
	}

}
