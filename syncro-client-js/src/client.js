/**
 * The Syncro client: local state that applies changes at once, a persistent local scribe
 * log, and a WebSocket connection that speaks PROTOCOL.md (version 1) to the server.
 *
 * State model: see {@link Replica} (confirmed copies, pending scribes, the view on top).
 *
 * Sending. Own scribes reach the server in two ways: the server's `sync` pull on connect
 * (answered from the pending scribes, in batches), and `add_scribe` pushes once that pull
 * was answered without `more`. Client scribe ids are consecutive and stored before use, so
 * every retry is safe (the server answers a duplicate with its first outcome).
 *
 * @module
 */

import { Backoff } from './backoff.js';
import { Collection } from './collection.js';
import { Connection } from './connection.js';
import { Emitter } from './emitter.js';
import { SyncroError, isFinal } from './errors.js';
import { IndexedDBStore } from './indexeddb-store.js';
import { Link } from './link.js';
import { jsonEqual, recordIdOf, scribeProblem, toJson, utf8Length } from './records.js';
import { Replica } from './replica.js';
import { MemoryStore } from './stores.js';
import { claimUid, clientUrl } from './uids.js';

/**
 * @typedef {import('./records.js').Attributes} Attributes
 * @typedef {import('./records.js').Scribe} Scribe
 * @typedef {import('./stores.js').Store} Store
 * @typedef {import('./stores.js').StoreChange} StoreChange
 * @typedef {import('./backoff.js').BackoffOptions} BackoffOptions
 *
 * @typedef {'connecting' | 'syncing' | 'online' | 'offline'} Status
 *
 * @typedef {object} ChangeEvent a record changed as this client sees it
 * @property {string} klass the class
 * @property {string | number} id the record's id
 * @property {'create' | 'update' | 'destroy'} type `create` when the record appeared,
 *   `destroy` when it went, `update` otherwise
 * @property {Readonly<Attributes> | null} record the record now (null after a destroy)
 * @property {Readonly<Attributes> | null} previous the record before (null before a create)
 * @property {'local' | 'remote'} source `local` for this client's own writes; `remote` for
 *   scribes from the server and for rollbacks of refused scribes
 *
 * @typedef {object} RefusedEvent the server refused one of this client's scribes for good
 * @property {number} scribe the client scribe id
 * @property {number} code 400, 403 or 404
 * @property {string} message the server's sentence
 * @property {string} klass the record's class
 * @property {string | number} id the record's id
 * @property {'create' | 'update' | 'destroy'} type the scribe's type
 * @property {any} data the scribe's data
 * @property {Readonly<Attributes> | null} record the record after the rollback
 *
 * @typedef {object} SyncroOptions
 * @property {string} url the server's Syncro endpoint, e.g. `wss://example.com/syncro`
 *   (relative URLs and http(s) resolve against the page: `'/syncro'` works in a browser)
 * @property {string} [client] the client uid; by default a stored uid whose lock is free,
 *   else a new UUID
 * @property {any} [WebSocket] the WebSocket implementation (default: `globalThis.WebSocket`;
 *   in Node 20, pass the `ws` package's)
 * @property {Store} [store] where state is kept (default: an {@link IndexedDBStore} where
 *   IndexedDB exists, else a {@link MemoryStore})
 * @property {number} [requestTimeout=30000] milliseconds to wait for any answer
 * @property {number} [heartbeat=30000] milliseconds between pings (`noop`) on an idle
 *   connection; one unanswered within the request timeout drops it; 0 turns pings off
 * @property {BackoffOptions} [backoff] delays of reconnects and of retries after 429, 500
 *   and timeouts (default: 500 ms doubling up to 30 s, half of it random)
 * @property {number} [batchSize=500] most scribes per answer to the server's pull (1 to 500)
 * @property {Record<string, string>} [headers] headers for every handshake, such as
 *   `{ Authorization: 'Basic ...' }`, for a WebSocket implementation that takes them as
 *   its third argument (Node's `ws`); a browser sends its cookies instead and takes none
 */

