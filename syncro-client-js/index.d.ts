// Type declarations of syncro-client, written by hand to match src/.

/** A JSON value, as attributes and rpc arguments must be. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A record id: chosen by whoever creates the record (UUID strings by default). */
export type RecordId = string | number;

/** A record of any synchronised class: JSON attributes, `id` included. */
export interface AnyRecord {
	id: RecordId;
	[attribute: string]: unknown;
}

/** The status of the connection. */
export type Status = 'connecting' | 'syncing' | 'online' | 'offline';

/** A record of a change to one record (PROTOCOL.md section 4). */
export interface Scribe {
	/** Client scribe ids count 1, 2, 3 … per uid; server scribe ids only increase. */
	id: number;
	klass: string;
	type: 'create' | 'update' | 'destroy';
	/** create: every attribute with the id; update: [recordId, changes]; destroy: [recordId] */
	data: any;
}

/** A record changed as this client sees it. */
export interface ChangeEvent<T extends object = AnyRecord> {
	klass: string;
	id: RecordId;
	/** `create` when the record appeared, `destroy` when it went, `update` otherwise. */
	type: 'create' | 'update' | 'destroy';
	/** The record now; null after a destroy. */
	record: Readonly<T> | null;
	/** The record before; null before a create. */
	previous: Readonly<T> | null;
	/** `local` for this client's writes; `remote` for the server's scribes and for rollbacks. */
	source: 'local' | 'remote';
}

/** The server refused one of this client's scribes for good; the record was rolled back. */
export interface RefusedEvent {
	/** The client scribe id. */
	scribe: number;
	/**
	 * 400, 403 or 404; or 410: a resent scribe the server settled so long ago that it no longer
	 * knows whether it was played or refused (PROTOCOL.md §4.4).
	 */
	code: number;
	/** The server's sentence. */
	message: string;
	klass: string;
	/** The record's id. */
	id: RecordId;
	type: 'create' | 'update' | 'destroy';
	data: any;
	/** The record after the rollback (the server's state with the other pending changes). */
	record: Readonly<AnyRecord> | null;
}

/**
 * One of this client's writes left the pending list and that changed what the user sees of
 * its record: the server ordered a concurrent change after it, or stored something else
 * than was sent (protocol v2 only). A `change` event with source `remote` comes just before.
 */
export interface ConflictEvent {
	klass: string;
	/** The record's id. */
	id: RecordId;
	/** The client scribe id of the write. */
	scribe: number;
	type: 'create' | 'update' | 'destroy';
	/** The write's data, as sent. */
	data: any;
	/** The record now (the server's state with the other pending changes); null if gone. */
	record: Readonly<AnyRecord> | null;
	/** The record as the user saw it before. */
	previous: Readonly<AnyRecord> | null;
}

/**
 * The server's log holds another history than the one this client's position is of (it was
 * restored from a backup, or lost its data), so what the server confirmed to this client may
 * not exist any more: the client dropped its confirmed copy of every record and its position,
 * kept its pending writes (sent again as usual), and syncs again from nothing. Once that sync
 * caught up, the records it did not bring back go (`change` events with type `destroy`),
 * except those pending writes keep.
 */
export interface ResetEvent {
	/**
	 * `epoch`: the server's `hello` named another epoch than the one stored with the position;
	 * `gone`: the server refused a sync from the position (410: of another history, or beyond
	 * the end of its log).
	 */
	reason: 'epoch' | 'gone';
}

/** A digest of records as the wire carries it (PROTOCOL.md §8.9). */
export interface Digest {
	count: number;
	/** The sum of the records' hashes modulo 2^64, as 16 lowercase hex digits. */
	hash: string;
}

/**
 * The confirmed records of a klass differed from the server's digest of those this client
 * may see (protocol v2); the server sends the klass again.
 */
export interface MismatchEvent {
	klass: string;
	/** The position the digest is of. */
	at: number;
	expected: Digest;
	actual: Digest;
}

