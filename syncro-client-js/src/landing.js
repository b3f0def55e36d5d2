/**
 * Where own scribes landed in the server's log, on one protocol v2 connection, and when
 * they may leave the pending list (docs/PROTOCOL.md section 8.4). The server
 * answers a played `add_scribe` with `at`, the highest server scribe id the play appended
 * for this client;
 * the write leaves once the client's position reaches it, so the confirmed copy holds the
 * echo of the write and every scribe the server ordered before it.
 * @module
 */

/**
 * @typedef {object} LandingHost what the landings need of their client
 * @property {() => number | null} position the highest server scribe id applied
 * @property {(scribeId: number) => void} leave the write leaves the pending list
 * @property {(caughtUp: () => void) => Promise<boolean>} catchUp sends `sync` from the
 *   position until an answer without `more`, calling `caughtUp` as that answer is applied;
 *   resolves when done (a failure closes the connection)
 */

/**
 * The writes of one connection that the server answered `true`, waiting to leave:
 * - `at: N` waits until the position reaches N (usually at once: the server answers only
 *   after it sent every scribe up to N);
 * - `at: null` (the play appended nothing) leaves at once;
 * - `at` absent (a duplicate, or the server could not tell) leaves once a `sync` sent after
 *   the answer came back without `more`.
 */
export class Landing {
	/**
	 * @param {LandingHost} host
	 */
	constructor(host) {
		/** @private */ this._host = host;
		/** @private @type {Map<number, number>} client scribe id -> where it landed */
		this._awaiting = new Map();
		/** @private @type {Set<number>} writes answered without `at`, for the next sync */
		this._unknown = new Set();
		/** @private whether a sync for writes answered without `at` runs */
		this._catchingUp = false;
		/** @private */ this._stopped = false;
	}

	/**
	 * The server answered a write `true`.
	 * @param {number} scribeId the client scribe id
	 * @param {any} reply the `response`
	 */
	landed(scribeId, reply) {
		const at = reply?.at;
		if (at === null) {
			this._host.leave(scribeId);
		}
		else if (Number.isSafeInteger(at)) {
			this._awaiting.set(scribeId, at);
			this.reached();
		}
		else {
			this._unknown.add(scribeId);
			this._catchUp();
		}
	}

	/** The position moved: the writes it reached leave, oldest first. */
	reached() {
		const position = this._host.position() ?? 0;
		const due = [...this._awaiting].filter(([, at]) => at <= position).map(([scribeId]) => scribeId);
		for (const scribeId of due.sort((a, b) => a - b)) {
			this._awaiting.delete(scribeId);
			this._host.leave(scribeId);
		}
	}

	/**
	 * A write left the pending list by another way.
	 * @param {number} scribeId
	 */
	forget(scribeId) {
		this._awaiting.delete(scribeId);
		this._unknown.delete(scribeId);
	}

	/**
	 * The pending scribes from `from` on were renumbered: what waits under their old ids
	 * speaks of other scribes now.
	 * @param {number} from the first renumbered id
	 */
	renumbered(from) {
		for (const scribeId of [...this._awaiting.keys()]) {
			if (scribeId >= from) {
				this._awaiting.delete(scribeId);
			}
		}
		for (const scribeId of [...this._unknown]) {
			if (scribeId >= from) {
				this._unknown.delete(scribeId);
			}
		}
	}

	/** The connection closed: what still waits is sent again on the next one. */
	stop() {
		this._stopped = true;
		this._awaiting.clear();
		this._unknown.clear();
	}

	/** @private */
	_catchUp() {
		if (this._catchingUp || this._unknown.size === 0 || this._stopped) {
			return;
		}
		this._catchingUp = true;
		// only the writes answered before this sync was sent may leave when it completes
		const waiting = [...this._unknown].sort((a, b) => a - b);
		this._unknown.clear();
		this._host.catchUp(() => {
			if (!this._stopped) {
				for (const scribeId of waiting) {
					this._host.leave(scribeId);
				}
			}
		}).then(() => {
			this._catchingUp = false;
			this._catchUp();
		});
	}
}
