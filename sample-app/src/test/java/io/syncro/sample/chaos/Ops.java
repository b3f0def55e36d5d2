package io.syncro.sample.chaos;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts of the changes one kind of writer made during a run: those made, those it
 * skipped because the record went meanwhile, and those that failed (a REST request
 * without an answer: it may or may not have committed), and answers that are neither a
 * success nor a 404.
 */
final class Ops {

	final AtomicInteger creates = new AtomicInteger();

	final AtomicInteger updates = new AtomicInteger();

	final AtomicInteger destroys = new AtomicInteger();

	final AtomicInteger skipped = new AtomicInteger();

	final AtomicInteger failed = new AtomicInteger();

	final List<String> unexpected = new CopyOnWriteArrayList<>();

	int made() {
		return this.creates.get() + this.updates.get() + this.destroys.get();
	}

	void add(int creates, int updates, int destroys, int skipped) {
		this.creates.addAndGet(creates);
		this.updates.addAndGet(updates);
		this.destroys.addAndGet(destroys);
		this.skipped.addAndGet(skipped);
	}

	@Override
	public String toString() {
		return made() + " (" + this.creates + " creates, " + this.updates + " updates, " + this.destroys + " destroys; "
				+ this.skipped + " skipped" + ((this.failed.get() > 0) ? ", " + this.failed + " without an answer" : "")
				+ (this.unexpected.isEmpty() ? "" : ", " + this.unexpected.size() + " unexpected answers") + ")";
	}

}
