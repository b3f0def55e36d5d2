/**
 * The error type of the client.
 * @module
 */

/** Error codes the server may answer with that settle a scribe for good (PROTOCOL.md §4). */
export const FINAL_CODES = Object.freeze([400, 403, 404, 410]);

/**
 * Whether an error code settles a scribe for good: refused (400, 403, 404), or settled
 * so long ago that its outcome is no longer known (410).
 * @param {unknown} code
 * @returns {boolean}
 */
export function isFinal(code) {
	return FINAL_CODES.includes(/** @type {number} */ (code));
}

/**
 * An error answered by the server (`code` is its numeric code, such as 404 or 500), or a
 * failure of the client itself: `code` is `'timeout'` when no answer came in time,
 * `'closed'` when the connection or the client closed before the answer came, and
 * `'lost-writes'` (an `error` event) when the server pulled this client's scribes from
 * below a mark it had before (or answered a 409 that expects a scribe below it): it lost
 * `lost` writes it had settled, and the client renumbers its pending writes from that mark.
 */
export class SyncroError extends Error {
	/**
	 * @param {number | 'timeout' | 'closed' | 'lost-writes'} code the code
	 * @param {string} message one human sentence
	 * @param {{scribe?: number, expected?: number, lost?: number}} [details] the scribe the
	 *   error concerns, for 409 the client scribe id the server expects next, and for
	 *   `'lost-writes'` how many writes the server lost
	 */
	constructor(code, message, details = {}) {
		super(message);
		this.name = 'SyncroError';
		/** @type {number | 'timeout' | 'closed' | 'lost-writes'} */
		this.code = code;
		/** @type {number | undefined} */
		this.scribe = details.scribe;
		/** @type {number | undefined} */
		this.expected = details.expected;
		/** @type {number | undefined} */
		this.lost = details.lost;
	}
}
