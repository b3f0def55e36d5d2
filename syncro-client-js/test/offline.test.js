import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { MemoryStore } from '../src/index.js';
import { FakeServer } from './support/fake-server.js';
import { open, PROTOCOLS, waitFor } from './support/helpers.js';

/** A fake server that has a port but is not listening yet: the client finds it down. */
async function downServer(options) {
	const server = new FakeServer(options);
	await server.listen();
	await server.stop();
	return server;
}

for (const protocol of PROTOCOLS) describe(`offline first, protocol ${protocol}`, () => {
	const clients = [];
	let server;

	afterEach(async () => {
		await Promise.all(clients.splice(0).map((client) => client.close()));
		await server?.stop().catch(() => {});
	});

	async function track(promise) {
		const client = await promise;
		clients.push(client);
		return client;
	}

	it('keeps changes made while the server is down across a reload and delivers each once when it comes up', async () => {
		server = await downServer();
		const store = new MemoryStore();
		const first = await track(open(server, { protocol, store }));
		const todos = first.collection('Todo');
		await todos.create({ id: 'a', title: 'A', done: false });
		await todos.create({ id: 'b', title: 'B', done: false });
		await todos.update('a', { done: true });
		await todos.destroy('b');
		assert.notEqual(first.status, 'online');
		assert.equal(first.pendingWrites, 4);
		await first.close();

		// the reload: a new client on the same store adopts the uid and finds everything
		const second = await track(open(server, { protocol, store }));
		assert.equal(second.uid, first.uid);
		assert.equal(second.pendingWrites, 4);
		assert.deepEqual(second.collection('Todo').all(), [{ id: 'a', title: 'A', done: true }]);

		await server.listen();
		await second.whenSettled();
		for (const id of [1, 2, 3, 4]) {
			assert.equal(server.playsOf(second.uid, id), 1, `client scribe ${id} played once`);
		}
		assert.equal(server.mark(second.uid), 4);
		assert.deepEqual(server.record('Todo', 'a'), { id: 'a', title: 'A', done: true });
		assert.equal(server.record('Todo', 'b'), null);
		// v1 answers the server's pull with the pending scribes; v2 with [] and then pushes them
		const pulled = protocol === 1 ? [1, 2, 3, 4] : [];
		assert.deepEqual(server.pullAnswers[0], { uid: second.uid, from: 0, count: pulled.length, more: false, ids: pulled });
	});

	it('survives a crash: what was stored is delivered, and client scribe ids are never reused', async () => {
		server = await downServer();
		const store = new MemoryStore();
		const crashed = await track(open(server, { protocol, store }));
		await crashed.collection('Todo').create({ id: 'x', title: 'before the crash' });
		await crashed.collection('Todo').create({ id: 'y', title: 'also before' });
		// the crash: only what the store holds now survives
		const survivor = new MemoryStore(store.snapshot());
		await crashed.close();

		const restarted = await track(open(server, { protocol, store: survivor }));
		assert.equal(restarted.uid, crashed.uid);
		assert.equal(restarted.pendingWrites, 2);
		await restarted.collection('Todo').create({ id: 'z', title: 'after' });
		await server.listen();
		await restarted.whenSettled();
		assert.deepEqual(server.scribesReceived.map((entry) => entry.scribe.id), [1, 2, 3]);
		assert.deepEqual([1, 2, 3].map((id) => server.playsOf(restarted.uid, id)), [1, 1, 1]);
		await restarted.close();
		assert.deepEqual(survivor.snapshot().clients[restarted.uid].scribes, []);
		assert.equal(survivor.snapshot().clients[restarted.uid].nextScribeId, 4);
	});

	it('numbers client scribes 1, 2, 3 … across reopening the store', async () => {
		server = await new FakeServer().listen();
		const store = new MemoryStore();
		const first = await track(open(server, { protocol, store }));
		await first.collection('Todo').create({ title: 'one' });
		await first.collection('Todo').create({ title: 'two' });
		await first.whenSettled();
		await first.close();
		const second = await track(open(server, { protocol, store }));
		await second.collection('Todo').create({ title: 'three' });
		await second.whenSettled();
		assert.equal(second.uid, first.uid);
		assert.deepEqual(server.scribesReceived.map((entry) => [entry.uid, entry.scribe.id]), [[first.uid, 1], [first.uid, 2], [first.uid, 3]]);
		assert.equal(server.mark(first.uid), 3);
	});

	it('gives a second client on the same store its own uid, and lets the next one adopt a closed client\'s uid', async () => {
		server = await downServer();
		const store = new MemoryStore();
		const tab1 = await track(open(server, { protocol, store }));
		const tab2 = await track(open(server, { protocol, store }));
		assert.notEqual(tab1.uid, tab2.uid);
		assert.match(tab1.uid, /^[A-Za-z0-9_.:-]{1,64}$/);
		await tab1.collection('Todo').create({ id: 'left behind', title: 'pending' });
		await tab1.close();
		const tab3 = await track(open(server, { protocol, store }));
		assert.equal(tab3.uid, tab1.uid);
		assert.equal(tab3.pendingWrites, 1);
		assert.equal(tab3.collection('Todo').get('left behind').title, 'pending');
		await assert.rejects(open(server, { protocol, store, client: tab2.uid }), /in use/);
		await assert.rejects(open(server, { protocol, store, client: 'bad uid!' }), TypeError);
	});

	it('sends writes made while connected live, after the server\'s pull was answered', async () => {
		server = await new FakeServer().listen();
		const client = await track(open(server, { protocol, store: new MemoryStore(), client: 'live-writer' }));
		await client.whenOnline();
		await waitFor(() => server.pullAnswers.length > 0, 'the pull answered');
		await client.collection('Todo').create({ id: 'now', title: 'live' });
		await client.whenSettled();
		const pushes = server.received.filter((entry) => entry.message.type === 'add_scribe');
		assert.deepEqual(pushes.map((entry) => entry.message.scribe.id), [1]);
		const firstPush = server.received.findIndex((entry) => entry.message.type === 'add_scribe');
		const firstAnswer = server.received.findIndex((entry) => entry.message.type === 'response' && Array.isArray(entry.message.result));
		assert.ok(firstAnswer >= 0 && firstAnswer < firstPush, 'the pull is answered before any add_scribe');
	});
});