/** Most scribes in one answer to the server's pull (PROTOCOL.md §5.2). */
const MAX_BATCH = 500;

/** Most bytes of scribes in one answer: well under the server's 512 KiB message limit. */
const BATCH_BYTES = 256 * 1024;

/** Most `add_scribe` requests awaiting an answer at once. */
const PUSH_WINDOW = 100;

/**
 * A Syncro client. Make one with {@link Syncro.open}.
 *
 * Events (`client.on(name, listener)` returns a function that removes the listener):
 * - `change` ({@link ChangeEvent}): a record changed, by a local write or from the server;
 * - `status` (a {@link Status}): the connection's status changed;
 * - `pendingWrites` (a number): how many local scribes await the server's acknowledgement;
 * - `refused` ({@link RefusedEvent}): the server refused a local scribe; the record was
 *   rolled back;
 * - `error` (an Error): a problem that concerns no single call (a failed store write, a
 *   malformed message, a failed sync); without a listener it is logged on the console.
 */
export class Syncro extends Emitter {
	/**
	 * Opens a client: takes a uid, loads its state from the store, and starts connecting.
	 * It resolves without waiting for the server, so an app works offline at once; use
	 * {@link Syncro#whenOnline} to wait for the server.
	 * @param {SyncroOptions} options
	 * @returns {Promise<Syncro>}
	 */
	static async open(options) {
		if (!options || typeof options.url !== 'string' || options.url.length === 0) {
			throw new TypeError('Syncro.open needs the server url, as { url }.');
		}
		const WebSocketImpl = options.WebSocket ?? globalThis.WebSocket;
		if (typeof WebSocketImpl !== 'function') {
			throw new TypeError('No WebSocket implementation here: pass one as { WebSocket } (in Node 20, the ws package).');
		}
		// a bad url fails here, before a uid is claimed
		clientUrl(options.url, 'probe');
		const store = options.store ?? defaultStore();
		const { uid, release } = await claimUid(store, options.client);
		let state;
		try {
			state = await store.load(uid);
		}
		catch (error) {
			await release();
			throw error;
		}
		const client = new Syncro(options, WebSocketImpl, store, uid, release, state);
		client._connect();
		return client;
	}

	/**
	 * Use {@link Syncro.open}.
	 * @private
	 */
	constructor(options, WebSocketImpl, store, uid, release, state) {
		super();
		/** The client uid this client speaks for. @type {string} */
		this.uid = uid;
		/** @private */ this._WebSocket = WebSocketImpl;
		/** @private */ this._url = clientUrl(options.url, uid);
		/** @private */ this._headers = options.headers ? { ...options.headers } : null;
		/** @private */ this._store = store;
		/** @private */ this._release = release;
		/** @private */ this._requestTimeout = positive(options.requestTimeout, 30000);
		/** @private */ this._heartbeat = options.heartbeat === 0 ? 0 : positive(options.heartbeat, 30000);
		/** @private */ this._batchSize = Math.min(MAX_BATCH, positive(options.batchSize, MAX_BATCH));
		/** @private */ this._reconnectBackoff = new Backoff(options.backoff);
		/** @private */ this._retryBackoff = new Backoff(options.backoff);

		/** @private the records: confirmed, pending, and the view */
		this._replica = new Replica(state);
		/** @private the highest client scribe id known to be stored */
		this._persistedUpTo = this._replica.nextScribeId - 1;

		/** @private @type {Promise<void>} the tail of the store writes, which never rejects */
		this._writes = Promise.resolve();
		/** @private @type {Map<string, Collection>} */ this._collections = new Map();
		/** @private @type {Status} */ this._status = 'offline';
		/** @private */ this._reportedPending = this._replica.pending.length;
		/** @private @type {Link | null} */ this._link = null;
		/** @private */ this._reconnectTimer = null;
		/** @private */ this._closed = false;
		/** @private @type {Promise<void> | null} */ this._closing = null;
		/** @private @type {Set<{resolve: Function, reject: Function}>} rpcs waiting for a connection */
		this._openWaiters = new Set();
		/** @private @type {Set<{check: () => boolean, resolve: Function, reject: Function}>} */
		this._untils = new Set();
	}

