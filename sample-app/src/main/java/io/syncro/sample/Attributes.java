package io.syncro.sample;

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
	 * A title: a string of 1 to 500 characters.
	 * @param value the JSON value
	 * @return the title
	 */
	public static String title(@Nullable JsonNode value) {
		String title = string(value, "title");
		if (title.isEmpty() || title.codePointCount(0, title.length()) > MAX_TITLE_LENGTH) {
			throw SyncroException.badRequest("A title must have 1 to " + MAX_TITLE_LENGTH + " characters.");
		}
		return title;
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
