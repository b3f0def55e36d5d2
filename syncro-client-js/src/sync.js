/**
 * The server's scribes coming in: the client's pull (`sync` from its position until an
 * answer without `more`, PROTOCOL.md §5.3, and from nothing again when the server's history
 * changed), the server's live pushes (§5.4; batched as `add_scribes` in protocol v2), and
 * applying what they carry to the records, the store and the change events.
 * @module
 */

import { SyncroError } from './errors.js';
import { scribeProblem } from './records.js';

/**
 * @typedef {import('./connection.js').Connection} Connection
 * @typedef {import('./replica.js').Replica} Replica
 * @typedef {import('./replica.js').Change} Change
 * @typedef {import('./stores.js').StoreChange} StoreChange
 *
 * @typedef {object} SyncHost what the sync needs of its client
 * @property {(change: StoreChange) => Promise<void>} persist queues a store write
 * @property {() => Promise<void>} written resolves once the store writes queued so far are done
 * @property {(change: Change, source: 'local' | 'remote') => void} changed a record's view changed
 * @property {() => void} moved the position moved (own writes waiting for it may leave)
 * @property {(error: Error) => void} report an error that concerns no single call
 * @property {(reason: 'gone') => void} reset the server refused a sync from the position
 *   (410): the client drops the server's state and syncs from nothing
 */

/**
 * Applies the server's scribes in id order, for every connection of one client.
 */
export class Sync {
	/**
	 * @param {Replica} replica the client's records
	 * @param {SyncHost} host
	 */
	constructor(replica, host) {
		/** @private */ this._replica = replica;
		/** @private */ this._host = host;
	}

	/**
	 * The client's pull: `sync` from the position, applying each batch before anything that
	 * arrives after it, until an answer without `more`. In protocol v2 a sync from a position
	 * names the epoch it is of. A 410 (the position is of another history of the server's
	 * log, or beyond its head) resets the client and syncs again from nothing; the answer to
	 * a sync sent before a reset is dropped. Any other failure is reported and closes the
	 * connection, which then reconnects.
	 * @param {Connection} conn
	 * @param {number} version the protocol version of the connection
	 * @param {() => void} [caughtUp] called as the answer without `more` is applied, before
	 *   any message behind it
	 * @returns {Promise<boolean>} whether the client caught up
	 */
	async catchUp(conn, version, caughtUp) {
		const replica = this._replica;
		try {
			let more = true;
			while (more) {
				const from = replica.position;
				const resets = replica.resets;
				const request = { type: 'sync', from };
				if (from !== null && version >= 2 && replica.epoch !== null) {
					request.epoch = replica.epoch;
				}
				try {
					await conn.request(request, {
						process: (response) => {
							if (!Array.isArray(response.result)) {
								throw new SyncroError(400, 'The server answered sync without an array of scribes.');
							}
							if (replica.resets !== resets) {
								// from a position of the history the client just left: ask again
								return;
							}
							this.apply(response.result);
							// a batch with more that did not move the position would come again: stop
							more = response.more === true && replica.position !== from;
							if (!more) {
								this._caughtUp();
								caughtUp?.();
							}
						},
					});
				}
				catch (error) {
					if (error?.code !== 410 || from === null) {
						throw error;
					}
					if (replica.resets === resets) {
						this._host.reset('gone');
					}
				}
			}
			return true;
		}
		catch (error) {
			if (!conn.closed) {
				this._host.report(error);
				conn.close(4000, 'Sync failed');
			}
			return false;
		}
	}

	/**
	 * A live push (`add_scribe`): applied and stored, then answered `true`; a malformed
	 * scribe is answered 400.
	 * @param {Connection} conn
	 * @param {any} message
	 */
	receive(conn, message) {
		const problem = scribeProblem(message.scribe);
		if (problem) {
			conn.fail(message.id, 400, problem);
			return;
		}
		this.apply([message.scribe]).then(() => conn.respond(message.id, true));
	}

	/**
	 * A batch of live pushes (`add_scribes`, protocol v2): applied in order and stored, then
	 * answered `true`, together with the batches that follow it closely
	 * ({@link Connection#answerPush}). Like a sync answer, a malformed scribe in it is reported and
	 * skipped; a batch that is not an array is answered 400.
	 * @param {Connection} conn
	 * @param {any} message
	 */
	receiveBatch(conn, message) {
		if (!Array.isArray(message.scribes)) {
			conn.fail(message.id, 400, "An add_scribes needs an array of scribes in 'scribes'.");
			return;
		}
		this.apply(message.scribes).then(() => conn.answerPush(message.id));
	}

	/**
	 * A batch of the records the subscriptions give a klass (`records`, protocol v2):
	 * applied and stored, then answered `true` as a push is ({@link Connection#answerPush}). A record without an id is reported and
	 * skipped; a batch that is not an array is answered 400.
	 * @param {Connection} conn
	 * @param {any} message
	 */
	receiveRecords(conn, message) {
		if (typeof message.klass !== 'string' || !Array.isArray(message.records)) {
			conn.fail(message.id, 400, "A records message needs a klass and an array of records in 'records'.");
			return;
		}
		const { records, changes, problems } = this._replica.applyRecords(message.klass, message.first === true,
			message.records, message.more !== true);
		const host = this._host;
		for (const problem of problems) {
			host.report(new SyncroError(400, `Skipped a malformed record from the server: ${problem}`));
		}
		for (const change of changes) {
			host.changed(change, 'remote');
		}
		host.persist({ records }).catch(() => {}).then(() => conn.answerPush(message.id));
	}

	/**
	 * A sync caught up: after a reset, the records it did not bring back leave the view.
	 * @private
	 */
	_caughtUp() {
		for (const change of this._replica.caughtUp()) {
			this._host.changed(change, 'remote');
		}
	}

	/**
	 * Applies scribes from the server, skipping those at or below the position.
	 * @param {unknown[]} scribes
	 * @returns {Promise<void>} resolves once stored
	 */
	apply(scribes) {
		const { moved, records, changes, problems } = this._replica.applyRemote(scribes);
		const host = this._host;
		for (const problem of problems) {
			host.report(new SyncroError(400, `Skipped a malformed scribe from the server: ${problem}`));
		}
		for (const change of changes) {
			host.changed(change, 'remote');
		}
		if (!moved) {
			return host.written();
		}
		const stored = host.persist({ position: this._replica.position, records }).catch(() => {});
		host.moved();
		return stored;
	}
}
