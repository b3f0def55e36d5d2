package io.syncro.protocol;

import java.util.Iterator;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * How much of what a peer sends is accepted, beyond the message size: the size and
 * nesting of a scribe's data and of rpc arguments, and the lengths of the names a
 * message carries. Anything over a limit is refused as malformed (400); a scribe refused
 * for it is settled for good like any other malformed scribe (PROTOCOL.md section 4).
 *
 * @param maxDataBytes the largest scribe data, and the largest rpc arguments, as compact
 * JSON (counted without escapes)
 * @param maxNestingDepth the deepest nesting of arrays and objects inside a scribe's data
 * or an rpc's arguments; the data or arguments themselves are depth 1
 * @param maxUidLength the longest client uid, at most 64 (the protocol's own limit)
 * @param maxKlassLength the longest klass name of a scribe or an rpc
 * @param maxMethodLength the longest rpc method name
 * @since 0.1.0
 */
public record InputLimits(int maxDataBytes, int maxNestingDepth, int maxUidLength, int maxKlassLength,
		int maxMethodLength) {

	/** The protocol's longest client uid. */
	public static final int PROTOCOL_MAX_UID_LENGTH = 64;

	/**
	 * The deepest nesting a scribe's data or an rpc's arguments may be allowed: the
	 * message around them takes up to three more levels, within the parser's limit of
	 * {@link MessageCodec#MAX_NESTING_DEPTH}.
	 */
	public static final int MAX_ALLOWED_NESTING_DEPTH = MessageCodec.MAX_NESTING_DEPTH - 4;

	private static final InputLimits DEFAULTS = new InputLimits(262144, 32, PROTOCOL_MAX_UID_LENGTH, 128, 128);

	private static final InputLimits NONE = new InputLimits(Integer.MAX_VALUE, MAX_ALLOWED_NESTING_DEPTH,
			PROTOCOL_MAX_UID_LENGTH, Integer.MAX_VALUE, Integer.MAX_VALUE);

	public InputLimits {
		if (maxDataBytes < 64) {
			throw new IllegalArgumentException("maxDataBytes must be at least 64");
		}
		if (maxNestingDepth < 1 || maxNestingDepth > MAX_ALLOWED_NESTING_DEPTH) {
			throw new IllegalArgumentException("maxNestingDepth must be from 1 to " + MAX_ALLOWED_NESTING_DEPTH);
		}
		if (maxUidLength < 1 || maxUidLength > PROTOCOL_MAX_UID_LENGTH) {
			throw new IllegalArgumentException("maxUidLength must be from 1 to " + PROTOCOL_MAX_UID_LENGTH);
		}
		if (maxKlassLength < 1 || maxMethodLength < 1) {
			throw new IllegalArgumentException("maxKlassLength and maxMethodLength must be positive");
		}
	}

	/**
	 * The defaults: 256 KiB of data, nesting 32 deep, uids of 64 characters, klass and
	 * method names of 128.
	 * @return the default limits
	 */
	public static InputLimits defaults() {
		return DEFAULTS;
	}

	/**
	 * No limits beyond the message size, the parser's nesting limit and the protocol's own
	 * (uid and klass lengths): what a client applies to what its server sends.
	 * @return the limits
	 */
	public static InputLimits none() {
		return NONE;
	}

	/**
	 * Checks the length of a klass name.
	 * @param klass the name
	 * @throws SyncroException with code 400 if it is empty or too long
	 */
	public void checkKlass(String klass) {
		if (klass.isEmpty() || klass.length() > this.maxKlassLength) {
			throw SyncroException.badRequest("A klass must have 1 to " + this.maxKlassLength + " characters.");
		}
	}

	/**
	 * Checks the length of an rpc method name.
	 * @param method the name
	 * @throws SyncroException with code 400 if it is empty or too long
	 */
	public void checkMethod(String method) {
		if (method.isEmpty() || method.length() > this.maxMethodLength) {
			throw SyncroException.badRequest("An rpc method must have 1 to " + this.maxMethodLength + " characters.");
		}
	}

	/**
	 * Checks the size and nesting of a scribe's data or an rpc's arguments.
	 * @param value the data or arguments
	 * @param what what it is and its verb, for the error's message ("A scribe's data is")
	 * @throws SyncroException with code 400 if it is too large or nested too deep
	 */
	public void checkData(JsonNode value, String what) {
		long size = measure(value, 1, what);
		if (size > this.maxDataBytes) {
			throw SyncroException.badRequest(what + " larger than " + this.maxDataBytes + " bytes.");
		}
	}

	/**
	 * The size of a value as compact JSON (escapes not counted), checking its depth on
	 * the way; stops early once the size is over the limit.
	 */
	private long measure(JsonNode value, int depth, String what) {
		if (value.isContainer()) {
			if (depth > this.maxNestingDepth) {
				throw SyncroException.badRequest(what + " nested deeper than " + this.maxNestingDepth + " levels.");
			}
			long size = 2 + Math.max(0, value.size() - 1);
			if (value.isObject()) {
				for (Map.Entry<String, JsonNode> property : value.properties()) {
					size += utf8Length(property.getKey()) + 3 + measure(property.getValue(), depth + 1, what);
					if (size > this.maxDataBytes) {
						return size;
					}
				}
			}
			else {
				for (Iterator<JsonNode> elements = value.iterator(); elements.hasNext();) {
					size += measure(elements.next(), depth + 1, what);
					if (size > this.maxDataBytes) {
						return size;
					}
				}
			}
			return size;
		}
		if (value.isString()) {
			return utf8Length(value.stringValue()) + 2;
		}
		if (value.isNull()) {
			return 4;
		}
		return value.asString().length();
	}

	private static long utf8Length(String text) {
		long bytes = 0;
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			bytes += (c < 0x80) ? 1 : (c < 0x800) ? 2 : Character.isSurrogate(c) ? 2 : 3;
		}
		return bytes;
	}

}