	/**
	 * The connection's status: `connecting`, `syncing` (connected, catching up), `online`
	 * (caught up; changes flow both ways live) or `offline` (waiting to reconnect, or closed).
	 * @returns {Status}
	 */
	get status() {
		return this._status;
	}

	/**
	 * How many local scribes the server has not acknowledged yet (0 when every local change
	 * reached the server, or was refused).
	 * @returns {number}
	 */
	get pendingWrites() {
		return this._replica.pending.length;
	}

	/**
	 * The highest server scribe id this client has processed, or null before its first sync.
	 * @returns {number | null}
	 */
	get position() {
		return this._replica.position;
	}

	/**
	 * Whether {@link Syncro#close} was called.
	 * @returns {boolean}
	 */
	get closed() {
		return this._closed;
	}

	/**
	 * The records of one synchronised class.
	 * @param {string} klass the class name, as the server names it (e.g. `'Todo'`)
	 * @returns {Collection}
	 */
	collection(klass) {
		if (typeof klass !== 'string' || klass.length === 0) {
			throw new TypeError('A collection needs a class name.');
		}
		let collection = this._collections.get(klass);
		if (!collection) {
			collection = new Collection(this, klass);
			this._collections.set(klass, collection);
		}
		return collection;
	}

	/**
	 * Calls a method the server exposes. Waits for a connection if there is none, within the
	 * request timeout.
	 * @param {string} klass the rpc klass
	 * @param {string} method the method
	 * @param {unknown[]} [args=[]] the arguments (JSON values)
	 * @returns {Promise<any>} the result; rejects with a {@link SyncroError} (the server's
	 *   code, or `'timeout'`, or `'closed'` when the connection dropped before the answer)
	 */
	rpc(klass, method, args = []) {
		if (typeof klass !== 'string' || typeof method !== 'string' || !Array.isArray(args)) {
			return Promise.reject(new TypeError('rpc needs a klass, a method and an array of arguments.'));
		}
		const started = Date.now();
		return this._connection(this._requestTimeout)
			.then((conn) => conn.request({ type: 'rpc', klass, method, args: toJson(args) },
				{ timeout: Math.max(1, this._requestTimeout - (Date.now() - started)) }))
			.then((reply) => reply.result);
	}

	/**
	 * Resolves when the client is online (connected and caught up).
	 * @returns {Promise<void>} rejects with code `'closed'` if the client closes first
	 */
	whenOnline() {
		return this._until(() => this._status === 'online');
	}

	/**
	 * Resolves when every local change was acknowledged (or refused) by the server.
	 * @returns {Promise<void>} rejects with code `'closed'` if the client closes first
	 */
	whenSettled() {
		return this._until(() => this._replica.pending.length === 0);
	}

	/**
	 * Closes the connection, stops reconnecting, waits for the store writes and releases
	 * the uid's lock. Pending local scribes stay in the store for the next client of this uid.
	 * @returns {Promise<void>}
	 */
	close() {
		if (this._closing) {
			return this._closing;
		}
		this._closed = true;
		clearTimeout(this._reconnectTimer);
		this._reconnectTimer = null;
		const link = this._link;
		this._link = null;
		link?.conn?.close(1000, 'Client closed');
		const closed = new SyncroError('closed', 'The client was closed.');
		for (const waiter of this._openWaiters) {
			waiter.reject(closed);
		}
		this._openWaiters.clear();
		for (const until of this._untils) {
			until.reject(closed);
		}
		this._untils.clear();
		this._setStatus('offline');
		this._closing = this._writes.then(() => this._release());
		return this._closing;
	}

