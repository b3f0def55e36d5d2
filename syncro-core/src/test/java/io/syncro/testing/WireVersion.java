package io.syncro.testing;

import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import static io.syncro.testing.WireMessages.json;

/**
 * What differs between versions of the wire protocol, as the {@link WireClient} speaks
 * them: how a client asks for the version on the handshake, how the server's first
 * messages settle it, what a push from the server looks like and how it is answered, and
 * how the server's pull is answered. Everything else (requests, replies, sync answers,
 * errors) is the same in every version, so a new version is a new constant here.
 * <p>
 * Both are written down in {@code docs/PROTOCOL.md}: {@link #V1} in sections 1 to 7,
 * {@link #V2} in section 8.
 *
 * @since 0.1.0
 */
public enum WireVersion {

	/**
	 * Version 1: nothing asked on the handshake, one {@code add_scribe} push per scribe,
	 * the server's pull answered with the client's own scribes above its {@code from}.
	 */
	V1(1, "add_scribe") {

		@Override
		List<JsonNode> pushedScribes(JsonNode push) {
			return List.of(push.path("scribe"));
		}

		@Override
		ArrayNode pullAnswer(JsonNode pull, List<? extends JsonNode> own) {
			long from = pull.path("from").asLong(0);
			ArrayNode result = json.arrayNode();
			own.stream().filter((scribe) -> scribe.path("id").asLong() > from).forEach(result::add);
			return result;
		}

	},

	/**
	 * Version 2: {@code v=2} on the handshake, a {@code hello} first, {@code add_scribes}
	 * pushes of one or more scribes with one answer each, and the server's pull always
	 * answered empty (the client sends its scribes by {@code add_scribe} to learn where
	 * each landed).
	 */
	V2(2, "add_scribes") {

		@Override
		List<JsonNode> pushedScribes(JsonNode push) {
			return push.path("scribes").valueStream().toList();
		}

		@Override
		ArrayNode pullAnswer(JsonNode pull, List<? extends JsonNode> own) {
			return json.arrayNode();
		}

	};

	private final int number;

	private final String pushType;

	WireVersion(int number, String pushType) {
		this.number = number;
		this.pushType = pushType;
	}

	/**
	 * The version's number, as the handshake's {@code v} and a {@code hello} carry it.
	 * @return the number
	 */
	public int number() {
		return this.number;
	}

	/**
	 * The query parameters, after {@code client=<uid>}, that ask the server for this
	 * version: none for version 1, which a server assumes when nothing is asked.
	 * @return the parameters, each with its leading {@code &}
	 */
	String handshakeQuery() {
		return (this == V1) ? "" : "&v=" + this.number;
	}

	/**
	 * The version a connection speaks, told by the server's first message: a
	 * {@code hello} names the highest the server knows; anything else first (the
	 * server's pull) is a server that knows only version 1.
	 * @param asked the version the client asked for
	 * @param first the server's first message
	 * @return the version both sides speak
	 */
	static WireVersion spoken(WireVersion asked, JsonNode first) {
		if (!WireMessages.isType(first, "hello")) {
			return V1;
		}
		int offered = first.path("version").asInt(1);
		WireVersion spoken = V1;
		for (WireVersion version : values()) {
			if (version.number <= Math.min(asked.number, offered)) {
				spoken = version;
			}
		}
		return spoken;
	}

	/**
	 * Whether a message from the server is a push of scribes.
	 * @param message the message
	 * @return whether it is
	 */
	boolean isPush(JsonNode message) {
		return WireMessages.isType(message, this.pushType);
	}

	/**
	 * The scribes a push holds, in order.
	 * @param push a message for which {@link #isPush(JsonNode)} holds
	 * @return the scribes
	 */
	abstract List<JsonNode> pushedScribes(JsonNode push);

	/**
	 * The answer to a push: one per push, whatever it holds.
	 * @param push the push
	 * @return the answer
	 */
	ObjectNode pushAnswer(JsonNode push) {
		return WireMessages.response(push.path("id").asLong(), json.booleanNode(true));
	}

	/**
	 * The result of the answer to the server's pull.
	 * @param pull the server's {@code sync}, whose {@code from} is its mark for the client
	 * @param own the client's own scribes, oldest first
	 * @return the scribes to answer with
	 */
	abstract ArrayNode pullAnswer(JsonNode pull, List<? extends JsonNode> own);

}
