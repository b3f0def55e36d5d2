import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { IndexedDBStore, MemoryStore } from '../src/index.js';
import { FakeServer } from './support/fake-server.js';
import { FakeLockManager } from './support/fake-locks.js';
import { collect, open, PROTOCOLS, waitFor } from './support/helpers.js';

/**
 * The server's history: its log's epoch, the 410 that refuses a sync from a position the log
 * cannot bring up to date, the reset that follows, and the server's mark of this client's
 * scribes going back.
 */

/** The records of a class as the server holds them and as a client sees them, in one order. */
function serverRecords(server, klass) {
	return [...(server.records.get(klass)?.values() ?? [])].sort(byId);
}

function byId(a, b) {
	return String(a.id).localeCompare(String(b.id));
}

for (const protocol of PROTOCOLS) describe(`the server's history, protocol ${protocol}`, () => {
	const clients = [];
	let server;

	afterEach(async () => {
		await Promise.all(clients.splice(0).map((client) => client.close()));
		await server?.stop().catch(() => {});
	});

	async function online(options = {}) {
		const opened = await open(server, { protocol, store: new MemoryStore(), ...options });
		clients.push(opened);
		await opened.whenOnline();
		return opened;
	}

	it('syncs from a position with its epoch in v2 and without one in v1, and from nothing without one', async () => {
		server = await new FakeServer().listen();
		server.append('Todo', 'create', { id: 'a', title: 'A' });
		const reader = await online();
		server.dropAll();
		await waitFor(() => server.connections === 2 && reader.status === 'online', 'online again');
		const syncs = server.syncs.filter((sync) => sync.uid === reader.uid);
		assert.deepEqual(syncs, [
			{ uid: reader.uid, from: null, epoch: undefined },
			{ uid: reader.uid, from: 3, epoch: protocol >= 2 ? 'epoch-1' : undefined },
		]);
	});

	it('resets on a 410 to its sync, syncs again from nothing, and keeps and sends its pending writes', async () => {
		server = await new FakeServer().listen();
		server.append('Todo', 'create', { id: 'a', title: 'A' });
		server.append('Todo', 'create', { id: 'b', title: 'B' });
		server.append('Todo', 'create', { id: 'c', title: 'C' });
		const writer = await online();
		const todos = writer.collection('Todo');
		assert.equal(writer.position, 9);
		await server.stop();
		await todos.update('a', { title: 'A, mine' });
		await todos.create({ id: 'mine', title: 'Mine' });
		// restored from a backup taken after the first scribe, with the same epoch: the
		// client's position is beyond the log's head
		server.setBack(3);
		server.append('Todo', 'create', { id: 'd', title: 'D' });
		const resets = collect(writer, 'reset');
		const changes = collect(todos, 'change');
		await server.listen();
		await writer.whenOnline();
		await writer.whenSettled();
		await waitFor(() => writer.position === server.lastId - (protocol >= 2 ? 0 : 6), 'the server\'s scribes');

		assert.deepEqual(resets, [{ reason: 'gone' }]);
		assert.deepEqual(server.syncs.filter((sync) => sync.uid === writer.uid).map((sync) => sync.from).slice(1), [9, null]);
		assert.deepEqual([1, 2].map((id) => server.playsOf(writer.uid, id)), [1, 1], 'the pending writes, played once');
		assert.deepEqual(serverRecords(server, 'Todo'), [{ id: 'a', title: 'A, mine' }, { id: 'd', title: 'D' }, { id: 'mine', title: 'Mine' }]);
		if (protocol >= 2) {
			assert.deepEqual([...todos.all()].sort(byId), serverRecords(server, 'Todo'));
		}
		else {
			// v1 leaves a client's own scribes out of its syncs (no echo), so a sync from nothing
			// does not bring back what the server made of this client's writes: they were
			// acknowledged before the 410 came, and went with the confirmed copy
			assert.deepEqual([...todos.all()].sort(byId), [{ id: 'a', title: 'A' }, { id: 'd', title: 'D' }]);
		}
		assert.ok(['b', 'c'].every((id) => changes.some((change) => change.id === id && change.type === 'destroy')),
			'the records the server no longer has went');
		assert.ok(!changes.some((change) => change.id === 'a' && change.type === 'destroy'), 'those it has did not blink');
	});

	it('takes a 410 to a sync from nothing for a failure, not for a reason to reset again', async () => {
		server = await new FakeServer().listen();
		server.append('Todo', 'create', { id: 'a', title: 'A' });
		const reader = await online();
		const resets = collect(reader, 'reset');
		const errors = collect(reader, 'error');
		server.goneSyncs = 2;
		server.dropAll();
		await waitFor(() => server.connections === 3 && reader.status === 'online', 'online on the third connection');
		assert.deepEqual(resets, [{ reason: 'gone' }]);
		assert.deepEqual(errors.map((error) => error.code), [410]);
		assert.deepEqual(server.syncs.filter((sync) => sync.uid === reader.uid).map((sync) => sync.from), [null, 3, null, null]);
		assert.deepEqual(reader.collection('Todo').all(), [{ id: 'a', title: 'A' }]);
	});

	it('reports that the server pulled from below a mark it had as lost writes, and goes on; across a restart too', async () => {
		server = await new FakeServer().listen();
		const store = new MemoryStore();
		const writer = await online({ store });
		const todos = writer.collection('Todo');
		await Promise.all([todos.create({ id: 'a' }), todos.create({ id: 'b' }), todos.create({ id: 'c' })]);
		await writer.whenSettled();
		const errors = collect(writer, 'error');
		server.marks.set(writer.uid, 1);
		server.dropAll();
		await waitFor(() => server.connections === 2 && writer.status === 'online', 'online again');
		assert.equal(errors.length, 1);
		assert.equal(errors[0].code, 'lost-writes');
		assert.equal(errors[0].lost, 2);
		assert.match(errors[0].message, /lost 2 of this client's writes/);
		server.dropAll();
		await waitFor(() => server.connections === 3 && writer.status === 'online', 'online again');
		assert.equal(errors.length, 1, 'told once: the mark as last seen is the server\'s now');

		await writer.close();
		assert.equal(store.snapshot().clients[writer.uid].serverMark, 1);
		server.marks.set(writer.uid, 0);
		const again = await open(server, { protocol, store });
		clients.push(again);
		const later = collect(again, 'error');
		await again.whenOnline();
		await waitFor(() => later.length === 1, 'the report');
		assert.equal(later[0].lost, 1);
	});
});

describe('the server\'s history: its epoch (protocol 2)', () => {
	const clients = [];
	let server;

	afterEach(async () => {
		await Promise.all(clients.splice(0).map((client) => client.close()));
		await server?.stop().catch(() => {});
	});

	async function online(options = {}) {
		const opened = await open(server, { store: new MemoryStore(), ...options });
		clients.push(opened);
		await opened.whenOnline();
		return opened;
	}

	it('resets on a hello that names another epoch before it syncs, and its pending writes survive and are sent', async () => {
		server = await new FakeServer().listen();
		server.append('Todo', 'create', { id: 'a', title: 'A' });
		server.append('Todo', 'create', { id: 'b', title: 'B' });
		const writer = await online();
		const todos = writer.collection('Todo');
		await todos.create({ id: 'kept', title: 'Kept' });
		await writer.whenSettled();
		assert.equal(writer.position, 9);
		await server.stop();
		await todos.update('a', { title: 'A, mine' });
		await todos.create({ id: 'mine', title: 'Mine' });
		// a restore of a backup taken after the first scribe, rotated: the new history grows
		// past the client's position, so only the epoch tells
		server.setBack(3, { epoch: 'epoch-2' });
		for (let i = 1; i <= 4; i++) {
			server.append('Todo', 'create', { id: `n${i}`, title: `N${i}` });
		}
		assert.ok(server.lastId > writer.position);
		const resets = collect(writer, 'reset');
		const changes = collect(todos, 'change');
		const syncsBefore = server.syncs.length;
		await server.listen();
		await writer.whenOnline();
		await writer.whenSettled();

		assert.deepEqual(resets, [{ reason: 'epoch' }]);
		assert.deepEqual(server.syncs.slice(syncsBefore).map((sync) => sync.from), [null], 'no sync from the old position');
		assert.deepEqual([2, 3].map((id) => server.playsOf(writer.uid, id)), [1, 1], 'the pending writes, played once');
		assert.equal(writer.position, server.lastId);
		assert.deepEqual([...todos.all()].sort(byId), serverRecords(server, 'Todo'));
		assert.deepEqual(todos.get('a'), { id: 'a', title: 'A, mine' });
		assert.equal(todos.get('kept'), undefined, 'its own write the server lost went too');
		assert.deepEqual(changes.filter((change) => change.type === 'destroy').map((change) => change.id).sort(), ['b', 'kept']);
		assert.ok(!changes.some((change) => change.id === 'mine' && change.type === 'destroy'), 'a pending create keeps its record');
	});

	it('stores the epoch of a hello, and keeps it when a hello names none', async () => {
		server = await new FakeServer().listen();
		const store = new MemoryStore();
		const reader = await online({ store });
		await waitFor(async () => (await store.load(reader.uid)).epoch === 'epoch-1', 'the epoch stored');
		server.epoch = null;
		server.dropAll();
		await waitFor(() => server.connections === 2 && reader.status === 'online', 'online again');
		await reader.close();
		assert.equal(store.snapshot().clients[reader.uid].epoch, 'epoch-1');
	});

	const stores = {
		MemoryStore: () => new MemoryStore(),
		IndexedDBStore: () => new IndexedDBStore({ indexedDB: new IDBFactory(), IDBKeyRange, locks: new FakeLockManager() }),
	};
	for (const [name, make] of Object.entries(stores)) {
		it(`keeps the epoch with its position across a restart on a ${name}, and resets on another`, async () => {
			server = await new FakeServer().listen();
			server.append('Todo', 'create', { id: 'a', title: 'A' });
			server.append('Todo', 'create', { id: 'b', title: 'B' });
			const store = make();
			try {
				const first = await online({ store });
				await first.close();
				const stored = await store.load(first.uid);
				assert.equal(stored.position, 6);
				assert.equal(stored.epoch, 'epoch-1');

				server.setBack(3, { epoch: 'epoch-2' });
				server.append('Todo', 'create', { id: 'c', title: 'C' });
				server.append('Todo', 'create', { id: 'd', title: 'D' });
				const second = await open(server, { store });
				clients.push(second);
				assert.deepEqual(second.collection('Todo').all().map((todo) => todo.id), ['a', 'b'], 'loaded from the store');
				const resets = collect(second, 'reset');
				await second.whenOnline();
				assert.deepEqual(resets, [{ reason: 'epoch' }]);
				assert.deepEqual(second.collection('Todo').all().map((todo) => todo.id).sort(), ['a', 'c', 'd']);
				await second.close();
				const after = await store.load(second.uid);
				assert.equal(after.epoch, 'epoch-2');
				assert.equal(after.position, 9);
				assert.deepEqual(after.records.map((entry) => entry.id).sort(), ['a', 'c', 'd']);
			}
			finally {
				store.close();
			}
		});
	}
});
