import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { IndexedDBStore, MemoryStore } from '../src/index.js';
import { FakeServer } from './support/fake-server.js';
import { FakeLockManager } from './support/fake-locks.js';
import { open } from './support/helpers.js';

/** A fake server that has a port but is not listening: the clients stay offline. */
async function downServer() {
	const server = new FakeServer();
	await server.listen();
	await server.stop();
	return server;
}

const kinds = {
	MemoryStore: () => new MemoryStore(),
	IndexedDBStore: () => new IndexedDBStore({ indexedDB: new IDBFactory(), IDBKeyRange, locks: new FakeLockManager() }),
};

for (const [name, make] of Object.entries(kinds)) describe(`one browser, several users (${name})`, () => {
	const clients = [];

	afterEach(async () => {
		await Promise.all(clients.splice(0).map((client) => client.close()));
	});

	async function track(promise) {
		const client = await promise;
		clients.push(client);
		return client;
	}

	it('never gives a user the uid or the records of another', async () => {
		const server = await downServer();
		const store = make();
		const alice = await track(open(server, { store, user: 'alice' }));
		await alice.collection('Page').create({ id: 'p1', owner: 'alice', title: 'Diary' });
		await alice.close();

		const bob = await track(open(server, { store, user: 'bob' }));
		assert.notEqual(bob.uid, alice.uid);
		assert.deepEqual(bob.collection('Page').all(), []);
		assert.equal(bob.pendingWrites, 0);
		await bob.close();

		// alice comes back to her own uid and her pending write
		const again = await track(open(server, { store, user: 'alice' }));
		assert.equal(again.uid, alice.uid);
		assert.deepEqual(again.collection('Page').all(), [{ id: 'p1', owner: 'alice', title: 'Diary' }]);
		assert.equal(again.pendingWrites, 1);
	});

	it('keeps a user with a name that looks like a path apart from the others', async () => {
		const server = await downServer();
		const store = make();
		const odd = await track(open(server, { store, user: 'a/b' }));
		await odd.close();
		const plain = await track(open(server, { store, user: 'a' }));
		assert.notEqual(plain.uid, odd.uid);
	});

	it('deletes every uid of the user on sign-out, and nobody else\'s', async () => {
		const server = await downServer();
		const store = make();
		const bob = await track(open(server, { store, user: 'bob' }));
		await bob.collection('Todo').create({ id: 'b1', title: 'Bob', done: false });
		await bob.close();
		const first = await track(open(server, { store, user: 'alice' }));
		const second = await track(open(server, { store, user: 'alice' }));
		await second.collection('Todo').create({ id: 't1', title: 'Mine', done: false });
		await second.close();
		assert.equal(await first.signOut(), 0);

		assert.deepEqual((await store.clients()).filter((key) => key.startsWith('alice/')), []);
		const next = await track(open(server, { store, user: 'alice' }));
		assert.notEqual(next.uid, first.uid);
		assert.notEqual(next.uid, second.uid);
		assert.deepEqual(next.collection('Todo').all(), []);
		const bobAgain = await track(open(server, { store, user: 'bob' }));
		assert.equal(bobAgain.uid, bob.uid);
		assert.equal(bobAgain.pendingWrites, 1);
	});

	it('counts the pending writes a sign-out deletes', async () => {
		const server = await downServer();
		const alice = await track(open(server, { store: make(), user: 'alice' }));
		await alice.collection('Todo').create({ id: 't1', title: 'Unsent', done: false });
		assert.equal(await alice.signOut(), 1);
	});

	it('signs out only a client opened for a user', async () => {
		const server = await downServer();
		const anonymous = await track(open(server, { store: make() }));
		await assert.rejects(anonymous.signOut(), TypeError);
	});
});
