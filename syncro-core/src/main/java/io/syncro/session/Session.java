package io.syncro.session;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.regex.Pattern;

import io.syncro.protocol.ErrorCodes;
import io.syncro.protocol.Message;
import io.syncro.protocol.MessageCodec;
import io.syncro.protocol.ProtocolVersion;
import io.syncro.protocol.SyncroException;
import io.syncro.scribe.Identity;
import io.syncro.scribe.Reader;
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
 * connection's life of section 5: it pulls the peer's scribes on open, and answers the
 * peer's pull of its own.
 * <p>
 * It is made of three parts, each on a narrow interface: the {@link Channel} (framing,
 * limits, request correlation, the outbound queue), and on a server the {@link Delivery}
 * (sync answers and live pushes from the log) or on a client the {@link Pusher} (its own
 * scribes, with their retries). The session itself plays what the peer sends, through its
 * {@link Host}.
 *
 * @since 0.1.0
 */
public final class Session {

	private static final Logger logger = LoggerFactory.getLogger(Session.class);

	private static final Pattern UID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

	private static final String BUILT_IN_KLASS = "Syncro";

	private final Host host;

	private final String peer;

	// who the peer is: its user's connections share a rate limit, and policies see it
	private final Identity identity;

	private final SessionListener listener;

	private final Channel channel;

	private final boolean server;

	private volatile int version;

	// the server's part; null on a client
	private final @Nullable Delivery delivery;

	// the client's part; null on a server
	private final @Nullable Pusher pusher;

	private volatile long pingSentNanos;

	// the log's horizon when this connection's syncs were last let through; -1 before any
	private volatile long syncedUnder = -1;

