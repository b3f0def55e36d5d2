package io.syncro.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The digest of a set of records (docs/PROTOCOL.md section 8.9), the same in every client
 * and server: how many records there are, and the sum modulo 2<sup>64</sup> of each
 * record's {@link #hash}, the 64-bit FNV-1a hash of its canonical encoding. A sum, so a record's
 * hash can be added and taken away as it changes, in any order.
 * <p>
 * The canonical encoding of a JSON value, in bytes: {@code n}, {@code t}, {@code f} for
 * null, true and false; a number as {@code d} and the 16 lowercase hex digits of the bits
 * of its nearest IEEE 754 double (negative zero as zero); a string as {@code s}, its
 * UTF-8 length in decimal, {@code :} and its UTF-8 bytes (a lone surrogate as U+FFFD); an
 * array as {@code [}, its elements, {@code ]}; an object as <code>{</code>, then each key
 * (as a string) and its value, keys in increasing order of their UTF-16 code units, and
 * <code>}</code>.
 *
 * @param count how many records
 * @param sum the sum of their hashes
 * @since 0.2.0
 */
public record RecordDigest(long count, long sum) {

	/** The digest of no records. */
	public static final RecordDigest EMPTY = new RecordDigest(0, 0);

	private static final long FNV_OFFSET = 0xcbf29ce484222325L;

	private static final long FNV_PRIME = 0x100000001b3L;

	private static final byte[] REPLACEMENT = { (byte) 0xEF, (byte) 0xBF, (byte) 0xBD };

	/**
	 * This digest with a record added.
	 * @param hash the record's {@link #hash}
	 * @return the digest
	 */
	public RecordDigest plus(long hash) {
		return new RecordDigest(this.count + 1, this.sum + hash);
	}

	/**
	 * This digest with a record taken away.
	 * @param hash the record's {@link #hash}
	 * @return the digest
	 */
	public RecordDigest minus(long hash) {
		return new RecordDigest(this.count - 1, this.sum - hash);
	}

	/**
	 * This digest with all the records of another.
	 * @param other the other digest
	 * @return the digest
	 */
	public RecordDigest plus(RecordDigest other) {
		return new RecordDigest(this.count + other.count, this.sum + other.sum);
	}

	/**
	 * The digest as the wire carries it: {@code {"count": 180, "hash": "<16 hex digits>"}}.
	 * @return a new JSON object
	 */
	public ObjectNode toJson() {
		return JsonNodeFactory.instance.objectNode().put("count", this.count).put("hash", hex(this.sum));
	}

	/**
	 * Reads a digest written by {@link #toJson()}.
	 * @param json the JSON
	 * @return the digest
	 * @throws IllegalArgumentException if it is not one
	 */
	public static RecordDigest fromJson(JsonNode json) {
		JsonNode count = json.get("count");
		JsonNode hash = json.get("hash");
		if (count == null || !count.canConvertToLong() || hash == null || !hash.isString()
				|| hash.asString().length() != 16) {
			throw new IllegalArgumentException("Not a digest: " + json);
		}
		return new RecordDigest(count.asLong(), Long.parseUnsignedLong(hash.asString(), 16));
	}

	/**
	 * The digest of some records.
	 * @param records the records
	 * @return their digest
	 */
	public static RecordDigest of(Iterable<? extends JsonNode> records) {
		RecordDigest digest = EMPTY;
		for (JsonNode record : records) {
			digest = digest.plus(hash(record));
		}
		return digest;
	}

	/**
	 * A record's hash: 64-bit FNV-1a of the canonical encoding of the record without its
	 * attributes set to null, so that a record holds the same whether a client was sent
	 * {@code null} or nothing for an attribute.
	 * @param record the record, a JSON object
	 * @return the hash
	 */
	public static long hash(JsonNode record) {
		ObjectNode set = JsonNodeFactory.instance.objectNode();
		record.properties().forEach((attribute) -> {
			if (!attribute.getValue().isNull()) {
				set.set(attribute.getKey(), attribute.getValue());
			}
		});
		long hash = FNV_OFFSET;
		for (byte b : canonical(set)) {
			hash ^= (b & 0xff);
			hash *= FNV_PRIME;
		}
		return hash;
	}

	/**
	 * The canonical encoding of a JSON value.
	 * @param value the value
	 * @return its bytes
	 */
	public static byte[] canonical(JsonNode value) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		encode(value, out);
		return out.toByteArray();
	}

	private static void encode(JsonNode value, ByteArrayOutputStream out) {
		if (value.isNull() || value.isMissingNode()) {
			out.write('n');
		}
		else if (value.isBoolean()) {
			out.write(value.booleanValue() ? 't' : 'f');
		}
		else if (value.isNumber()) {
			double number = value.doubleValue();
			out.writeBytes(("d" + hex(Double.doubleToLongBits((number == 0) ? 0.0 : number)))
				.getBytes(StandardCharsets.US_ASCII));
		}
		else if (value.isString()) {
			string(value.stringValue(), out);
		}
		else if (value.isArray()) {
			out.write('[');
			value.forEach((element) -> encode(element, out));
			out.write(']');
		}
		else if (value.isObject()) {
			out.write('{');
			List<Map.Entry<String, JsonNode>> properties = new ArrayList<>(value.properties());
			properties.sort(Map.Entry.comparingByKey());
			for (Map.Entry<String, JsonNode> property : properties) {
				string(property.getKey(), out);
				encode(property.getValue(), out);
			}
			out.write('}');
		}
		else {
			throw new IllegalArgumentException("Not a JSON value of a record: " + value.getNodeType());
		}
	}

	private static void string(String text, ByteArrayOutputStream out) {
		byte[] bytes = utf8(text);
		out.writeBytes(("s" + bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
		out.writeBytes(bytes);
	}

	private static byte[] utf8(String text) {
		if (text.chars().noneMatch((c) -> Character.isSurrogate((char) c))) {
			return text.getBytes(StandardCharsets.UTF_8);
		}
		CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
			.onMalformedInput(CodingErrorAction.REPLACE)
			.onUnmappableCharacter(CodingErrorAction.REPLACE)
			.replaceWith(REPLACEMENT);
		try {
			ByteBuffer buffer = encoder.encode(CharBuffer.wrap(text));
			byte[] bytes = new byte[buffer.remaining()];
			buffer.get(bytes);
			return bytes;
		}
		catch (CharacterCodingException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * 64 bits as 16 lowercase hex digits.
	 * @param bits the bits
	 * @return the digits
	 */
	public static String hex(long bits) {
		String digits = Long.toHexString(bits);
		return "0".repeat(16 - digits.length()) + digits;
	}

}
