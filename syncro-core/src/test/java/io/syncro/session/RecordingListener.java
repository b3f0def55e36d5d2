package io.syncro.session;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link SessionListener} that remembers what it was told.
 */
final class RecordingListener implements SessionListener {

	private long settled;

	private int synced;

	private int closed;

	private final List<Refused> refused = new ArrayList<>();

	@Override
	public synchronized void synced(Session session) {
		this.synced++;
	}

	@Override
	public synchronized void settled(Session session, long scribeId) {
		this.settled = Math.max(this.settled, scribeId);
	}

	@Override
	public synchronized void refused(Session session, long scribeId, int code, String message) {
		this.refused.add(new Refused(scribeId, code, message));
	}

	@Override
	public synchronized void closed(Session session) {
		this.closed++;
	}

	/** The highest scribe id the peer was said to have settled. */
	synchronized long settled() {
		return this.settled;
	}

	synchronized int synced() {
		return this.synced;
	}

	synchronized int closed() {
		return this.closed;
	}

	synchronized List<Refused> refused() {
		return List.copyOf(this.refused);
	}

	record Refused(long scribeId, int code, String message) {
	}

}
