/**
 * Exponential backoff with jitter, used for reconnecting and for retrying scribes the
 * server could not settle (429, 500, timeouts).
 *
 * The n-th delay (n from 0) has the ceiling `min(max, initial * factor ** n)` and is drawn
 * from `[ceiling * (1 - jitter), ceiling]`, so clients that lost the same server do not
 * come back in step.
 *
 * @module
 */

/**
 * @typedef {object} BackoffOptions
 * @property {number} [initial=500] first ceiling, in milliseconds
 * @property {number} [max=30000] highest ceiling, in milliseconds
 * @property {number} [factor=2] growth of the ceiling per attempt
 * @property {number} [jitter=0.5] share of the ceiling that is random, from 0 to 1
 * @property {() => number} [random=Math.random] source of numbers in [0, 1)
 */

const DEFAULTS = Object.freeze({ initial: 500, max: 30000, factor: 2, jitter: 0.5 });

/**
 * The delay before retry number `attempt`.
 * @param {number} attempt how many retries came before this one (0 for the first)
 * @param {BackoffOptions} [options]
 * @returns {number} the delay in whole milliseconds
 */
export function backoffDelay(attempt, options = {}) {
	const { initial, max, factor, jitter } = { ...DEFAULTS, ...definedOnly(options) };
	const random = options.random ?? Math.random;
	const ceiling = Math.min(max, initial * factor ** Math.min(attempt, 64));
	const share = Math.min(1, Math.max(0, jitter));
	return Math.round(ceiling * (1 - share * random()));
}

/**
 * A sequence of growing delays that starts over with {@link Backoff#reset}.
 */
export class Backoff {
	/**
	 * @param {BackoffOptions} [options]
	 */
	constructor(options = {}) {
		/** @private */
		this._options = options;
		/** @private */
		this._attempt = 0;
	}

	/**
	 * How many delays were handed out since the last reset.
	 * @returns {number}
	 */
	get attempt() {
		return this._attempt;
	}

	/**
	 * The next delay; each call grows the ceiling until it reaches `max`.
	 * @returns {number} milliseconds
	 */
	next() {
		return backoffDelay(this._attempt++, this._options);
	}

	/**
	 * Starts over from the first delay, after a success.
	 */
	reset() {
		this._attempt = 0;
	}
}

function definedOnly(options) {
	return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
