// The public API as users write it (README.md here and the "JavaScript" section of the
// repository's README.md), typed by index.d.ts: 'syncro-client' resolves through the
// package's own exports, as it does for an app that installed it. Checked by `tsc -p
// test/types`, never run. Each `@ts-expect-error` line is a wrong usage that the
// declarations must reject (tsc fails if one is accepted).

import {
	Backoff, backoffDelay, canonical, Collection, digestOf, IndexedDBStore, MemoryStore, recordHash, storeOfUser,
	Syncro, SyncroError,
} from 'syncro-client';
import type {
	AnyRecord, BackoffOptions, ChangeEvent, ConflictEvent, Digest, IndexedDBStoreOptions, JsonValue, MemoryStoreSnapshot,
	MismatchEvent, RecordId, RefusedEvent, ResetEvent, Scribe, Status, Store, StoreChange, StoredState,
	StoredSubscription, Subscription, SyncroEvents, SyncroOptions,
} from 'syncro-client';

/** Whether two types are the same (not only assignable one way). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
/** Compiles only for `true`. */
function assertType<T extends true>(): T | void {}

declare function render(records: readonly Readonly<AnyRecord>[]): void;
declare function showStatus(status: Status): void;
declare function showUnsaved(count: number): void;
declare function toast(text: string): void;
declare const badge: { textContent: string | null };

interface Todo {
	id: string;
	title: string;
	done: boolean;
}

export async function gettingStarted(): Promise<void> {
	// README.md, "Getting started"
	const client = await Syncro.open({ url: '/syncro' });
	const todos = client.collection('Todo');

	todos.on('change', ({ type, id, record, source }) => render(todos.all()));
	client.on('status', (status) => showStatus(status));
	client.on('pendingWrites', (count) => showUnsaved(count));
	client.on('refused', ({ klass, id, code, message }) => toast(`${klass} ${id}: ${message}`));
	client.on('conflict', ({ klass, id, record, previous }) => toast(`${klass} ${id} was changed meanwhile`));
	client.on('reset', ({ reason }) => toast('The server was restored from a backup; syncing again'));

	const todo = await todos.create({ title: 'Write the docs', done: false });
	await todos.update(todo.id, { done: true });
	await todos.destroy(todo.id);

	// the repository's README.md, "JavaScript"
	client.on('status', (status) => badge.textContent = status);
	client.on('refused', ({ code, message, record }) => toast(message));
	client.on('conflict', ({ record }) => toast('Changed meanwhile by someone else'));
	client.on('mismatch', ({ klass, at, expected, actual }) => toast(`${klass} at ${at}: ${expected.hash} ≠ ${actual.hash}`));
	const differing: string[] = await client.verify();
	const mismatches: number = client.mismatches;
	const deleted: number = await client.signOut();

	// the payloads
	client.on('change', (change) => assertType<Equal<typeof change, ChangeEvent>>());
	client.on('refused', (refused) => assertType<Equal<typeof refused, RefusedEvent>>());
	client.on('conflict', (conflict) => assertType<Equal<typeof conflict, ConflictEvent>>());
	client.on('mismatch', (mismatch) => assertType<Equal<typeof mismatch, MismatchEvent>>());
	client.on('reset', (reset) => assertType<Equal<typeof reset, ResetEvent>>());
	client.on('error', (error) => {
		if (error instanceof SyncroError && error.code === 'lost-writes') {
			toast(`The server lost ${error.lost} writes`);
		}
	});
	const reason: 'epoch' | 'gone' = ({} as ResetEvent).reason;
	const off = client.on('pendingWrites', showUnsaved);
	off();
	client.off('pendingWrites', showUnsaved);

	// @ts-expect-error an event that does not exist
	client.on('changed', () => {});
	// @ts-expect-error a status is no number
	client.on('status', (status: number) => {});
	// @ts-expect-error a collection fires only `change`
	todos.on('status', () => {});
	// @ts-expect-error open needs a url
	await Syncro.open({});
	// @ts-expect-error the url is a string
	await Syncro.open({ url: new URL('ws://localhost/syncro') });
	// @ts-expect-error protocol 1 or 2
	await Syncro.open({ url: '/syncro', protocol: 3 });
	// @ts-expect-error clients are made with Syncro.open
	new Syncro();
	// @ts-expect-error collections are made with client.collection
	new Collection();
	// @ts-expect-error status is read-only
	client.status = 'online';
}

export async function inNode(WebSocket: unknown): Promise<void> {
	// README.md: Node 20 passes a WebSocket and a store
	const client = await Syncro.open({ url: 'ws://localhost:8080/syncro', WebSocket, store: new MemoryStore() });
	await client.whenOnline();

	const options: SyncroOptions = {
		url: 'wss://example.com/syncro',
		client: 'tab-1',
		user: 'alice',
		store: new IndexedDBStore({ name: 'syncro', locks: null }),
		requestTimeout: 30000,
		heartbeat: 0,
		backoff: { initial: 500, max: 30000, factor: 2, jitter: 0.5, random: Math.random },
		batchSize: 500,
		protocol: 1,
		headers: { Authorization: 'Basic dXNlcjpwYXNz' },
	};
	const other = await Syncro.open(options);
	const uid: string = other.uid;
	const position: number | null = other.position;
	const closed: boolean = other.closed;
	const pending: number = other.pendingWrites;
	await other.whenSettled();
	await other.close();
}