	// Local reads and writes (called by Collection)

	/** @package */
	_get(klass, id) {
		return this._replica.get(klass, id) ?? undefined;
	}

	/** @package */
	_all(klass) {
		return this._replica.all(klass);
	}

	/**
	 * Records a local scribe: applies it at once, then stores it with the next id before it
	 * can be sent.
	 * @package
	 * @param {string} klass
	 * @param {'create' | 'update' | 'destroy'} type
	 * @param {any} data the scribe's data, checked by the collection
	 * @returns {Promise<Attributes | null>} the record after the change, once stored
	 */
	_write(klass, type, data) {
		if (this._closed) {
			return Promise.reject(new Error('The client is closed.'));
		}
		const { scribe, change } = this._replica.record(klass, type, data);
		const stored = this._persist({ nextScribeId: this._replica.nextScribeId, addScribes: [scribe] }).then(() => {
			this._persistedUpTo = Math.max(this._persistedUpTo, scribe.id);
			this._pump();
			return change.after;
		});
		this._emitChange(change, 'local');
		this._pendingChanged();
		return stored;
	}

	// Applying scribes

	/**
	 * Applies scribes from the server, skipping those at or below the position.
	 * @private
	 * @param {unknown[]} scribes
	 * @returns {Promise<void>} resolves once stored
	 */
	_applyRemote(scribes) {
		const { moved, records, changes, problems } = this._replica.applyRemote(scribes);
		for (const problem of problems) {
			this._report(new SyncroError(400, `Skipped a malformed scribe from the server: ${problem}`));
		}
		for (const change of changes) {
			this._emitChange(change, 'remote');
		}
		if (!moved) {
			return this._writes;
		}
		return this._persist({ position: this._replica.position, records }).catch(() => {});
	}

	/**
	 * The server acknowledged a local scribe: it joins the confirmed state.
	 * @private
	 */
	_accept(scribeId) {
		const accepted = this._replica.accept(scribeId);
		if (!accepted) {
			return;
		}
		this._forgetSent(scribeId);
		this._persist({ records: [accepted.confirmed], removeScribes: [scribeId] });
		if (accepted.change) {
			this._emitChange(accepted.change, 'remote');
		}
		this._pendingChanged();
	}

	/**
	 * The server refused a local scribe for good: it is dropped, and the record rolls back
	 * to its confirmed state with the other pending scribes on top.
	 * @private
	 */
	_refuse(scribeId, code, message) {
		const refused = this._replica.refuse(scribeId);
		if (!refused) {
			return;
		}
		this._forgetSent(scribeId);
		this._persist({ removeScribes: [scribeId] });
		if (refused.change) {
			this._emitChange(refused.change, 'remote');
		}
		this._pendingChanged();
		const { scribe, record } = refused;
		/** @type {RefusedEvent} */
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
		if (!this.emit('refused', event)) {
			console.warn(`Syncro: the server refused ${scribe.type} of ${scribe.klass} '${event.id}' (${code}): ${event.message}`);
		}
	}

	/** @private */
	_forgetSent(scribeId) {
		this._link?.inFlight.delete(scribeId);
		this._link?.pullSent.delete(scribeId);
	}

	/**
	 * @private
	 * @param {import('./replica.js').Change} change
	 * @param {'local' | 'remote'} source
	 */
	_emitChange({ klass, id, before, after }, source) {
		if (jsonEqual(before, after)) {
			return;
		}
		/** @type {ChangeEvent} */
		const event = {
			klass,
			id,
			type: before === null ? 'create' : after === null ? 'destroy' : 'update',
			record: after,
			previous: before,
			source,
		};
		this.emit('change', event);
		this._collections.get(klass)?._emit('change', event);
	}

