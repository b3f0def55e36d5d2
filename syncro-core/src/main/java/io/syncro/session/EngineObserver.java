package io.syncro.session;

import java.util.List;

/**
 * Told what a {@link SyncroEngine} does, for metrics: sessions opening and closing,
 * scribes appended to the log, scribes delivered to peers, {@code sync} requests answered
 * and errors sent. Every method does nothing by default.
 * <p>
 * Methods are called on the engine's threads, some while a session holds its locks and
 * once per pushed scribe: an implementation must be quick, must not block and must not
 * call back into the session. An exception it throws is logged and otherwise ignored.
 *
 * @since 0.1.0
 * @see SyncroEngine#SyncroEngine(EngineSettings, io.syncro.store.ScribeLog,
 * io.syncro.store.ClientStore, io.syncro.play.SyncClasses, io.syncro.rpc.RpcRegistry,
 * EngineObserver)
 */
public interface EngineObserver {

	/**
	 * An observer that does nothing; an engine given it does no observing work at all.
	 */
	EngineObserver NONE = new EngineObserver() {

		@Override
		public String toString() {
			return "EngineObserver.NONE";
		}

	};

	/**
	 * A session opened on a new connection.
	 * @param session the session
	 */
	default void sessionOpened(Session session) {
	}

	/**
	 * A session ended.
	 * @param session the session
	 */
	default void sessionClosed(Session session) {
	}

	/**
	 * Scribes were appended to the log, on this node or, for a log shared by several
	 * nodes, on another one. The count is how far the highest id the log reported grew,
	 * so ids a store skipped count too. The first report after the engine started only
	 * tells where the log stands and is not counted: a store may then report appends made
	 * before the start.
	 * @param count how many scribes, at least 1
	 */
	default void scribesAppended(long count) {
	}

	/**
	 * A peer's {@code sync} was answered.
	 * @param session the session it came on
	 * @param scribes how many scribes the answer carried
	 */
	default void syncAnswered(Session session, int scribes) {
	}

	/**
	 * A scribe was pushed live to a peer: its {@code add_scribe} was queued for the
	 * connection.
	 * @param session the session it was pushed on
	 * @param scribeId the scribe's id
	 * @param lagNanos the nanoseconds from when this engine learnt of the scribe's append
	 * to its push, or -1 when that is not known (an append reported before the engine
	 * started, or so long ago that it was forgotten)
	 */
	default void scribePushed(Session session, long scribeId, long lagNanos) {
	}

	/**
	 * An {@code error} message was sent to a peer.
	 * @param session the session it was sent on
	 * @param code the error code
	 */
	default void errorSent(Session session, int code) {
	}

	/**
	 * An observer that tells each of the given ones, in order.
	 * @param observers the observers
	 * @return {@link #NONE} if there are none, the observer itself if there is one, else
	 * one that tells them all
	 */
	static EngineObserver of(List<? extends EngineObserver> observers) {
		if (observers.isEmpty()) {
			return NONE;
		}
		if (observers.size() == 1) {
			return observers.get(0);
		}
		return new CompositeObserver(List.copyOf(observers));
	}

}
