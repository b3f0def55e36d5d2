/**
 * Answering the server's pull on one connection (PROTOCOL.md §5.2): the server sends
 * `sync` with its mark for this uid; the client answers with its pending scribes above the
 * mark, in batches, and the server pulls again once they moved its mark. Pushes wait until
 * an answer without `more`. In protocol v2 the answer is always empty: every pending scribe
 * goes by `add_scribe`, whose answer tells where it landed. A mark below one the server
 * had before means it lost own scribes it had settled, which the client reports. Pending
 * scribes above the mark that start above the next id the server expects would be answered
 * 409 for good: they are renumbered from that id before any of them goes out.
 * @module
 */

import { isFinal } from './errors.js';
import { utf8Length } from './records.js';

/**
 * @typedef {import('./connection.js').Connection} Connection
 * @typedef {import('./pusher.js').Pusher} Pusher
 * @typedef {import('./replica.js').Replica} Replica
 * @typedef {import('./stores.js').StoreChange} StoreChange
 *
 * @typedef {object} PullHost what answering the pull needs of its client
 * @property {(change: StoreChange) => Promise<void>} persist queues a store write
 * @property {() => Promise<void>} written resolves once the store writes queued so far are done
 * @property {() => number} storedUpTo the highest client scribe id stored (only those may go)
 * @property {(scribeId: number) => void} accept the server settled a scribe by playing it
 * @property {(scribeId: number, code: number, message: unknown) => void} refuse the server
 *   refused a scribe for good
 * @property {(count: number, known: number, mark: number) => void} lost the server pulls from
 *   below the highest mark it was known to have: it lost `count` own scribes it had settled
 * @property {(from: number) => Promise<void> | null} renumber the server expects this own
 *   scribe id next: renumbers the pending scribes from there if it is not pending and they
 *   start above it; settles once they are stored, or null when nothing was renumbered
 */

/** Most scribes in one answer to the server's pull (PROTOCOL.md §5.2). */
export const MAX_BATCH = 500;

/** Most bytes of scribes in one answer: well under the server's 512 KiB message limit. */
const BATCH_BYTES = 256 * 1024;

/**
 * The server's pull on one connection, and the scribes sent in the answers to it.
 */
export class ServerPull {
	/**
	 * @param {Connection} conn the connection
	 * @param {Pusher} pusher the connection's pusher, started once the pull was answered
	 * @param {Replica} replica the client's records
	 * @param {PullHost} host
	 * @param {{batchSize: number, requestTimeout: number}} options most scribes per answer;
	 *   how long to wait for the server to pull again before pushing what was sent
	 */
	constructor(conn, pusher, replica, host, options) {
		/** @private */ this._conn = conn;
		/** @private */ this._pusher = pusher;
		/** @private */ this._replica = replica;
		/** @private */ this._host = host;
		/** @private */ this._options = options;
		/** @private @type {Set<number>} ids sent in answers to the pull, awaiting its next pull */
		this._sent = new Set();
		/** @private @type {ReturnType<typeof setTimeout> | null} pushes what a pull that was not followed up sent */
		this._timer = null;
	}

