import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { IndexedDBStore, MemoryStore } from '../src/index.js';
import { FakeServer } from './support/fake-server.js';
import { FakeLockManager } from './support/fake-locks.js';
import { open } from './support/helpers.js';

/** Both stores, each fresh per call; they must behave alike. */
const kinds = {
	MemoryStore: () => new MemoryStore(),
	IndexedDBStore: () => new IndexedDBStore({ indexedDB: new IDBFactory(), IDBKeyRange, locks: new FakeLockManager() }),
};

/** What a new uid loads. */
const empty = Object.freeze({ nextScribeId: 1, position: null, epoch: null, serverMark: 0, subscriptions: [], records: [], scribes: [] });

const scribe = (id, recordId = `r${id}`) => ({ id, klass: 'Todo', type: 'create', data: { id: recordId, title: `T${id}` } });

for (const [name, make] of Object.entries(kinds)) {
	describe(`${name} (the store contract)`, () => {
		it('starts a new uid empty and lists it', async () => {
			const store = make();
			assert.deepEqual(await store.clients(), []);
			assert.deepEqual(await store.load('u1'), empty);
			assert.deepEqual(await store.clients(), ['u1']);
			store.close();
		});

		it('writes a change atomically and loads it back', async () => {
			const store = make();
			await store.load('u1');
			await store.write('u1', {
				nextScribeId: 4,
				position: 42,
				records: [{ klass: 'Todo', id: 'a', record: { id: 'a', title: 'A', tags: ['x'] } }, { klass: 'Note', id: 7, record: { id: 7 } }],
				addScribes: [scribe(3), scribe(1), scribe(2)],
			});
			const state = await store.load('u1');
			assert.equal(state.nextScribeId, 4);
			assert.equal(state.position, 42);
			assert.deepEqual(state.scribes.map((s) => s.id), [1, 2, 3]);
			assert.deepEqual(state.scribes[0], scribe(1));
			assert.deepEqual(sortById(state.records), [
				{ klass: 'Note', id: 7, record: { id: 7 } },
				{ klass: 'Todo', id: 'a', record: { id: 'a', title: 'A', tags: ['x'] } },
			]);
			store.close();
		});

		it('removes scribes and deletes records whose record is null; leaves absent fields alone', async () => {
			const store = make();
			await store.write('u1', { nextScribeId: 3, position: 5, addScribes: [scribe(1), scribe(2)], records: [{ klass: 'Todo', id: 'a', record: { id: 'a' } }] });
			await store.write('u1', { removeScribes: [1], records: [{ klass: 'Todo', id: 'a', record: null }] });
			const state = await store.load('u1');
			assert.deepEqual(state, { ...empty, nextScribeId: 3, position: 5, scribes: [scribe(2)] });
			store.close();
		});

		it('keeps the epoch with the position and the server\'s mark as last seen, and lowers the mark when told', async () => {
			const store = make();
			await store.write('u1', { subscriptions: [{ scope: 'listTodos', params: { listId: 'a' }, on: true }] });
			assert.deepEqual((await store.load('u1')).subscriptions, [{ scope: 'listTodos', params: { listId: 'a' }, on: true }]);
			await store.write('u1', { subscriptions: [] });
			await store.write('u1', { position: 42, epoch: 'e1', serverMark: 7 });
			assert.deepEqual(await store.load('u1'), { ...empty, position: 42, epoch: 'e1', serverMark: 7 });
			await store.write('u1', { position: null, epoch: 'e2', serverMark: 3 });
			await store.write('u1', { nextScribeId: 9 });
			assert.deepEqual(await store.load('u1'), { ...empty, nextScribeId: 9, epoch: 'e2', serverMark: 3 });
			store.close();
		});

		it('never lowers the next client scribe id', async () => {
			const store = make();
			await store.write('u1', { nextScribeId: 10 });
			await store.write('u1', { nextScribeId: 3 });
			assert.equal((await store.load('u1')).nextScribeId, 10);
			store.close();
		});

		it('lowers the next client scribe id and replaces pending scribes of the same ids when renumbered', async () => {
			const store = make();
			await store.write('u1', { nextScribeId: 7, addScribes: [scribe(3, 'a'), scribe(4, 'b'), scribe(5, 'c'), scribe(6, 'd')] });
			// the server expects 2 next: 3 to 6 become 2 to 5
			const renumbered = [scribe(3, 'a'), scribe(4, 'b'), scribe(5, 'c'), scribe(6, 'd')].map((s, i) => ({ ...s, id: 2 + i }));
			await store.write('u1', { renumbered: true, nextScribeId: 6, addScribes: renumbered, removeScribes: [6], serverMark: 1 });
			const state = await store.load('u1');
			assert.equal(state.nextScribeId, 6);
			assert.equal(state.serverMark, 1);
			assert.deepEqual(state.scribes, renumbered);
			store.close();
		});

		it('keeps uids apart, and forgets one with its data', async () => {
			const store = make();
			await store.write('u1', { position: 1, addScribes: [scribe(1)], records: [{ klass: 'Todo', id: 'a', record: { id: 'a', by: 'u1' } }] });
			await store.write('u2', { position: 2, addScribes: [scribe(1, 'b')], records: [{ klass: 'Todo', id: 'a', record: { id: 'a', by: 'u2' } }] });
			// a uid that is a prefix of another must not see the other's rows
			await store.write('u', { position: 3 });
			assert.deepEqual((await store.load('u1')).records, [{ klass: 'Todo', id: 'a', record: { id: 'a', by: 'u1' } }]);
			assert.deepEqual((await store.load('u2')).scribes, [scribe(1, 'b')]);
			assert.deepEqual(await store.load('u'), { ...empty, position: 3 });
			await store.forget('u1');
			assert.deepEqual((await store.clients()).sort(), ['u', 'u2']);
			assert.deepEqual(await store.load('u1'), empty);
			assert.equal((await store.load('u2')).position, 2);
			store.close();
		});

		it('hands out copies: changing what was loaded or written changes nothing stored', async () => {
			const store = make();
			const record = { id: 'a', tags: ['x'] };
			await store.write('u1', { records: [{ klass: 'Todo', id: 'a', record }] });
			record.tags.push('changed');
			const loaded = await store.load('u1');
			loaded.records[0].record.tags.push('again');
			assert.deepEqual((await store.load('u1')).records[0].record, { id: 'a', tags: ['x'] });
			store.close();
		});

		it('grants the lock of a uid to one holder at a time', async () => {
			const store = make();
			const release = await store.lock('u1');
			assert.equal(typeof release, 'function');
			assert.equal(await store.lock('u1'), null);
			const other = await store.lock('u2');
			assert.equal(typeof other, 'function');
			await release();
			await release();
			const again = await store.lock('u1');
			assert.equal(typeof again, 'function');
			again();
			other();
			store.close();
		});

		it('carries a client across a reopen', async () => {
			const server = new FakeServer();
			await server.listen();
			await server.stop();
			const store = make();
			const first = await open(server, { store });
			await first.collection('Todo').create({ id: 'kept', title: 'offline' });
			await first.close();
			const second = await open(server, { store });
			try {
				assert.equal(second.uid, first.uid);
				assert.equal(second.pendingWrites, 1);
				assert.deepEqual(second.collection('Todo').get('kept'), { id: 'kept', title: 'offline' });
				await server.listen();
				await second.whenSettled();
				assert.equal(server.playsOf(second.uid, 1), 1);
				await second.close();
				const state = await store.load(second.uid);
				assert.deepEqual(state.scribes, []);
				assert.deepEqual(state.records, [{ klass: 'Todo', id: 'kept', record: { id: 'kept', title: 'offline' } }]);
				assert.equal(state.nextScribeId, 2);
			}
			finally {
				await second.close();
				await server.stop();
				store.close();
			}
		});
	});
}

