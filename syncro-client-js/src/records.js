/**
 * Records and scribes as plain JSON: applying a scribe to a record, checking a scribe's
 * shape (PROTOCOL.md §4), comparing and freezing values, making ids.
 * @module
 */

/**
 * @typedef {Record<string, unknown>} Attributes JSON attributes: of a record (`id` included), or
 *   changes to them
 * @typedef {{id: string | number, [attribute: string]: unknown}} AnyRecord a record: JSON
 *   attributes, `id` included
 * @typedef {string | number | boolean | null | JsonValue[] | {[key: string]: JsonValue}} JsonValue
 *   a JSON value
 * @typedef {{id: number, klass: string, type: 'create' | 'update' | 'destroy', data: any}} Scribe
 */

const TYPES = new Set(['create', 'update', 'destroy']);

/**
 * The id of the record a scribe changes.
 * @param {Scribe} scribe
 * @returns {string | number}
 */
export function recordIdOf(scribe) {
	return scribe.type === 'create' ? scribe.data.id : scribe.data[0];
}

/**
 * Whether a value is a valid record id: a non-empty string or a finite number.
 * @param {unknown} id
 * @returns {id is string | number}
 */
export function isRecordId(id) {
	return (typeof id === 'string' && id.length > 0) || (typeof id === 'number' && Number.isFinite(id));
}

/**
 * Why a value is not a well-formed scribe, or null when it is one.
 * @param {unknown} scribe
 * @returns {string | null}
 */
export function scribeProblem(scribe) {
	if (!isPlainObject(scribe)) {
		return 'A scribe must be an object.';
	}
	if (!Number.isSafeInteger(scribe.id) || scribe.id < 1) {
		return 'A scribe needs a positive integer id.';
	}
	if (typeof scribe.klass !== 'string' || scribe.klass.length === 0) {
		return 'A scribe needs a klass.';
	}
	if (!TYPES.has(/** @type {string} */ (scribe.type))) {
		return 'A scribe type must be create, update or destroy.';
	}
	const data = scribe.data;
	if (scribe.type === 'create') {
		return isPlainObject(data) && isRecordId(data.id) ? null : 'A create needs an object with an id.';
	}
	if (!Array.isArray(data) || !isRecordId(data[0])) {
		return `A ${scribe.type} needs [recordId, …] as data.`;
	}
	if (scribe.type === 'update' && !isPlainObject(data[1])) {
		return 'An update needs [recordId, {changes}] as data.';
	}
	return null;
}

/**
 * The record after a scribe: a create sets every attribute it carries (on an existing
 * record too, as the server plays it), an update merges its changes into an existing
 * record (an update of a missing record leaves it missing), a destroy removes it.
 * @param {Attributes | null} record the record before, or null when it does not exist
 * @param {Scribe} scribe the scribe
 * @returns {Attributes | null} a new frozen record, or null
 */
export function applyScribe(record, scribe) {
	if (scribe.type === 'create') {
		return freeze({ ...(record ?? {}), ...scribe.data });
	}
	if (scribe.type === 'update') {
		return record ? freeze({ ...record, ...scribe.data[1] }) : null;
	}
	return null;
}

/**
 * Applies scribes in order.
 * @param {Attributes | null} record the record before
 * @param {Iterable<Scribe>} scribes the scribes of that record, oldest first
 * @returns {Attributes | null}
 */
export function applyAll(record, scribes) {
	let result = record;
	for (const scribe of scribes) {
		result = applyScribe(result, scribe);
	}
	return result;
}

/**
 * Compares JSON values by value.
 * @param {unknown} a
 * @param {unknown} b
 * @returns {boolean}
 */
export function jsonEqual(a, b) {
	if (a === b) {
		return true;
	}
	if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
		return false;
	}
	if (Array.isArray(a) !== Array.isArray(b)) {
		return false;
	}
	const keysA = Object.keys(a);
	const keysB = Object.keys(b);
	if (keysA.length !== keysB.length) {
		return false;
	}
	return keysA.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]));
}

/**
 * A deep copy of a JSON value, with anything JSON cannot hold dropped or converted as
 * `JSON.stringify` does (a Date becomes its ISO string).
 * @template T
 * @param {T} value
 * @returns {T}
 */
export function toJson(value) {
	return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

/**
 * Freezes a JSON value deeply, so that records handed out cannot be changed in place.
 * @template T
 * @param {T} value
 * @returns {T}
 */
export function freeze(value) {
	if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
		Object.freeze(value);
		for (const child of Object.values(value)) {
			freeze(child);
		}
	}
	return value;
}

/**
 * Whether a value is a plain JSON object (not null, not an array).
 * @param {unknown} value
 * @returns {value is Record<string, any>}
 */
export function isPlainObject(value) {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A random UUID (version 4); uses `crypto.randomUUID` where the page is a secure context
 * and `crypto.getRandomValues` elsewhere.
 * @returns {string}
 */
export function uuid() {
	const crypto = globalThis.crypto;
	if (typeof crypto?.randomUUID === 'function') {
		return crypto.randomUUID();
	}
	const bytes = new Uint8Array(16);
	if (typeof crypto?.getRandomValues === 'function') {
		crypto.getRandomValues(bytes);
	}
	else {
		for (let i = 0; i < bytes.length; i++) {
			bytes[i] = Math.floor(Math.random() * 256);
		}
	}
	bytes[6] = (bytes[6] & 0x0f) | 0x40;
	bytes[8] = (bytes[8] & 0x3f) | 0x80;
	const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The UTF-8 length of a string, in bytes.
 * @param {string} text
 * @returns {number}
 */
export function utf8Length(text) {
	let bytes = 0;
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (code < 0x80) {
			bytes += 1;
		}
		else if (code < 0x800) {
			bytes += 2;
		}
		else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
			bytes += 4;
			i++;
		}
		else {
			bytes += 3;
		}
	}
	return bytes;
}
