/**
 * Pushing own scribes with `add_scribe` on one connection: oldest first, a window of
 * requests in flight, and starting over after a 409 (from the id the server expects), a
 * 429, a 500 or a timeout (after a backoff). Every retry is safe: the server settles client
 * scribe ids by its mark (PROTOCOL.md §4). A 409 that expects a scribe this client no
 * longer holds, below its pending ones, means the server forgot scribes it had settled: the
 * client renumbers its pending scribes from there, and the pushes start over with them.
 * @module
 */

import { isFinal } from './errors.js';

/**
 * @typedef {import('./backoff.js').Backoff} Backoff
 * @typedef {import('./connection.js').Connection} Connection
 * @typedef {import('./records.js').Scribe} Scribe
 *
 * @typedef {object} PusherHost what a pusher needs of its client
 * @property {() => readonly Scribe[]} pending the pending own scribes, oldest first
 * @property {() => number} storedUpTo the highest client scribe id stored (only those may go)
 * @property {(scribeId: number) => boolean} onItsWay whether a scribe is on its way by
 *   another path (the answer to the server's pull)
 * @property {(scribeId: number, reply: any) => void} acknowledged the server answered `true`
 * @property {(scribeId: number, code: number, message: string) => void} refused the server
 *   refused the scribe for good (400, 403, 404)
 * @property {(expected: number) => boolean} renumber the server expects this own scribe id
 *   next: renumbers the pending scribes from there if it is not pending and they start above
 *   it (then {@link Pusher#renumbered} is called); whether it did
 */

/** Most `add_scribe` requests awaiting an answer at once. */
const PUSH_WINDOW = 100;

/**
 * Sends the stored pending scribes that are not on their way yet, once {@link Pusher#start}
 * allowed it (the server's pull was answered), and each new one as it is stored.
 */
export class Pusher {
	/**
	 * @param {Connection} conn the connection
	 * @param {PusherHost} host
	 * @param {Backoff} backoff the client's delays of retries, reset by an acknowledgement
	 */
	constructor(conn, host, backoff) {
		/** @private */ this._conn = conn;
		/** @private */ this._host = host;
		/** @private */ this._backoff = backoff;
		/** @private whether pushes may go: the server's pull was answered without `more` */
		this._started = false;
		/** @private bumped when pushes start over; answers to older pushes then only settle */
		this._generation = 0;
		/** @private @type {Map<number, number>} client scribe id -> generation of its push */
		this._inFlight = new Map();
		/** @private @type {Set<number>} answered `true` here: settled, never sent again (in
		 * protocol v2 they stay pending until the position reaches where they landed) */
		this._settled = new Set();
		/** @private @type {ReturnType<typeof setTimeout> | null} a start over after a backoff */
		this._retryTimer = null;
		/** @private @type {number[]} where each renumbering on this connection started, in order:
		 * a push sent before one, of an id at or above where it started, named another scribe */
		this._renumberings = [];
	}

	/** Lets pushes go, and sends what waits. */
	start() {
		this._started = true;
		this.pump();
	}

	/** Sends every stored pending scribe that is not on its way yet, oldest first. */
	pump() {
		if (!this._conn.open || !this._started || this._retryTimer !== null) {
			return;
		}
		const host = this._host;
		for (const scribe of host.pending()) {
			if (scribe.id > host.storedUpTo() || this._inFlight.size >= PUSH_WINDOW) {
				break;
			}
			if (!this._inFlight.has(scribe.id) && !this._settled.has(scribe.id) && !host.onItsWay(scribe.id)) {
				this._push(scribe);
			}
		}
	}

	/**
	 * Starts pushing over from the oldest pending scribe: at once, or after the next backoff
	 * delay. Lets pushes go if they were not yet.
	 * @param {boolean} immediately
	 */
	restart(immediately) {
		this._started = true;
		this._generation++;
		this._inFlight.clear();
		clearTimeout(this._retryTimer);
		this._retryTimer = null;
		const delay = immediately ? 0 : this._backoff.next();
		if (delay > 0) {
			this._retryTimer = setTimeout(() => {
				this._retryTimer = null;
				this.pump();
			}, delay);
		}
		else {
			this.pump();
		}
	}

	/**
	 * A scribe left the pending list: it no longer counts as in flight.
	 * @param {number} scribeId
	 */
	forget(scribeId) {
		this._inFlight.delete(scribeId);
		this._settled.delete(scribeId);
	}

	/**
	 * The pending scribes from `from` on were renumbered: pushes of those ids sent before now
	 * name other scribes, so their answers are ignored and the scribes go again. Pushes go on
	 * from there once they are stored (the client pumps), if they were let go.
	 * @param {number} from the first renumbered id
	 */
	renumbered(from) {
		this._renumberings.push(from);
		for (const scribeId of [...this._inFlight.keys()]) {
			if (scribeId >= from) {
				this._inFlight.delete(scribeId);
			}
		}
		for (const scribeId of [...this._settled]) {
			if (scribeId >= from) {
				this._settled.delete(scribeId);
			}
		}
	}

	/** Stops the retry timer (the connection closed). */
	stop() {
		clearTimeout(this._retryTimer);
		this._retryTimer = null;
	}

	/** @private */
	_push(scribe) {
		const generation = this._generation;
		const numbering = this._renumberings.length;
		this._inFlight.set(scribe.id, generation);
		this._conn.request({ type: 'add_scribe', scribe }, {
			// on arrival, before the messages behind the answer (ws may hand over several in
			// one tick): the client then sees its writes settle in the order of the wire
			process: (reply) => {
				if (this._renumberedSince(numbering, scribe.id)) {
					return;
				}
				this._answered(scribe.id, generation);
				this._settled.add(scribe.id);
				this._backoff.reset();
				this._host.acknowledged(scribe.id, reply);
			},
		}).then(() => this.pump(), (error) => {
			if (this._renumberedSince(numbering, scribe.id)) {
				return;
			}
			this._answered(scribe.id, generation);
			this._failed(scribe.id, generation, error);
		});
	}

	/**
	 * Whether a push sent before a renumbering carried an id that now names another scribe.
	 * @private
	 */
	_renumberedSince(numbering, scribeId) {
		return this._renumberings.slice(numbering).some((from) => scribeId >= from);
	}

	/** @private */
	_answered(scribeId, generation) {
		if (this._inFlight.get(scribeId) === generation) {
			this._inFlight.delete(scribeId);
		}
	}

	/** @private */
	_failed(scribeId, generation, error) {
		if (isFinal(error.code)) {
			this._host.refused(scribeId, error.code, error.message);
			this.pump();
			return;
		}
		if (this._conn.closed || error.code === 'closed' || generation !== this._generation) {
			// a reconnect, or the restart that made this push stale, sends it again
			return;
		}
		if (error.code === 409) {
			// a scribe the server expects that this client no longer holds is renumbered into;
			// one it holds was lost on the way: send again from there
			if (!Number.isSafeInteger(error.expected) || !this._host.renumber(error.expected)) {
				this.restart(true);
			}
			return;
		}
		this.restart(false);
	}
}
