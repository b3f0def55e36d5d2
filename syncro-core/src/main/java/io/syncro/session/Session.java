package io.syncro.session;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import io.syncro.protocol.ErrorCodes;
import io.syncro.protocol.FrameDecoder;
import io.syncro.protocol.FrameEncoder;
import io.syncro.protocol.Message;
import io.syncro.protocol.MessageCodec;
import io.syncro.protocol.SyncroException;
import io.syncro.scribe.Scribe;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.BooleanNode;
import tools.jackson.databind.node.LongNode;

/**
 * One connection to one peer (the original's {@code Session}). Fed what the connection
 * receives, by {@link #receiveMessage} on message transports or {@link #receiveData} on
 * byte streams, it answers every request of PROTOCOL.md section 3 and runs the
 * connection's life of section 5: it pulls the peer's scribes on open, answers the peer's
 * {@code sync} in batches, and once the peer is in sync pushes it every new scribe meant
 * for it, in strictly increasing id order, none skipped and none twice.
 * <p>
 * Inbound messages are handled one at a time, in order. Outbound messages go through one
 * queue written by one thread at a time, so sends never interleave; a connection with
 * more than {@code maxPending} unwritten messages is closed with 1013.
 *
 * @since 0.1.0
 */
public final class Session {

	private static final Logger logger = LoggerFactory.getLogger(Session.class);

	private static final Pattern UID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

	private static final String BUILT_IN_KLASS = "Syncro";

	private static final long MAX_RETRY_DELAY_MILLIS = 30_000;

	private final SyncroEngine engine;

	private final EngineSettings settings;

	private final String peer;

	private final Connection connection;

	private final SessionListener listener;

	private final AtomicBoolean closed = new AtomicBoolean();

	private final Object inbound = new Object();

	private @Nullable FrameDecoder decoder;

	// messages (String) to write, in order, and at most one CloseAfterWrites at the end
	private final ConcurrentLinkedQueue<Object> outbox = new ConcurrentLinkedQueue<>();

	// set when a close waits in the outbox behind the messages before it: nothing more is
	// handled meanwhile
	private volatile boolean closeQueued;

	private final AtomicInteger pending = new AtomicInteger();

	private final AtomicInteger writers = new AtomicInteger();

	private final AtomicLong requestIds = new AtomicLong();

	private final Map<Long, CompletableFuture<Message>> awaiting = new ConcurrentHashMap<>();

	private final Object delivery = new Object();

	private final AtomicInteger wakeups = new AtomicInteger();

	// guarded by delivery
	private boolean live;

	// guarded by delivery: the highest scribe id sent on this connection, by push or sync
	private long sentUpTo;

	// client role: own scribes pushed again to learn the outcome their lost answers had
	private final ConcurrentSkipListSet<Long> relearning = new ConcurrentSkipListSet<>();

	// client role: the highest mark the server pulled from on this connection
	private final AtomicLong serverMark = new AtomicLong();

	// guarded by delivery: bumped when pushes restart from an earlier id, so that late
	// replies to the pushes before it do not restart them again
	private long pushGeneration;

	private volatile long retryDelayMillis = 100;

	// guarded by inbound; null when requests are not limited
	private final @Nullable RateLimiter rateLimiter;

	Session(SyncroEngine engine, String peer, Connection connection, SessionListener listener) {
		this.engine = engine;
		this.settings = engine.settings();
		this.peer = peer;
		this.connection = connection;
		this.listener = listener;
		this.rateLimiter = this.settings.rateLimit().isLimited()
				? new RateLimiter(this.settings.rateLimit(), System.nanoTime()) : null;
	}

	/**
	 * Whether a string is a valid client uid: 1 to 64 characters of
	 * {@code [A-Za-z0-9_.:-]}.
	 * @param uid a candidate uid
	 * @return whether it is valid
	 */
	public static boolean isValidUid(String uid) {
		return UID.matcher(uid).matches();
	}

	/**
	 * The peer's uid.
	 * @return the uid
	 */
	public String peer() {
		return this.peer;
	}

	/**
	 * Whether the session has ended.
	 * @return whether closed
	 */
	public boolean isClosed() {
		return this.closed.get();
	}