describe('state written before epochs', () => {
	it('loads from a MemoryStore snapshot without an epoch or a server\'s mark', async () => {
		const store = new MemoryStore({ clients: { old: { nextScribeId: 2, position: 5, records: [], scribes: [] } } });
		assert.deepEqual(await store.load('old'), { ...empty, nextScribeId: 2, position: 5 });
	});

	it('loads from an IndexedDB row without an epoch or a server\'s mark', async () => {
		const indexedDB = new IDBFactory();
		const store = new IndexedDBStore({ indexedDB, IDBKeyRange, locks: new FakeLockManager() });
		await store.load('new');
		store.close();
		const db = await new Promise((resolve, reject) => {
			const open = indexedDB.open('syncro', 1);
			open.onsuccess = () => resolve(open.result);
			open.onerror = () => reject(open.error);
		});
		await new Promise((resolve, reject) => {
			const tx = db.transaction('clients', 'readwrite');
			tx.objectStore('clients').put({ uid: 'old', nextScribeId: 2, position: 5 });
			tx.oncomplete = resolve;
			tx.onerror = () => reject(tx.error);
		});
		db.close();
		assert.deepEqual(await store.load('old'), { ...empty, nextScribeId: 2, position: 5 });
		await store.write('old', { epoch: 'e1' });
		assert.deepEqual(await store.load('old'), { ...empty, nextScribeId: 2, position: 5, epoch: 'e1' });
		store.close();
	});
});

describe('IndexedDBStore without Web Locks', () => {
	it('still keeps a uid to one client of the page', async () => {
		const store = new IndexedDBStore({ indexedDB: new IDBFactory(), IDBKeyRange, locks: null });
		const release = await store.lock('solo');
		assert.equal(await store.lock('solo'), null);
		await release();
		const again = await store.lock('solo');
		assert.equal(typeof again, 'function');
		again();
	});

	it('refuses to start where there is no IndexedDB', () => {
		assert.throws(() => new IndexedDBStore({ indexedDB: null, IDBKeyRange: null }), /IndexedDB is not available/);
	});
});

function sortById(records) {
	return [...records].sort((a, b) => String(a.klass).localeCompare(String(b.klass)));
}
