package io.syncro.session;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.LongFunction;

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

/**
 * The protocol channel of one connection: it turns what the connection receives into
 * messages (one per WebSocket frame, or cut from a byte stream by the 2-byte length
 * prefix), refuses what is too large or over the rate limit, matches replies to the
 * requests this side sent, and writes what this side sends through one queue, from one
 * thread at a time, so that sends never interleave. It knows nothing of scribes, logs or
 * sessions: requests go to its {@link Handler}.
 * <p>
 * Every inbound path takes from the rate limit, the connection's own and the one its
 * user's connections share: each request, each scribe of an answer to this side's pull
 * ({@link #admitPulledScribe}), and each reply that answers nothing this side waits for
 * (a reply is never answered, so one over the limit is dropped; the refusals count toward
 * the close with 1008 like those of requests). A reply larger than
 * {@value #MAX_SMALL_REPLY_BYTES} bytes is read only when it answers a request whose
 * answer may be that large (a {@code sync} or an {@code rpc}); any other is dropped unread
 * and counted as a refusal.
 * <p>
 * A connection with more than {@code maxPending} messages waiting to be written is
 * closed with 1013.
 */
final class Channel {

	private static final Logger logger = LoggerFactory.getLogger(Channel.class);

	/**
	 * The largest reply worth reading to a request whose answer is small: a push, a ping,
	 * an {@code add_scribe} are answered with {@code true} or an error of one sentence.
	 */
	static final int MAX_SMALL_REPLY_BYTES = 8192;

	private final String peer;

	private final Connection connection;

	private final EngineSettings settings;

	private final Executor executor;

	private final Handler handler;

	private final AtomicBoolean closed = new AtomicBoolean();

	private final Object inbound = new Object();

	private @Nullable FrameDecoder decoder;

	// messages (String) to write, in order, and at most one CloseAfterWrites at the end
	private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();

	// set when a close waits in the queue behind the messages before it: nothing more is
	// handled meanwhile
	private volatile boolean closeQueued;

	private final AtomicInteger pending = new AtomicInteger();

	private final AtomicInteger writers = new AtomicInteger();

	// the thread running writingHere, whose sends it writes itself once its work is done
	private volatile @Nullable Thread writingHere;

	// whether the thread writingHere is to write; only that thread touches it
	private boolean writeHereAfter;

	private final AtomicLong requestIds = new AtomicLong();

	private final Map<Long, CompletableFuture<Message>> awaiting = new ConcurrentHashMap<>();

	// the ids of the awaited requests whose reply may be as large as a message
	private final Set<Long> largeReplies = ConcurrentHashMap.newKeySet();

	private volatile long lastReceivedNanos = System.nanoTime();

	// null when requests are not limited
	private final @Nullable RateLimiter rateLimiter;

	// shared by the connections of this connection's user; null when there is none
	private final @Nullable RateLimiter userLimiter;

	Channel(String peer, Connection connection, EngineSettings settings, Executor executor,
			@Nullable RateLimiter userLimiter, Handler handler) {
		this.peer = peer;
		this.connection = connection;
		this.settings = settings;
		this.executor = executor;
		this.handler = handler;
		this.rateLimiter = settings.rateLimit().isLimited() ? new RateLimiter(settings.rateLimit(), System.nanoTime())
				: null;
		this.userLimiter = userLimiter;
	}

	boolean isClosed() {
		return this.closed.get();
	}

	int pendingMessages() {
		return this.pending.get();
	}

	/**
	 * When the peer last sent anything.
	 * @return a {@link System#nanoTime()} reading
	 */
	long lastReceivedNanos() {
		return this.lastReceivedNanos;
	}

	/**
	 * The largest message worth sending in one piece on this connection, in UTF-8 bytes:
	 * half of the smaller of this side's and the connection's limits.
	 */
	int messageBudget() {
		return Math.min(this.settings.maxMessageBytes(), this.connection.maxMessageBytes()) / 2;
	}

	// Inbound

	void receiveMessage(String text) {
		synchronized (this.inbound) {
			this.lastReceivedNanos = System.nanoTime();
			if (this.closed.get() || this.closeQueued) {
				return;
			}
			int bytes = utf8Length(text);
			if (bytes > this.settings.maxMessageBytes()) {
				tooLarge();
				return;
			}
			handle(text, bytes);
		}
	}