/** The events of a client and their payloads. */
export interface SyncroEvents {
	change: ChangeEvent;
	status: Status;
	pendingWrites: number;
	refused: RefusedEvent;
	conflict: ConflictEvent;
	reset: ResetEvent;
	mismatch: MismatchEvent;
	/**
	 * Among others a SyncroError with code `lost-writes`: the server's mark went back (it lost
	 * writes it had settled); the pending writes are renumbered from it and sent.
	 */
	error: Error;
}

export interface BackoffOptions {
	/** First ceiling in ms (default 500). */
	initial?: number;
	/** Highest ceiling in ms (default 30000). */
	max?: number;
	/** Growth per attempt (default 2). */
	factor?: number;
	/** Share of each delay that is random, 0 to 1 (default 0.5). */
	jitter?: number;
	/** Source of numbers in [0, 1) (default Math.random). */
	random?: () => number;
}

/** What a store holds for one uid. */
export interface StoredState {
	nextScribeId: number;
	position: number | null;
	/**
	 * The history of the server's log the position is of, as its hello named it; null if none.
	 * A store written before epochs may leave it out (taken as null).
	 */
	epoch?: string | null;
	/** The highest own scribe id the server is known to have settled (0 at first, or when left out). */
	serverMark?: number;
	records: Array<{ klass: string; id: RecordId; record: AnyRecord }>;
	scribes: Scribe[];
	/** The scopes subscribed to, and unsubscribes not yet answered (none when left out). */
	subscriptions?: StoredSubscription[];
}

/** A subscription as a store keeps it. */
export interface StoredSubscription {
	scope: string;
	params: { [key: string]: JsonValue };
	/** True while subscribed; false for an unsubscribe the server has not answered yet. */
	on: boolean;
	/** Whether the server accepted it once. */
	confirmed?: boolean;
}

/** A scope subscribed to. */
export interface Subscription {
	scope: string;
	params: { [key: string]: JsonValue };
}

/** One atomic store write; absent fields are left as they are. */
export interface StoreChange {
	/** Never lowered by a store, unless `renumbered`. */
	nextScribeId?: number;
	position?: number | null;
	epoch?: string | null;
	/** May go down: after the server lost writes, its mark is what it says. */
	serverMark?: number;
	/** Confirmed records to put, or to delete where `record` is null. */
	records?: Array<{ klass: string; id: RecordId; record: AnyRecord | null }>;
	/** Pending scribes to add; one replaces a pending scribe of the same id (after a renumbering). */
	addScribes?: Scribe[];
	/** Ids of pending scribes to remove; never one that `addScribes` holds. */
	removeScribes?: number[];
	/** The new subscriptions, replacing the old. */
	subscriptions?: StoredSubscription[];
	/**
	 * The pending scribes were renumbered, because the server forgot some of this client's
	 * scribes it had settled: `nextScribeId` is taken even when lower, and `addScribes` holds the
	 * renumbered scribes. A store that ignores it keeps a higher next id, which only costs the
	 * client another renumbering later.
	 */
	renumbered?: boolean;
}

/** Where a client keeps its state: MemoryStore, IndexedDBStore, or your own. */
export interface Store {
	clients(): Promise<string[]>;
	/** The release function (resolving once the lock is free), or null when the uid is in use. */
	lock(uid: string): Promise<(() => Promise<void>) | null>;
	load(uid: string): Promise<StoredState>;
	write(uid: string, change: StoreChange): Promise<void>;
	forget(uid: string): Promise<void>;
	close(): void;
}

