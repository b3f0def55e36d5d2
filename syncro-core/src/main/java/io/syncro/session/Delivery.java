package io.syncro.session;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import io.syncro.protocol.Message;
import io.syncro.protocol.MessageCodec;
import io.syncro.protocol.RecordDigest;
import io.syncro.protocol.SyncroException;
import io.syncro.scope.ScopedRecords;
import io.syncro.scope.Subscription;
import io.syncro.scribe.Reader;
import io.syncro.scribe.Scribe;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.BooleanNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.LongNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a server sends one client from its log: the answers to the client's {@code sync},
 * then, once the client is in sync, live pushes from the client's position, in strictly
 * increasing id order, none skipped and none twice (PROTOCOL.md section 5).
 * <p>
 * Pushes are driven by the session's position in the log, not by a queue of what was
 * appended: woken by an append, the delivery reads the log after the last scribe it sent,
 * and sends while fewer than {@code window} pushes wait for the client's answer. A burst
 * of any size therefore waits in the log, not in memory; a client that answers nothing
 * within the request timeout is closed with 1013 by {@link #checkAnswers}.
 * <p>
 * On a protocol v2 connection, pushes carry several scribes each ({@code add_scribes}),
 * the client's own scribes included, and the answer to a client's played
 * {@code add_scribe} says where its play landed; it is sent once every scribe up to that
 * id meant for the client was sent ({@link #answerLanded}).
 */
final class Delivery {

	/** The most scribes in one v2 push. */
	static final int SCRIBES_PER_PUSH = 100;

	private final Channel channel;

	private final Feed feed;

	private final Reader reader;

	private final boolean batched;

	private final int window;

	private final int batchSize;

	private final Object lock = new Object();

	// guarded by lock
	private boolean live;

	// guarded by lock: the highest scribe id sent, by push or sync answer
	private long sentUpTo;

	// guarded by lock: the position up to which the log was read for this client
	private long scanned;

	// guarded by lock: the unanswered pushes, oldest first
	private final ArrayDeque<Push> unanswered = new ArrayDeque<>();

	// guarded by lock: the digests asked for, answered once caught up with the log
	private final List<Long> digests = new ArrayList<>();

	// guarded by lock: answers waiting until scribes up to their key were sent
	private final TreeMap<Long, List<Parked>> parked = new TreeMap<>();

	// guarded by lock: the connection's subscriptions
	private final Narrowing narrowing;

	// guarded by lock: the log's horizon as the last read found it, -1 while not watched
	private long horizon = -1;

	// guarded by lock: the page after the last sync answer with more, read ahead
	private @Nullable ReadAhead readAhead;

	private final SerialTask pushes;

	Delivery(Channel channel, Feed feed, Reader reader, Narrowing narrowing, boolean batched, int window,
			int batchSize) {
		this.channel = channel;
		this.narrowing = narrowing;
		this.feed = feed;
		this.reader = reader;
		this.batched = batched;
		this.window = window;
		this.batchSize = batchSize;
		// the delivery thread writes the pushes once the run ends, so a wake while it writes
		// (a slow client) runs on another, and the client's pushes pile up to its limit
		this.pushes = new SerialTask((run) -> feed.deliver(() -> channel.writingHere(run)), this::pushNew);
	}

	boolean isLive() {
		synchronized (this.lock) {
			return this.live;
		}
	}

	/** How far through the log this client was brought: sent, or read past for it. */
	long position() {
		synchronized (this.lock) {
			return Math.max(this.sentUpTo, this.scanned);
		}
	}

	/**
	 * Answers the client's {@code sync}: the scribes meant for it after {@code from}, in a
	 * batch that fits the batch size and the message budget; the connection goes live with
	 * the first answer that has no {@code more}.
	 * @param requestId the id of the client's {@code sync}
	 * @param from the client's position
	 * @param check run after each read of the log, before anything of it is decided or
	 * sent; throws to refuse the answer
	 * @return whether this answer made the connection live
	 */
	boolean answerSync(long requestId, long from, Runnable check) {
		boolean wentLive = false;
		synchronized (this.lock) {
			Page page = page(from);
			long head = page.head();
			long position = from;
			List<Scribe> scribes;
			Batch answer;
			while (true) {
				scribes = page.scribes();
				check.run();
				this.horizon = page.horizon();
				if (scribes.size() > this.batchSize) {
					// most answers end with the batch size's scribe: the page after it is read
					// while this answer is written and the client takes it in
					readAhead(scribes.get(this.batchSize - 1).id());
				}
				answer = Batch.of(scribes, narrow(), this.feed::json, this.batchSize, this.channel.messageBudget(),
						Long.MAX_VALUE, position);
				position = answer.lastId();
				// scribes a narrowed klass leaves out are passed over, never answered empty with more
				if (!answer.scribes().isEmpty() || scribes.size() <= this.batchSize) {
					break;
				}
				page = page(position);
			}
			boolean more = answer.cut() || (scribes.size() > this.batchSize && !answer.scribes().isEmpty());
			this.channel.sendText(MessageCodec.syncAnswer(requestId, answer.scribes(), more));
			this.feed.syncAnswered(answer.scribes().size());
			this.sentUpTo = Math.max(this.sentUpTo, answer.lastId());
			this.scanned = Math.max(this.scanned, more ? answer.lastId() : Math.max(answer.lastId(), head));
			if (!more) {
				this.readAhead = null;
				if (!this.live) {
					this.live = true;
					wentLive = true;
				}
			}
			else if (this.readAhead == null || this.readAhead.after() != answer.lastId()) {
				readAhead(answer.lastId());
			}
			releaseAnswers();
		}
		if (wentLive) {
			wake();
		}
		return wentLive;
	}

	/**
	 * The page of a sync answer after a position: the one read ahead for it, or else read
	 * now.
	 */
	// called holding lock
	private Page page(long after) {
		Page page = takeReadAhead(after);
		return (page != null) ? page : read(after);
	}

	/**
	 * Reads the log after a position: the head, then the horizon (so that pushes find any
	 * tombstone removed after), then the scribes.
	 */
	private Page read(long after) {
		long head = this.feed.head();
		long horizon = this.feed.horizon();
		return new Page(head, horizon, this.feed.readComplete(this.reader, after, this.batchSize + 1));
	}

	/**
	 * Reads the page after a position on another thread, as the client's next sync asks
	 * for it, so that a client paging through the log waits less for the log. A tombstone
	 * that compaction removes meanwhile from above the position raises the horizon past
	 * it, and the client's next sync is refused for that before the page is used
	 * ({@link Session}).
	 */
	// called holding lock
	private void readAhead(long after) {
		try {
			this.readAhead = new ReadAhead(after, CompletableFuture.supplyAsync(() -> read(after), this.feed.readAheads()));
		}
		catch (RejectedExecutionException ex) {
			this.readAhead = null;
		}
	}

	/**
	 * The page read ahead after the position, waiting for it if need be; {@code null} when
	 * none was read after that position or reading it failed (the page is then read again,
	 * and a failure answered as any read's).
	 */
	// called holding lock
	private @Nullable Page takeReadAhead(long from) {
		ReadAhead ahead = this.readAhead;
		this.readAhead = null;
		if (ahead == null || ahead.after() != from) {
			return null;
		}
		try {
			return ahead.page().join();
		}
		catch (CompletionException ex) {
			return null;
		}
	}

	/**
	 * Adds a subscription (protocol v2); its records go before any further push, and the
	 * client's {@code subscribe} is answered behind them.
	 * @param requestId the client's {@code subscribe}
	 * @param subscription the subscription, checked
	 */
	void subscribe(long requestId, Subscription subscription) {
		synchronized (this.lock) {
			this.narrowing.subscribe(requestId, subscription);
		}
		wake();
	}

	/**
	 * Removes a subscription (protocol v2); the records its klass keeps go before any
	 * further push, and the client's {@code unsubscribe} is answered behind them.
	 * @param requestId the client's {@code unsubscribe}
	 * @param klass the klass its scope narrows
	 * @param scope the scope's name
	 * @param params its parameters
	 */
	void unsubscribe(long requestId, String klass, String scope, JsonNode params) {
		synchronized (this.lock) {
			this.narrowing.unsubscribe(requestId, klass, scope, params);
		}
		wake();
	}

	/**
	 * Sends a klass's records again (protocol v2), as after a change of its subscriptions,
	 * and answers the client's {@code rebuild} behind them.
	 * @param requestId the client's {@code rebuild}
	 * @param klass the klass
	 */
	void rebuild(long requestId, String klass) {
		synchronized (this.lock) {
			this.narrowing.rebuild(requestId, klass);
		}
		wake();
	}

	/**
	 * Answers the client's {@code digest} (protocol v2, docs/PROTOCOL.md section 8.9) once
	 * the delivery is next caught up with the log: the digest of each klass at the position
	 * up to which every scribe meant for the client was sent, where an append ends (within
	 * one, a record's audience is already the one its later scribes give it), so that the
	 * answer follows those scribes on the connection.
	 * @param requestId the client's {@code digest}
	 */
	void digest(long requestId) {
		// most of the reading of the log, without holding up pushes
		this.feed.digests().advance(this.feed.head());
		synchronized (this.lock) {
			if (!this.live) {
				throw SyncroException.badRequest("A digest is given once the connection is in sync.");
			}
			this.digests.add(requestId);
		}
		wake();
	}

	// called holding lock, when everything up to scanned, the end of an append, was sent
	private void answerDigests() {
		if (this.digests.isEmpty()) {
			return;
		}
		Set<String> unverified = this.narrowing.unverified();
		Map<String, RecordDigest> digests = this.feed.digests().digests(this.reader, this.scanned, unverified);
		ObjectNode result = JsonNodeFactory.instance.objectNode().put("at", this.scanned);
		ObjectNode klasses = result.putObject("klasses");
		if (digests != null) {
			digests.forEach((klass, digest) -> klasses.set(klass, digest.toJson()));
		}
		ArrayNode left = result.putArray("unverified");
		new TreeSet<>(unverified).forEach(left::add);
		for (long requestId : this.digests) {
			this.channel.send(new Message.Response(requestId, result, false));
		}
		this.digests.clear();
	}

	/**
	 * The subscriptions of a klass on this connection.
	 * @param klass the klass
	 * @return its subscriptions
	 */
	List<Subscription> subscriptions(String klass) {
		synchronized (this.lock) {
			return this.narrowing.subscriptions(klass);
		}
	}

	// called holding lock: what this connection sends of the scribes it reads
	private Batch.Narrow narrow() {
		long decided = this.sentUpTo;
		return new Batch.Narrow() {

			@Override
			public @Nullable Scribe narrow(Scribe scribe) {
				return Delivery.this.narrowing.narrow(scribe, decided);
			}

			@Override
			public void sent(Scribe scribe) {
				Delivery.this.narrowing.sent(scribe);
			}

		};
	}

	/**
	 * Sends what the log holds for the client after what was sent, within the window. Runs
	 * on the engine's delivery threads; wakes while it runs are not lost.
	 */
	void wake() {
		this.pushes.request();
	}

	private void pushNew() {
		synchronized (this.lock) {
			while (!this.channel.isClosed() && this.unanswered.size() < this.window) {
				Narrowing.Reset reset = this.narrowing.reset();
				if (reset != null) {
					sendRecords(reset);
					continue;
				}
				if (!this.live) {
					return;
				}
				long head = this.feed.head();
				int limit = this.batched ? SCRIBES_PER_PUSH : Math.min(this.batchSize, this.window - this.unanswered.size());
				List<Scribe> scribes = this.feed.read(this.reader, this.sentUpTo, limit);
				// a tombstone up to scanned was sent, or was not for the client
				if (compactedPast(this.scanned)) {
					return;
				}
				if (scribes.isEmpty()) {
					this.scanned = Math.max(this.scanned, head);
					releaseAnswers();
					if (this.scanned == head) {
						answerDigests();
					}
					return;
				}
				int sent = this.batched ? pushBatch(scribes) : pushEach(scribes);
				if (sent == scribes.size() && scribes.size() < limit) {
					this.scanned = Math.max(this.scanned, head);
				}
				releaseAnswers();
			}
		}
	}

	/**
	 * Whether compaction removed a tombstone above a position since the last read, so that
	 * a read after it may lack a destroy (docs/PROTOCOL.md section 8.8). The horizon only
	 * rises, together with the removal, so reading it after the log finds any removal the
	 * read missed. The connection is then closed: on its next one, the client's position
	 * is refused with 410 and it starts over.
	 */
	// called holding lock
	private boolean compactedPast(long position) {
		long now = this.feed.horizon();
		boolean past = now != this.horizon && now > position && this.horizon >= 0;
		this.horizon = now;
		if (past) {
			this.channel.close(1013, "The log was compacted past this connection's position; reconnect and sync");
		}
		return past;
	}

	/**
	 * Sends the next batch of a reset's records, and answers the requests that asked for it
	 * behind its last.
	 */
	// called holding lock
	private void sendRecords(Narrowing.Reset reset) {
		ScopedRecords.Page page = reset.records.after(reset.cursor, this.batchSize);
		List<String> texts = new ArrayList<>(page.records().size());
		List<String> ids = new ArrayList<>(page.records().size());
		int left = this.channel.messageBudget();
		String next = page.next();
		for (ObjectNode record : page.records()) {
			String text = MessageCodec.writeTree(record);
			int size = Channel.utf8Length(text);
			if (!texts.isEmpty() && size > left) {
				next = ids.get(ids.size() - 1);
				break;
			}
			texts.add(text);
			ids.add(record.get("id").asString());
			left -= size;
		}
		long id = this.channel.nextRequestId();
		this.unanswered.add(new Push(id, System.nanoTime()));
		this.channel.sendText(MessageCodec.records(id, reset.klass, reset.first, texts, next != null));
		ObjectNode result = JsonNodeFactory.instance.objectNode().put("klass", reset.klass);
		for (long requestId : this.narrowing.sent(ids, next)) {
			this.channel.send(new Message.Response(requestId, result, false));
		}
	}

	// called holding lock: one add_scribe per scribe, as protocol v1 pushes
	private int pushEach(List<Scribe> scribes) {
		for (Scribe scribe : scribes) {
			long id = this.channel.nextRequestId();
			this.unanswered.add(new Push(id, System.nanoTime()));
			this.channel.sendText(MessageCodec.addScribe(id, this.feed.json(scribe)));
			sent(scribe.id());
		}
		return scribes.size();
	}

	/**
	 * Sends one {@code add_scribes} with the scribes up to the first parked answer's
	 * landing, so that the answer goes out right behind the push that reaches it.
	 * @return how many of the scribes read it took or passed over
	 */
	// called holding lock
	private int pushBatch(List<Scribe> scribes) {
		long stop = this.parked.isEmpty() ? Long.MAX_VALUE : this.parked.firstKey();
		Batch batch = Batch.of(scribes, narrow(), this.feed::json, SCRIBES_PER_PUSH, this.channel.messageBudget(), stop,
				this.sentUpTo);
		if (!batch.scribes().isEmpty()) {
			long id = this.channel.nextRequestId();
			this.unanswered.add(new Push(id, System.nanoTime()));
			this.channel.sendText(MessageCodec.addScribes(id, batch.scribes()));
			batch.ids().forEach(this::sent);
		}
		this.sentUpTo = batch.lastId();
		this.scanned = Math.max(this.scanned, batch.lastId());
		int through = 0;
		while (through < scribes.size() && scribes.get(through).id() <= batch.lastId()) {
			through++;
		}
		return through;
	}

	// called holding lock
	private void sent(long scribeId) {
		this.sentUpTo = scribeId;
		this.scanned = Math.max(this.scanned, scribeId);
		if (!this.channel.isClosed()) {
			this.feed.pushed(scribeId);
		}
	}

	/**
	 * Takes the client's answer to a push: it answers that push and, answers being
	 * cumulative, every push sent before it.
	 * @param requestId the id of the push it answers
	 * @return whether a push with that id waited for its answer; if not, the reply answers
	 * nothing (a push answered already, or none sent) and changes nothing
	 */
	boolean answered(long requestId) {
		boolean opened;
		synchronized (this.lock) {
			if (this.unanswered.stream().noneMatch((push) -> push.requestId() == requestId)) {
				return false;
			}
			boolean full = this.unanswered.size() >= this.window;
			while (!this.unanswered.isEmpty() && this.unanswered.peekFirst().requestId() <= requestId) {
				this.unanswered.pollFirst();
			}
			opened = full && this.unanswered.size() < this.window;
		}
		if (opened) {
			wake();
		}
		return true;
	}

	/**
	 * Whether the oldest unanswered push has waited longer than a timeout.
	 * @param now a {@link System#nanoTime()} reading
	 * @param timeoutNanos the request timeout
	 * @return whether the client is overdue with an answer
	 */
	boolean checkAnswers(long now, long timeoutNanos) {
		synchronized (this.lock) {
			Push oldest = this.unanswered.peekFirst();
			return oldest != null && now - oldest.sentNanos() > timeoutNanos;
		}
	}

	/**
	 * Answers a client's played {@code add_scribe} (protocol v2) with where its play
	 * landed, once known and once every scribe up to the landing meant for the client was
	 * sent (up to the log's head then, when the play appended nothing for the client or
	 * its landing is not known).
	 * @param requestId the id of the client's {@code add_scribe}
	 * @param landing where the play landed; completes within the request timeout
	 */
	void answerLanded(long requestId, CompletableFuture<Landing> landing) {
		landing.completeOnTimeout(Landing.UNKNOWN, this.feed.landingTimeoutMillis(), TimeUnit.MILLISECONDS)
			.thenAccept((landed) -> {
				// an answer without a landing still waits for what the log held by then, so
				// that the client has seen the change that made its write change nothing
				long after = landed.appended() ? landed.at() : this.feed.head();
				synchronized (this.lock) {
					this.parked.computeIfAbsent(after, (at) -> new ArrayList<>()).add(new Parked(requestId, landed));
					releaseAnswers();
				}
			});
	}

	// called holding lock
	private void releaseAnswers() {
		while (!this.parked.isEmpty() && this.parked.firstKey() <= this.scanned) {
			for (Parked answer : this.parked.pollFirstEntry().getValue()) {
				this.channel.sendText(MessageCodec.encode(answer.toResponse(this.narrowing)));
			}
		}
	}

	/**
	 * An answer to a played {@code add_scribe}, waiting until the scribes up to its
	 * landing were sent.
	 */
	private record Parked(long requestId, Landing landed) {

		/**
		 * The answer: where the play landed, or {@code null} when the scribe it landed on
		 * was left out for this client (its record is outside the client's scopes), since
		 * the client would wait for it in vain.
		 */
		Message.Response toResponse(Narrowing narrowing) {
			JsonNode at = null;
			if (this.landed.isKnown()) {
				at = (this.landed.appended() && !narrowing.skipped(this.landed.at())) ? LongNode.valueOf(this.landed.at())
						: JsonNodeFactory.instance.nullNode();
			}
			return new Message.Response(this.requestId, BooleanNode.TRUE, false, at);
		}

	}

	/**
	 * A push waiting for its answer.
	 */
	private record Push(long requestId, long sentNanos) {
	}

	/**
	 * The log after a position as one read found it.
	 * @param head the head before the read
	 * @param horizon the watched horizon before the read
	 * @param scribes the scribes read
	 */
	private record Page(long head, long horizon, List<Scribe> scribes) {
	}

	/**
	 * A page being read ahead of the client's sync from its position.
	 */
	private record ReadAhead(long after, CompletableFuture<Page> page) {
	}

	/**
	 * What a delivery reads and reports, narrowed from the engine.
	 */
	interface Feed {

		List<Scribe> read(Reader reader, long after, int limit);

		List<Scribe> readComplete(Reader reader, long after, int limit);

		/**
		 * The highest scribe id announced as appended; every scribe up to it is in the log.
		 * @return the id
		 */
		long head();

		/**
		 * A scribe's JSON, written once for every session that sends it.
		 * @param scribe the scribe
		 * @return its JSON text
		 */
		String json(Scribe scribe);

		/**
		 * Runs delivery work on the engine's delivery threads.
		 * @param work the work
		 */
		void deliver(Runnable work);

		/**
		 * The threads that read ahead of clients' next syncs; they refuse a read while many
		 * wait.
		 * @return the executor
		 */
		Executor readAheads();

		long landingTimeoutMillis();

		/**
		 * The node's index of the log for digests.
		 * @return the index
		 */
		DigestIndex digests();

		/**
		 * The log's horizon, when live pushes must watch it (the log is compacted).
		 * @return the horizon, or -1 when not watched
		 */
		long horizon();

		void syncAnswered(int scribes);

		void pushed(long scribeId);

	}

}
