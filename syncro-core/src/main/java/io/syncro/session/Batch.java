package io.syncro.session;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import io.syncro.scribe.Scribe;

/**
 * Scribes cut to fit one message: at most a count of them, within a budget of UTF-8
 * bytes, and none after a stop id; the first always goes, so that a batch is never empty
 * while scribes wait.
 *
 * @param scribes the JSON texts of the scribes taken, in order
 * @param lastId the id of the last scribe taken, or the position read from when none
 * @param cut whether scribes were left out
 */
record Batch(List<String> scribes, long lastId, boolean cut) {

	static Batch of(List<Scribe> scribes, Function<Scribe, String> json, int maxCount, int budget, long stopAfter,
			long from) {
		List<String> taken = new ArrayList<>(Math.min(scribes.size(), maxCount));
		int left = budget;
		long last = from;
		for (Scribe scribe : scribes) {
			String text = json.apply(scribe);
			int size = Channel.utf8Length(text);
			if (taken.size() == maxCount || (!taken.isEmpty() && (size > left || scribe.id() > stopAfter))) {
				return new Batch(taken, last, true);
			}
			taken.add(text);
			left -= size;
			last = scribe.id();
		}
		return new Batch(taken, last, false);
	}

}