	/** @private */
	_pendingChanged() {
		const count = this._replica.pending.length;
		if (count !== this._reportedPending) {
			this._reportedPending = count;
			this.emit('pendingWrites', count);
			this._checkUntils();
		}
	}

	/**
	 * Queues a store write behind the earlier ones.
	 * @private
	 * @param {StoreChange} change
	 * @returns {Promise<void>} settles when written
	 */
	_persist(change) {
		const write = this._writes.then(() => this._store.write(this.uid, change));
		this._writes = write.catch((error) => this._report(error));
		return write;
	}

	// The connection

	/** @private */
	_connect() {
		this._reconnectTimer = null;
		if (this._closed) {
			return;
		}
		this._setStatus('connecting');
		const link = new Link();
		let socket;
		try {
			// browsers take no headers (their cookies go along); Node's ws takes them third
			socket = this._headers ? new this._WebSocket(this._url, [], { headers: this._headers })
				: new this._WebSocket(this._url);
		}
		catch (error) {
			this._report(error);
			this._setStatus('offline');
			this._scheduleReconnect();
			return;
		}
		this._link = link;
		link.conn = new Connection(socket, {
			onOpen: () => this._opened(link),
			onRequest: (conn, message) => this._onRequest(link, message),
			onError: (conn, message) => this._onServerError(link, message),
			onClose: () => this._onClosed(link),
		}, { requestTimeout: this._requestTimeout });
	}

	/** @private */
	_opened(link) {
		if (this._link !== link) {
			link.conn.close(1000, 'Superseded');
			return;
		}
		this._setStatus('syncing');
		if (this._heartbeat > 0) {
			link.heartbeat = setInterval(() => {
				link.conn.request({ type: 'noop' }).catch((error) => {
					if (error.code === 'timeout') {
						link.conn.close(4001, 'No answer to a ping');
					}
				});
			}, this._heartbeat);
		}
		for (const waiter of this._openWaiters) {
			waiter.resolve(link.conn);
		}
		this._openWaiters.clear();
		this._syncLoop(link);
	}

	/**
	 * The client's pull: `sync` from the position until an answer without `more`.
	 * @private
	 */
	async _syncLoop(link) {
		try {
			let more = true;
			while (more) {
				const from = this._replica.position;
				const reply = await link.conn.request({ type: 'sync', from }, {
					process: (response) => {
						if (!Array.isArray(response.result)) {
							throw new SyncroError(400, 'The server answered sync without an array of scribes.');
						}
						this._applyRemote(response.result);
					},
				});
				// a batch with more that did not move the position would come again: stop
				more = reply.more === true && this._replica.position !== from;
			}
			if (this._link === link && link.conn.open) {
				this._reconnectBackoff.reset();
				this._setStatus('online');
			}
		}
		catch (error) {
			if (!link.conn.closed) {
				this._report(error);
				link.conn.close(4000, 'Sync failed');
			}
		}
	}

	/** @private */
	_onClosed(link) {
		link.stopTimers();
		if (this._link !== link) {
			return;
		}
		this._link = null;
		if (this._closed) {
			return;
		}
		this._setStatus('offline');
		this._scheduleReconnect();
	}

	/** @private */
	_scheduleReconnect() {
		if (!this._closed && this._reconnectTimer === null) {
			this._reconnectTimer = setTimeout(() => this._connect(), this._reconnectBackoff.next());
		}
	}

	// Requests of the server

	/** @private */
	_onRequest(link, message) {
		const conn = link.conn;
		switch (message.type) {
			case 'sync':
				this._answerPull(link, message);
				break;
			case 'add_scribe':
				this._receivePush(link, message);
				break;
			case 'noop':
				conn.respond(message.id, true);
				break;
			case 'rpc':
				conn.fail(message.id, 404, `This client exposes no rpc klass '${message.klass}'.`);
				break;
			default:
				conn.fail(message.id, 501, `The message type '${String(message.type).slice(0, 64)}' is unknown.`);
		}
	}

