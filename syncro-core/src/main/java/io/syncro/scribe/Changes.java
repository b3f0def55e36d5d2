package io.syncro.scribe;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Comparator;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns a change to a record into the scribes that record it, addressed by the rules of
 * PROTOCOL.md section 6. The one place where "only the attributes that changed" and
 * "clients that lose a record get a destroy, those that gain it a create" are decided,
 * for every recorder.
 *
 * @since 0.1.0
 */
public final class Changes {

	/**
	 * Equal JSON values compare as 0, with numbers compared by value, so that 1 read as
	 * an int and 1 read as a long or 1.0 are no change.
	 */
	private static final Comparator<JsonNode> SAME_VALUE = (a, b) -> {
		if (a.isNumber() && b.isNumber()) {
			return a.decimalValue().compareTo(b.decimalValue());
		}
		return a.equals(b) ? 0 : 1;
	};

	private Changes() {
	}

	/**
	 * The scribes of a new record.
	 * @param klass the class name
	 * @param record every attribute, {@code id} included
	 * @param recipients who receives the record
	 * @param origin the client whose change it mirrors, or {@code null}
	 * @return one {@code create}, or none if nobody receives it
	 */
	public static List<ScribeEntry> created(String klass, ObjectNode record, Recipients recipients,
			@Nullable String origin) {
		return addressed(Scribe.create(klass, record.deepCopy()), recipients, origin, recipients);
	}

	/**
	 * The scribes of a removed record, addressed with the record as it was.
	 * @param klass the class name
	 * @param recordId the record's id
	 * @param recipients who received the record
	 * @param origin the client whose change it mirrors, or {@code null}
	 * @return one {@code destroy}, or none if nobody received it
	 */
	public static List<ScribeEntry> destroyed(String klass, String recordId, Recipients recipients,
			@Nullable String origin) {
		return addressed(Scribe.destroy(klass, recordId), recipients, origin, Recipients.none());
	}

	/**
	 * The scribes of a changed record: an {@code update} with only the changed attributes
	 * for those who receive it before and after, a {@code destroy} for those who lose it
	 * and a {@code create} with every attribute for those who gain it. Only the update
	 * mirrors the writer's change, so only it carries the origin.
	 * @param klass the class name
	 * @param before every attribute before the change
	 * @param after every attribute after the change
	 * @param recipientsBefore who received the record before
	 * @param recipientsAfter who receives it after
	 * @param origin the client whose change it mirrors, or {@code null}
	 * @return the scribes, possibly none
	 */
	public static List<ScribeEntry> updated(String klass, ObjectNode before, ObjectNode after,
			Recipients recipientsBefore, Recipients recipientsAfter, @Nullable String origin) {
		String recordId = after.get("id").asString();
		List<ScribeEntry> entries = new ArrayList<>();
		// each carries who receives the record after the change, which compaction folds it for
		entries.addAll(addressed(Scribe.destroy(klass, recordId), recipientsBefore.minus(recipientsAfter), null,
				recipientsAfter));
		entries.addAll(addressed(Scribe.create(klass, after.deepCopy()), recipientsAfter.minus(recipientsBefore), null,
				recipientsAfter));
		ObjectNode changes = diff(before, after);
		if (!changes.isEmpty()) {
			Recipients stayers = recipientsBefore.intersect(recipientsAfter);
			entries.addAll(addressed(Scribe.update(klass, recordId, changes), stayers, origin, recipientsAfter));
		}
		return entries;
	}

	/**
	 * The attributes of {@code after} whose values differ from {@code before}; an
	 * attribute that is gone is given as {@code null}. The id is never part of it.
	 * @param before the attributes before
	 * @param after the attributes after
	 * @return the changed attributes
	 */
	public static ObjectNode diff(ObjectNode before, ObjectNode after) {
		ObjectNode changes = JsonNodeFactory.instance.objectNode();
		for (Map.Entry<String, JsonNode> attribute : after.properties()) {
			JsonNode old = before.get(attribute.getKey());
			if (old == null || !old.equals(SAME_VALUE, attribute.getValue())) {
				changes.set(attribute.getKey(), attribute.getValue().deepCopy());
			}
		}
		for (String name : before.propertyNames()) {
			if (!after.has(name)) {
				changes.putNull(name);
			}
		}
		changes.remove("id");
		return changes;
	}

	private static List<ScribeEntry> addressed(Scribe scribe, Recipients recipients, @Nullable String origin,
			Recipients audience) {
		return recipients.isEmpty() ? List.of() : List.of(new ScribeEntry(scribe, recipients, origin, null, audience));
	}

}