	/**
	 * Whether the peer is in sync and receives live pushes.
	 * @return whether live
	 */
	public boolean isLive() {
		synchronized (this.delivery) {
			return this.live;
		}
	}

	/**
	 * The number of messages waiting to be written to the connection.
	 * @return the count
	 */
	public int pendingMessages() {
		return this.pending.get();
	}

	void start() {
		pull();
	}

	/**
	 * Handles one message received on a message transport (one JSON object per frame).
	 * @param text the message
	 */
	public void receiveMessage(String text) {
		synchronized (this.inbound) {
			if (this.closed.get() || this.closeQueued) {
				return;
			}
			if (utf8Length(text) > this.settings.maxMessageBytes()) {
				tooLarge();
				return;
			}
			handle(text);
		}
	}

	/**
	 * Handles bytes received on a byte-stream transport, where each message is preceded by
	 * its 2-byte length. Partial input is kept until the rest arrives.
	 * @param bytes the buffer
	 * @param offset where the received bytes start
	 * @param length how many bytes were received
	 */
	public void receiveData(byte[] bytes, int offset, int length) {
		synchronized (this.inbound) {
			if (this.decoder == null) {
				this.decoder = new FrameDecoder(Math.min(FrameEncoder.MAX_FRAME_BYTES, this.settings.maxMessageBytes()));
			}
			for (FrameDecoder.Frame frame : this.decoder.feed(bytes, offset, length)) {
				if (this.closed.get() || this.closeQueued) {
					return;
				}
				SyncroException error = frame.error();
				if (error == null) {
					handle(frame.message());
				}
				else if (error.getCode() == ErrorCodes.TOO_LARGE) {
					tooLarge();
					return;
				}
				else {
					send(error.toMessage(null));
				}
			}
		}
	}

	/**
	 * Handles bytes received on a byte-stream transport.
	 * @param bytes the received bytes
	 */
	public void receiveData(byte[] bytes) {
		receiveData(bytes, 0, bytes.length);
	}

	/**
	 * Calls a method the peer exposes.
	 * @param klass the rpc klass
	 * @param method the method name
	 * @param args the arguments
	 * @return the result, or a failure with the peer's {@link SyncroException}
	 */
	public CompletableFuture<JsonNode> rpc(String klass, String method, ArrayNode args) {
		return request((id) -> new Message.Rpc(id, klass, method, args)).thenApply(Session::result);
	}

	/**
	 * Pings the peer.
	 * @return completes when the peer answered
	 */
	public CompletableFuture<JsonNode> noop() {
		return request(Message.Noop::new).thenApply(Session::result);
	}

	/**
	 * Closes the session and its connection.
	 * @param code the WebSocket close code
	 * @param reason a short reason
	 */
	public void close(int code, String reason) {
		if (end()) {
			try {
				this.connection.close(code, reason);
			}
			catch (RuntimeException ex) {
				logger.debug("Closing the connection to {} failed", this.peer, ex);
			}
		}
	}

	/**
	 * Tells the session that its connection was closed by the transport or the peer.
	 */
	public void closed() {
		end();
	}

	private boolean end() {
		if (!this.closed.compareAndSet(false, true)) {
			return false;
		}
		this.engine.removed(this);
		this.outbox.clear();
		this.pending.set(0);
		SyncroException gone = new SyncroException(ErrorCodes.INTERNAL_ERROR, "The connection was closed.");
		this.awaiting.values().forEach((future) -> future.completeExceptionally(gone));
		this.awaiting.clear();
		this.listener.closed(this);
		return true;
	}

	private void tooLarge() {
		// the 413 must reach the peer before the close, so the close waits behind it
		this.closeQueued = true;
		send(new SyncroException(ErrorCodes.TOO_LARGE,
				"The message is larger than " + this.settings.maxMessageBytes() + " bytes.").toMessage(null));
		enqueue(new CloseAfterWrites(1009, "Message too large"));
	}

	// Inbound

