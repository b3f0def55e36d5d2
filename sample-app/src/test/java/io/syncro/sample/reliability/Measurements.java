package io.syncro.sample.reliability;

import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * What the reliability tests measure and print: heap in use and latency percentiles.
 */
final class Measurements {

	private Measurements() {
	}

	/**
	 * The heap in use after garbage collection: the least of five tries.
	 * @return bytes
	 */
	static long usedHeapAfterGc() throws InterruptedException {
		long used = Long.MAX_VALUE;
		for (int i = 0; i < 5; i++) {
			System.gc();
			Thread.sleep(200);
			used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
		}
		return used;
	}

	/**
	 * A percentile of sorted values, as text.
	 * @param sorted the values, lowest first
	 * @param percent such as 50 or 99; 100 for the highest
	 * @return the value, or {@code -} when there is none
	 */
	static String percentile(List<Long> sorted, int percent) {
		if (sorted.isEmpty()) {
			return "-";
		}
		int index = Math.min(sorted.size() - 1, (int) Math.ceil(percent / 100.0 * sorted.size()) - 1);
		return String.valueOf(sorted.get(Math.max(0, index)));
	}

}