	/**
	 * The server's pull: `from` is its mark for this uid, so scribes up to it that were
	 * sent in an answer to its previous pull are acknowledged; the answer is the pending
	 * scribes above it, in batches.
	 * @private
	 */
	_answerPull(link, message) {
		const conn = link.conn;
		const from = message.from ?? null;
		if (from !== null && (!Number.isSafeInteger(from) || from < 0)) {
			conn.fail(message.id, 400, "The field 'from' must be a non-negative integer or null.");
			return;
		}
		clearTimeout(link.pullTimer);
		link.pullTimer = null;
		if (from !== null) {
			for (const scribe of [...this._replica.pending]) {
				if (scribe.id > from) {
					break;
				}
				if (link.pullSent.has(scribe.id)) {
					this._accept(scribe.id);
				}
			}
			if (from >= this._replica.nextScribeId) {
				// the server has settled ids this client does not remember: never reuse them
				this._replica.nextScribeId = from + 1;
				this._persist({ nextScribeId: this._replica.nextScribeId });
			}
		}
		// answer only with scribes that are stored, once the writes queued so far are done
		this._writes.then(() => {
			if (conn.closed) {
				return;
			}
			const batch = [];
			let bytes = 0;
			let more = false;
			for (const scribe of this._replica.pending) {
				if (scribe.id <= (from ?? 0)) {
					continue;
				}
				if (scribe.id > this._persistedUpTo) {
					break;
				}
				const size = utf8Length(JSON.stringify(scribe)) + 1;
				if (batch.length === this._batchSize || (batch.length > 0 && bytes + size > BATCH_BYTES)) {
					more = true;
					break;
				}
				batch.push(scribe);
				bytes += size;
			}
			for (const scribe of batch) {
				link.pullSent.add(scribe.id);
			}
			conn.respond(message.id, batch, more);
			if (!more) {
				link.pushing = true;
			}
			if (batch.length > 0) {
				// the server pulls again once these moved its mark; should it not, push them
				link.pullTimer = setTimeout(() => {
					link.pullTimer = null;
					link.pullSent.clear();
					link.pushing = true;
					this._pump(link);
				}, this._requestTimeout);
			}
			this._pump(link);
		});
	}

	/** @private */
	_receivePush(link, message) {
		const problem = scribeProblem(message.scribe);
		if (problem) {
			link.conn.fail(message.id, 400, problem);
			return;
		}
		this._applyRemote([message.scribe]).then(() => link.conn.respond(message.id, true));
	}

	/**
	 * An `error` that answers none of our requests: the server's report on a scribe it
	 * pulled from us. A final code refuses it; any other ends the server's pull, so the
	 * client pushes from there itself.
	 * @private
	 */
	_onServerError(link, message) {
		const scribe = message.scribe;
		if (!Number.isSafeInteger(scribe)) {
			this._report(new SyncroError(message.code, String(message.message ?? 'The server reported an error.')));
			return;
		}
		if (isFinal(message.code)) {
			this._refuse(scribe, message.code, message.message);
			return;
		}
		clearTimeout(link.pullTimer);
		link.pullTimer = null;
		link.pullSent.clear();
		link.pushing = true;
		this._restartPushes(link, message.code === 409 ? 0 : this._retryBackoff.next());
	}

	// Pushing own scribes

	/**
	 * Sends every stored pending scribe that is not on its way yet, oldest first, once the
	 * server's pull was answered.
	 * @private
	 */
	_pump(link = this._link) {
		if (!link || !link.conn.open || !link.pushing || link.retryTimer !== null || this._link !== link) {
			return;
		}
		for (const scribe of this._replica.pending) {
			if (scribe.id > this._persistedUpTo || link.inFlight.size >= PUSH_WINDOW) {
				break;
			}
			if (!link.inFlight.has(scribe.id) && !link.pullSent.has(scribe.id)) {
				this._push(link, scribe);
			}
		}
	}

