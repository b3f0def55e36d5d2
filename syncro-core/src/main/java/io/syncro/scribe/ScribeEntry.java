package io.syncro.scribe;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A scribe as a log keeps it: with the clients it is meant for, the client it came from,
 * and the client scribe whose play recorded it. A protocol v1 reader never gets the
 * scribes that came from itself (the no-echo rule); a v2 reader gets them too.
 *
 * @param scribe the scribe; its id is 0 until a log assigns one
 * @param recipients the clients it is meant for
 * @param origin the uid of the client whose change it mirrors, or {@code null} when it
 * mirrors no client's change
 * @param cause the client scribe whose play recorded it, or {@code null} when no play did
 * @param audience who receives the record once the change is made (the record's recipients
 * after it; none after its destroy), which compaction folds the record for; {@code null}
 * for a scribe recorded before logs kept it
 * @since 0.1.0
 */
public record ScribeEntry(Scribe scribe, Recipients recipients, @Nullable String origin, @Nullable Cause cause,
		@Nullable Recipients audience) {

	/**
	 * An entry whose record's audience is not known.
	 * @param scribe the scribe; its id is 0 until a log assigns one
	 * @param recipients the clients it is meant for
	 * @param origin the uid of the client whose change it mirrors, or {@code null}
	 * @param cause the client scribe whose play recorded it, or {@code null}
	 */
	public ScribeEntry(Scribe scribe, Recipients recipients, @Nullable String origin, @Nullable Cause cause) {
		this(scribe, recipients, origin, cause, null);
	}

	/**
	 * An entry that no play recorded.
	 * @param scribe the scribe; its id is 0 until a log assigns one
	 * @param recipients the clients it is meant for
	 * @param origin the uid of the client whose change it mirrors, or {@code null}
	 */
	public ScribeEntry(Scribe scribe, Recipients recipients, @Nullable String origin) {
		this(scribe, recipients, origin, null);
	}

	/**
	 * Whether the given client should receive this scribe under the no-echo rule.
	 * @param client a client uid
	 * @return whether it is meant for the client and did not come from it
	 */
	public boolean isFor(String client) {
		return this.recipients.includes(client) && !client.equals(this.origin);
	}

	/**
	 * Whether a reader should receive this scribe.
	 * @param reader the reader
	 * @return whether it is meant for the reader's client and, unless the reader takes its
	 * own scribes too, did not come from it
	 */
	public boolean isFor(Reader reader) {
		return this.recipients.includesAny(reader.keys()) && (reader.own() || !reader.client().equals(this.origin));
	}

	/**
	 * Who receives the record after this scribe: its {@link #audience()}, or, for a scribe
	 * written before logs kept that, its recipients (none after a {@code destroy}).
	 * @return the audience
	 * @since 0.2.0
	 */
	public Recipients audienceAfter() {
		if (this.audience != null) {
			return this.audience;
		}
		return (this.scribe.type() == ScribeType.DESTROY) ? Recipients.none() : this.recipients;
	}

	/**
	 * This entry with the scribe's id set.
	 * @param id the assigned id
	 * @return a copy
	 */
	public ScribeEntry withId(long id) {
		return new ScribeEntry(this.scribe.withId(id), this.recipients, this.origin, this.cause, this.audience);
	}

	/**
	 * This entry as a log keeps it: with the scribe's id set, and data of its own, which
	 * later changes to this entry's data do not reach.
	 * @param id the assigned id
	 * @return a copy
	 * @since 0.2.0
	 */
	public ScribeEntry copyWithId(long id) {
		Scribe copy = new Scribe(id, this.scribe.klass(), this.scribe.type(), this.scribe.data().deepCopy());
		return new ScribeEntry(copy, this.recipients, this.origin, this.cause, this.audience);
	}

	/**
	 * This entry recorded by a client scribe's play.
	 * @param playing the client scribe, or {@code null} for none
	 * @return a copy
	 */
	public ScribeEntry causedBy(@Nullable Cause playing) {
		return new ScribeEntry(this.scribe, this.recipients, this.origin, playing, this.audience);
	}

	/**
	 * This entry's scribe id.
	 * @return the id
	 */
	public long id() {
		return this.scribe.id();
	}

	/**
	 * This entry as JSON, as logs and outboxes keep it: the scribe's {@code klass},
	 * {@code type} and {@code data}, its {@code origin}, its {@code cause} (as
	 * {@link Cause#text()}, absent for none), and its recipients as
	 * {@code everyone} with the {@code clients} (the keys of {@link Recipients#listed()}) left out (when true) or the only ones
	 * meant (when false). The id is not part of it.
	 * @return a new JSON object
	 */
	public ObjectNode toJson() {
		ObjectNode json = JsonNodeFactory.instance.objectNode();
		json.put("klass", this.scribe.klass());
		json.put("type", this.scribe.type().wireName());
		json.set("data", this.scribe.data());
		json.put("origin", this.origin);
		if (this.cause != null) {
			json.put("cause", this.cause.text());
		}
		json.put("everyone", this.recipients.isEveryone());
		ArrayNode clients = json.putArray("clients");
		new TreeSet<>(this.recipients.listed()).forEach(clients::add);
		if (this.audience != null) {
			json.set("audience", audienceJson(this.audience));
		}
		return json;
	}

	/**
	 * A record's audience as logs keep it: {@code everyone} and the listed {@code clients}, as
	 * for the recipients.
	 * @param audience the audience
	 * @return a new JSON object
	 */
	public static ObjectNode audienceJson(Recipients audience) {
		ObjectNode json = JsonNodeFactory.instance.objectNode();
		json.put("everyone", audience.isEveryone());
		ArrayNode clients = json.putArray("clients");
		new TreeSet<>(audience.listed()).forEach(clients::add);
		return json;
	}

	/**
	 * Reads an audience written by {@link #audienceJson}.
	 * @param json the JSON, or {@code null}
	 * @return the audience, or {@code null} for none kept
	 */
	public static @Nullable Recipients audienceOf(@Nullable JsonNode json) {
		if (json == null || !json.isObject()) {
			return null;
		}
		List<String> listed = new ArrayList<>();
		json.path("clients").forEach((client) -> listed.add(client.asString()));
		return Recipients.fromListed(json.path("everyone").asBoolean(), listed);
	}

	/**
	 * Reads an entry written by {@link #toJson()}.
	 * @param json the entry's JSON
	 * @param id the id to give its scribe, 0 for none yet
	 * @return the entry
	 * @throws IllegalStateException if the JSON is not such an entry
	 */
	public static ScribeEntry fromJson(JsonNode json, long id) {
		ScribeType type = ScribeType.fromWireName(json.path("type").asString(""));
		JsonNode klass = json.get("klass");
		JsonNode data = json.get("data");
		JsonNode clients = json.get("clients");
		if (type == null || klass == null || !klass.isString() || data == null || clients == null
				|| !clients.isArray()) {
			throw new IllegalStateException("Not a scribe entry: " + json);
		}
		List<String> listed = new ArrayList<>(clients.size());
		clients.forEach((client) -> listed.add(client.asString()));
		Recipients recipients = Recipients.fromListed(json.path("everyone").asBoolean(), listed);
		JsonNode origin = json.get("origin");
		String originUid = (origin != null && origin.isString()) ? origin.stringValue() : null;
		return new ScribeEntry(new Scribe(id, klass.stringValue(), type, data), recipients, originUid,
				Cause.parse(json.path("cause").asString(null)), audienceOf(json.get("audience")));
	}

}
