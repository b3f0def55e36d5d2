/**
 * The browser's store: IndexedDB, so that a reload or a closed tab loses nothing.
 * @module
 */

/**
 * @typedef {import('./stores.js').StoredState} StoredState
 * @typedef {import('./stores.js').StoreChange} StoreChange
 */

const VERSION = 1;
const CLIENTS = 'clients';
const RECORDS = 'records';
const SCRIBES = 'scribes';

/** Locks taken where the page has no Web Locks API: they hold within this page only. */
const pageLocks = new Set();

/**
 * Keeps each client uid's state in one IndexedDB database (default name `syncro`), in three
 * object stores: `clients` (key `uid`: `{uid, nextScribeId, position, epoch, serverMark}`; rows written
 * before epochs lack the last two, which load as null and 0), `records` (key
 * `[uid, klass, id]`: the confirmed records) and `scribes` (key `[uid, id]`: the pending
 * local scribes). Every {@link IndexedDBStore#write} is one transaction; a write that adds
 * scribes asks for strict durability, because a client scribe id must be stored before
 * it is used.
 *
 * The lock of a uid is a Web Lock (`navigator.locks`) named `syncro:<database>:<uid>`,
 * held until released or until the tab goes away, so two tabs never use one uid at once.
 * It has the methods of {@link import('./stores.js').MemoryStore} and the same behaviour.
 */
export class IndexedDBStore {
	/**
	 * @param {object} [options]
	 * @param {string} [options.name='syncro'] the database name
	 * @param {IDBFactory} [options.indexedDB] the IndexedDB implementation (default: the page's)
	 * @param {typeof IDBKeyRange} [options.IDBKeyRange] its key range type (default: the page's)
	 * @param {LockManager | null} [options.locks] the Web Locks manager (default:
	 *   `navigator.locks`; without one, locks hold within this page only)
	 */
	constructor(options = {}) {
		/** @private */
		this._name = options.name ?? 'syncro';
		/** @private */
		this._factory = options.indexedDB ?? globalThis.indexedDB;
		/** @private */
		this._KeyRange = options.IDBKeyRange ?? globalThis.IDBKeyRange;
		/** @private */
		this._locks = options.locks !== undefined ? options.locks : globalThis.navigator?.locks ?? null;
		if (!this._factory || !this._KeyRange) {
			throw new Error('IndexedDB is not available here; use a MemoryStore.');
		}
		/** @private @type {Promise<IDBDatabase> | null} */
		this._db = null;
	}

	/** @returns {Promise<string[]>} */
	async clients() {
		const db = await this._open();
		const rows = await request(db.transaction(CLIENTS, 'readonly').objectStore(CLIENTS).getAll());
		return rows.map((row) => row.uid);
	}

	/**
	 * @param {string} uid
	 * @returns {Promise<(() => Promise<void>) | null>} the release function, which resolves
	 *   once the lock is free again; null when another tab holds the lock
	 */
	lock(uid) {
		const name = `syncro:${this._name}:${uid}`;
		if (!this._locks) {
			if (pageLocks.has(name)) {
				return Promise.resolve(null);
			}
			pageLocks.add(name);
			return Promise.resolve(once(() => {
				pageLocks.delete(name);
			}, Promise.resolve()));
		}
		return new Promise((resolve, reject) => {
			let freed;
			const free = new Promise((done) => {
				freed = done;
			});
			this._locks.request(name, { ifAvailable: true }, (lock) => {
				if (!lock) {
					resolve(null);
					return undefined;
				}
				// the lock is held until this promise settles
				return new Promise((release) => resolve(once(release, free)));
			}).then(() => freed(), (error) => {
				freed();
				reject(error);
			});
		});
	}

	/**
	 * @param {string} uid
	 * @returns {Promise<StoredState>}
	 */
	async load(uid) {
		const db = await this._open();
		const tx = db.transaction([CLIENTS, RECORDS, SCRIBES], 'readwrite');
		const finished = done(tx);
		const range = this._range(uid);
		const [client, records, scribes] = await Promise.all([
			request(tx.objectStore(CLIENTS).get(uid)),
			request(tx.objectStore(RECORDS).getAll(range)),
			request(tx.objectStore(SCRIBES).getAll(range)),
		]);
		let row = client;
		if (!row) {
			row = newRow(uid);
			tx.objectStore(CLIENTS).put(row);
		}
		await finished;
		return {
			nextScribeId: row.nextScribeId,
			position: row.position,
			epoch: row.epoch ?? null,
			serverMark: row.serverMark ?? 0,
			subscriptions: row.subscriptions ?? [],
			records: records.map((entry) => ({ klass: entry.klass, id: entry.id, record: entry.record })),
			scribes: scribes.map((entry) => entry.scribe).sort((a, b) => a.id - b.id),
		};
	}

