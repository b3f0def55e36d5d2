/**
 * Where a client keeps its state between runs, and the in-memory store.
 *
 * A store holds, per client uid: the next client scribe id, the position (the highest
 * server scribe id processed) and the epoch it is of (the history of the server's log), the
 * server's mark as last seen (the highest own scribe id it is known to have settled), the
 * *confirmed* records (the server's view: remote scribes applied and own scribes
 * acknowledged), and the *pending* scribes (the local scribe log: own scribes the server
 * has not acknowledged). The local view a user sees is the
 * confirmed records with the pending scribes applied on top, so it is not stored.
 *
 * Every store has the methods of {@link MemoryStore}: `clients`, `lock`, `load`, `write`,
 * `forget`, `close`. {@link IndexedDBStore} is the browser's.
 *
 * @module
 */

/**
 * @typedef {import('./records.js').Scribe} Scribe
 * @typedef {import('./records.js').AnyRecord} AnyRecord
 *
 * @typedef {object} StoredState what a store holds for one uid
 * @property {number} nextScribeId the id the next local scribe gets (1 at first)
 * @property {number | null} position the highest server scribe id processed, null if none
 * @property {string | null} [epoch] the history of the server's log the position is of, as
 *   the server's `hello` named it; null if none was named (a store written before epochs
 *   may leave it out)
 * @property {number} [serverMark] the highest own scribe id the server is known to have
 *   settled (0 at first, or when left out): a later pull from below it means the server
 *   lost some
 * @property {Array<{klass: string, id: string | number, record: AnyRecord}>} records the
 *   confirmed records
 * @property {Scribe[]} scribes the pending local scribes, oldest first
 * @property {import('./subscriptions.js').StoredSubscription[]} [subscriptions] the scopes
 *   subscribed to, and unsubscribes not yet answered (none when left out)
 *
 * @typedef {object} StoreChange one atomic write; absent fields are left as they are
 * @property {number} [nextScribeId] the new next client scribe id (a store never lowers it,
 *   unless `renumbered`)
 * @property {number | null} [position] the new position
 * @property {string | null} [epoch] the new epoch
 * @property {number} [serverMark] the new server's mark as last seen
 * @property {Array<{klass: string, id: string | number, record: AnyRecord | null}>} [records]
 *   confirmed records to put, or to delete where `record` is null
 * @property {Scribe[]} [addScribes] pending scribes to add; one replaces a pending scribe of
 *   the same id (after a renumbering)
 * @property {number[]} [removeScribes] ids of pending scribes to remove (never one that
 *   `addScribes` holds)
 * @property {import('./subscriptions.js').StoredSubscription[]} [subscriptions] the new
 *   subscriptions, replacing the old
 * @property {boolean} [renumbered] the pending scribes were renumbered, because the server
 *   forgot some of this client's scribes it had settled: `nextScribeId` is taken even when
 *   it is lower, and `addScribes` holds the renumbered scribes, replacing those of the same
 *   ids. A store that ignores it keeps a higher next id, which only costs the client another
 *   renumbering of later scribes
 *
 * @typedef {object} Store
 * @property {() => Promise<string[]>} clients the uids the store holds data for
 * @property {(uid: string) => Promise<(() => Promise<void>) | null>} lock takes the
 *   exclusive lock of a uid if it is free: resolves to the function that releases it (which
 *   resolves once the lock is free again), or to null when another client (another tab)
 *   holds it
 * @property {(uid: string) => Promise<StoredState>} load reads a uid's state, recording
 *   the uid (with an empty state) when it is new
 * @property {(uid: string, change: StoreChange) => Promise<void>} write applies one change
 *   atomically; resolves once it is durable
 * @property {(uid: string) => Promise<void>} forget deletes a uid and all of its data
 * @property {() => void} close releases the store's resources
 */

/**
 * The part of a store that holds one user's uids: each uid is kept under a key of that user
 * (`<user, URI-encoded>/<uid>`; a `/` is never part of a uid), so one browser signed in by
 * several users in turn keeps their data apart, and a client of one user never adopts a uid
 * (or shows the records) of another. Uids stored without a user are none of its.
 * @param {Store} store the whole store
 * @param {string} user the user's name
 * @returns {Store}
 */
export function storeOfUser(store, user) {
	if (typeof user !== 'string' || user.length === 0) {
		throw new TypeError('A user is a non-empty string.');
	}
	const prefix = `${encodeURIComponent(user)}/`;
	const key = (uid) => prefix + uid;
	return {
		async clients() {
			return (await store.clients()).filter((stored) => stored.startsWith(prefix))
				.map((stored) => stored.slice(prefix.length));
		},
		lock: (uid) => store.lock(key(uid)),
		load: (uid) => store.load(key(uid)),
		write: (uid, change) => store.write(key(uid), change),
		forget: (uid) => store.forget(key(uid)),
		close: () => store.close(),
	};
}