export interface SyncroOptions {
	/** The Syncro endpoint, e.g. `wss://example.com/syncro`, or `/syncro` relative to the page. */
	url: string;
	/** The client uid (1 to 64 of A-Z a-z 0-9 _ . : -); by default a stored free one, else a new UUID. */
	client?: string;
	/** The signed-in user: the store keeps this user's uids and records apart from every other user's; signOut() deletes them. */
	user?: string;
	/** The WebSocket implementation (default globalThis.WebSocket; in Node 20 the ws package's). */
	WebSocket?: any;
	/** Default: an IndexedDBStore where IndexedDB exists, else a MemoryStore. */
	store?: Store;
	/** Milliseconds to wait for any answer (default 30000). */
	requestTimeout?: number;
	/** Milliseconds between pings; 0 turns them off (default 30000). */
	heartbeat?: number;
	/** Delays of reconnects and retries. */
	backoff?: BackoffOptions;
	/** Most scribes per answer to the server's pull, 1 to 500 (default 500). */
	batchSize?: number;
	/**
	 * The highest protocol version to ask for (default 2); 1 speaks v1 even to a server that
	 * knows v2. A server that knows only v1 is spoken to in v1 either way.
	 */
	protocol?: 1 | 2;
	/**
	 * Headers for every handshake, e.g. `{ Authorization: 'Basic ...' }`, for a WebSocket
	 * implementation that takes them (Node's ws); browsers send their cookies instead.
	 */
	headers?: Record<string, string>;
}

/**
 * An error answered by the server (numeric code), or `timeout` / `closed` from the client, or
 * `lost-writes` (an `error` event): the server pulled this client's scribes from below a mark it
 * had before (or answered a 409 that expects a scribe below it), so it lost `lost` of this
 * client's writes it had settled; the client renumbers its pending writes from that mark and
 * sends them.
 */
export declare class SyncroError extends Error {
	constructor(code: number | 'timeout' | 'closed' | 'lost-writes', message: string,
		details?: { scribe?: number; expected?: number; lost?: number });
	readonly code: number | 'timeout' | 'closed' | 'lost-writes';
	/** The scribe the error concerns, if any. */
	readonly scribe: number | undefined;
	/** For 409: the client scribe id the server expects next. */
	readonly expected: number | undefined;
	/** For `lost-writes`: how many writes the server lost. */
	readonly lost: number | undefined;
}

/** The records of one synchronised class. */
export declare class Collection<T extends object = AnyRecord> {
	private constructor();
	readonly klass: string;
	/** Applies at once (fires `change`); resolves with the record once its scribe is stored. */
	create(attrs: Omit<T, 'id'> & { id?: RecordId }): Promise<Readonly<T>>;
	/** Only changed attributes are recorded; no change records nothing. Rejects for a missing record. */
	update(id: RecordId, changes: Partial<Omit<T, 'id'>>): Promise<Readonly<T>>;
	/** Destroying a missing record does nothing. */
	destroy(id: RecordId): Promise<void>;
	get(id: RecordId): Readonly<T> | undefined;
	all(): Readonly<T>[];
	on(event: 'change', listener: (change: ChangeEvent<T>) => void): () => void;
	off(event: 'change', listener: (change: ChangeEvent<T>) => void): void;
}