	void receiveData(byte[] bytes, int offset, int length) {
		synchronized (this.inbound) {
			this.lastReceivedNanos = System.nanoTime();
			if (this.decoder == null) {
				this.decoder = new FrameDecoder(Math.min(FrameEncoder.MAX_FRAME_BYTES, this.settings.maxMessageBytes()));
			}
			for (FrameDecoder.Frame frame : this.decoder.feed(bytes, offset, length)) {
				if (this.closed.get() || this.closeQueued) {
					return;
				}
				SyncroException error = frame.error();
				if (error == null) {
					handle(frame.message(), utf8Length(frame.message()));
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

	private void tooLarge() {
		// the 413 must reach the peer before the close, so the close waits behind it
		this.closeQueued = true;
		send(new SyncroException(ErrorCodes.TOO_LARGE,
				"The message is larger than " + this.settings.maxMessageBytes() + " bytes.").toMessage(null));
		enqueue(new CloseAfterWrites(1009, "Message too large"));
	}

	private void handle(String text, int bytes) {
		if (bytes > MAX_SMALL_REPLY_BYTES && isUnexpectedlyLargeReply(text)) {
			logger.debug("Dropped a reply of {} bytes from {}: it answers nothing that may be that large", bytes,
					this.peer);
			refuseReply();
			return;
		}
		Message message;
		try {
			message = MessageCodec.decode(text, this.settings.inputLimits());
		}
		catch (MessageCodec.DecodeException ex) {
			if (ex.isReply()) {
				logger.debug("Dropped a malformed reply from {}: {}", this.peer, ex.getMessage());
			}
			else if (allowed(ex.getRequestId(), null)) {
				// a malformed message of a type this connection does not speak is of an unknown type
				MessageCodec.Head head = MessageCodec.head(text);
				SyncroException error = (head != null && !this.handler.speaks(head.type()))
						? MessageCodec.unknownType(head.type()) : ex;
				send(error.toMessage(ex.getRequestId()));
			}
			return;
		}
		catch (SyncroException ex) {
			if (allowed(null, null)) {
				send(ex.toMessage(null));
			}
			return;
		}
		if (message instanceof Message.Hello hello) {
			this.handler.hello(hello);
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
			send(this.handler.request(request));
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
	 * Whether a reply may be read, before it is: a large reply is worth reading only when
	 * it answers a request of this side whose answer may be large.
	 */
	private boolean isUnexpectedlyLargeReply(String text) {
		MessageCodec.Head head = MessageCodec.head(text);
		if (head == null || !head.isReply()) {
			return false;
		}
		return head.id() == null || !this.largeReplies.contains(head.id());
	}

	/**
	 * Takes a request, malformed or not, from the rate limit; one over it is answered 429
	 * (with the scribe's id on an {@code add_scribe}, as it settles nothing), and a peer
	 * that goes on is closed with 1008 once the 429 is written.
	 * @return whether to handle the request
	 */
	private boolean allowed(@Nullable Long requestId, @Nullable Long scribeId) {
		RateLimiter.Outcome outcome = admit();
		if (outcome == RateLimiter.Outcome.ALLOWED) {
			return true;
		}
		send(new Message.Error(requestId, ErrorCodes.RATE_LIMITED, "Too many requests; slow down and retry later.",
				scribeId, null));
		if (outcome == RateLimiter.Outcome.ABUSIVE) {
			logger.info("Closing the connection to {}: it went on sending over its rate limit", this.peer);
			closeAfterWrites(1008, "Rate limit exceeded");
		}
		return false;
	}

	/**
	 * Takes a scribe of the peer's answer to this side's pull from the rate limit, as if
	 * it had come by {@code add_scribe}: one over it is reported with 429 and its id (it
	 * settles nothing, and the peer sends it again later), and a peer that goes on is
	 * closed with 1008.
	 * @param scribe the scribe's JSON
	 * @return whether to play it
	 */
	boolean admitPulledScribe(JsonNode scribe) {
		return (this.rateLimiter == null && this.userLimiter == null) || allowed(null, scribeIdOf(scribe));
	}

	/**
	 * Takes a reply that answers nothing this side waits for from the rate limit. Replies
	 * are never answered, so one over the limit is dropped without a word; the refusal
	 * counts toward the close for abuse all the same.
	 * @return whether to handle the reply
	 */
	private boolean admitReply() {
		RateLimiter.Outcome outcome = admit();
		if (outcome == RateLimiter.Outcome.ABUSIVE) {
			logger.info("Closing the connection to {}: it went on sending replies to nothing over its rate limit",
					this.peer);
			closeAfterWrites(1008, "Rate limit exceeded");
		}
		return outcome == RateLimiter.Outcome.ALLOWED;
	}

	/**
	 * Counts a reply dropped unread as a refusal, toward the close for abuse.
	 */
	private void refuseReply() {
		long now = System.nanoTime();
		RateLimiter.Outcome outcome = RateLimiter.Outcome.REFUSED;
		if (this.rateLimiter != null) {
			outcome = worse(outcome, this.rateLimiter.refuse(now));
		}
		if (this.userLimiter != null) {
			outcome = worse(outcome, this.userLimiter.refuse(now));
		}
		if (outcome == RateLimiter.Outcome.ABUSIVE) {
			logger.info("Closing the connection to {}: it went on sending replies larger than anything it was asked",
					this.peer);
			closeAfterWrites(1008, "Unexpected replies");
		}
	}

	/**
	 * Takes a token from the connection's limit, then from its user's.
	 */
	private RateLimiter.Outcome admit() {
		long now = System.nanoTime();
		RateLimiter.Outcome outcome = (this.rateLimiter != null) ? this.rateLimiter.acquire(now)
				: RateLimiter.Outcome.ALLOWED;
		if (outcome == RateLimiter.Outcome.ALLOWED && this.userLimiter != null) {
			outcome = this.userLimiter.acquire(now);
		}
		return outcome;
	}

	private static RateLimiter.Outcome worse(RateLimiter.Outcome one, RateLimiter.Outcome other) {
		return (one.compareTo(other) >= 0) ? one : other;
	}

	private static @Nullable Long scribeIdOf(JsonNode scribe) {
		try {
			return Scribe.idOf(scribe);
		}
		catch (SyncroException ex) {
			return null;
		}
	}

	private void replied(Message reply) {
		if (reply instanceof Message.Error error && error.id() == null) {
			if (!admitReply()) {
				return;
			}
			logger.debug("{} reported error {}: {}", this.peer, error.code(), error.message());
			this.handler.unsolicitedError(error);
			return;
		}
		long id = (reply instanceof Message.Response response) ? response.id() : ((Message.Error) reply).id();
		CompletableFuture<Message> future = this.awaiting.remove(id);
		if (future != null) {
			future.complete(reply);
		}
		else if (!this.handler.untrackedReply(id, reply)) {
			// it answers nothing: a late reply to a request that timed out, or none at all
			admitReply();
		}
	}

	// Requests of this side

	/**
	 * An id for a request whose reply this side follows itself, through
	 * {@link Handler#untrackedReply}, rather than with a future and a timeout each (a
	 * push, of which there are many).
	 * @return the next request id
	 */
	long nextRequestId() {
		return this.requestIds.incrementAndGet();
	}

	/**
	 * Sends a request whose reply is small (an {@code add_scribe}) and follows its reply.
	 * The follower is in place before the request goes out, so the reply is handled on the
	 * thread that received it, before the messages behind it, and never later on the
	 * sender's thread: the writer may send the request and the reply come back before this
	 * returns.
	 * @param build writes the request's text for the id it gets
	 * @param follow given the reply, or the failure when the connection closes or the
	 * request times out
	 */
	void requestText(LongFunction<String> build, BiConsumer<@Nullable Message, @Nullable Throwable> follow) {
		long id = this.requestIds.incrementAndGet();
		track(id, false).whenComplete(follow);
		enqueue(build.apply(id));
	}

	/**
	 * Sends a request and follows its reply, which may be as large as a message for a
	 * {@code sync} or an {@code rpc}, and is small for anything else.
	 * @param build the request for the id it gets
	 * @return the reply; fails when the connection closes or the request times out
	 */
	CompletableFuture<Message> request(LongFunction<Message.Request> build) {
		return request(build, Function.identity());
	}

	/**
	 * Sends a request whose reply is processed as it is received, before any message that
	 * follows it on the connection.
	 * @param build makes the request with the id it is given
	 * @param process applied to the reply on the thread that received it
	 * @return what {@code process} returned
	 */
	<T> CompletableFuture<T> request(LongFunction<Message.Request> build, Function<Message, T> process) {
		long id = this.requestIds.incrementAndGet();
		Message.Request request = build.apply(id);
		CompletableFuture<Message> reply = track(id,
				request instanceof Message.Sync || request instanceof Message.Rpc);
		CompletableFuture<T> processed = reply.thenApply(process);
		enqueue(MessageCodec.encode(request));
		return processed;
	}

	private CompletableFuture<Message> track(long id, boolean largeReply) {
		CompletableFuture<Message> reply = new CompletableFuture<>();
		if (this.closed.get()) {
			reply.completeExceptionally(gone());
			return reply;
		}
		if (largeReply) {
			this.largeReplies.add(id);
		}
		this.awaiting.put(id, reply);
		reply.orTimeout(this.settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
			.whenComplete((result, failure) -> {
				this.awaiting.remove(id);
				this.largeReplies.remove(id);
			});
		return reply;
	}

	private static SyncroException gone() {
		return new SyncroException(ErrorCodes.INTERNAL_ERROR, "The connection was closed.");
	}

	// Outbound

	void send(@Nullable Message message) {
		if (message != null) {
			if (message instanceof Message.Error error) {
				this.handler.errorSent(error.code());
			}
			enqueue(MessageCodec.encode(message));
		}
	}

	/**
	 * Sends a message already written by {@link MessageCodec}.
	 * @param text the message's JSON text
	 */
	void sendText(String text) {
		enqueue(text);
	}

	/**
	 * Closes the connection once what was queued before is written; nothing received
	 * meanwhile is handled.
	 */
	void closeAfterWrites(int code, String reason) {
		this.closeQueued = true;
		enqueue(new CloseAfterWrites(code, reason));
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
		this.queue.add(item);
		if (this.writers.getAndIncrement() == 0) {
			if (Thread.currentThread() == this.writingHere) {
				this.writeHereAfter = true;
				return;
			}
			try {
				this.executor.execute(this::write);
			}
			catch (RejectedExecutionException ex) {
				close(1001, "Server going away");
			}
		}
	}

	/**
	 * Runs work that sends, and then writes what it sent on the calling thread rather than
	 * handing it to a writer thread, unless a writer is at work on this channel already;
	 * for the work of a thread that may block on a write, such as a push. What the work
	 * sends goes out together once it is done, after anything queued before it.
	 * @param work the work
	 */
	void writingHere(Runnable work) {
		this.writingHere = Thread.currentThread();
		try {
			work.run();
		}
		finally {
			this.writingHere = null;
			if (this.writeHereAfter) {
				this.writeHereAfter = false;
				write();
			}
		}
	}

	private void write() {
		int missed = 1;
		do {
			Object item;
			boolean sent = false;
			while ((item = this.queue.poll()) != null) {
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
					this.connection.send((String) item, !this.queue.isEmpty());
					sent = true;
				}
				catch (IOException | RuntimeException ex) {
					logger.debug("Sending to {} failed; closing", this.peer, ex);
					close(1011, "Send failed");
					return;
				}
			}
			try {
				if (sent) {
					this.connection.flush();
				}
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

	/**
	 * Closes the connection and ends the channel.
	 */
	void close(int code, String reason) {
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
	 * Ends the channel whose connection was closed by the transport or the peer.
	 */
	void closed() {
		end();
	}

	private boolean end() {
		if (!this.closed.compareAndSet(false, true)) {
			return false;
		}
		this.queue.clear();
		this.pending.set(0);
		SyncroException gone = gone();
		this.awaiting.values().forEach((future) -> future.completeExceptionally(gone));
		this.awaiting.clear();
		this.largeReplies.clear();
		this.handler.ended();
		return true;
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

	/**
	 * What the channel hands on: the peer's requests, its errors that answer nothing of
	 * this side's, and the end of the connection.
	 */
	interface Handler {

		/**
		 * Answers a request of the peer.
		 * @param request the request
		 * @return the reply to send now, or {@code null} when it is sent later or was sent
		 * @throws SyncroException to answer with that error
		 */
		@Nullable Message request(Message.Request request);

		/**
		 * Whether the connection speaks a message type (one of a newer protocol version may
		 * be unknown to it).
		 * @param type the type
		 * @return whether it does
		 */
		default boolean speaks(String type) {
			return true;
		}

		/**
		 * Takes an error of the peer that answers no request of this side, such as a
		 * client's report on a scribe the server pulled.
		 * @param error the error
		 */
		void unsolicitedError(Message.Error error);

		/**
		 * Takes a reply to a request sent with an id from {@link #nextRequestId()}, or a
		 * late reply to one that timed out, or a reply to nothing at all.
		 * @param id the id of the request it answers
		 * @param reply the reply
		 * @return whether it answered a request of this side that waited for it; one that
		 * did not takes from the rate limit
		 */
		boolean untrackedReply(long id, Message reply);

		/**
		 * Takes the server's {@code hello} (protocol v2).
		 * @param hello the hello
		 */
		void hello(Message.Hello hello);

		/**
		 * Told that an error was sent to the peer, for metrics.
		 * @param code the error code
		 */
		void errorSent(int code);

		/**
		 * Told once, when the channel ends.
		 */
		void ended();

	}

	/**
	 * A queue entry that closes the connection once the messages before it are written.
	 */
	private record CloseAfterWrites(int code, String reason) {
	}

}
