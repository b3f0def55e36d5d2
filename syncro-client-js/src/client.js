/**
 * The Syncro client: local state that applies changes at once, a persistent local scribe
 * log, and a WebSocket connection that speaks the Syncro protocol to the server: version 2
 * (docs/PROTOCOL.md) where the server knows it, else version 1.
 *
 * This module is the facade: the options, the public methods and events, the queue of store
 * writes and the connection's life (connecting, pings, status, reconnecting). The rest has
 * a module each, with a narrow interface to the client:
 * - {@link Replica} the records: confirmed copies, pending scribes, the view on top;
 * - {@link Sync} the server's scribes coming in: the client's pull and live pushes;
 * - {@link ServerPull} answering the server's pull with pending scribes;
 * - {@link Pusher} pushing own scribes with `add_scribe`, with retries;
 * - {@link Landing} where own scribes landed in the server's log (v2);
 * - {@link Settlement} own scribes leaving the pending list: acknowledged (v1), refused,
 *   or landed (v2).
 *
 * Client scribe ids are consecutive and stored before use, so every retry is safe (the
 * server answers a duplicate with its first outcome). When the server turns out to have
 * forgotten scribes it had settled (it expired this uid, or was set back to a backup), the
 * pending scribes are renumbered from the id it expects next, and stored so, before any of
 * them goes out again.
 *
 * @module
 */

import { Backoff } from './backoff.js';
import { Collection } from './collection.js';
import { Connection } from './connection.js';
import { Emitter } from './emitter.js';
import { SyncroError } from './errors.js';
import { IndexedDBStore } from './indexeddb-store.js';
import { Landing } from './landing.js';
import { Link } from './link.js';
import { MAX_BATCH, ServerPull } from './pull.js';
import { Pusher } from './pusher.js';
import { digestOf } from './digest.js';
import { jsonEqual, toJson } from './records.js';
import { Replica } from './replica.js';
import { Settlement } from './settle.js';
import { MemoryStore, storeOfUser } from './stores.js';
import { Subscriptions } from './subscriptions.js';
import { Sync } from './sync.js';
import { claimUid, clientUrl } from './uids.js';

/**
 * @typedef {import('./records.js').AnyRecord} AnyRecord
 * @typedef {import('./records.js').JsonValue} JsonValue
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
 * @property {Readonly<AnyRecord> | null} record the record now (null after a destroy)
 * @property {Readonly<AnyRecord> | null} previous the record before (null before a create)
 * @property {'local' | 'remote'} source `local` for this client's own writes; `remote` for
 *   scribes from the server and for rollbacks of refused scribes
 *
 * @typedef {object} RefusedEvent the server refused one of this client's scribes for good
 * @property {number} scribe the client scribe id
 * @property {number} code 400, 403 or 404; or 410, for a resent scribe settled so long ago
 *   that the server no longer knows its outcome
 * @property {string} message the server's sentence
 * @property {string} klass the record's class
 * @property {string | number} id the record's id
 * @property {'create' | 'update' | 'destroy'} type the scribe's type
 * @property {any} data the scribe's data
 * @property {Readonly<AnyRecord> | null} record the record after the rollback
 *
 * @typedef {object} ConflictEvent one of this client's writes left the pending list and that
 *   changed what the user sees of its record: the server ordered a concurrent change after
 *   it, or stored something else than was sent (protocol v2 only)
 * @property {string} klass the record's class
 * @property {string | number} id the record's id
 * @property {number} scribe the client scribe id of the write
 * @property {'create' | 'update' | 'destroy'} type the write's type
 * @property {any} data the write's data, as sent
 * @property {Readonly<AnyRecord> | null} record the record now
 * @property {Readonly<AnyRecord> | null} previous the record as the user saw it before
 *
 * @typedef {object} MismatchEvent the confirmed records of a klass differed from the
 *   server's digest of those this client may see (PROTOCOL.md §8.9)
 * @property {string} klass
 * @property {number} at the position the digest is of
 * @property {{count: number, hash: string}} expected the server's digest
 * @property {{count: number, hash: string}} actual this client's
 *
 * @typedef {object} ResetEvent the server's log holds another history than the one this
 *   client's position is of (it was restored from a backup, or lost its data), so what the
 *   server confirmed to this client may not exist any more: the client dropped its confirmed
 *   copy and its position and syncs again from nothing; pending writes are kept and sent again
 * @property {'epoch' | 'gone'} reason `epoch` when the server's `hello` named another epoch
 *   than the stored one; `gone` when the server refused a sync from the position (410: of
 *   another history, or beyond the end of its log)
 *
 * @typedef {object} SyncroOptions
 * @property {string} url the server's Syncro endpoint, e.g. `wss://example.com/syncro`
 *   (relative URLs and http(s) resolve against the page: `'/syncro'` works in a browser)
 * @property {string} [client] the client uid; by default a stored uid whose lock is free,
 *   else a new UUID
 * @property {string} [user] the signed-in user: the store then keeps this user's uids and
 *   records apart from every other user's, a client adopts only the user's own uids, and
 *   {@link Syncro#signOut} deletes them
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
 * @property {1 | 2} [protocol=2] the highest protocol version to ask for; 1 speaks v1 even
 *   to a server that knows v2 (a v1 server is spoken to in v1 either way)
 * @property {Record<string, string>} [headers] headers for every handshake, such as
 *   `{ Authorization: 'Basic ...' }`, for a WebSocket implementation that takes them as
 *   its third argument (Node's `ws`); a browser sends its cookies instead and takes none
 */

