package io.syncro.session;

import java.util.List;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells several observers, in order; one that throws does not keep the others from being
 * told.
 */
final class CompositeObserver implements EngineObserver {

	private static final Logger logger = LoggerFactory.getLogger(CompositeObserver.class);

	private final List<EngineObserver> observers;

	CompositeObserver(List<EngineObserver> observers) {
		this.observers = observers;
	}

	@Override
	public void sessionOpened(Session session) {
		tell((observer) -> observer.sessionOpened(session));
	}

	@Override
	public void sessionClosed(Session session) {
		tell((observer) -> observer.sessionClosed(session));
	}

	@Override
	public void scribesAppended(long count) {
		for (EngineObserver observer : this.observers) {
			try {
				observer.scribesAppended(count);
			}
			catch (RuntimeException ex) {
				failed(observer, ex);
			}
		}
	}

	@Override
	public void syncAnswered(Session session, int scribes) {
		for (EngineObserver observer : this.observers) {
			try {
				observer.syncAnswered(session, scribes);
			}
			catch (RuntimeException ex) {
				failed(observer, ex);
			}
		}
	}

	@Override
	public void scribePushed(Session session, long scribeId, long lagNanos) {
		// once per pushed scribe: no lambda, so nothing is allocated
		for (EngineObserver observer : this.observers) {
			try {
				observer.scribePushed(session, scribeId, lagNanos);
			}
			catch (RuntimeException ex) {
				failed(observer, ex);
			}
		}
	}

	@Override
	public void errorSent(Session session, int code) {
		for (EngineObserver observer : this.observers) {
			try {
				observer.errorSent(session, code);
			}
			catch (RuntimeException ex) {
				failed(observer, ex);
			}
		}
	}

	private void tell(Consumer<EngineObserver> call) {
		for (EngineObserver observer : this.observers) {
			try {
				call.accept(observer);
			}
			catch (RuntimeException ex) {
				failed(observer, ex);
			}
		}
	}

	private static void failed(EngineObserver observer, RuntimeException ex) {
		logger.warn("Engine observer {} failed", observer, ex);
	}

	@Override
	public String toString() {
		return "CompositeObserver" + this.observers;
	}

}
