/**
 * How this client's own scribes leave the pending list once the server settled them: an
 * acknowledged scribe joins the confirmed copy (protocol v1), a refused one is dropped and
 * its record rolls back, and one that landed leaves the confirmed copy as the server's
 * echo made it (v2). Each way is one store write and the events that go with it; the write
 * also keeps the server's mark as now known, which a settled scribe raises.
 * @module
 */

import { recordIdOf } from './records.js';

/**
 * @typedef {import('./replica.js').Replica} Replica
 * @typedef {import('./replica.js').Change} Change
 * @typedef {import('./stores.js').StoreChange} StoreChange
 *
 * @typedef {object} SettlementHost what a settlement needs of its client
 * @property {(change: StoreChange) => Promise<void>} persist queues a store write
 * @property {(scribeId: number) => void} forget the scribe left the pending list: the
 *   connection stops tracking it as on its way
 * @property {(change: Change, source: 'local' | 'remote') => void} changed a record's view changed
 * @property {() => void} pendingChanged the pending list changed
 * @property {(event: string, payload: unknown) => boolean} emit fires an event; whether
 *   anyone listened
 */

/**
 * The end of own scribes' lives, for every connection of one client.
 */
export class Settlement {
	/**
	 * @param {Replica} replica the client's records
	 * @param {SettlementHost} host
	 */
	constructor(replica, host) {
		/** @private */ this._replica = replica;
		/** @private */ this._host = host;
	}

	/**
	 * The server acknowledged an own scribe (protocol v1): it joins the confirmed copy.
	 * @param {number} scribeId the client scribe id
	 */
	accept(scribeId) {
		const replica = this._replica;
		const accepted = replica.accept(scribeId);
		if (!accepted) {
			return;
		}
		replica.settled(scribeId);
		const host = this._host;
		host.forget(scribeId);
		host.persist({ records: [accepted.confirmed], removeScribes: [scribeId], serverMark: replica.serverMark });
		if (accepted.change) {
			host.changed(accepted.change, 'remote');
		}
		host.pendingChanged();
	}

	/**
	 * The server refused an own scribe for good: it is dropped, and the record rolls back
	 * to its confirmed copy with the other pending scribes on top. Fires `refused`.
	 * @param {number} scribeId the client scribe id
	 * @param {number} code 400, 403 or 404, or 410 (an outcome the server no longer knows)
	 * @param {unknown} message the server's sentence
	 */
	refuse(scribeId, code, message) {
		const replica = this._replica;
		const refused = replica.refuse(scribeId);
		if (!refused) {
			return;
		}
		replica.settled(scribeId);
		const host = this._host;
		host.forget(scribeId);
		host.persist({ removeScribes: [scribeId], serverMark: replica.serverMark });
		if (refused.change) {
			host.changed(refused.change, 'remote');
		}
		host.pendingChanged();
		const { scribe, record } = refused;
		/** @type {import('./client.js').RefusedEvent} */
		const event = {
			scribe: scribeId,
			code,
			message: String(message ?? ''),
			klass: scribe.klass,
			id: recordIdOf(scribe),
			type: scribe.type,
			data: scribe.data,
			record,
		};
		if (!host.emit('refused', event)) {
			console.warn(`Syncro: the server refused ${scribe.type} of ${scribe.klass} '${event.id}' (${code}): ${event.message}`);
		}
	}

	/**
	 * An own scribe landed and the client's position reached it (protocol v2): the confirmed
	 * copy holds the server's echo of it, so it just leaves. When that changes what the user
	 * sees of the record (the server ordered a concurrent change after it, or stored
	 * something else than was sent), `conflict` tells the application.
	 * @param {number} scribeId the client scribe id
	 */
	leave(scribeId) {
		const replica = this._replica;
		const left = replica.leave(scribeId);
		if (!left) {
			return;
		}
		replica.settled(scribeId);
		const host = this._host;
		host.forget(scribeId);
		host.persist({ removeScribes: [scribeId], serverMark: replica.serverMark });
		const { scribe, change } = left;
		if (change) {
			host.changed(change, 'remote');
		}
		host.pendingChanged();
		if (change) {
			/** @type {import('./client.js').ConflictEvent} */
			const event = {
				klass: scribe.klass,
				id: recordIdOf(scribe),
				scribe: scribeId,
				type: scribe.type,
				data: scribe.data,
				record: change.after,
				previous: change.before,
			};
			host.emit('conflict', event);
		}
	}
}
