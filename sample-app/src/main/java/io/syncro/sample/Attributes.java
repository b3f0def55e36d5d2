package io.syncro.sample;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.syncro.protocol.SyncroException;
import io.syncro.session.Session;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The checks of the sample's attributes, shared by the REST API and the policies so a
 * value refused on one path is refused on the other. A bad value is a 400 with one
 * sentence.
 *
 * @since 0.1.0
 */
public final class Attributes {

	/** The longest title. */
	public static final int MAX_TITLE_LENGTH = 500;

	/** The most members of a list. */
	public static final int MAX_MEMBERS = 100;

	/** The longest page body. */
	public static final int MAX_BODY_LENGTH = 65536;

	private Attributes() {
	}

	/**
	 * A request body: a JSON object.
	 * @param body the JSON value
	 * @return the same object
	 */
	public static JsonNode object(JsonNode body) {
		if (!body.isObject()) {
			throw SyncroException.badRequest("The request body must be a JSON object.");
		}
		return body;
	}

	/**
	 * A title: a string of 1 to 500 characters, not all blank.
	 * @param value the JSON value
	 * @return the title
	 */
	public static String title(@Nullable JsonNode value) {
		return shortText(value, "title");
	}

	/**
	 * A list's name: a string of 1 to 500 characters, not all blank.
	 * @param value the JSON value
	 * @return the name
	 */
	public static String name(@Nullable JsonNode value) {
		return shortText(value, "name");
	}

	private static String shortText(@Nullable JsonNode value, String field) {
		String text = string(value, field);
		if (text.isBlank() || text.codePointCount(0, text.length()) > MAX_TITLE_LENGTH) {
			throw SyncroException.badRequest("A " + field + " must have 1 to " + MAX_TITLE_LENGTH
					+ " characters, not all of them blank.");
		}
		return text;
	}

	/**
	 * A page body: a string of at most 65,536 characters.
	 * @param value the JSON value
	 * @return the body
	 */
	public static String body(@Nullable JsonNode value) {
		String body = string(value, "body");
		if (body.length() > MAX_BODY_LENGTH) {
			throw SyncroException.badRequest("A body must have at most " + MAX_BODY_LENGTH + " characters.");
		}
		return body;
	}

	/**
	 * An owner: a user's name, 1 to 64 characters of {@code [A-Za-z0-9_.:-]}.
	 * @param value the JSON value
	 * @return the owner
	 */
	public static String owner(@Nullable JsonNode value) {
		String owner = string(value, "owner");
		if (!Session.isValidUid(owner)) {
			throw SyncroException.badRequest("An owner must be a user name: 1 to 64 characters of [A-Za-z0-9_.:-].");
		}
		return owner;
	}

	/**
	 * A list's members: an array of 1 to 100 distinct user names (see {@link #owner}).
	 * @param value the JSON value
	 * @return the members, in the order given
	 */
	public static List<String> members(@Nullable JsonNode value) {
		if (value == null || !value.isArray() || value.isEmpty() || value.size() > MAX_MEMBERS) {
			throw SyncroException.badRequest("The field 'members' must be an array of 1 to " + MAX_MEMBERS + " user names.");
		}
		Set<String> members = new LinkedHashSet<>();
		for (JsonNode member : value) {
			if (!member.isString() || !Session.isValidUid(member.stringValue())) {
				throw SyncroException.badRequest("A member must be a user name: 1 to 64 characters of [A-Za-z0-9_.:-].");
			}
			members.add(member.stringValue());
		}
		return List.copyOf(members);
	}

	/**
	 * A list reference: a string, or {@code null} for none.
	 * @param value the JSON value
	 * @return the list's id, or {@code null}
	 */
	public static @Nullable String listId(@Nullable JsonNode value) {
		return (value == null || value.isNull()) ? null : string(value, "listId");
	}

	/**
	 * A done flag: a boolean.
	 * @param value the JSON value
	 * @return the flag
	 */
	public static boolean done(@Nullable JsonNode value) {
		if (value == null || !value.isBoolean()) {
			throw SyncroException.badRequest("The field 'done' must be true or false.");
		}
		return value.booleanValue();
	}

	private static String string(@Nullable JsonNode value, String field) {
		if (value == null || !value.isString()) {
			throw SyncroException.badRequest("The field '" + field + "' must be a string.");
		}
		return value.stringValue();
	}

}
