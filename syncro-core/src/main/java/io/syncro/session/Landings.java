package io.syncro.session;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.syncro.scribe.Cause;
import io.syncro.scribe.Identity;
import io.syncro.scribe.ScribeEntry;
import io.syncro.store.ScribeLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the plays of v2 clients' scribes land in the log. Every scribe a play records
 * carries the client scribe as its {@link Cause}; told of an append, and only while plays
 * are followed, this reads the new entries once for the node and completes each followed
 * play with the highest id among its scribes meant for its client (its own included, as
 * v2 clients read them), or {@link Landing#NONE} when none is meant for it. Plays are
 * followed from before they run, so an append made while the play commits is seen, on
 * whichever node it was made.
 */
final class Landings {

	private static final Logger logger = LoggerFactory.getLogger(Landings.class);

	/** The most entries read back for one announcement. */
	private static final int MAX_SCAN = 10_000;

	private static final int READ_BATCH = 1000;

	private final ScribeLog log;

	private final Map<Cause, Followed> followed = new ConcurrentHashMap<>();

	/** The highest id announced. */
	private final AtomicLong head = new AtomicLong();

	private final Object scanning = new Object();

	// guarded by scanning: the id up to which entries were looked at
	private long scanned;

	Landings(ScribeLog log) {
		this.log = log;
	}

	long head() {
		return this.head.get();
	}

	/**
	 * Follows a play about to run.
	 * @param cause the client scribe to be played
	 * @param who the client that sent it, whose keys tell which scribes are meant for it
	 * @return completes with where its play landed
	 */
	CompletableFuture<Landing> follow(Cause cause, Identity who) {
		Followed play = new Followed(Set.copyOf(who.keys()), new CompletableFuture<>());
		this.followed.put(cause, play);
		play.landing().whenComplete((landed, failure) -> this.followed.remove(cause, play));
		return play.landing();
	}

	/**
	 * Stops following a play that appended nothing, or failed.
	 * @param cause the client scribe
	 */
	void forget(Cause cause) {
		this.followed.remove(cause);
	}

	/**
	 * Told that scribes up to an id were appended.
	 * @param lastId the highest id appended
	 */
	void appended(long lastId) {
		this.head.accumulateAndGet(lastId, Math::max);
		synchronized (this.scanning) {
			if (lastId <= this.scanned) {
				return;
			}
			if (this.followed.isEmpty()) {
				this.scanned = lastId;
				return;
			}
			long position = Math.max(this.scanned, lastId - MAX_SCAN);
			Map<Cause, Long> landed = new HashMap<>();
			try {
				while (position < lastId) {
					List<ScribeEntry> entries = this.log.entries(position, (int) Math.min(READ_BATCH, lastId - position));
					if (entries.isEmpty()) {
						break;
					}
					for (ScribeEntry entry : entries) {
						Cause cause = entry.cause();
						Followed play = (cause != null) ? this.followed.get(cause) : null;
						if (play != null) {
							long at = entry.recipients().includesAny(play.keys()) ? entry.id() : 0;
							landed.merge(cause, at, Math::max);
						}
					}
					position = entries.get(entries.size() - 1).id();
				}
			}
			catch (RuntimeException ex) {
				// the followed plays are answered without a landing once they time out
				logger.warn("Could not read the scribes up to {} to learn where plays landed", lastId, ex);
			}
			this.scanned = Math.max(this.scanned, position);
			landed.forEach((cause, at) -> {
				Followed play = this.followed.remove(cause);
				if (play != null) {
					play.landing().complete((at > 0) ? new Landing(at) : Landing.NONE);
				}
			});
		}
	}

	/** A play followed: the keys of its client, and where it landed. */
	private record Followed(Set<String> keys, CompletableFuture<Landing> landing) {
	}

}