/**
 * The key of a record within one uid's records.
 * @param {string} klass
 * @param {string | number} id
 * @returns {string}
 */
export function recordKey(klass, id) {
	return `${klass}\u0000${String(id)}`;
}

/**
 * A store in memory: for Node and tests, and for pages that need no persistence. It lives
 * as long as the object, so a new client opened on the same store (a "reload") finds
 * everything the previous one wrote. {@link MemoryStore#snapshot} copies what was written so
 * far, and `new MemoryStore(snapshot)` starts from it, which is how a test imitates a crash:
 * only what was durably written survives.
 */
export class MemoryStore {
	/**
	 * @param {object} [snapshot] a value returned by {@link MemoryStore#snapshot}
	 */
	constructor(snapshot) {
		/** @private @type {Map<string, {nextScribeId: number, position: number | null, epoch: string | null, serverMark: number, records: Map<string, {klass: string, id: string | number, record: AnyRecord}>, scribes: Map<number, Scribe>}>} */
		this._data = new Map();
		/** @private @type {Set<string>} */
		this._locked = new Set();
		for (const [uid, state] of Object.entries(snapshot?.clients ?? {})) {
			this._data.set(uid, {
				nextScribeId: state.nextScribeId,
				position: state.position,
				// snapshots from before epochs have neither
				epoch: state.epoch ?? null,
				serverMark: state.serverMark ?? 0,
				subscriptions: state.subscriptions ?? [],
				records: new Map(state.records.map((entry) => [recordKey(entry.klass, entry.id), clone(entry)])),
				scribes: new Map(state.scribes.map((scribe) => [scribe.id, clone(scribe)])),
			});
		}
	}

	/** @returns {Promise<string[]>} */
	async clients() {
		return [...this._data.keys()];
	}

	/**
	 * @param {string} uid
	 * @returns {Promise<(() => Promise<void>) | null>}
	 */
	async lock(uid) {
		if (this._locked.has(uid)) {
			return null;
		}
		this._locked.add(uid);
		let held = true;
		return async () => {
			if (held) {
				held = false;
				this._locked.delete(uid);
			}
		};
	}

	/**
	 * @param {string} uid
	 * @returns {Promise<StoredState>}
	 */
	async load(uid) {
		const state = this._state(uid);
		return clone({
			nextScribeId: state.nextScribeId,
			position: state.position,
			epoch: state.epoch,
			serverMark: state.serverMark,
			subscriptions: state.subscriptions,
			records: [...state.records.values()],
			scribes: [...state.scribes.values()].sort((a, b) => a.id - b.id),
		});
	}

	/**
	 * @param {string} uid
	 * @param {StoreChange} change
	 * @returns {Promise<void>}
	 */
	async write(uid, change) {
		const state = this._state(uid);
		const copy = clone(change);
		if (copy.nextScribeId !== undefined) {
			state.nextScribeId = copy.renumbered ? copy.nextScribeId : Math.max(state.nextScribeId, copy.nextScribeId);
		}
		if (copy.position !== undefined) {
			state.position = copy.position;
		}
		if (copy.epoch !== undefined) {
			state.epoch = copy.epoch;
		}
		if (copy.serverMark !== undefined) {
			state.serverMark = copy.serverMark;
		}
		if (copy.subscriptions !== undefined) {
			state.subscriptions = copy.subscriptions;
		}
		for (const entry of copy.records ?? []) {
			const key = recordKey(entry.klass, entry.id);
			if (entry.record === null) {
				state.records.delete(key);
			}
			else {
				state.records.set(key, entry);
			}
		}
		for (const scribe of copy.addScribes ?? []) {
			state.scribes.set(scribe.id, scribe);
		}
		for (const id of copy.removeScribes ?? []) {
			state.scribes.delete(id);
		}
	}

	/**
	 * @param {string} uid
	 * @returns {Promise<void>}
	 */
	async forget(uid) {
		this._data.delete(uid);
	}

	close() {
		// nothing to release
	}

	/**
	 * A JSON-compatible copy of everything written so far.
	 * @returns {{clients: Record<string, StoredState>}}
	 */
	snapshot() {
		const clients = {};
		for (const [uid, state] of this._data) {
			clients[uid] = clone({
				nextScribeId: state.nextScribeId,
				position: state.position,
				epoch: state.epoch,
				serverMark: state.serverMark,
				subscriptions: state.subscriptions,
				records: [...state.records.values()],
				scribes: [...state.scribes.values()].sort((a, b) => a.id - b.id),
			});
		}
		return { clients };
	}

	/** @private */
	_state(uid) {
		let state = this._data.get(uid);
		if (!state) {
			state = {
				nextScribeId: 1, position: null, epoch: null, serverMark: 0, subscriptions: [], records: new Map(),
				scribes: new Map(),
			};
			this._data.set(uid, state);
		}
		return state;
	}
}

function clone(value) {
	return structuredClone(value);
}