/** A Syncro client. */
export declare class Syncro {
	private constructor();
	/** Takes a uid, loads its state and starts connecting; does not wait for the server. */
	static open(options: SyncroOptions): Promise<Syncro>;
	readonly uid: string;
	readonly status: Status;
	/**
	 * Local scribes not yet in the server's state as this client knows it (v1: acknowledged;
	 * v2: landed at or below the position), nor refused.
	 */
	readonly pendingWrites: number;
	/** The highest server scribe id processed; null before the first sync (and after a reset, until a scribe comes). */
	readonly position: number | null;
	readonly closed: boolean;
	collection<T extends object = AnyRecord>(klass: string): Collection<T>;
	rpc<R = any>(klass: string, method: string, args?: JsonValue[]): Promise<R>;
	/**
	 * Subscribes to a scope of the server (protocol v2): the klass it narrows then holds only
	 * the records of this client's scopes of it. Stored: holds offline and across restarts.
	 * Resolves once the scope's records are in; rejects with a SyncroError 404 (unknown scope),
	 * 400 (bad parameters), 403 (forbidden) or 501 (the server speaks only v1).
	 */
	subscribe(scope: string, params?: { [key: string]: JsonValue }): Promise<{ klass: string }>;
	/** Ends a subscription: the records no other subscription holds leave. Stored when offline. */
	unsubscribe(scope: string, params?: { [key: string]: JsonValue }): Promise<{ klass: string } | null>;
	/** The scopes subscribed to. */
	readonly subscriptions: Subscription[];
	/**
	 * Checks the records held against the server's digest (protocol v2; done on its own after
	 * each sync); resolves with the klasses that differed, each sent again by the server.
	 */
	verify(): Promise<string[]>;
	/** How many times a klass differed from the server's digest. */
	readonly mismatches: number;
	/** Resolves when connected and caught up. */
	whenOnline(): Promise<void>;
	/** Resolves when pendingWrites is 0. */
	whenSettled(): Promise<void>;
	/** Closes the connection, waits for store writes, releases the uid. */
	close(): Promise<void>;
	/**
	 * Closes, then deletes every free uid of the client's user (opened with `user`) with its
	 * records and pending writes; resolves with how many pending writes were deleted. Rejects
	 * with a TypeError for a client opened without `user`.
	 */
	signOut(): Promise<number>;
	on<E extends keyof SyncroEvents>(event: E, listener: (payload: SyncroEvents[E]) => void): () => void;
	off<E extends keyof SyncroEvents>(event: E, listener: (payload: SyncroEvents[E]) => void): void;
}

export interface MemoryStoreSnapshot {
	clients: Record<string, StoredState>;
}

/** The part of a store that holds one user's uids, apart from every other user's. */
export declare function storeOfUser(store: Store, user: string): Store;

/** A store in memory, for Node and tests. */
export declare class MemoryStore implements Store {
	/** Starts from a snapshot (how a test imitates a crash). */
	constructor(snapshot?: MemoryStoreSnapshot);
	clients(): Promise<string[]>;
	lock(uid: string): Promise<(() => Promise<void>) | null>;
	load(uid: string): Promise<StoredState>;
	write(uid: string, change: StoreChange): Promise<void>;
	forget(uid: string): Promise<void>;
	close(): void;
	/** A JSON-compatible copy of everything written so far. */
	snapshot(): MemoryStoreSnapshot;
}

export interface IndexedDBStoreOptions {
	/** The database name (default `syncro`). */
	name?: string;
	indexedDB?: IDBFactory;
	IDBKeyRange?: typeof IDBKeyRange;
	/** The Web Locks manager (default navigator.locks); null: locks hold within the page only. */
	locks?: LockManager | null;
}

/** The browser's store: IndexedDB, with a Web Lock per uid. */
export declare class IndexedDBStore implements Store {
	constructor(options?: IndexedDBStoreOptions);
	clients(): Promise<string[]>;
	lock(uid: string): Promise<(() => Promise<void>) | null>;
	load(uid: string): Promise<StoredState>;
	write(uid: string, change: StoreChange): Promise<void>;
	forget(uid: string): Promise<void>;
	close(): void;
}

/** Growing delays with jitter; starts over on reset(). */
export declare class Backoff {
	constructor(options?: BackoffOptions);
	readonly attempt: number;
	next(): number;
	reset(): void;
}

/** The delay before retry number `attempt` (from 0). */
export declare function backoffDelay(attempt: number, options?: BackoffOptions): number;

/** The canonical encoding of a JSON value (PROTOCOL.md §8.9). */
export declare function canonical(value: JsonValue): Uint8Array;
/** A record's hash: FNV-1a 64 of the canonical encoding of its attributes not set to null. */
export declare function recordHash(record: { [key: string]: JsonValue }): bigint;
/** The digest of some records. */
export declare function digestOf(records: Iterable<{ [key: string]: JsonValue }>): Digest;