export async function typedCollections(client: Syncro): Promise<void> {
	// README.md: `client.collection<Todo>('Todo')` types the records
	const todos = client.collection<Todo>('Todo');
	const klass: string = todos.klass;
	const todo = await todos.create({ title: 'Buy milk', done: false });
	const title: string = todo.title;
	await todos.create({ id: 'milk', title: 'Buy milk', done: false });
	const updated = await todos.update(todo.id, { done: true });
	const found: Readonly<Todo> | undefined = todos.get(updated.id);
	const all: Readonly<Todo>[] = todos.all();
	const off = todos.on('change', (change) => {
		assertType<Equal<typeof change, ChangeEvent<Todo>>>();
		const now: Readonly<Todo> | null = change.record;
	});
	off();

	// @ts-expect-error records are frozen
	todo.title = 'Buy bread';
	// @ts-expect-error an attribute of the wrong type
	await todos.create({ title: 'Buy milk', done: 'no' });
	// @ts-expect-error an attribute missing
	await todos.create({ title: 'Buy milk' });
	// @ts-expect-error an attribute the record has not
	await todos.update(todo.id, { colour: 'red' });
	// @ts-expect-error an id is a string or a number
	await todos.destroy({ id: todo.id });
	// @ts-expect-error a collection needs a class name
	client.collection();

	// untyped: any JSON attributes
	const any = client.collection('Note');
	const note = await any.create({ text: 'hello', tags: ['a'] });
	const id: RecordId = note.id;
}

export async function rpcAndSubscriptions(client: Syncro): Promise<void> {
	const total = await client.rpc<number>('Todo', 'count', ['list-1', 2, true, null, { deep: [1] }]);
	const n: number = total;
	const { klass } = await client.subscribe('listTodos', { listId: 'list-1' });
	const ended: { klass: string } | null = await client.unsubscribe('listTodos', { listId: 'list-1' });
	const subscriptions: Subscription[] = client.subscriptions;
	// @ts-expect-error rpc arguments are an array
	await client.rpc('Todo', 'count', 'list-1');
	// @ts-expect-error rpc arguments are JSON values
	await client.rpc('Todo', 'count', [new Map()]);
	// @ts-expect-error the scope's name is a string
	await client.subscribe({ scope: 'listTodos' });
}

export function errors(error: unknown): void {
	if (error instanceof SyncroError) {
		const code: number | 'timeout' | 'closed' | 'lost-writes' = error.code;
		const scribe: number | undefined = error.scribe;
		const expected: number | undefined = error.expected;
		const lost: number | undefined = error.lost;
		const message: string = error.message;
	}
	const made = new SyncroError(409, 'Conflict', { scribe: 3, expected: 2 });
	const mine = new SyncroError('lost-writes', 'Lost', { lost: 2 });
	// @ts-expect-error no such code
	new SyncroError('gone', 'Gone');
}

export async function stores(idb: IDBFactory, range: typeof IDBKeyRange, locks: LockManager): Promise<void> {
	const memory = new MemoryStore();
	const snapshot: MemoryStoreSnapshot = memory.snapshot();
	const crashed = new MemoryStore(snapshot);
	const state: StoredState = snapshot.clients['tab-1'];
	const idbOptions: IndexedDBStoreOptions = { name: 'syncro', indexedDB: idb, IDBKeyRange: range, locks };
	const indexed = new IndexedDBStore(idbOptions);
	const alice: Store = storeOfUser(indexed, 'alice');

	// every store has the same interface
	for (const store of [memory, crashed, indexed, alice] satisfies Store[]) {
		const uids: string[] = await store.clients();
		const release = await store.lock('tab-1');
		if (release) {
			const loaded: StoredState = await store.load('tab-1');
			const scribe: Scribe = { id: loaded.nextScribeId, klass: 'Todo', type: 'create', data: { id: 'a' } };
			const subscription: StoredSubscription = { scope: 'listTodos', params: { listId: 'l' }, on: true, confirmed: true };
			const change: StoreChange = {
				nextScribeId: scribe.id + 1,
				position: null,
				epoch: null,
				serverMark: 0,
				records: [{ klass: 'Todo', id: 'a', record: { id: 'a' } }, { klass: 'Todo', id: 2, record: null }],
				addScribes: [scribe],
				removeScribes: [1],
				subscriptions: [subscription],
				renumbered: false,
			};
			await store.write('tab-1', change);
			await release();
		}
		await store.forget('tab-1');
		store.close();
	}

	// a store of one's own
	const mine: Store = {
		clients: async () => [],
		lock: async () => async () => {},
		load: async () => ({ nextScribeId: 1, position: null, records: [], scribes: [] }),
		write: async () => {},
		forget: async () => {},
		close: () => {},
	};
	await Syncro.open({ url: '/syncro', store: mine });
	// @ts-expect-error a store needs every method
	await Syncro.open({ url: '/syncro', store: { load: async () => ({}) } });
	// @ts-expect-error a snapshot holds clients
	new MemoryStore({ uids: {} });
}

export function backoffAndDigests(): void {
	const options: BackoffOptions = { initial: 100, max: 1000 };
	const backoff = new Backoff(options);
	const delay: number = backoff.next();
	const attempt: number = backoff.attempt;
	backoff.reset();
	const first: number = backoffDelay(0, options);
	// @ts-expect-error attempt is read-only
	backoff.attempt = 3;
	// @ts-expect-error the attempt is a number
	backoffDelay('0');

	const value: JsonValue = { title: 'Buy milk', done: false, tags: ['a'], due: null, count: 2 };
	const bytes: Uint8Array = canonical(value);
	const hash: bigint = recordHash({ id: 'a', title: 'Buy milk' });
	const digest: Digest = digestOf([{ id: 'a' }, { id: 'b' }]);
	const { count, hash: sum }: { count: number; hash: string } = digest;
	// @ts-expect-error no function is JSON
	canonical(() => {});
}

/** SyncroEvents names exactly the events of README.md's table. */
assertType<Equal<keyof SyncroEvents, 'change' | 'status' | 'pendingWrites' | 'refused' | 'conflict' | 'reset' | 'mismatch' | 'error'>>();