	/**
	 * @param {string} uid
	 * @param {StoreChange} change
	 * @returns {Promise<void>}
	 */
	async write(uid, change) {
		const db = await this._open();
		const strict = (change.addScribes?.length ?? 0) > 0 || change.nextScribeId !== undefined;
		const tx = db.transaction([CLIENTS, RECORDS, SCRIBES], 'readwrite', { durability: strict ? 'strict' : 'default' });
		const finished = done(tx);
		if (change.nextScribeId !== undefined || change.position !== undefined || change.epoch !== undefined
			|| change.serverMark !== undefined || change.subscriptions !== undefined) {
			const clients = tx.objectStore(CLIENTS);
			const row = (await request(clients.get(uid))) ?? newRow(uid);
			if (change.nextScribeId !== undefined) {
				row.nextScribeId = change.renumbered ? change.nextScribeId : Math.max(row.nextScribeId, change.nextScribeId);
			}
			if (change.position !== undefined) {
				row.position = change.position;
			}
			if (change.epoch !== undefined) {
				row.epoch = change.epoch;
			}
			if (change.serverMark !== undefined) {
				row.serverMark = change.serverMark;
			}
			if (change.subscriptions !== undefined) {
				row.subscriptions = change.subscriptions;
			}
			clients.put(row);
		}
		const records = tx.objectStore(RECORDS);
		for (const entry of change.records ?? []) {
			if (entry.record === null) {
				records.delete([uid, entry.klass, entry.id]);
			}
			else {
				records.put({ uid, klass: entry.klass, id: entry.id, record: entry.record });
			}
		}
		const scribes = tx.objectStore(SCRIBES);
		for (const scribe of change.addScribes ?? []) {
			scribes.put({ uid, id: scribe.id, scribe });
		}
		for (const id of change.removeScribes ?? []) {
			scribes.delete([uid, id]);
		}
		await finished;
	}

	/**
	 * @param {string} uid
	 * @returns {Promise<void>}
	 */
	async forget(uid) {
		const db = await this._open();
		const tx = db.transaction([CLIENTS, RECORDS, SCRIBES], 'readwrite');
		tx.objectStore(CLIENTS).delete(uid);
		tx.objectStore(RECORDS).delete(this._range(uid));
		tx.objectStore(SCRIBES).delete(this._range(uid));
		await done(tx);
	}

	/**
	 * Closes the database connection; the next call opens it again.
	 */
	close() {
		const db = this._db;
		this._db = null;
		db?.then((open) => open.close(), () => {});
	}

	/** @private */
	_range(uid) {
		// arrays sort after strings and numbers, so [uid, []] bounds every [uid, …] key
		return this._KeyRange.bound([uid], [uid, []]);
	}

	/** @private */
	_open() {
		if (!this._db) {
			this._db = new Promise((resolve, reject) => {
				const open = this._factory.open(this._name, VERSION);
				open.onupgradeneeded = () => {
					const db = open.result;
					db.createObjectStore(CLIENTS, { keyPath: 'uid' });
					db.createObjectStore(RECORDS, { keyPath: ['uid', 'klass', 'id'] });
					db.createObjectStore(SCRIBES, { keyPath: ['uid', 'id'] });
				};
				open.onsuccess = () => {
					const db = open.result;
					// another tab upgrading the schema must not wait for this one forever
					db.onversionchange = () => {
						db.close();
						this._db = null;
					};
					resolve(db);
				};
				open.onerror = () => reject(open.error);
			});
			this._db.catch(() => {
				this._db = null;
			});
		}
		return this._db;
	}
}

function newRow(uid) {
	return { uid, nextScribeId: 1, position: null, epoch: null, serverMark: 0, subscriptions: [] };
}

function request(req) {
	return new Promise((resolve, reject) => {
		req.onsuccess = () => resolve(req.result);
		req.onerror = () => reject(req.error);
	});
}

function done(tx) {
	const finished = new Promise((resolve, reject) => {
		tx.oncomplete = () => resolve();
		tx.onerror = () => reject(tx.error);
		tx.onabort = () => reject(tx.error ?? new Error('The IndexedDB transaction was aborted.'));
	});
	// awaited by the caller once its requests are queued; a failure before that is not lost
	finished.catch(() => {});
	return finished;
}

/**
 * A release function that acts once and resolves when the lock is free.
 * @param {() => void} release
 * @param {Promise<void>} freed settles when the lock is free
 * @returns {() => Promise<void>}
 */
function once(release, freed) {
	let held = true;
	return () => {
		if (held) {
			held = false;
			release();
		}
		return freed;
	};
}