	private void handle(String text) {
		Message message;
		try {
			message = MessageCodec.decode(text, this.settings.inputLimits());
		}
		catch (MessageCodec.DecodeException ex) {
			if (ex.isReply()) {
				logger.debug("Dropped a malformed reply from {}: {}", this.peer, ex.getMessage());
			}
			else if (allowed(ex.getRequestId(), null)) {
				send(ex.toMessage(ex.getRequestId()));
			}
			return;
		}
		catch (SyncroException ex) {
			if (allowed(null, null)) {
				send(ex.toMessage(null));
			}
			return;
		}
		if (message instanceof Message.Response || message instanceof Message.Error) {
			replied(message);
			return;
		}
		Message.Request request = (Message.Request) message;
		if (!allowed(request.id(), (request instanceof Message.AddScribe add) ? scribeIdOf(add.scribe()) : null)) {
			return;
		}
		try {
			send(answer(request));
		}
		catch (SyncroException ex) {
			send(ex.toMessage(request.id()));
		}
		catch (RuntimeException ex) {
			logger.error("Answering a {} from {} failed", request.type(), this.peer, ex);
			send(new Message.Error(request.id(), ErrorCodes.INTERNAL_ERROR, "An internal error occurred.", null, null));
		}
	}

	/**
	 * Takes a request, malformed or not, from the rate limit; one over it is answered 429
	 * (with the scribe's id on an {@code add_scribe}, as it settles nothing), and a peer
	 * that goes on is closed with 1008 once the 429 is written.
	 * @return whether to handle the request
	 */
	private boolean allowed(@Nullable Long requestId, @Nullable Long scribeId) {
		RateLimiter limiter = this.rateLimiter;
		if (limiter == null) {
			return true;
		}
		RateLimiter.Outcome outcome = limiter.acquire(System.nanoTime());
		if (outcome == RateLimiter.Outcome.ALLOWED) {
			return true;
		}
		send(new Message.Error(requestId, ErrorCodes.RATE_LIMITED,
				"Too many requests; slow down and retry later.", scribeId, null));
		if (outcome == RateLimiter.Outcome.ABUSIVE) {
			logger.info("Closing the connection to {}: it went on sending over its rate limit", this.peer);
			this.closeQueued = true;
			enqueue(new CloseAfterWrites(1008, "Rate limit exceeded"));
		}
		return false;
	}

	private static @Nullable Long scribeIdOf(JsonNode scribe) {
		try {
			return Scribe.idOf(scribe);
		}
		catch (SyncroException ex) {
			return null;
		}
	}

	private @Nullable Message answer(Message.Request request) {
		if (request instanceof Message.Sync sync) {
			answerSync(sync);
			return null;
		}
		if (request instanceof Message.AddScribe add) {
			SyncroException error = this.engine.receive(this.peer, add.scribe());
			if (error != null && this.settings.role() == EngineSettings.Role.CLIENT
					&& !ErrorCodes.isFinal(error.getCode())) {
				// a client that cannot play a server's scribe must not move past it
				close(1011, "Could not play a scribe");
			}
			return (error != null) ? error.toMessage(add.id()) : new Message.Response(add.id(), BooleanNode.TRUE, false);
		}
		if (request instanceof Message.Rpc rpc) {
			return new Message.Response(rpc.id(), call(rpc), false);
		}
		return new Message.Response(request.id(), BooleanNode.TRUE, false);
	}

	private JsonNode call(Message.Rpc rpc) {
		if (BUILT_IN_KLASS.equals(rpc.klass())) {
			if ("last_scribe_id".equals(rpc.method())) {
				return LongNode.valueOf(this.engine.log().lastId(this.peer));
			}
			throw new SyncroException(ErrorCodes.METHOD_NOT_ALLOWED,
					"The method '" + rpc.method() + "' is not exposed on 'Syncro'.");
		}
		return this.engine.rpc().call(this.peer, rpc.klass(), rpc.method(), rpc.args());
	}

	private void replied(Message reply) {
		long id;
		if (reply instanceof Message.Response response) {
			id = response.id();
		}
		else {
			Message.Error error = (Message.Error) reply;
			if (error.id() == null) {
				logger.debug("{} reported error {}: {}", this.peer, error.code(), error.message());
				if (error.scribe() != null && ErrorCodes.isFinal(error.code())) {
					this.listener.refused(this, error.scribe(), error.code(), error.message());
				}
				else if (error.scribe() != null && this.settings.role() == EngineSettings.Role.CLIENT) {
					retryPulled(error.scribe(), error);
				}
				return;
			}
			id = error.id();
		}
		CompletableFuture<Message> future = this.awaiting.remove(id);
		if (future != null) {
			future.complete(reply);
		}
	}

