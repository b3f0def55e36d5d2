package io.syncro.client;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells listeners what happened, one call at a time and in the order the events were
 * queued, so that a listener never sees a record's changes out of order and needs no
 * locking of its own. Events are queued while the state that caused them is locked and
 * told after it is released, by the thread that queued them unless another thread is
 * already telling; a failing listener is logged and does not stop the others.
 */
final class Announcer {

	private static final Logger logger = LoggerFactory.getLogger(Announcer.class);

	private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();

	private final AtomicInteger work = new AtomicInteger();

	void enqueue(Runnable event) {
		this.queue.add(event);
	}

	/**
	 * Tells every queued event, unless another thread is telling them already.
	 */
	void drain() {
		if (this.work.getAndIncrement() != 0) {
			return;
		}
		int missed = 1;
		do {
			Runnable event;
			while ((event = this.queue.poll()) != null) {
				try {
					event.run();
				}
				catch (RuntimeException ex) {
					logger.warn("A Syncro client listener failed", ex);
				}
			}
			missed = this.work.addAndGet(-missed);
		}
		while (missed != 0);
	}

}
