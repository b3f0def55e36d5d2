package io.syncro.sample.chaos;

import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import io.syncro.sample.reliability.CuttingProxy;
import io.syncro.sample.reliability.CuttingProxy.Direction;
import io.syncro.sample.reliability.CuttingProxy.Moment;
import io.syncro.testing.Processes;

/**
 * Resets one connection through a proxy every 0.3 to 1 s: at once, or at the next frame
 * one way, instead of it or inside it. A frame to the client lost that way is an answer
 * (or a push) whose request reached the server; one to the server is a request that
 * never did, or did in part.
 */
final class Cutter {

	private final CuttingProxy proxy;

	private final Random random;

	private final Map<Moment, AtomicInteger> cuts = new EnumMap<>(Moment.class);

	private final Thread thread;

	private volatile boolean cutting = true;

	Cutter(String name, CuttingProxy proxy, Random random) {
		this.proxy = proxy;
		this.random = random;
		for (Moment moment : Moment.values()) {
			this.cuts.put(moment, new AtomicInteger());
		}
		this.thread = new Thread(this::cut, "chaos-cutter-" + name);
		this.thread.setDaemon(true);
		this.thread.start();
	}

	private void cut() {
		while (this.cutting) {
			Processes.sleep(300 + this.random.nextInt(700));
			Moment moment = Moment.values()[this.random.nextInt(Moment.values().length)];
			Direction direction = this.random.nextBoolean() ? Direction.TO_CLIENT : Direction.TO_SERVER;
			if (this.cutting && this.proxy.reset(this.random, moment, direction)) {
				this.cuts.get(moment).incrementAndGet();
			}
		}
	}

	/**
	 * Stops cutting, taking back the resets still waiting for a frame.
	 */
	void stop() throws InterruptedException {
		this.cutting = false;
		this.thread.join(5_000);
		this.proxy.disarm();
	}

	/**
	 * The resets armed, by moment; {@link CuttingProxy#resets()} tells how many happened.
	 */
	int armed(Moment moment) {
		return this.cuts.get(moment).get();
	}

}