	Session(Host host, Identity identity, Connection connection, int version, @Nullable RateLimiter userLimiter,
			SessionListener listener) {
		EngineSettings settings = host.settings();
		String peer = identity.client();
		this.host = host;
		this.peer = peer;
		this.identity = identity;
		this.listener = listener;
		this.server = settings.role() == EngineSettings.Role.SERVER;
		this.version = version;
		this.channel = new Channel(peer, connection, settings, host.writers(), userLimiter, new Inbound());
		if (this.server) {
			Reader reader = Reader.of(identity, version >= ProtocolVersion.V2);
			this.delivery = new Delivery(this.channel, host.feed(this), reader, new Narrowing(host.scopes(), identity),
					version >= ProtocolVersion.V2, settings.window(), settings.batchSize());
			this.pusher = null;
		}
		else {
			this.delivery = null;
			this.pusher = new Pusher(this.channel, host.ownLog(), peer, new PusherEvents(), host.executor(),
					settings.batchSize());
		}
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
	 * The user whose connection this is, as the transport authenticated it.
	 * @return the user's name, or {@code null} when the transport did not say
	 */
	public @Nullable String user() {
		return this.identity.user();
	}

	/**
	 * Who the peer is, as the transport established it.
	 * @return the identity
	 */
	public Identity identity() {
		return this.identity;
	}

	/**
	 * The protocol version this connection speaks; on a client that asked for a newer one,
	 * 1 until the server's {@code hello} confirms it.
	 * @return the version
	 */
	public int version() {
		return this.version;
	}

	/**
	 * Whether the session has ended.
	 * @return whether closed
	 */
	public boolean isClosed() {
		return this.channel.isClosed();
	}

	/**
	 * Whether pushes are live: on a server, the peer is in sync and receives new scribes
	 * as they are appended; on a client, the server's pull was answered and new scribes of
	 * this client go at once.
	 * @return whether live
	 */
	public boolean isLive() {
		return (this.delivery != null) ? this.delivery.isLive() : this.pusher.isPushing();
	}

	/**
	 * How far through the log this connection has come: on a server, the highest scribe
	 * id sent to the peer or read past for it (the log's head less this is the peer's
	 * lag); on a client, the highest of its own scribe ids pushed.
	 * @return the scribe id, 0 before any
	 * @since 0.2.0
	 */
	public long position() {
		return (this.delivery != null) ? this.delivery.position() : this.pusher.position();
	}

	/**
	 * The number of messages waiting to be written to the connection.
	 * @return the count
	 */
	public int pendingMessages() {
		return this.channel.pendingMessages();
	}

	void start() {
		if (this.server && this.version >= ProtocolVersion.V2) {
			this.channel.send(new Message.Hello(this.version, this.host.epoch()));
		}
		pull();
	}

	/**
	 * Handles one message received on a message transport (one JSON object per frame).
	 * @param text the message
	 */
	public void receiveMessage(String text) {
		this.channel.receiveMessage(text);
	}

	/**
	 * Handles bytes received on a byte-stream transport, where each message is preceded by
	 * its 2-byte length. Partial input is kept until the rest arrives.
	 * @param bytes the buffer
	 * @param offset where the received bytes start
	 * @param length how many bytes were received
	 */
	public void receiveData(byte[] bytes, int offset, int length) {
		this.channel.receiveData(bytes, offset, length);
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
		return this.channel.request((id) -> new Message.Rpc(id, klass, method, args)).thenApply(Session::result);
	}

	/**
	 * Subscribes to a scope of the server (protocol v2). The server sends the scope's
	 * records ({@link SessionListener#records}) before it answers.
	 * @param scope the scope's name
	 * @param params its parameters
	 * @return the answer's result ({@code {"klass": …}}), or a failure with the server's
	 * {@link SyncroException}
	 * @since 0.2.0
	 */
	public CompletableFuture<JsonNode> subscribe(String scope, tools.jackson.databind.node.ObjectNode params) {
		return this.channel.request((id) -> new Message.Subscribe(id, scope, params)).thenApply(Session::result);
	}

	/**
	 * Ends a subscription to a scope of the server (protocol v2). The server sends the
	 * records its klass keeps before it answers.
	 * @param scope the scope's name
	 * @param params the parameters it was subscribed with
	 * @return the answer's result, or a failure with the server's {@link SyncroException}
	 * @since 0.2.0
	 */
	public CompletableFuture<JsonNode> unsubscribe(String scope, tools.jackson.databind.node.ObjectNode params) {
		return this.channel.request((id) -> new Message.Unsubscribe(id, scope, params)).thenApply(Session::result);
	}

	/**
	 * Asks the server for the digest of the records this client may see (protocol v2,
	 * docs/PROTOCOL.md section 8.9), given at the connection's position once every scribe
	 * up to it was sent.
	 * @param compare applied to the answer's result ({@code {"at": …, "klasses": {…},
	 * "unverified": […]}}) as it is received, before any scribe that follows it
	 * @return what {@code compare} returned, or a failure with the server's
	 * {@link SyncroException}
	 * @since 0.2.0
	 */
	public <T> CompletableFuture<T> digest(Function<JsonNode, T> compare) {
		return this.channel.request(Message.Digest::new, (reply) -> compare.apply(result(reply)));
	}

	/**
	 * Asks the server for the records of a klass again (protocol v2): they come as after a
	 * change of the klass's subscriptions ({@link SessionListener#records}), before the answer.
	 * @param klass the klass
	 * @return the answer's result, or a failure with the server's {@link SyncroException}
	 * @since 0.2.0
	 */
	public CompletableFuture<JsonNode> rebuild(String klass) {
		return this.channel.request((id) -> new Message.Rebuild(id, klass)).thenApply(Session::result);
	}

	/**
	 * Pings the peer.
	 * @return completes when the peer answered
	 */
	public CompletableFuture<JsonNode> noop() {
		return this.channel.request(Message.Noop::new).thenApply(Session::result);
	}

	/**
	 * The subscriptions of a klass this connection's client holds (protocol v2).
	 * @param klass the klass
	 * @return the subscriptions; none on a client
	 */
	public java.util.List<io.syncro.scope.Subscription> subscriptions(String klass) {
		return (this.delivery != null) ? this.delivery.subscriptions(klass) : java.util.List.of();
	}

	/**
	 * Closes the session and its connection.
	 * @param code the WebSocket close code
	 * @param reason a short reason
	 */
	public void close(int code, String reason) {
		this.channel.close(code, reason);
	}

	/**
	 * Tells the session that its connection was closed by the transport or the peer.
	 */
	public void closed() {
		this.channel.closed();
	}

	/**
	 * Wakes the live pushes: scribes were appended.
	 */
	void wake() {
		if (this.delivery != null) {
			this.delivery.wake();
		}
		else if (this.pusher != null) {
			this.pusher.wake();
		}
	}

	/**
	 * Closes a connection whose client answers nothing: pushes unanswered for the request
	 * timeout, or a ping unanswered (sent after a heartbeat of silence). Called every
	 * second or so by the engine.
	 * @param now a {@link System#nanoTime()} reading
	 */
	void checkLiveness(long now) {
		EngineSettings settings = this.host.settings();
		long timeout = settings.requestTimeout().toNanos();
		if (this.delivery != null && this.delivery.checkAnswers(now, timeout)) {
			logger.info("Closing the connection to {}: it answered no push for {}", this.peer, settings.requestTimeout());
			close(1013, "Pushes not answered; reconnect and sync");
			return;
		}
		if (this.server && this.pingSentNanos == 0 && now - this.channel.lastReceivedNanos() > settings.heartbeat().toNanos()) {
			this.pingSentNanos = now;
			noop().whenComplete((result, failure) -> {
				this.pingSentNanos = 0;
				if (failure != null && !isClosed()) {
					logger.info("Closing the connection to {}: it answered no ping", this.peer);
					close(1013, "Ping not answered; reconnect and sync");
				}
			});
		}
	}

	// Pulling the peer's scribes

	private void pull() {
		long from = this.host.mark(this.peer);
		this.channel.request((id) -> new Message.Sync(id, (from > 0) ? from : null)).whenComplete((reply, failure) -> {
			if (failure != null) {
				// unanswered within the request timeout: the connection cannot go live, and
				// a new one starts over with a pull of its own
				logger.debug("Pulling from {} failed: {}", this.peer, failure.getMessage());
				close(1013, "The pull was not answered; reconnect");
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
			// each takes from the rate limit as an add_scribe would: over it, this pull ends
			// here with a 429 for the scribe, which the peer sends again later
			if (!this.channel.admitPulledScribe(scribe)) {
				return;
			}
			SyncroException error = this.host.play(this.identity, scribe, false).error();
			if (error != null) {
				this.channel.send(error.toMessage(null));
				if (!ErrorCodes.isFinal(error.getCode())) {
					return;
				}
			}
		}
		boolean moved = this.host.mark(this.peer) != from;
		if (moved && (response.more() || this.server)) {
			pull();
		}
		else {
			this.listener.synced(this);
		}
	}

	private static JsonNode result(Message reply) {
		if (reply instanceof Message.Error error) {
			throw new SyncroException(error.code(), error.message(), error.scribe(), error.expected());
		}
		return ((Message.Response) reply).result();
	}

	@Override
	public String toString() {
		return "Session[" + this.peer + "]";
	}

	/**
	 * What the channel hands on: the peer's requests and replies, answered by the session.
	 */
	private final class Inbound implements Channel.Handler {

		@Override
		public @Nullable Message request(Message.Request request) {
			if (request instanceof Message.Sync sync) {
				long from = (sync.from() != null) ? sync.from() : 0;
				if (from < 0) {
					throw SyncroException.badRequest("The field 'from' must not be negative.");
				}
				if (Session.this.delivery != null) {
					long horizon = checkHistory(from, sync.epoch());
					// read the log, then make sure no tombstone went meanwhile: an answer read
					// after one went could lack the destroy of a record an earlier page gave
					Runnable unchanged = () -> {
						if (from > 0 && Session.this.host.horizon() != horizon) {
							throw compactedPast();
						}
					};
					if (Session.this.delivery.answerSync(sync.id(), from, unchanged)) {
						Session.this.host.markSynced(Session.this.peer);
					}
				}
				else {
					Session.this.pusher.answerPull(sync.id(), from);
				}
				return null;
			}
			if (request instanceof Message.AddScribe add) {
				return played(add.id(), Session.this.host.play(Session.this.identity, add.scribe(), Session.this.server && Session.this.version >= ProtocolVersion.V2));
			}
			if (request instanceof Message.AddScribes add) {
				if (Session.this.server) {
					// a client's scribes come one by one, each answered with where it landed
					throw SyncroException.badRequest("A client sends its scribes with add_scribe, one at a time.");
				}
				for (JsonNode scribe : add.scribes()) {
					Played played = Session.this.host.play(Session.this.identity, scribe, false);
					// a client moved past a scribe it refused for good (of a klass it does not
					// keep, say), as in a sync answer: the scribes behind it are still played
					if (played.error() != null
							&& (Session.this.server || !ErrorCodes.isFinal(played.error().getCode()))) {
						return played(add.id(), played);
					}
				}
				return new Message.Response(add.id(), BooleanNode.TRUE, false);
			}
			if (request instanceof Message.Rpc rpc) {
				return new Message.Response(rpc.id(), call(rpc), false);
			}
			if (request instanceof Message.Subscribe subscribe) {
				narrowable(request).subscribe(subscribe.id(),
						Session.this.host.scopes().subscription(subscribe.scope(), subscribe.params(), Session.this.identity));
				return null;
			}
			if (request instanceof Message.Unsubscribe unsubscribe) {
				narrowable(request).unsubscribe(unsubscribe.id(), Session.this.host.scopes().klassOf(unsubscribe.scope()),
						unsubscribe.scope(), unsubscribe.params());
				return null;
			}
			if (request instanceof Message.Digest digest) {
				narrowable(request).digest(digest.id());
				return null;
			}
			if (request instanceof Message.Rebuild rebuild) {
				narrowable(request).rebuild(rebuild.id(), Session.this.host.scopes().klass(rebuild.klass()));
				return null;
			}
			if (request instanceof Message.Records records) {
				if (Session.this.server || Session.this.version < ProtocolVersion.V2) {
					throw unknownType(request);
				}
				Session.this.listener.records(Session.this, records.klass(), records.first(), records.records(),
						records.more());
			}
			return new Message.Response(request.id(), BooleanNode.TRUE, false);
		}

		/**
		 * The delivery of a server connection that speaks v2, where subscriptions exist; on
		 * any other connection the request's type is unknown, as in v1.
		 */
		private Delivery narrowable(Message.Request request) {
			if (Session.this.delivery == null || Session.this.version < ProtocolVersion.V2) {
				throw unknownType(request);
			}
			return Session.this.delivery;
		}

		private SyncroException unknownType(Message.Request request) {
			return MessageCodec.unknownType(request.type());
		}

		/**
		 * Whether this connection speaks a message type: the subscriptions' are protocol v2's
		 * ({@code records} a server's only), unknown to a v1 connection whatever their fields.
		 */
		@Override
		public boolean speaks(String type) {
			return switch (type) {
				case "subscribe", "unsubscribe", "digest", "rebuild" ->
					Session.this.server && Session.this.version >= ProtocolVersion.V2;
				case "records" -> !Session.this.server && Session.this.version >= ProtocolVersion.V2;
				default -> true;
			};
		}

		/**
		 * The answer to a scribe the peer sent: its error, {@code true}, or on a v2 server
		 * nothing yet, the delivery answering once it knows where the play landed.
		 */
		private @Nullable Message played(long requestId, Played played) {
			SyncroException error = played.error();
			if (error != null) {
				if (!Session.this.server && !ErrorCodes.isFinal(error.getCode())) {
					// a client that cannot play a server's scribe must not move past it
					close(1011, "Could not play a scribe");
				}
				return error.toMessage(requestId);
			}
			if (played.landing() != null && Session.this.delivery != null) {
				Session.this.delivery.answerLanded(requestId, played.landing());
				return null;
			}
			return new Message.Response(requestId, BooleanNode.TRUE, false);
		}

		/**
	 * Refuses a position this log cannot bring up to date (410): one of another history
	 * than the log holds now, or beyond its head, as after the log was set back to a
	 * backup. Answering it would hand the client, as new, ids it already holds.
	 */
	/**
	 * Refuses a position this log cannot bring up to date (410), and returns the log's
	 * horizon. A position below the horizon is refused unless this connection's syncs have
	 * all been read under that same horizon: a client that syncs from nothing on it, page
	 * after page, reads none of the tombstones that went before it started, and needs none.
	 */
	private long checkHistory(long from, @Nullable String epoch) {
		long horizon = Session.this.host.horizon();
		if (from == 0) {
			Session.this.syncedUnder = horizon;
			return horizon;
		}
		if (epoch != null && !epoch.equals(Session.this.host.epoch())) {
			throw new SyncroException(ErrorCodes.GONE,
					"The position is of another history of the log; sync again from nothing.");
		}
		if (!Session.this.host.holds(from)) {
			throw new SyncroException(ErrorCodes.GONE,
					"The position is beyond the end of the log; sync again from nothing.");
		}
		if (from < horizon && horizon != Session.this.syncedUnder) {
			throw compactedPast();
		}
		Session.this.syncedUnder = horizon;
		return horizon;
	}

	private static SyncroException compactedPast() {
		return new SyncroException(ErrorCodes.GONE,
				"The position is older than the compacted log can bring up to date; sync again from nothing.");
	}

	private JsonNode call(Message.Rpc rpc) {
			if (BUILT_IN_KLASS.equals(rpc.klass())) {
				if ("last_scribe_id".equals(rpc.method())) {
					Reader reader = Reader.of(Session.this.identity, Session.this.version >= ProtocolVersion.V2);
					return LongNode.valueOf(Session.this.host.lastId(reader));
				}
				throw new SyncroException(ErrorCodes.METHOD_NOT_ALLOWED,
						"The method '" + rpc.method() + "' is not exposed on 'Syncro'.");
			}
			return Session.this.host.call(Session.this.identity, rpc.klass(), rpc.method(), rpc.args());
		}

		@Override
		public void unsolicitedError(Message.Error error) {
			if (error.scribe() != null && ErrorCodes.isFinal(error.code())) {
				Session.this.listener.refused(Session.this, error.scribe(), error.code(), error.message());
			}
			else if (error.scribe() != null && Session.this.pusher != null) {
				Session.this.pusher.retryPulled(error);
			}
		}

		@Override
		public boolean untrackedReply(long id, Message reply) {
			return Session.this.delivery != null && Session.this.delivery.answered(id);
		}

		@Override
		public void hello(Message.Hello hello) {
			if (!Session.this.server && Session.this.pusher != null && hello.version() >= ProtocolVersion.V2) {
				Session.this.version = Math.min(hello.version(), ProtocolVersion.LATEST);
				Session.this.pusher.speakV2();
			}
		}

		@Override
		public void errorSent(int code) {
			Session.this.host.errorSent(Session.this, code);
		}

		@Override
		public void ended() {
			Session.this.host.removed(Session.this);
			Session.this.listener.closed(Session.this);
		}

	}

	/**
	 * Tells the listener what the server said of this client's scribes.
	 */
	private final class PusherEvents implements Pusher.Events {

		@Override
		public void settled(long scribeId, Landing landing) {
			Session.this.listener.settled(Session.this, scribeId);
			if (Session.this.version >= ProtocolVersion.V2) {
				Session.this.listener.landed(Session.this, scribeId, landing);
			}
		}

		@Override
		public void refused(long scribeId, int code, String message) {
			Session.this.listener.refused(Session.this, scribeId, code, message);
		}

		@Override
		public void forgot(long expected) {
			Session.this.listener.forgot(Session.this, expected);
		}

	}

	/**
	 * The outcome of a scribe the peer sent.
	 * @param error how it was refused, or {@code null} when it was played (now or before)
	 * @param landing on a v2 server, where its play landed; {@code null} otherwise
	 */
	record Played(@Nullable SyncroException error, @Nullable CompletableFuture<Landing> landing) {
	}

	/**
	 * What a session needs of its engine.
	 */
	interface Host {

		EngineSettings settings();

		java.util.concurrent.Executor executor();

		/**
		 * Runs the writes to connections.
		 * @return the executor
		 */
		java.util.concurrent.Executor writers();

		/**
		 * Settles a scribe of a peer by the mark rules of PROTOCOL.md section 4.
		 * @param peer the peer's uid
		 * @param scribe the scribe's JSON
		 * @param followLanding whether to learn where its play lands in the log
		 * @return the outcome
		 */
		Played play(Identity peer, JsonNode scribe, boolean followLanding);

		JsonNode call(Identity peer, String klass, String method, ArrayNode args);

		long mark(String peer);

		void markSynced(String peer);

		long lastId(Reader reader);

		/**
		 * Whether the log holds a position: it has appended that id or a higher one.
		 * @param position a server scribe id
		 * @return whether the position is at or below the log's head
		 */
		boolean holds(long position);

		/**
		 * The log's horizon ({@link io.syncro.store.ScribeLog#horizon()}): a position below
		 * it cannot be brought up to date.
		 * @return the highest id of a tombstone compaction removed, or 0
		 */
		long horizon();

		/**
		 * The history the log holds ({@link io.syncro.store.ScribeLog#epoch()}).
		 * @return the epoch
		 */
		String epoch();

		Delivery.Feed feed(Session session);

		/**
		 * The scopes clients may subscribe to.
		 * @return the scopes
		 */
		io.syncro.scope.Scopes scopes();

		io.syncro.store.ScribeLog ownLog();

		void errorSent(Session session, int code);

		void removed(Session session);

	}

}
