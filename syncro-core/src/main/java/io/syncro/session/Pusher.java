package io.syncro.session;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.syncro.protocol.ErrorCodes;
import io.syncro.protocol.Message;
import io.syncro.protocol.MessageCodec;
import io.syncro.scribe.Reader;
import io.syncro.scribe.Scribe;
import io.syncro.store.ScribeLog;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * What a client sends its server of its own scribes: the answer to the server's pull,
 * then each scribe recorded since by {@code add_scribe}, following the outcome of each: a
 * gap (409) resends from the id the server expects, a transient failure resends after a
 * growing delay, and scribes the server settled on an earlier connection whose answers
 * were lost with it are pushed again to learn their outcome (the server answers a
 * duplicate with the outcome it had, PROTOCOL.md section 4).
 * <p>
 * When the server expects a scribe (the one after the mark it pulls from, or the
 * {@code expected} of a 409) that the client's log no longer holds, while it holds scribes
 * above it, the server forgot scribes it had settled: the client is told to renumber its
 * scribes from there ({@link Events#forgot}) before any of them goes out, and answers to
 * what was pushed under the old ids are ignored. A 409 that would restart the pushes from
 * the same id as the one before, with nothing settled in between, waits a growing delay,
 * so that no 409 is ever retried in a tight loop.
 * <p>
 * In protocol v2 the pull is answered with no scribes: they all go by {@code add_scribe},
 * whose answers say where each landed in the server's log.
 */
final class Pusher {

	private static final Logger logger = LoggerFactory.getLogger(Pusher.class);

	private static final long MAX_RETRY_DELAY_MILLIS = 30_000;

	private final Channel channel;

	private final ScribeLog own;

	private final Reader reader;

	private final Events events;

	private final Executor executor;

	private final int batchSize;

	private final Object lock = new Object();

	// guarded by lock
	private boolean pushing;

	// guarded by lock: the highest own scribe id sent on this connection
	private long sentUpTo;

	// guarded by lock: bumped when pushes restart from an earlier id, so that late
	// replies to the pushes before it do not restart them again
	private long generation;

	// guarded by lock: pushes wait for a restart after a delay
	private boolean paused;

	// the id the latest restart after a 409 resent from, until an answer settles a scribe:
	// a 409 that expects it again restarts after a delay
	private volatile long conflictFrom = -1;

	// where each renumbering of this client's scribes on this connection started: a push
	// sent before one, of an id at or above where it started, named another scribe
	private final List<Long> renumberings = new CopyOnWriteArrayList<>();

	// own scribes pushed again to learn the outcome their lost answers had
	private final ConcurrentSkipListSet<Long> relearning = new ConcurrentSkipListSet<>();

	// the highest mark the server pulled from on this connection
	private final AtomicLong serverMark = new AtomicLong();

	private final SerialTask pushes;

	private volatile long retryDelayMillis = 100;

	private volatile boolean landings;

	Pusher(Channel channel, ScribeLog own, String peer, Events events, Executor executor, int batchSize) {
		this.channel = channel;
		this.own = own;
		this.reader = Reader.of(peer);
		this.events = events;
		this.executor = executor;
		this.batchSize = batchSize;
		this.pushes = new SerialTask(executor::execute, this::pushAll);
	}

	/**
	 * Whether the server's pull was answered, so that this client's scribes go live.
	 * @return whether pushing
	 */
	boolean isPushing() {
		synchronized (this.lock) {
			return this.pushing;
		}
	}

	/** The highest own scribe id sent on this connection. */
	long position() {
		synchronized (this.lock) {
			return this.sentUpTo;
		}
	}

	/**
	 * Speaks protocol v2 from now on: the pull is answered with no scribes, and answers
	 * say where each scribe landed.
	 */
	void speakV2() {
		this.landings = true;
	}

	/**
	 * Answers the server's pull: this client's scribes above the server's mark, in a
	 * batch (none in v2); pushes start once a batch without {@code more} was sent. Scribes
	 * above the mark that start above the next id the server expects are renumbered from
	 * it first.
	 * @param requestId the id of the server's {@code sync}
	 * @param from the server's mark for this client
	 */
	void answerPull(long requestId, long from) {
		List<Scribe> unanswered = List.of();
		if (from > 0) {
			unanswered = unansweredUpTo(from);
			unanswered.forEach((scribe) -> this.relearning.add(scribe.id()));
			this.serverMark.accumulateAndGet(from, Math::max);
			settleUpTo(from);
		}
		renumberIfForgotten(from + 1);
		boolean started = false;
		synchronized (this.lock) {
			List<Scribe> scribes = this.landings ? List.of() : this.own.read(this.reader, from, this.batchSize + 1);
			Batch answer = Batch.of(scribes, Pusher::json, this.batchSize, this.channel.messageBudget(), Long.MAX_VALUE,
					from);
			boolean more = answer.cut();
			this.channel.sendText(MessageCodec.syncAnswer(requestId, answer.scribes(), more));
			this.sentUpTo = Math.max(this.sentUpTo, answer.lastId());
			if (!more && !this.pushing) {
				this.pushing = true;
				started = true;
			}
			unanswered.forEach(this::relearn);
		}
		if (started || !unanswered.isEmpty()) {
			wake();
		}
	}

	/**
	 * This client's own scribes up to the server's mark that it sent on an earlier
	 * connection: the server settled them, but their answers were lost with that
	 * connection.
	 */
	private List<Scribe> unansweredUpTo(long from) {
		long after;
		synchronized (this.lock) {
			after = this.sentUpTo;
		}
		if (after >= from) {
			return List.of();
		}
		return this.own.read(this.reader, after, (int) Math.min(from - after, Integer.MAX_VALUE))
			.stream()
			.filter((scribe) -> scribe.id() <= from)
			.toList();
	}

	/**
	 * Tells that the server settled this client's scribes up to a mark, short of the
	 * first one whose outcome is still being learnt.
	 */
	private void settleUpTo(long mark) {
		Long first = this.relearning.isEmpty() ? null : this.relearning.first();
		long upTo = (first != null) ? Math.min(mark, first - 1) : mark;
		if (upTo > 0) {
			this.events.settled(upTo, Landing.UNKNOWN);
		}
	}

	// called holding lock
	private void relearn(Scribe scribe) {
		this.channel.requestText((id) -> MessageCodec.addScribe(id, json(scribe)),
				(reply, failure) -> relearned(scribe, reply));
	}

	private void relearned(Scribe scribe, @Nullable Message reply) {
		if (reply instanceof Message.Error error && ErrorCodes.isFinal(error.code())) {
			this.events.refused(scribe.id(), error.code(), error.message());
		}
		else if (!(reply instanceof Message.Response)) {
			if (!this.channel.isClosed()) {
				// a transient failure, or no answer in time: ask again later (while it is
				// asked, the scribes behind it cannot be taken as settled); the
				// connection's end leaves it pending
				CompletableFuture.delayedExecutor(this.retryDelayMillis, TimeUnit.MILLISECONDS, this.executor)
					.execute(() -> {
						synchronized (this.lock) {
							relearn(scribe);
						}
					});
			}
			return;
		}
		this.relearning.remove(scribe.id());
		settleUpTo(this.serverMark.get());
	}

	/**
	 * Pushes this client's scribes recorded after what was sent, once pushing started.
	 */
	void wake() {
		this.pushes.request();
	}

	private void pushAll() {
		try {
			pushNew();
		}
		catch (RuntimeException ex) {
			logger.warn("Pushing own scribes failed; they go on the next connection", ex);
			this.channel.close(1011, "Internal error");
		}
	}

	private void pushNew() {
		synchronized (this.lock) {
			while (this.pushing && !this.paused && !this.channel.isClosed()) {
				long generation = this.generation;
				List<Scribe> scribes = this.own.read(this.reader, this.sentUpTo, this.batchSize);
				for (Scribe scribe : scribes) {
					if (generation != this.generation) {
						// restarted meanwhile: read again from where it restarted
						break;
					}
					this.sentUpTo = scribe.id();
					push(scribe);
				}
				if (generation == this.generation && scribes.size() < this.batchSize) {
					return;
				}
			}
		}
	}

	// called holding lock
	private void push(Scribe scribe) {
		long generation = this.generation;
		int numbering = this.renumberings.size();
		this.channel.requestText((id) -> MessageCodec.addScribe(id, json(scribe)),
				(reply, failure) -> answered(scribe.id(), generation, numbering, reply));
	}

	/**
	 * Follows the outcome of a scribe this client pushed: a gap makes it resend from the
	 * id the server expects, a transient failure resends after a growing delay. The answer
	 * to a push whose id was renumbered since speaks of another scribe, and is ignored.
	 */
	private void answered(long scribeId, long generation, int numbering, @Nullable Message reply) {
		if (renumberedSince(numbering, scribeId)) {
			return;
		}
		if (reply instanceof Message.Response response) {
			this.retryDelayMillis = 100;
			this.conflictFrom = -1;
			this.events.settled(scribeId, landingOf(response));
			return;
		}
		if (reply instanceof Message.Error error && ErrorCodes.isFinal(error.code())) {
			// refused first: told settled first, a v2 client would take the scribe for one
			// played without appending anything, and let it go before learning it was refused
			this.events.refused(scribeId, error.code(), error.message());
			this.events.settled(scribeId, Landing.NONE);
			return;
		}
		if (reply instanceof Message.Error error && error.code() == ErrorCodes.CONFLICT && error.expected() != null) {
			conflict(error.expected(), generation);
			return;
		}
		if (this.channel.isClosed()) {
			return;
		}
		CompletableFuture.delayedExecutor(nextRetryDelay(), TimeUnit.MILLISECONDS, this.executor).execute(() -> {
			resendFrom(scribeId, generation);
			wake();
		});
	}

	private long nextRetryDelay() {
		long delay = this.retryDelayMillis;
		this.retryDelayMillis = Math.min(delay * 2, MAX_RETRY_DELAY_MILLIS);
		return delay;
	}

	/**
	 * The server expects this client's scribe {@code expected} next (a 409 for a later
	 * one). If the log holds it, it was lost on the way; if it does not but holds scribes
	 * above it, the server forgot them and they are renumbered from there. Either way
	 * pushes restart from it: at once, or after a growing delay when the restart before
	 * was from the same id and nothing settled since.
	 */
	private void conflict(long expected, long generation) {
		synchronized (this.lock) {
			if (generation != this.generation) {
				// a restart since covers it
				return;
			}
		}
		boolean renumbered = renumberIfForgotten(expected);
		boolean again;
		synchronized (this.lock) {
			again = expected == this.conflictFrom;
			this.conflictFrom = expected;
			// a renumbering restarted pushes from there already, and some may have gone
			// since: going back again would send them twice
			if (!renumbered) {
				this.generation++;
				this.sentUpTo = expected - 1;
			}
			this.paused = again;
		}
		if (!again) {
			wake();
			return;
		}
		if (this.channel.isClosed()) {
			return;
		}
		CompletableFuture.delayedExecutor(nextRetryDelay(), TimeUnit.MILLISECONDS, this.executor).execute(() -> {
			synchronized (this.lock) {
				this.paused = false;
			}
			wake();
		});
	}

	/**
	 * The server expects this client's scribe {@code expected} next. If the log does not
	 * hold it but holds scribes above it, the server forgot scribes it had settled (its
	 * mark went back) and would answer each of those 409 for good: the client is told to
	 * renumber them from there, and this connection forgets what it sent under their old
	 * ids. Called before any of them goes out on the pull, and from a 409.
	 * @return whether they were renumbered
	 */
	private boolean renumberIfForgotten(long expected) {
		if (!forgotten(expected)) {
			return false;
		}
		this.events.forgot(expected);
		if (forgotten(expected)) {
			// nothing renumbered them: a 409 restarts after a delay
			return false;
		}
		synchronized (this.lock) {
			this.renumberings.add(expected);
			this.generation++;
			this.sentUpTo = Math.min(this.sentUpTo, expected - 1);
		}
		this.relearning.removeIf((id) -> id >= expected);
		return true;
	}

	/**
	 * Whether the log does not hold a scribe the server expects but holds scribes above it.
	 */
	private boolean forgotten(long expected) {
		List<Scribe> next = this.own.read(this.reader, expected - 1, 1);
		return !next.isEmpty() && next.get(0).id() > expected;
	}

	private boolean renumberedSince(int numbering, long scribeId) {
		List<Long> since = this.renumberings;
		for (int i = numbering; i < since.size(); i++) {
			if (scribeId >= since.get(i)) {
				return true;
			}
		}
		return false;
	}

	private Landing landingOf(Message.Response response) {
		JsonNode at = response.at();
		if (!this.landings || at == null) {
			return Landing.UNKNOWN;
		}
		return at.isNull() ? Landing.NONE : new Landing(at.longValue());
	}

	private static String json(Scribe scribe) {
		return MessageCodec.writeTree(scribe.toJson());
	}

	/**
	 * The server's pull ended at one of this client's scribes, which settled nothing (a
	 * transient failure or a gap): the server will not pull again on this connection, so
	 * the client retries it by push, from that scribe on, as it would a push that failed.
	 * @param error the server's report, with the scribe's id
	 */
	void retryPulled(Message.Error error) {
		long generation;
		synchronized (this.lock) {
			this.pushing = true;
			generation = this.generation;
		}
		answered(error.scribe(), generation, this.renumberings.size(), error);
	}

	private void resendFrom(long scribeId, long generation) {
		synchronized (this.lock) {
			if (generation == this.generation) {
				this.generation++;
				this.sentUpTo = scribeId - 1;
			}
		}
	}

	/**
	 * What the pusher tells of the outcome of this client's scribes.
	 */
	interface Events {

		/**
		 * The server settled this client's scribes up to an id.
		 * @param scribeId the id
		 * @param landing where the last of them landed, when the server said so (v2)
		 */
		void settled(long scribeId, Landing landing);

		/**
		 * The server refused one of this client's scribes for good.
		 * @param scribeId the scribe's id
		 * @param code the error code
		 * @param message the server's sentence
		 */
		void refused(long scribeId, int code, String message);

		/**
		 * The server expects this client's scribe {@code expected} next, which the log no
		 * longer holds while it holds scribes above it: the server forgot the scribes it
		 * had settled from there on. The client renumbers those it holds from
		 * {@code expected} before this returns, if it can.
		 * @param expected the id the server expects next
		 */
		void forgot(long expected);

	}

}
