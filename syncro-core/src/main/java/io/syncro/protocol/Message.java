package io.syncro.protocol;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * One protocol message (PROTOCOL.md section 3). Requests carry the sender's id, which
 * the reply repeats.
 *
 * @since 0.1.0
 */
public sealed interface Message {

	/**
	 * The wire name of this message's type.
	 * @return the type
	 */
	String type();

	/**
	 * A request: a message the peer must answer.
	 */
	sealed interface Request extends Message {

		/**
		 * The sender's id for this request.
		 * @return the id
		 */
		long id();

	}

	/**
	 * Asks for the scribes after a position.
	 * @param id the request id
	 * @param from the highest id the sender has, or {@code null} for everything
	 * @param epoch in protocol v2, the history of the log that position is of, or
	 * {@code null}
	 */
	record Sync(long id, @Nullable Long from, @Nullable String epoch) implements Request {

		/**
		 * Asks for the scribes after a position, of whatever history.
		 * @param id the request id
		 * @param from the highest id the sender has, or {@code null} for everything
		 */
		public Sync(long id, @Nullable Long from) {
			this(id, from, null);
		}

		@Override
		public String type() {
			return "sync";
		}

	}

	/**
	 * Hands over one scribe to be played. The scribe stays raw JSON until the receiver
	 * has compared its id with the mark (PROTOCOL.md section 4).
	 * @param id the request id
	 * @param scribe the scribe's JSON
	 */
	record AddScribe(long id, JsonNode scribe) implements Request {

		@Override
		public String type() {
			return "add_scribe";
		}

	}

	/**
	 * Hands over several scribes to be played in order, answered once (protocol v2: the
	 * server's live pushes).
	 * @param id the request id
	 * @param scribes the scribes' JSON, ids strictly increasing
	 */
	record AddScribes(long id, ArrayNode scribes) implements Request {

		@Override
		public String type() {
			return "add_scribes";
		}

	}

	/**
	 * Calls an exposed method.
	 * @param id the request id
	 * @param klass the rpc klass
	 * @param method the method name
	 * @param args the arguments
	 */
	record Rpc(long id, String klass, String method, ArrayNode args) implements Request {

		@Override
		public String type() {
			return "rpc";
		}

	}

	/**
	 * A change of the client's subscriptions (protocol v2).
	 * @since 0.2.0
	 */
	sealed interface ScopeChange extends Request {

		/**
		 * The scope's name.
		 * @return the name
		 */
		String scope();

		/**
		 * The scope's parameters.
		 * @return a JSON object
		 */
		JsonNode params();

	}

	/**
	 * Asks for the records of a named scope (protocol v2): the server sends them with
	 * {@link Records} and then the scope's live changes.
	 * @param id the request id
	 * @param scope the scope's name
	 * @param params the scope's parameters, a JSON object
	 * @since 0.2.0
	 */
	record Subscribe(long id, String scope, JsonNode params) implements ScopeChange {

		@Override
		public String type() {
			return "subscribe";
		}

	}

	/**
	 * Stops a scope the client subscribed to (protocol v2).
	 * @param id the request id
	 * @param scope the scope's name
	 * @param params the parameters it was subscribed with
	 * @since 0.2.0
	 */
	record Unsubscribe(long id, String scope, JsonNode params) implements ScopeChange {

		@Override
		public String type() {
			return "unsubscribe";
		}

	}

	/**
	 * Asks for the digest of the client's records (protocol v2, docs/PROTOCOL.md section
	 * 8.9), answered at the connection's position, in order with the pushes.
	 * @param id the request id
	 * @since 0.2.0
	 */
	record Digest(long id) implements Request {

		@Override
		public String type() {
			return "digest";
		}

	}

	/**
	 * Asks for the records of a klass again (protocol v2), as after a change of its
	 * subscriptions: the server sends them with {@link Records}, then answers.
	 * @param id the request id
	 * @param klass the klass
	 * @since 0.2.0
	 */
	record Rebuild(long id, String klass) implements Request {

		@Override
		public String type() {
			return "rebuild";
		}

	}

	/**
	 * The records of a klass as the client's subscriptions to it now give them, sent by the
	 * server in batches after a change of those subscriptions (protocol v2). The first
	 * batch starts over: once the last one is in, the client keeps of the klass only the
	 * records these batches, and the scribes received meanwhile, gave it.
	 * @param id the request id
	 * @param klass the klass
	 * @param first whether this batch starts over
	 * @param records every attribute of each record, in id order
	 * @param more whether batches follow
	 * @since 0.2.0
	 */
	record Records(long id, String klass, boolean first, ArrayNode records, boolean more) implements Request {

		@Override
		public String type() {
			return "records";
		}

	}

	/**
	 * A ping.
	 * @param id the request id
	 */
	record Noop(long id) implements Request {

		@Override
		public String type() {
			return "noop";
		}

	}

	/**
	 * The server's first message on a connection that speaks protocol v2 or later: the
	 * version it speaks. Neither a request nor a reply.
	 * @param version the protocol version of the connection
	 * @param epoch the history the server's log holds (a client whose position is of another
	 * one syncs from nothing), or {@code null}
	 */
	record Hello(int version, @Nullable String epoch) implements Message {

		/**
		 * A hello that names no history.
		 * @param version the protocol version of the connection
		 */
		public Hello(int version) {
			this(version, null);
		}

		@Override
		public String type() {
			return "hello";
		}

	}

	/**
	 * The successful answer to a request.
	 * @param id the id of the request it answers
	 * @param result the result
	 * @param more whether a {@code sync} answer has more scribes to fetch
	 * @param at on the answer to a played {@code add_scribe} in protocol v2, where its play
	 * landed: the highest server scribe id it appended, JSON {@code null} when it appended
	 * none; {@code null} (absent) when unknown or not such an answer
	 */
	record Response(long id, JsonNode result, boolean more, @Nullable JsonNode at) implements Message {

		/**
		 * An answer without {@code at}.
		 * @param id the id of the request it answers
		 * @param result the result
		 * @param more whether a {@code sync} answer has more scribes to fetch
		 */
		public Response(long id, JsonNode result, boolean more) {
			this(id, result, more, null);
		}

		@Override
		public String type() {
			return "response";
		}

	}

	/**
	 * A failure, answering a request or not.
	 * @param id the id of the request it answers, or {@code null}
	 * @param code the error code
	 * @param message one human sentence
	 * @param scribe the id of the scribe it concerns, or {@code null}
	 * @param expected on a 409 gap, the client scribe id expected next
	 */
	record Error(@Nullable Long id, int code, String message, @Nullable Long scribe,
			@Nullable Long expected) implements Message {

		@Override
		public String type() {
			return "error";
		}

	}

}