	// Answering the peer's sync

	private void answerSync(Message.Sync sync) {
		long from = (sync.from() != null) ? sync.from() : 0;
		if (from < 0) {
			throw SyncroException.badRequest("The field 'from' must not be negative.");
		}
		List<Scribe> unanswered = List.of();
		if (from > 0) {
			unanswered = unansweredUpTo(from);
			unanswered.forEach((scribe) -> this.relearning.add(scribe.id()));
			this.serverMark.accumulateAndGet(from, Math::max);
			settleUpTo(from);
		}
		boolean wentLive = false;
		boolean more;
		synchronized (this.delivery) {
			int batchSize = this.settings.batchSize();
			List<Scribe> scribes = this.engine.log().readComplete(this.peer, from, batchSize + 1);
			more = scribes.size() > batchSize;
			StringBuilder answer = new StringBuilder(256).append("{\"type\":\"response\",\"id\":")
				.append(sync.id())
				.append(",\"result\":[");
			int budget = Math.min(this.settings.maxMessageBytes(), this.connection.maxMessageBytes()) / 2;
			long last = from;
			int count = 0;
			for (Scribe scribe : scribes) {
				String json = this.engine.json(scribe);
				int size = utf8Length(json);
				if (count == batchSize || (count > 0 && size > budget)) {
					more = true;
					break;
				}
				answer.append((count > 0) ? "," : "").append(json);
				budget -= size;
				last = scribe.id();
				count++;
			}
			answer.append(']').append(more ? ",\"more\":true}" : "}");
			this.engine.syncAnswered(this, count);
			this.sentUpTo = Math.max(this.sentUpTo, last);
			if (!more && !this.live) {
				this.live = true;
				wentLive = true;
			}
			enqueue(answer.toString());
			unanswered.forEach(this::relearn);
		}
		if (wentLive) {
			this.engine.clients().markSynced(this.peer);
		}
		if (!more) {
			wake();
		}
	}

	/**
	 * A client's own scribes up to the server's mark that it sent on an earlier
	 * connection: the server settled them, but their answers were lost with that
	 * connection. They are pushed again, and the server answers each duplicate with the
	 * outcome it had (PROTOCOL.md 4), so a refusal is not taken for a success.
	 */
	private List<Scribe> unansweredUpTo(long from) {
		if (this.settings.role() != EngineSettings.Role.CLIENT) {
			return List.of();
		}
		long after;
		synchronized (this.delivery) {
			after = this.sentUpTo;
		}
		if (after >= from) {
			return List.of();
		}
		return this.engine.log()
			.read(this.peer, after, (int) Math.min(from - after, Integer.MAX_VALUE))
			.stream()
			.filter((scribe) -> scribe.id() <= from)
			.toList();
	}

	/**
	 * Tells the listener that the server settled this peer's scribes up to a mark, short
	 * of the first one whose outcome is still being learnt.
	 */
	private void settleUpTo(long mark) {
		Long first = this.relearning.isEmpty() ? null : this.relearning.first();
		long upTo = (first != null) ? Math.min(mark, first - 1) : mark;
		if (upTo > 0) {
			this.listener.settled(this, upTo);
		}
	}

	// called holding delivery
	private void relearn(Scribe scribe) {
		long id = this.requestIds.incrementAndGet();
		track(id).whenComplete((reply, failure) -> relearned(scribe, reply));
		enqueue(addScribe(id, scribe));
	}

	/**
	 * An {@code add_scribe} request carrying a scribe, with its JSON as the engine
	 * serialised it once for every session.
	 */
	private String addScribe(long requestId, Scribe scribe) {
		return "{\"type\":\"add_scribe\",\"id\":" + requestId + ",\"scribe\":" + this.engine.json(scribe) + "}";
	}