	/** @private */
	_push(link, scribe) {
		const generation = link.generation;
		link.inFlight.set(scribe.id, generation);
		link.conn.request({ type: 'add_scribe', scribe }).then(() => {
			this._landed(link, scribe.id, generation);
			this._retryBackoff.reset();
			this._accept(scribe.id);
			this._pump(link);
		}, (error) => {
			this._landed(link, scribe.id, generation);
			this._pushFailed(link, scribe.id, generation, error);
		});
	}

	/** @private */
	_landed(link, scribeId, generation) {
		if (link.inFlight.get(scribeId) === generation) {
			link.inFlight.delete(scribeId);
		}
	}

	/** @private */
	_pushFailed(link, scribeId, generation, error) {
		if (isFinal(error.code)) {
			this._refuse(scribeId, error.code, error.message);
			this._pump(link);
			return;
		}
		if (link.conn.closed || error.code === 'closed' || generation !== link.generation) {
			// a reconnect, or the restart that made this push stale, sends it again
			return;
		}
		if (error.code === 409) {
			const first = this._replica.pending[0];
			if (first && Number.isSafeInteger(error.expected) && first.id > error.expected) {
				this._report(new SyncroError(409, `The server expects client scribe ${error.expected}, which this client no longer holds.`,
					{ scribe: scribeId, expected: error.expected }));
				this._restartPushes(link, this._retryBackoff.next());
			}
			else {
				this._restartPushes(link, 0);
			}
			return;
		}
		this._restartPushes(link, this._retryBackoff.next());
	}

	/**
	 * Starts pushing over from the oldest pending scribe, after a delay.
	 * @private
	 */
	_restartPushes(link, delay) {
		link.generation++;
		link.inFlight.clear();
		clearTimeout(link.retryTimer);
		link.retryTimer = null;
		if (delay > 0) {
			link.retryTimer = setTimeout(() => {
				link.retryTimer = null;
				this._pump(link);
			}, delay);
		}
		else {
			this._pump(link);
		}
	}

	// Helpers

	/** @private */
	_connection(timeout) {
		if (this._closed) {
			return Promise.reject(new SyncroError('closed', 'The client is closed.'));
		}
		if (this._link?.conn.open) {
			return Promise.resolve(this._link.conn);
		}
		return new Promise((resolve, reject) => {
			const waiter = {
				resolve: (conn) => {
					clearTimeout(timer);
					resolve(conn);
				},
				reject: (error) => {
					clearTimeout(timer);
					reject(error);
				},
			};
			const timer = setTimeout(() => {
				this._openWaiters.delete(waiter);
				reject(new SyncroError('timeout', `No connection to the server within ${timeout} ms.`));
			}, timeout);
			this._openWaiters.add(waiter);
		});
	}

	/** @private */
	_until(check) {
		if (check()) {
			return Promise.resolve();
		}
		if (this._closed) {
			return Promise.reject(new SyncroError('closed', 'The client is closed.'));
		}
		return new Promise((resolve, reject) => this._untils.add({ check, resolve, reject }));
	}

	/** @private */
	_checkUntils() {
		for (const until of [...this._untils]) {
			if (until.check()) {
				this._untils.delete(until);
				until.resolve();
			}
		}
	}

	/** @private */
	_setStatus(status) {
		if (this._status !== status) {
			this._status = status;
			this.emit('status', status);
			this._checkUntils();
		}
	}

	/** @private */
	_report(error) {
		if (!this.emit('error', error)) {
			console.warn('Syncro:', error?.message ?? error);
		}
	}
}

function defaultStore() {
	return globalThis.indexedDB ? new IndexedDBStore() : new MemoryStore();
}

function positive(value, fallback) {
	return Number.isFinite(value) && value > 0 ? value : fallback;
}
