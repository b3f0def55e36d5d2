/**
 * What a client tracks per connection.
 * @module
 */

/**
 * The state of one connection: whether own scribes may be pushed yet, which are on their
 * way, and its timers. A new connection starts with a new one.
 */
export class Link {
	constructor() {
		/** @type {import('./connection.js').Connection | null} */
		this.conn = null;
		/** Whether the server's pull was answered without `more`, so pushes may start. */
		this.pushing = false;
		/** Bumped when pushes start over; answers to older pushes then only settle. */
		this.generation = 0;
		/** @type {Map<number, number>} client scribe id -> generation of its push */
		this.inFlight = new Map();
		/** @type {Set<number>} ids sent in answers to the server's pull, awaiting its next pull */
		this.pullSent = new Set();
		/** @type {ReturnType<typeof setTimeout> | null} a restart of pushes after a backoff */
		this.retryTimer = null;
		/** @type {ReturnType<typeof setTimeout> | null} pushes what a pull that was not followed up sent */
		this.pullTimer = null;
		/** @type {ReturnType<typeof setInterval> | null} the pings */
		this.heartbeat = null;
	}

	/** Stops every timer of the connection. */
	stopTimers() {
		clearTimeout(this.retryTimer);
		clearTimeout(this.pullTimer);
		clearInterval(this.heartbeat);
		this.retryTimer = null;
		this.pullTimer = null;
		this.heartbeat = null;
	}
}
