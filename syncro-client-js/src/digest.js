/**
 * Digests of records (PROTOCOL.md §8.9), the same as the server's: how many records, and
 * the sum modulo 2^64 of each record's hash, the 64-bit FNV-1a hash of its canonical
 * encoding without its attributes set to null.
 * @module
 */

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;
const encoder = new TextEncoder();

/**
 * @typedef {{count: number, hash: string}} Digest a digest as the wire carries it: the
 *   sum as 16 lowercase hex digits
 */

/**
 * The canonical encoding of a JSON value: `n`, `t`, `f`; a number as `d` and the 16 hex
 * digits of its IEEE 754 bits (negative zero as zero); a string as `s`, its UTF-8 length,
 * `:` and its UTF-8 bytes (a lone surrogate as U+FFFD); an array as `[` elements `]`; an
 * object as `{` key value … `}`, keys in UTF-16 code unit order.
 * @param {unknown} value
 * @returns {Uint8Array}
 */
export function canonical(value) {
	/** @type {number[]} */
	const out = [];
	encode(value, out);
	return Uint8Array.from(out);
}

/** @param {unknown} value @param {number[]} out */
function encode(value, out) {
	if (value === null) {
		out.push(0x6e);
	}
	else if (value === true || value === false) {
		out.push(value ? 0x74 : 0x66);
	}
	else if (typeof value === 'number') {
		const view = new DataView(new ArrayBuffer(8));
		view.setFloat64(0, value === 0 ? 0 : value);
		ascii('d' + view.getBigUint64(0).toString(16).padStart(16, '0'), out);
	}
	else if (typeof value === 'string') {
		string(value, out);
	}
	else if (Array.isArray(value)) {
		out.push(0x5b);
		value.forEach((element) => encode(element, out));
		out.push(0x5d);
	}
	else if (typeof value === 'object') {
		out.push(0x7b);
		// the default sort compares UTF-16 code units, as the server does
		for (const key of Object.keys(value).sort()) {
			string(key, out);
			encode(value[key], out);
		}
		out.push(0x7d);
	}
	else {
		throw new TypeError(`Not a JSON value: ${typeof value}`);
	}
}

/** @param {string} text @param {number[]} out */
function string(text, out) {
	const bytes = encoder.encode(text);
	ascii(`s${bytes.length}:`, out);
	for (const byte of bytes) {
		out.push(byte);
	}
}

/** @param {string} text @param {number[]} out */
function ascii(text, out) {
	for (let i = 0; i < text.length; i++) {
		out.push(text.charCodeAt(i));
	}
}

/**
 * A record's hash: FNV-1a 64 of the canonical encoding of its attributes not set to null.
 * @param {Record<string, unknown>} record
 * @returns {bigint}
 */
export function recordHash(record) {
	/** @type {Record<string, unknown>} */
	const set = {};
	for (const [name, value] of Object.entries(record)) {
		if (value !== null && value !== undefined) {
			set[name] = value;
		}
	}
	let hash = FNV_OFFSET;
	for (const byte of canonical(set)) {
		hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & MASK;
	}
	return hash;
}

/**
 * The digest of some records.
 * @param {Iterable<Record<string, unknown>>} records
 * @returns {Digest}
 */
export function digestOf(records) {
	let count = 0;
	let sum = 0n;
	for (const record of records) {
		count++;
		sum = (sum + recordHash(record)) & MASK;
	}
	return { count, hash: sum.toString(16).padStart(16, '0') };
}
