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
 * scribes going back, after which the pending scribes are renumbered from the server's mark.
 */

/** The records of a class as the server holds them and as a client sees them, in one order. */
function serverRecords(server, klass) {
	return [...(server.records.get(klass)?.values() ?? [])].sort(byId);
}

function byId(a, b) {
	return String(a.id).localeCompare(String(b.id));
}

/**
 * A store whose uid holds pending creates of records `w<id>` under the given ids, having seen
 * the server's mark at `serverMark`: what a client left offline holds.
 */
function holding(uid, ids, serverMark) {
	const scribes = ids.map((id) => ({ id, klass: 'Todo', type: 'create', data: { id: `w${id}`, title: `W${id}` } }));
	return new MemoryStore({ clients: { [uid]: { nextScribeId: ids.at(-1) + 1, position: null, serverMark, records: [], scribes } } });
}

/** The ids of the client scribes that reached the server, by either path, and the records they made. */
function arrived(server, uid) {
	return server.scribesReceived.filter((entry) => entry.uid === uid).map((entry) => `${entry.scribe.id}:${entry.scribe.data.id}`);
}

/** How many of a uid's add_scribes the server answered 409. */
function conflictsAnswered(server, uid) {
	return server.scribeAnswers.filter((answer) => answer.uid === uid && answer.reply.code === 409).length;
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

	it('renumbers its pending writes from 1 when the server forgot its uid, before any goes out, and each is played once', async () => {
		server = await new FakeServer().listen();
		// the server expired alice: its mark is 0, while she holds 57 to 60 and saw 56 settled
		const store = holding('alice', [57, 58, 59, 60], 56);
		const stored = [];
		server.onReceived = () => stored.push(store.snapshot().clients.alice);
		const writer = await open(server, { protocol, store, client: 'alice' });
		clients.push(writer);
		const errors = collect(writer, 'error');
		await writer.whenSettled();

		assert.deepEqual(arrived(server, 'alice'), ['1:w57', '2:w58', '3:w59', '4:w60'], 'renumbered in their order, none under its old id');
		assert.deepEqual([1, 2, 3, 4].map((id) => server.playsOf('alice', id)), [1, 1, 1, 1]);
		if (protocol < 2) {
			assert.deepEqual(server.pullAnswers[0].ids, [1, 2, 3, 4], 'in the answer to the pull');
		}
		assert.deepEqual(stored[0].scribes.map((scribe) => scribe.id), [1, 2, 3, 4], 'stored renumbered before the first went out');
		assert.equal(stored[0].nextScribeId, 5);
		assert.deepEqual(errors.map((error) => [error.code, error.lost]), [['lost-writes', 56]]);
		assert.deepEqual(writer.collection('Todo').all().map((todo) => todo.id).sort(), ['w57', 'w58', 'w59', 'w60']);

		await writer.collection('Todo').create({ id: 'next' });
		await writer.whenSettled();
		assert.deepEqual(arrived(server, 'alice').at(-1), '5:next', 'new writes are numbered after them');
		await writer.close();
		const after = store.snapshot().clients.alice;
		assert.deepEqual([after.nextScribeId, after.serverMark, after.scribes], [6, 5, []]);
	});

	it('renumbers its pending writes from the mark of a server set back, reports the lost writes once, and plays them', async () => {
		server = await new FakeServer().listen();
		// restored from a backup: alice's mark is 40, while she saw 55 settled and holds 56 to 58
		server.marks.set('alice', 40);
		const store = holding('alice', [56, 57, 58], 55);
		const writer = await open(server, { protocol, store, client: 'alice' });
		clients.push(writer);
		const errors = collect(writer, 'error');
		await writer.whenSettled();

		assert.deepEqual(arrived(server, 'alice'), ['41:w56', '42:w57', '43:w58']);
		assert.deepEqual([41, 42, 43].map((id) => server.playsOf('alice', id)), [1, 1, 1]);
		assert.equal(server.mark('alice'), 43);
		assert.deepEqual(errors.map((error) => [error.code, error.lost]), [['lost-writes', 15]]);
		assert.match(errors[0].message, /went back from 55 to 40/);

		server.dropAll();
		await waitFor(() => server.connections === 2 && writer.status === 'online', 'online again');
		assert.equal(errors.length, 1, 'told once');
		assert.equal(arrived(server, 'alice').length, 3, 'nothing sent again');
	});

	it('renumbers instead of resending when a 409 expects a write it no longer holds, with one 409', async () => {
		server = await new FakeServer().listen();
		const writer = await online();
		const todos = writer.collection('Todo');
		await Promise.all([todos.create({ id: 'a' }), todos.create({ id: 'b' }), todos.create({ id: 'c' })]);
		await writer.whenSettled();
		const errors = collect(writer, 'error');
		// set back while the connection stays: the server forgot 2 and 3
		server.setBack(server.lastId, { marks: { [writer.uid]: 1 } });
		await Promise.all([todos.create({ id: 'd' }), todos.create({ id: 'e' })]);
		await writer.whenSettled();

		const later = arrived(server, writer.uid).slice(3);
		const renumbered = later.filter((entry) => entry === '2:d' || entry === '3:e');
		const old = later.filter((entry) => !renumbered.includes(entry));
		assert.deepEqual(renumbered, ['2:d', '3:e']);
		// d (4) and usually e (5) went before the 409 for d came back
		assert.ok(old[0] === '4:d' && old.length <= 2, `sent under their old ids: ${old}`);
		assert.equal(conflictsAnswered(server, writer.uid), old.length, 'one 409 for each write sent under its old id, then none');
		assert.deepEqual(errors.map((error) => [error.code, error.lost]), [['lost-writes', 2]]);
		assert.ok(server.record('Todo', 'd') && server.record('Todo', 'e'));
		await todos.create({ id: 'f' });
		await writer.whenSettled();
		assert.deepEqual(arrived(server, writer.uid).at(-1), '4:f');
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
