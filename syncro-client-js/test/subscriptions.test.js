import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { MemoryStore } from '../src/index.js';
import { FakeServer } from './support/fake-server.js';
import { open, waitFor } from './support/helpers.js';

/** The fake server's scopes: the Todos of a list, for its members; list 'secret' is nobody's. */
function listTodos({ listId }) {
	if (typeof listId !== 'string') {
		throw Object.assign(new Error('bad'), { code: 400, message: 'listId is a string.' });
	}
	if (listId === 'secret') {
		throw Object.assign(new Error('forbidden'), { code: 403, message: 'Not a member.', klass: 'Todo' });
	}
	return { klass: 'Todo', holds: (todo) => todo.listId === listId };
}

describe('subscriptions (protocol v2)', () => {
	const clients = [];
	let server;

	afterEach(async () => {
		await Promise.all(clients.splice(0).map((client) => client.close()));
		await server?.stop().catch(() => {});
	});

	async function started() {
		server = new FakeServer();
		server.scopes.listTodos = listTodos;
		await server.listen();
		server.append('Todo', 'create', { id: 'a1', title: 'In a', listId: 'a' });
		server.append('Todo', 'create', { id: 'a2', title: 'In a too', listId: 'a' });
		server.append('Todo', 'create', { id: 'a3', title: 'In a three', listId: 'a' });
		server.append('Todo', 'create', { id: 'b1', title: 'In b', listId: 'b' });
		server.append('Todo', 'create', { id: 's1', title: 'Shared' });
		server.append('Page', 'create', { id: 'p1', title: 'A page' });
	}

	async function online(options = {}) {
		const client = await open(server, { store: new MemoryStore(), ...options });
		clients.push(client);
		await client.whenOnline();
		return client;
	}

	const ids = (client, klass) => client.collection(klass).all().map((record) => record.id).sort();

	it('keeps of a klass only what its scopes give, and the other klasses whole', async () => {
		await started();
		const client = await online();
		assert.deepEqual(ids(client, 'Todo'), ['a1', 'a2', 'a3', 'b1', 's1']);
		const answer = await client.subscribe('listTodos', { listId: 'a' });
		assert.deepEqual(answer, { klass: 'Todo' });
		assert.deepEqual(ids(client, 'Todo'), ['a1', 'a2', 'a3']);
		assert.deepEqual(ids(client, 'Page'), ['p1']);
		await client.subscribe('listTodos', { listId: 'b' });
		assert.deepEqual(ids(client, 'Todo'), ['a1', 'a2', 'a3', 'b1']);
		assert.deepEqual(client.subscriptions, [
			{ scope: 'listTodos', params: { listId: 'a' } },
			{ scope: 'listTodos', params: { listId: 'b' } },
		]);

		await client.unsubscribe('listTodos', { listId: 'a' });
		assert.deepEqual(ids(client, 'Todo'), ['b1']);
		// the last one gone, the klass holds everything its policy gives again
		await client.unsubscribe('listTodos', { listId: 'b' });
		assert.deepEqual(ids(client, 'Todo'), ['a1', 'a2', 'a3', 'b1', 's1']);
		assert.deepEqual(client.subscriptions, []);
	});

	it('keeps a pending write of its own through the records that replace the klass', async () => {
		await started();
		const client = await online();
		server.holdPushes = true;
		server.mute = true;
		await client.collection('Todo').create({ id: 'mine', title: 'Not sent yet' });
		server.mute = false;
		await client.subscribe('listTodos', { listId: 'b' });
		assert.deepEqual(ids(client, 'Todo'), ['b1', 'mine']);
	});

	it('refuses unknown scopes, bad parameters and forbidden ones, and drops them', async () => {
		await started();
		const client = await online();
		await assert.rejects(client.subscribe('nothing', {}), { code: 404 });
		await assert.rejects(client.subscribe('listTodos', { listId: 5 }), { code: 400 });
		await assert.rejects(client.subscribe('listTodos', { listId: 'secret' }), { code: 403 });
		await assert.rejects(client.subscribe('listTodos', 'a'), TypeError);
		assert.deepEqual(client.subscriptions, []);
		assert.deepEqual(ids(client, 'Todo'), ['a1', 'a2', 'a3', 'b1', 's1']);
	});

	it('keeps its subscriptions offline and across restarts, and sends them on the next connection', async () => {
		await started();
		const store = new MemoryStore();
		const first = await online({ store });
		await first.subscribe('listTodos', { listId: 'a' });
		await first.close();

		await server.stop();
		const offline = await open(server, { store });
		clients.push(offline);
		assert.deepEqual(offline.subscriptions, [{ scope: 'listTodos', params: { listId: 'a' } }]);
		assert.deepEqual(ids(offline, 'Todo'), ['a1', 'a2', 'a3']);
		const subscribed = offline.subscribe('listTodos', { listId: 'b' });
		const unsubscribed = offline.unsubscribe('listTodos', { listId: 'a' });
		server.append('Todo', 'update', ['a1', { listId: 'b' }]);
		await server.listen();
		await Promise.all([subscribed, unsubscribed]);
		await offline.whenOnline();
		await waitFor(() => ids(offline, 'Todo').join() === 'a1,b1', 'the records of b only');
		assert.deepEqual(offline.subscriptions, [{ scope: 'listTodos', params: { listId: 'b' } }]);
		assert.deepEqual(server.subscriptionRequests.filter((request) => request.uid === offline.uid)
			.map(({ type, params }) => `${type} ${params.listId}`), ['subscribe a', 'subscribe b', 'unsubscribe a']);
	});

	it('subscribes again after a reset, since the server\'s records of its scopes were dropped with it', async () => {
		await started();
		const client = await online();
		await client.subscribe('listTodos', { listId: 'a' });
		server.goneSyncs = 1;
		server.dropAll();
		await waitFor(() => server.syncs.filter((sync) => sync.uid === client.uid && sync.from === null).length === 2,
			'a sync from nothing after the 410');
		await client.whenOnline();
		// (the fake server does not narrow what it pushes: the content is the real server's test)
		await waitFor(() => server.subscriptionRequests.filter((request) => request.uid === client.uid).length === 3,
			'a subscribe after the reset');
		assert.deepEqual(server.subscriptionRequests.filter((request) => request.uid === client.uid).map(({ type }) => type),
			['subscribe', 'subscribe', 'subscribe']);
	});

	it('needs protocol v2', async () => {
		await started();
		const client = await online({ protocol: 1 });
		await assert.rejects(client.subscribe('listTodos', { listId: 'a' }), { code: 501 });
	});

	it('fails a subscribe still waiting for its answer when the client closes, and keeps it stored', async () => {
		await started();
		const store = new MemoryStore();
		const client = await open(server, { store });
		await client.whenOnline();
		server.stop();
		await waitFor(() => client.status !== 'online');
		const waiting = client.subscribe('listTodos', { listId: 'a' });
		await client.close();
		await assert.rejects(waiting, (error) => error.code === 'closed');
		assert.deepEqual(client.subscriptions, [{ scope: 'listTodos', params: { listId: 'a' } }]);
	});
});