	private void relearned(Scribe scribe, @Nullable Message reply) {
		if (reply instanceof Message.Error error && ErrorCodes.isFinal(error.code())) {
			this.listener.refused(this, scribe.id(), error.code(), error.message());
		}
		else if (!(reply instanceof Message.Response)) {
			if (reply != null && !this.closed.get()) {
				// a transient failure: ask again later; the connection's end leaves it pending
				CompletableFuture.delayedExecutor(this.retryDelayMillis, TimeUnit.MILLISECONDS, this.engine.executor())
					.execute(() -> {
						synchronized (this.delivery) {
							relearn(scribe);
						}
					});
			}
			return;
		}
		this.relearning.remove(scribe.id());
		settleUpTo(this.serverMark.get());
	}

	// Pulling the peer's scribes

	private void pull() {
		long from = this.engine.clients().mark(this.peer);
		request((id) -> new Message.Sync(id, (from > 0) ? from : null)).whenComplete((reply, failure) -> {
			if (failure != null) {
				logger.debug("Pulling from {} failed: {}", this.peer, failure.getMessage());
			}
			else {
				pulled(from, reply);
			}
		});
	}

	private void pulled(long from, Message reply) {
		if (!(reply instanceof Message.Response response) || !response.result().isArray()) {
			logger.debug("{} did not answer the pull with scribes: {}", this.peer, reply);
			return;
		}
		for (JsonNode scribe : response.result()) {
			SyncroException error = this.engine.receive(this.peer, scribe);
			if (error != null) {
				send(error.toMessage(null));
				if (!ErrorCodes.isFinal(error.getCode())) {
					return;
				}
			}
		}
		boolean moved = this.engine.clients().mark(this.peer) != from;
		if (moved && (response.more() || this.settings.role() == EngineSettings.Role.SERVER)) {
			pull();
		}
		else {
			this.listener.synced(this);
		}
	}

	// Live pushes

	void wake() {
		if (this.wakeups.getAndIncrement() == 0) {
			try {
				this.engine.deliveries().execute(this::deliver);
			}
			catch (RejectedExecutionException ex) {
				close(1001, "Server going away");
			}
		}
	}

	private void deliver() {
		int missed = 1;
		do {
			try {
				pushNew();
			}
			catch (RuntimeException ex) {
				logger.warn("Pushing to {} failed; it catches up on its next sync", this.peer, ex);
				close(1011, "Internal error");
			}
			missed = this.wakeups.addAndGet(-missed);
		}
		while (missed != 0);
	}

	private void pushNew() {
		synchronized (this.delivery) {
			int batchSize = this.settings.batchSize();
			while (this.live && !this.closed.get()) {
				List<Scribe> scribes = this.engine.log().read(this.peer, this.sentUpTo, batchSize);
				for (Scribe scribe : scribes) {
					push(scribe);
					this.sentUpTo = scribe.id();
					if (!this.closed.get()) {
						this.engine.pushed(this, scribe.id());
					}
				}
				if (scribes.size() < batchSize) {
					return;
				}
			}
		}
	}

	// called holding delivery
	private void push(Scribe scribe) {
		long id = this.requestIds.incrementAndGet();
		if (this.settings.role() == EngineSettings.Role.CLIENT) {
			long generation = this.pushGeneration;
			track(id).whenComplete((reply, failure) -> pushAnswered(scribe.id(), generation, reply));
		}
		enqueue(addScribe(id, scribe));
	}