/**
 * A Syncro client. Make one with {@link Syncro.open}.
 *
 * Events (`client.on(name, listener)` returns a function that removes the listener):
 * - `change` ({@link ChangeEvent}): a record changed, by a local write or from the server;
 * - `status` (a {@link Status}): the connection's status changed;
 * - `pendingWrites` (a number): how many local scribes are pending (see
 *   {@link Syncro#pendingWrites});
 * - `refused` ({@link RefusedEvent}): the server refused a local scribe; the record was
 *   rolled back;
 * - `conflict` ({@link ConflictEvent}): a local scribe landed and the record shows something
 *   else than the user wrote (protocol v2);
 * - `mismatch` ({@link MismatchEvent}): the records of a klass differed from the server's
 *   digest of those this client may see (protocol v2, after each sync and
 *   {@link Syncro#verify}); the server sends the klass again;
 * - `reset` ({@link ResetEvent}): the server's history changed; the client syncs again from
 *   nothing, and the records that sync does not bring back go (`change` events with type
 *   `destroy`) once it caught up, except those pending writes keep;
 * - `error` (an Error): a problem that concerns no single call (a failed store write, a
 *   malformed message, a failed sync, and a {@link SyncroError} with code `'lost-writes'`
 *   when the server's mark of this client's scribes went back: it lost writes it had
 *   settled, and the pending ones are renumbered from its mark and sent); without a
 *   listener it is logged on the console.
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
		if (options.protocol !== undefined && options.protocol !== 1 && options.protocol !== 2) {
			throw new TypeError('The protocol option is 1 or 2.');
		}
		// a bad url fails here, before a uid is claimed
		clientUrl(options.url, 'probe');
		const whole = options.store ?? defaultStore();
		const store = (options.user !== undefined) ? storeOfUser(whole, options.user) : whole;
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
		/** @private the highest protocol version to ask for */
		this._protocol = options.protocol ?? 2;
		/** @private */ this._url = clientUrl(options.url, uid, this._protocol);
		/** @private */ this._headers = options.headers ? { ...options.headers } : null;
		/** @private */ this._store = store;
		/** @private the user the store is of, if any */
		this._user = options.user ?? null;
		/** @private */ this._release = release;
		/** @private */ this._requestTimeout = positive(options.requestTimeout, 30000);
		/** @private */ this._heartbeat = options.heartbeat === 0 ? 0 : positive(options.heartbeat, 30000);
		/** @private */ this._batchSize = Math.min(MAX_BATCH, positive(options.batchSize, MAX_BATCH));
		/** @private */ this._reconnectBackoff = new Backoff(options.backoff);
		/** @private */ this._retryBackoff = new Backoff(options.backoff);

		/** @private how many times a klass differed from the server's digest */
		this._mismatches = 0;
		/** @private whether the client started over for a difference no check since found mended */
		this._startedOver = false;
		/** @private the records: confirmed, pending, and the view */
		this._replica = new Replica(state);
		/** @private the highest client scribe id known to be stored */
		this._persistedUpTo = this._replica.nextScribeId - 1;
		/** @private how many times the pending scribes were renumbered: a store write of a
		 * scribe recorded before then speaks of its old id */
		this._renumberings = 0;

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

		/** @private the server's scribes coming in */
		this._sync = new Sync(this._replica, {
			persist: (change) => this._persist(change),
			written: () => this._writes,
			changed: (change, source) => this._emitChange(change, source),
			moved: () => this._link?.landing?.reached(),
			report: (error) => this._report(error),
			reset: (reason) => this._reset(reason),
		});
		/** @private the scopes subscribed to (protocol v2) */
		this._subscriptions = new Subscriptions(state.subscriptions, {
			persist: (subscriptions) => this._persist({ subscriptions }),
			report: (error) => this._report(error),
		});
		/** @private own scribes leaving the pending list */
		this._settlement = new Settlement(this._replica, {
			persist: (change) => this._persist(change),
			forget: (scribeId) => this._link?.forget(scribeId),
			changed: (change, source) => this._emitChange(change, source),
			pendingChanged: () => this._pendingChanged(),
			emit: (event, payload) => this.emit(event, payload),
		});
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
	 * How many local scribes are still pending: not yet in the server's state as this client
	 * knows it (acknowledged in v1; landed at or below the position in v2), nor refused.
	 * @returns {number}
	 */
	get pendingWrites() {
		return this._replica.pending.length;
	}

	/**
	 * The highest server scribe id this client has processed, or null before its first sync
	 * (and after a reset, until the sync from nothing brings a scribe).
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
	 * Subscribes to a scope of the server (protocol v2): from then on, the klass it narrows
	 * holds only the records of this client's scopes of that klass (among those the server's
	 * policy gives it), and a record moving into or out of them arrives or leaves. A klass
	 * without subscriptions holds every record the policy gives. Subscriptions are stored:
	 * they hold offline, across restarts, and go again on every connection.
	 * @param {string} scope the scope's name, as the server declares it (e.g. `'listTodos'`)
	 * @param {Record<string, unknown>} [params={}] its parameters (e.g. `{ listId }`)
	 * @returns {Promise<{klass: string}>} resolves once the scope's records are in (on the next
	 *   connection when offline); rejects with a {@link SyncroError}: 404 for an unknown scope,
	 *   400 for bad parameters, 403 when the user may not subscribe to it (the subscription is
	 *   dropped then), 501 when the server speaks only protocol v1
	 */
	subscribe(scope, params = {}) {
		return this._changeSubscription(scope, params, true);
	}

	/**
	 * Ends a subscription: the records that no other subscription of this client holds leave
	 * (the klass holds every record the policy gives once none is left). Made offline, it is
	 * stored and goes on the next connection.
	 * @param {string} scope the scope's name
	 * @param {Record<string, unknown>} [params={}] the parameters it was subscribed with
	 * @returns {Promise<{klass: string} | null>} resolves once the server answered
	 */
	unsubscribe(scope, params = {}) {
		return this._changeSubscription(scope, params, false);
	}

	/** @private */
	_changeSubscription(scope, params, on) {
		if (this._protocol < 2) {
			return Promise.reject(new SyncroError(501, 'Subscriptions need protocol v2.'));
		}
		return on ? this._subscriptions.subscribe(scope, params) : this._subscriptions.unsubscribe(scope, params);
	}

	/**
	 * The scopes this client subscribes to.
	 * @returns {Array<{scope: string, params: Record<string, JsonValue>}>}
	 */
	get subscriptions() {
		return this._subscriptions.list();
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
		this._subscriptions.closed(closed);
		this._setStatus('offline');
		this._closing = this._writes.then(() => this._release());
		return this._closing;
	}

	/**
	 * Signs the user out of this client: closes it, then deletes from the store every uid
	 * of the user it was opened for (`user`) that no other client holds, with their records
	 * and pending writes, so that the next user of this browser sees none of them. Pending
	 * writes the server has not acknowledged are lost: wait for {@link Syncro#whenSettled}
	 * first to keep them.
	 * @returns {Promise<number>} how many pending writes were deleted
	 */
	async signOut() {
		if (!this._user) {
			throw new TypeError('signOut needs a client opened for a user, with { user }.');
		}
		const dropped = this._replica.pending.length;
		await this.close();
		for (const uid of await this._store.clients()) {
			const release = await this._store.lock(uid);
			if (release) {
				try {
					await this._store.forget(uid);
				}
				finally {
					await release();
				}
			}
		}
		return dropped;
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
	 * @returns {Promise<AnyRecord | null>} the record after the change, once stored
	 */
	_write(klass, type, data) {
		if (this._closed) {
			return Promise.reject(new Error('The client is closed.'));
		}
		const { scribe, change } = this._replica.record(klass, type, data);
		const renumberings = this._renumberings;
		const stored = this._persist({ nextScribeId: this._replica.nextScribeId, addScribes: [scribe] }).then(() => {
			if (renumberings === this._renumberings) {
				// else the renumbering's write, queued behind this one, stores it under its new id
				this._persistedUpTo = Math.max(this._persistedUpTo, scribe.id);
			}
			this._link?.pusher.pump();
			return change.after;
		});
		this._emitChange(change, 'local');
		this._pendingChanged();
		return stored;
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
	 * The server expects own scribe `from` next. If it is not pending and the pending scribes
	 * from there on start above it, the server forgot scribes it had settled from `from` on
	 * and would answer each of those 409 for good: they are renumbered from `from`, in their
	 * order, and stored so (with the next id, which goes down) before any of them goes out;
	 * the connection forgets what it tracked under their old ids. A mark below the one the
	 * server was known to have is reported as lost writes.
	 * @private
	 * @param {number} from the client scribe id the server expects next
	 * @returns {Promise<void> | null} settles once the renumbered scribes are stored (and never
	 *   rejects: a failed store write is reported); null when nothing was renumbered
	 */
	_renumber(from) {
		const replica = this._replica;
		const renumbered = replica.renumber(from);
		if (!renumbered) {
			return null;
		}
		const renumberings = ++this._renumberings;
		const { scribes, removed } = renumbered;
		/** @type {StoreChange} */
		const change = { renumbered: true, nextScribeId: replica.nextScribeId, addScribes: scribes, removeScribes: removed };
		const mark = from - 1;
		if (mark < replica.serverMark) {
			this._lostWrites(replica.serverMark - mark, replica.serverMark, mark);
			replica.serverMark = mark;
			change.serverMark = mark;
		}
		// only what is stored under its new id may go
		this._persistedUpTo = Math.min(this._persistedUpTo, mark);
		this._link?.renumbered(from);
		return this._persist(change).then(() => {
			if (renumberings === this._renumberings) {
				this._persistedUpTo = Math.max(this._persistedUpTo, scribes.at(-1).id);
				this._link?.pusher.pump();
			}
		}, () => {});
	}

	/**
	 * Reports that the server lost own scribes it had settled: its mark went back.
	 * @private
	 */
	_lostWrites(count, known, mark) {
		this._report(new SyncroError('lost-writes',
			`The server lost ${count} of this client's writes that it had settled: its mark went back from ${known} to ${mark}.`,
			{ lost: count }));
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
			onNotice: (conn, message) => this._onNotice(link, message),
			onClose: () => this._onClosed(link),
		}, { requestTimeout: this._requestTimeout });
		this._attach(link);
	}

	/**
	 * Gives a new connection its parts, each with only what it needs of the client.
	 * @private
	 * @param {Link} link
	 */
	_attach(link) {
		link.pusher = new Pusher(link.conn, {
			pending: () => this._replica.pending,
			storedUpTo: () => this._persistedUpTo,
			onItsWay: (scribeId) => link.pull.isSent(scribeId),
			acknowledged: (scribeId, reply) => {
				this._replica.settled(scribeId);
				if (link.landing) {
					link.landing.landed(scribeId, reply);
				}
				else {
					this._settlement.accept(scribeId);
				}
			},
			refused: (scribeId, code, message) => this._settlement.refuse(scribeId, code, message),
			renumber: (expected) => this._renumber(expected) !== null,
		}, this._retryBackoff);
		link.pull = new ServerPull(link.conn, link.pusher, this._replica, {
			persist: (change) => this._persist(change),
			written: () => this._writes,
			storedUpTo: () => this._persistedUpTo,
			accept: (scribeId) => this._settlement.accept(scribeId),
			refuse: (scribeId, code, message) => this._settlement.refuse(scribeId, code, message),
			lost: (count, known, mark) => this._lostWrites(count, known, mark),
			renumber: (from) => this._renumber(from),
		}, { batchSize: this._batchSize, requestTimeout: this._requestTimeout });
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
		if (this._protocol < 2) {
			this._catchUp(link, 1);
		}
		// else on the server's first message: its hello names the history the position must
		// be of (v2), or its pull tells that it speaks v1
	}

	/**
	 * Checks the records this client holds against the server's digest of those it may see
	 * (protocol v2, PROTOCOL.md §8.9); the client does so on its own after each sync. Each
	 * klass that differs fires `mismatch`, counts in {@link Syncro#mismatches}, and is sent
	 * again by the server (or, from a server that cannot, the client starts over from
	 * nothing).
	 * @returns {Promise<string[]>} the klasses that differed
	 */
	verify() {
		return this._connection(this._requestTimeout).then((conn) => {
			if (this._link?.version !== 2) {
				throw new SyncroError(501, 'Digests need protocol v2.');
			}
			return this._verify(conn);
		});
	}

	/**
	 * How many times a klass this client held differed from the server's digest.
	 * @returns {number}
	 */
	get mismatches() {
		return this._mismatches;
	}

	/**
	 * Asks for the digest, compares it as it comes (after every scribe up to its position),
	 * and has the klasses that differ sent again.
	 * @private
	 * @param {Connection} conn
	 * @returns {Promise<string[]>}
	 */
	async _verify(conn) {
		/** @type {string[]} */
		let differing = [];
		try {
			await conn.request({ type: 'digest' }, {
				process: (response) => {
					differing = this._compare(response.result);
				},
			});
		}
		catch (error) {
			if (error?.code === 501) {
				// a server that gives no digests
				return [];
			}
			throw error;
		}
		for (const klass of differing) {
			try {
				await conn.request({ type: 'rebuild', klass });
			}
			catch (error) {
				if (error?.code !== 501) {
					throw error;
				}
				// once: a difference that starting over does not mend is only told
				if (!this._startedOver) {
					this._startedOver = true;
					this._reset('gone');
				}
				break;
			}
		}
		if (differing.length === 0) {
			this._startedOver = false;
		}
		return differing;
	}

	/**
	 * The klasses whose confirmed copies differ from a digest.
	 * @private
	 * @param {any} result the digest's answer
	 * @returns {string[]}
	 */
	_compare(result) {
		const differing = [];
		for (const [klass, expected] of Object.entries(result?.klasses ?? {})) {
			const actual = digestOf(this._replica.confirmedOf(klass));
			if (actual.count !== expected?.count || actual.hash !== expected?.hash) {
				differing.push(klass);
				this._mismatches++;
				/** @type {MismatchEvent} */
				const event = { klass, at: result.at, expected, actual };
				this.emit('mismatch', event);
			}
		}
		return differing;
	}

	/**
	 * The client's pull (`sync` from its position until caught up), once per connection;
	 * then the client is online.
	 * @private
	 * @param {Link} link
	 * @param {number} version the protocol version of the connection
	 */
	_catchUp(link, version) {
		if (link.catchingUp) {
			return;
		}
		link.catchingUp = true;
		this._sync.catchUp(link.conn, version).then((caughtUp) => {
			if (caughtUp && this._link === link && link.conn.open) {
				this._reconnectBackoff.reset();
				this._setStatus('online');
				if (version >= 2) {
					this._verify(link.conn).catch((error) => {
						// a connection closed meanwhile checks again on the next one
						if (!link.conn.closed) {
							this._report(error);
						}
					});
				}
			}
		});
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

	/**
	 * The server's `hello`, its first message on a v2 connection: the version it speaks and
	 * the epoch of its log. A position of another epoch is dropped before the client syncs.
	 * @private
	 */
	_onNotice(link, message) {
		if (message.type !== 'hello' || link.version !== null || this._protocol < 2) {
			return;
		}
		if (!Number.isSafeInteger(message.version) || message.version < 1) {
			this._report(new SyncroError(400, "The server's hello names no protocol version."));
			link.conn.close(4000, 'Bad hello');
			return;
		}
		link.version = Math.min(message.version, this._protocol);
		if (link.version >= 2) {
			this._enterEpoch(message.epoch);
			this._subscriptions.connected(link.conn);
			link.landing = new Landing({
				position: () => this._replica.position,
				leave: (scribeId) => this._settlement.leave(scribeId),
				catchUp: (caughtUp) => this._sync.catchUp(link.conn, link.version, caughtUp),
			});
		}
		this._catchUp(link, link.version);
	}

	/**
	 * The epoch the server's hello named: stored, after a reset if the client's position is
	 * of another one. A hello that names none says nothing of the history (a server from
	 * before epochs): the stored epoch stays.
	 * @private
	 * @param {unknown} epoch
	 */
	_enterEpoch(epoch) {
		const replica = this._replica;
		if (typeof epoch !== 'string' || epoch.length === 0 || epoch === replica.epoch) {
			return;
		}
		if (replica.position !== null && replica.epoch !== null) {
			this._reset('epoch', epoch);
			return;
		}
		replica.epoch = epoch;
		this._persist({ epoch });
	}

	/**
	 * Drops the confirmed copy of every record and the position, keeping the pending
	 * scribes, because the server's history changed; the sync that follows starts from
	 * nothing. Fires `reset`.
	 * @private
	 * @param {'epoch' | 'gone'} reason
	 * @param {string | null} [epoch] the epoch from now on (default: the stored one)
	 */
	_reset(reason, epoch = this._replica.epoch) {
		const replica = this._replica;
		const records = replica.reset();
		replica.epoch = epoch;
		this._persist({ position: null, epoch, records });
		if (reason === 'gone' && this._status === 'online') {
			// refused on a live connection (a sync after a write's landing was not known):
			// pushes keep coming on it and would move the position past the sync from nothing,
			// which would then skip the records below; start over on a new connection, whose
			// sync from nothing comes before any push
			this._link?.conn.close(4000, 'Starting over from nothing');
		}
		else if (reason === 'gone' && this._link?.version >= 2) {
			// the server's resets of the narrowed klasses gave records the client just dropped:
			// subscribing again has it send them again, before the sync from nothing
			this._subscriptions.connected(this._link.conn);
		}
		/** @type {ResetEvent} */
		const event = { reason };
		this.emit('reset', event);
	}

	/**
	 * A request of the server, handed to the part that answers it.
	 * @private
	 */
	_onRequest(link, message) {
		const conn = link.conn;
		switch (message.type) {
			case 'sync':
				// a pull before any hello: the server speaks v1
				if (link.version === null) {
					link.version = 1;
					this._subscriptions.unsupported();
				}
				this._catchUp(link, link.version);
				link.pull.answer(message, link.version);
				break;
			case 'add_scribe':
				this._sync.receive(conn, message);
				break;
			case 'add_scribes':
				if (link.version >= 2) {
					this._sync.receiveBatch(conn, message);
				}
				else {
					conn.fail(message.id, 501, "The message type 'add_scribes' is unknown.");
				}
				break;
			case 'records':
				if (link.version >= 2) {
					this._sync.receiveRecords(conn, message);
				}
				else {
					conn.fail(message.id, 501, "The message type 'records' is unknown.");
				}
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
	 * An `error` that answers none of our requests: the server's report on a scribe it
	 * pulled from us, or a problem that concerns no scribe.
	 * @private
	 */
	_onServerError(link, message) {
		if (Number.isSafeInteger(message.scribe)) {
			link.pull.reported(message.scribe, message.code, message.message);
		}
		else {
			this._report(new SyncroError(message.code, String(message.message ?? 'The server reported an error.')));
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