	/**
	 * Answers the server's pull. `from` is its mark for this uid, so scribes up to it that
	 * were sent in an answer to its previous pull are acknowledged; the pending scribes above
	 * it are renumbered from `from + 1` if they start above that; the answer is the stored
	 * pending scribes above it, in batches (v1), or empty (v2).
	 * @param {any} message the server's `sync`
	 * @param {number} version the protocol version of the connection
	 */
	answer(message, version) {
		const conn = this._conn;
		const from = message.from ?? null;
		if (from !== null && (!Number.isSafeInteger(from) || from < 0)) {
			conn.fail(message.id, 400, "The field 'from' must be a non-negative integer or null.");
			return;
		}
		clearTimeout(this._timer);
		this._timer = null;
		const replica = this._replica;
		const change = {};
		const mark = from ?? 0;
		if (mark < replica.serverMark) {
			// a mark never goes back unless the server lost what it had settled
			this._host.lost(replica.serverMark - mark, replica.serverMark, mark);
		}
		if (mark !== replica.serverMark) {
			replica.serverMark = mark;
			change.serverMark = mark;
		}
		if (from !== null) {
			for (const scribe of [...replica.pending]) {
				if (scribe.id > from) {
					break;
				}
				if (this._sent.has(scribe.id)) {
					this._host.accept(scribe.id);
				}
			}
			if (from >= replica.nextScribeId) {
				// the server has settled ids this client does not remember: never reuse them
				replica.nextScribeId = from + 1;
				change.nextScribeId = replica.nextScribeId;
			}
		}
		if (Object.keys(change).length > 0) {
			this._host.persist(change);
		}
		// before any of them can go out: they go once stored with their new ids
		const renumbered = this._host.renumber(mark + 1);
		if (version >= 2) {
			conn.respond(message.id, []);
			this._pusher.start();
			return;
		}
		// answer only with scribes that are stored, once the writes queued so far are done
		const written = renumbered ? renumbered.then(() => this._host.written()) : this._host.written();
		written.then(() => {
			if (conn.closed) {
				return;
			}
			const { batch, more } = this._batch(from ?? 0);
			for (const scribe of batch) {
				this._sent.add(scribe.id);
			}
			conn.respond(message.id, batch, more);
			if (batch.length > 0) {
				// the server pulls again once these moved its mark; should it not, push them
				this._timer = setTimeout(() => {
					this._timer = null;
					this._sent.clear();
					this._pusher.start();
				}, this._options.requestTimeout);
			}
			if (more) {
				this._pusher.pump();
			}
			else {
				this._pusher.start();
			}
		});
	}

	/**
	 * The server's report on a scribe it pulled (an `error` with `scribe` and no `id`). A
	 * final code refuses it; any other ended the server's pull, so the client pushes from
	 * there itself.
	 * @param {number} scribeId the client scribe id
	 * @param {number} code the server's code
	 * @param {unknown} message the server's sentence
	 */
	reported(scribeId, code, message) {
		if (isFinal(code)) {
			this._host.refuse(scribeId, code, message);
			return;
		}
		clearTimeout(this._timer);
		this._timer = null;
		this._sent.clear();
		this._pusher.restart(code === 409);
	}

	/**
	 * Whether a scribe went in an answer to the pull that the server has not followed up yet.
	 * @param {number} scribeId
	 * @returns {boolean}
	 */
	isSent(scribeId) {
		return this._sent.has(scribeId);
	}

	/**
	 * A scribe left the pending list.
	 * @param {number} scribeId
	 */
	forget(scribeId) {
		this._sent.delete(scribeId);
	}

	/**
	 * The pending scribes from `from` on were renumbered: those sent under their old ids are
	 * no longer on their way.
	 * @param {number} from the first renumbered id
	 */
	renumbered(from) {
		for (const scribeId of [...this._sent]) {
			if (scribeId >= from) {
				this._sent.delete(scribeId);
			}
		}
	}

	/** Stops the timer (the connection closed). */
	stop() {
		clearTimeout(this._timer);
		this._timer = null;
	}

	/** @private */
	_batch(from) {
		const batch = [];
		let bytes = 0;
		let more = false;
		const storedUpTo = this._host.storedUpTo();
		for (const scribe of this._replica.pending) {
			if (scribe.id <= from) {
				continue;
			}
			if (scribe.id > storedUpTo) {
				break;
			}
			const size = utf8Length(JSON.stringify(scribe)) + 1;
			if (batch.length === this._options.batchSize || (batch.length > 0 && bytes + size > BATCH_BYTES)) {
				more = true;
				break;
			}
			batch.push(scribe);
			bytes += size;
		}
		return { batch, more };
	}
}