	/**
	 * Follows the outcome of a scribe this client pushed: a gap makes it resend from the
	 * id the server expects, a transient failure resends after a growing delay.
	 */
	private void pushAnswered(long scribeId, long generation, @Nullable Message reply) {
		if (reply instanceof Message.Response) {
			this.retryDelayMillis = 100;
			this.listener.settled(this, scribeId);
			return;
		}
		if (reply instanceof Message.Error error && ErrorCodes.isFinal(error.code())) {
			this.listener.settled(this, scribeId);
			this.listener.refused(this, scribeId, error.code(), error.message());
			return;
		}
		if (reply instanceof Message.Error error && error.code() == ErrorCodes.CONFLICT && error.expected() != null) {
			resendFrom(error.expected(), generation);
			wake();
			return;
		}
		if (this.closed.get()) {
			return;
		}
		long delay = this.retryDelayMillis;
		this.retryDelayMillis = Math.min(delay * 2, MAX_RETRY_DELAY_MILLIS);
		CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS, this.engine.executor()).execute(() -> {
			resendFrom(scribeId, generation);
			wake();
		});
	}

	/**
	 * The server's pull ended at one of this client's scribes, which settled nothing (a
	 * transient failure or a gap): the server will not pull again on this connection, so
	 * the client retries it by push, from that scribe on, as it would a push that failed.
	 */
	private void retryPulled(long scribeId, Message.Error error) {
		long generation;
		synchronized (this.delivery) {
			this.live = true;
			generation = this.pushGeneration;
		}
		pushAnswered(scribeId, generation, error);
	}

	private void resendFrom(long scribeId, long generation) {
		synchronized (this.delivery) {
			if (generation == this.pushGeneration) {
				this.pushGeneration++;
				this.sentUpTo = scribeId - 1;
			}
		}
	}

	// Outbound

	private CompletableFuture<Message> request(java.util.function.LongFunction<Message.Request> build) {
		long id = this.requestIds.incrementAndGet();
		CompletableFuture<Message> reply = track(id);
		send(build.apply(id));
		return reply;
	}

	private CompletableFuture<Message> track(long id) {
		CompletableFuture<Message> reply = new CompletableFuture<>();
		if (this.closed.get()) {
			reply.completeExceptionally(new SyncroException(ErrorCodes.INTERNAL_ERROR, "The connection was closed."));
			return reply;
		}
		this.awaiting.put(id, reply);
		reply.orTimeout(this.settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
			.whenComplete((result, failure) -> this.awaiting.remove(id));
		return reply;
	}

	private static JsonNode result(Message reply) {
		if (reply instanceof Message.Error error) {
			throw new SyncroException(error.code(), error.message(), error.scribe(), error.expected());
		}
		return ((Message.Response) reply).result();
	}

	private void send(@Nullable Message message) {
		if (message != null) {
			if (message instanceof Message.Error error) {
				this.engine.errorSent(this, error.code());
			}
			enqueue(MessageCodec.encode(message));
		}
	}

	private void enqueue(Object item) {
		if (this.closed.get()) {
			return;
		}
		if (this.pending.incrementAndGet() > this.settings.maxPending()) {
			logger.info("Closing the connection to {}: more than {} messages pending", this.peer,
					this.settings.maxPending());
			close(1013, "Too many messages pending; reconnect and sync");
			return;
		}
		this.outbox.add(item);
		if (this.writers.getAndIncrement() == 0) {
			execute(this::write);
		}
	}

	private void write() {
		int missed = 1;
		do {
			Object item;
			while ((item = this.outbox.poll()) != null) {
				this.pending.decrementAndGet();
				if (item instanceof CloseAfterWrites closing) {
					try {
						this.connection.flush();
					}
					catch (IOException | RuntimeException ex) {
						logger.debug("Sending to {} failed before closing", this.peer, ex);
					}
					close(closing.code(), closing.reason());
					return;
				}
				try {
					this.connection.send((String) item);
				}
				catch (IOException | RuntimeException ex) {
					logger.debug("Sending to {} failed; closing", this.peer, ex);
					close(1011, "Send failed");
					return;
				}
			}
			try {
				this.connection.flush();
			}
			catch (IOException | RuntimeException ex) {
				logger.debug("Sending to {} failed; closing", this.peer, ex);
				close(1011, "Send failed");
				return;
			}
			missed = this.writers.addAndGet(-missed);
		}
		while (missed != 0);
	}

	private void execute(Runnable task) {
		try {
			this.engine.executor().execute(task);
		}
		catch (RejectedExecutionException ex) {
			close(1001, "Server going away");
		}
	}

	static int utf8Length(String text) {
		if (text.length() * 3L <= Integer.MAX_VALUE && text.length() <= 65535) {
			int bytes = 0;
			for (int i = 0; i < text.length(); i++) {
				char c = text.charAt(i);
				bytes += (c < 0x80) ? 1 : (c < 0x800) ? 2 : Character.isSurrogate(c) ? 2 : 3;
			}
			return bytes;
		}
		return text.getBytes(StandardCharsets.UTF_8).length;
	}

	@Override
	public String toString() {
		return "Session[" + this.peer + "]";
	}

	/**
	 * An outbox entry that closes the connection once the messages before it are written.
	 */
	private record CloseAfterWrites(int code, String reason) {
	}

}
