package io.syncro.session;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import io.syncro.scribe.Scribe;
import org.jspecify.annotations.Nullable;

/**
 * Scribes cut to fit one message: at most a count of them, within a budget of UTF-8
 * bytes, and none after a stop id; the first always goes, so that a batch is never empty
 * while scribes wait. Scribes that a connection's {@link Narrowing} leaves out are passed
 * over, and the batch still counts them as read.
 *
 * @param scribes the JSON texts of the scribes taken, in order
 * @param ids the ids of the scribes taken, in order
 * @param lastId the id of the last scribe taken or passed over, or the position read from
 * when none
 * @param cut whether scribes were left out
 */
record Batch(List<String> scribes, List<Long> ids, long lastId, boolean cut) {

	static Batch of(List<Scribe> scribes, Function<Scribe, String> json, int maxCount, int budget, long stopAfter,
			long from) {
		return of(scribes, Narrow.NONE, json, maxCount, budget, stopAfter, from);
	}

	static Batch of(List<Scribe> scribes, Narrow narrow, Function<Scribe, String> json, int maxCount, int budget,
			long stopAfter, long from) {
		List<String> taken = new ArrayList<>(Math.min(scribes.size(), maxCount));
		List<Long> ids = new ArrayList<>(Math.min(scribes.size(), maxCount));
		int left = budget;
		long last = from;
		for (Scribe read : scribes) {
			if (taken.size() == maxCount || (!taken.isEmpty() && read.id() > stopAfter)) {
				return new Batch(taken, ids, last, true);
			}
			Scribe scribe = narrow.narrow(read);
			if (scribe == null) {
				last = read.id();
				continue;
			}
			String text = json.apply(scribe);
			int size = Channel.utf8Length(text);
			if (!taken.isEmpty() && size > left) {
				return new Batch(taken, ids, last, true);
			}
			narrow.sent(scribe);
			taken.add(text);
			ids.add(scribe.id());
			left -= size;
			last = scribe.id();
		}
		return new Batch(taken, ids, last, false);
	}

	/**
	 * What a connection sends of each scribe it reads.
	 */
	interface Narrow {

		/** Every scribe as it is. */
		Narrow NONE = new Narrow() {

			@Override
			public Scribe narrow(Scribe scribe) {
				return scribe;
			}

			@Override
			public void sent(Scribe scribe) {
			}

		};

		/**
		 * What to send for a scribe read.
		 * @param scribe the scribe read
		 * @return the scribe to send, or {@code null} for none
		 */
		@Nullable Scribe narrow(Scribe scribe);

		/**
		 * Told that a scribe {@link #narrow} gave is sent.
		 * @param scribe the scribe sent
		 */
		void sent(Scribe scribe);

	}

}
