package io.syncro.session;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Threads that write to a node's connections: a few, over one queue, so that a burst
 * of writes (an append pushed to every session) wakes a few threads once rather than one
 * thread per write. Waking a parked thread for each push was a fifth of the server's CPU
 * at 200 changes a second to 100 subscribers. An engine has two such pools: the delivery
 * threads, which write the pushes they make, and the writers of everything else.
 * <p>
 * A write blocks while the peer does not read and the network's buffers are full. So
 * that such a client holds up no one else, {@link #watch} (run every few tens of
 * milliseconds) adds a thread for each write that has been running longer than
 * {@link #STUCK_NANOS}, and lets it go once that write ends.
 */
final class Writers implements Executor {

	/** How long a write runs before another thread takes its place in the pool. */
	static final long STUCK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	private final int threads;

	private final ThreadPoolExecutor pool;

	/** When each thread's running write began. */
	private final Map<Thread, Long> writingSince = new ConcurrentHashMap<>();

	Writers(int threads, ThreadFactory factory) {
		this.threads = threads;
		this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), factory);
	}

	@Override
	public void execute(Runnable write) {
		this.pool.execute(() -> {
			Thread thread = Thread.currentThread();
			this.writingSince.put(thread, System.nanoTime());
			try {
				write.run();
			}
			finally {
				this.writingSince.remove(thread);
			}
		});
	}

	/**
	 * Sizes the pool: its threads, and one more for each write running too long.
	 */
	void watch() {
		long now = System.nanoTime();
		int stuck = 0;
		for (long since : this.writingSince.values()) {
			if (now - since > STUCK_NANOS) {
				stuck++;
			}
		}
		int size = this.threads + stuck;
		if (size > this.pool.getMaximumPoolSize()) {
			this.pool.setMaximumPoolSize(size);
			this.pool.setCorePoolSize(size);
		}
		else if (size < this.pool.getCorePoolSize()) {
			this.pool.setCorePoolSize(size);
			this.pool.setMaximumPoolSize(size);
		}
	}

	/**
	 * How many threads the pool may run now.
	 * @return the size
	 */
	int size() {
		return this.pool.getCorePoolSize();
	}

	void shutdown() {
		this.pool.shutdown();
	}

}
