package io.syncro.session;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Work run on an executor whenever asked for, one run at a time: asked while it runs, it
 * runs once more after, so that no request is lost and requests made meanwhile are served
 * by one run.
 */
final class SerialTask {

	private final Consumer<Runnable> submit;

	private final Runnable work;

	private final AtomicInteger requests = new AtomicInteger();

	/**
	 * @param submit hands a run to an executor
	 * @param work the work
	 */
	SerialTask(Consumer<Runnable> submit, Runnable work) {
		this.submit = submit;
		this.work = work;
	}

	void request() {
		if (this.requests.getAndIncrement() == 0) {
			this.submit.accept(this::run);
		}
	}

	private void run() {
		int missed = 1;
		do {
			this.work.run();
			missed = this.requests.addAndGet(-missed);
		}
		while (missed != 0);
	}

}
