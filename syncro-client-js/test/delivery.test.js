import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { MemoryStore } from '../src/index.js';
import { FakeServer } from './support/fake-server.js';
import { collect, open, PROTOCOLS, waitFor } from './support/helpers.js';

for (const protocol of PROTOCOLS) describe(`delivery and errors, protocol ${protocol}`, () => {
	const clients = [];
	let server;

	afterEach(async () => {
		await Promise.all(clients.splice(0).map((client) => client.close()));
		await server?.stop().catch(() => {});
	});

	async function online(options = {}) {
		const client = await open(server, { protocol, store: new MemoryStore(), ...options });
		clients.push(client);
		await client.whenOnline();
		await waitFor(() => server.pullAnswers.some((answer) => answer.uid === client.uid), 'the server\'s pull answered');
		return client;
	}

	/** A client with writes made while the server was down; the server then comes up. */
	async function offlineWrites(count, options = {}) {
		server = new FakeServer();
		await server.listen();
		await server.stop();
		const client = await open(server, { protocol, store: new MemoryStore(), ...options });
		clients.push(client);
		const todos = client.collection('Todo');
		await Promise.all(Array.from({ length: count }, (_, i) => todos.create({ id: `t${i + 1}`, title: `T${i + 1}` })));
		return client;
	}

	function playedOnce(client, count) {
		for (let id = 1; id <= count; id++) {
			assert.equal(server.playsOf(client.uid, id), 1, `client scribe ${id} played exactly once`);
		}
		assert.equal(server.mark(client.uid), count);
		assert.equal(client.pendingWrites, 0);
	}

	it('retries a push answered 500 until acknowledged, and it is played once', async () => {
		server = await new FakeServer().listen();
		server.failures.push({ id: 1, code: 500 });
		const client = await online();
		await client.collection('Todo').create({ id: 'a', title: 'A' });
		await client.whenSettled();
		playedOnce(client, 1);
		const attempts = server.scribesReceived.filter((entry) => entry.scribe.id === 1);
		assert.equal(attempts.length, 2, 'sent again after the 500');
	});

	it('retries a push answered 429', async () => {
		server = await new FakeServer().listen();
		server.failures.push({ id: 1, code: 429 }, { id: 2, code: 429 });
		const client = await online();
		await client.collection('Todo').create({ id: 'a', title: 'A' });
		await client.collection('Todo').create({ id: 'b', title: 'B' });
		await client.whenSettled();
		playedOnce(client, 2);
	});

	// v2 sends no scribes in its answer to the server's pull
	if (protocol === 1) {
		it('pushes from the scribe where the server\'s pull stopped with a 500', async () => {
			const client = await offlineWrites(3);
			server.failures.push({ id: 2, code: 500 });
			await server.listen();
			await client.whenSettled();
			playedOnce(client, 3);
			assert.deepEqual(server.pullAnswers[0].ids, [1, 2, 3]);
		});
	}

	it('delivers each scribe once when the connection drops after the server played it', async () => {
		server = await new FakeServer().listen();
		const client = await online();
		server.dropAfterSettle = 1;
		await client.collection('Todo').create({ id: 'a', title: 'A' });
		await client.whenSettled();
		playedOnce(client, 1);
		assert.equal(server.connections, 2);
		assert.deepEqual(client.collection('Todo').get('a'), { id: 'a', title: 'A' });
	});

	it('delivers each scribe once when the connection drops in the middle of the server\'s pull', async () => {
		const client = await offlineWrites(5);
		server.dropAfterSettle = 2;
		await server.listen();
		await client.whenSettled();
		playedOnce(client, 5);
		assert.ok(server.connections >= 2);
	});

	it('learns of a refusal whose answer was lost with the connection, and rolls back', async () => {
		server = await new FakeServer().listen();
		server.refuse = (scribe) => scribe.data.id === 'secret';
		const client = await online();
		const refused = collect(client, 'refused');
		server.dropAfterSettle = 1;
		await client.collection('Todo').create({ id: 'secret', title: 'no' });
		await client.whenSettled();
		assert.equal(server.connections, 2);
		assert.deepEqual(refused.map((event) => [event.scribe, event.code]), [[1, 403]]);
		assert.equal(client.collection('Todo').get('secret'), undefined);
		assert.equal(server.playsOf(client.uid, 1), 0);
	});

	it('numbers new scribes above a mark the server holds but the client does not remember', async () => {
		server = await new FakeServer().listen();
		server.marks.set('forgetful', 10);
		const client = await online({ client: 'forgetful' });
		await client.collection('Todo').create({ id: 'a', title: 'A' });
		await client.whenSettled();
		assert.deepEqual(server.scribesReceived.map((entry) => entry.scribe.id), [11]);
		assert.equal(server.playsOf('forgetful', 11), 1);
	});

	it('reports an error that concerns no scribe through the error event', async () => {
		server = await new FakeServer().listen();
		const client = await online();
		const errors = collect(client, 'error');
		server.session(client.uid).send({ type: 'error', code: 500, message: 'Something broke.' });
		await waitFor(() => errors.length === 1, 'the error event');
		assert.equal(errors[0].code, 500);
		assert.equal(errors[0].message, 'Something broke.');
		assert.equal(client.status, 'online');
	});

	it('rejects writes after close and keeps its pending scribes stored', async () => {
		server = new FakeServer();
		await server.listen();
		await server.stop();
		const store = new MemoryStore();
		const client = await open(server, { protocol, store });
		await client.collection('Todo').create({ id: 'kept' });
		await client.close();
		assert.equal(client.closed, true);
		assert.equal(client.status, 'offline');
		await assert.rejects(client.collection('Todo').create({ id: 'late' }), /closed/);
		assert.deepEqual(store.snapshot().clients[client.uid].scribes.map((s) => s.id), [1]);
	});

	it('retries a push that got no answer within the request timeout', async () => {
		server = await new FakeServer().listen();
		const client = await online({ requestTimeout: 150 });
		server.lose = 1;
		await client.collection('Todo').create({ id: 'a', title: 'A' });
		await client.whenSettled();
		playedOnce(client, 1);
		assert.equal(server.scribesReceived.length, 2);
	});

	it('resends from the id a 409 names', async () => {
		server = await new FakeServer().listen();
		const client = await online();
		const errors = collect(client, 'error');
		server.lose = 1;
		const todos = client.collection('Todo');
		// in one tick, so the second push leaves before any answer: scribe 1 vanishes on the
		// way and scribe 2 arrives out of order
		await Promise.all([todos.create({ id: 'a', title: 'A' }), todos.create({ id: 'b', title: 'B' })]);
		await client.whenSettled();
		playedOnce(client, 2);
		const conflicts = server.received.filter((entry) => entry.message.type === 'add_scribe').map((entry) => entry.message.scribe.id);
		assert.deepEqual(conflicts, [1, 2, 1, 2], 'both sent, then resent from the expected id 1');
		assert.deepEqual(errors, []);
	});

	it('resends from the id a 409 names when it ends the server\'s pull', async () => {
		const client = await offlineWrites(3);
		server.lose = 1;
		await server.listen();
		await client.whenSettled();
		playedOnce(client, 3);
	});

	it('rolls a refused update back to the server\'s state, keeps the accepted one on top, and reports it', async () => {
		server = await new FakeServer().listen();
		server.append('Todo', 'create', { id: 'r', title: 'Server', done: false });
		server.refuse = (scribe) => scribe.type === 'update' && scribe.data[1].title === 'Forbidden';
		const client = await online();
		const todos = client.collection('Todo');
		await waitFor(() => todos.get('r'), 'the record synced');
		const refused = collect(client, 'refused');
		const changes = collect(todos, 'change');
		await todos.update('r', { title: 'Forbidden' });
		await todos.update('r', { done: true });
		assert.deepEqual(todos.get('r'), { id: 'r', title: 'Forbidden', done: true });
		await client.whenSettled();

		assert.deepEqual(todos.get('r'), { id: 'r', title: 'Server', done: true });
		assert.deepEqual(server.record('Todo', 'r'), { id: 'r', title: 'Server', done: true });
		assert.equal(refused.length, 1);
		assert.deepEqual(refused[0], {
			scribe: 1, code: 403, message: 'The policy refused this scribe.', klass: 'Todo', id: 'r', type: 'update',
			data: ['r', { title: 'Forbidden' }], record: { id: 'r', title: 'Server', done: true },
		});
		const rollback = changes.find((change) => change.source === 'remote');
		assert.deepEqual(rollback, {
			klass: 'Todo', id: 'r', type: 'update', source: 'remote',
			record: { id: 'r', title: 'Server', done: true }, previous: { id: 'r', title: 'Forbidden', done: true },
		});
	});

	it('removes a record whose create was refused while the server pulled it, and fires refused', async () => {
		const client = await offlineWrites(0);
		server.refuse = (scribe) => scribe.data.id === 'secret';
		const todos = client.collection('Todo');
		await todos.create({ id: 'secret', title: 'no' });
		await todos.create({ id: 'fine', title: 'yes' });
		const refused = collect(client, 'refused');
		const changes = collect(todos, 'change');
		await server.listen();
		await client.whenSettled();
		assert.equal(todos.get('secret'), undefined);
		assert.deepEqual(todos.get('fine'), { id: 'fine', title: 'yes' });
		assert.deepEqual(refused.map((event) => [event.scribe, event.code, event.id, event.record]), [[1, 403, 'secret', null]]);
		assert.deepEqual(changes.map((change) => [change.type, change.id, change.source]), [['destroy', 'secret', 'remote']]);
		assert.equal(server.record('Todo', 'secret'), null);
		assert.equal(server.playsOf(client.uid, 2), 1);
	});

	it('refuses an update of a record the server does not have (404) and rolls it back', async () => {
		server = await new FakeServer().listen();
		const client = await online();
		const todos = client.collection('Todo');
		await todos.create({ id: 'doomed', title: 'A' });
		await client.whenSettled();
		// another client destroys it; this one updates it before hearing of that
		server.records.get('Todo').delete('doomed');
		const refused = collect(client, 'refused');
		await todos.update('doomed', { title: 'B' });
		await client.whenSettled();
		assert.deepEqual(refused.map((event) => event.code), [404]);
		assert.deepEqual(todos.get('doomed'), { id: 'doomed', title: 'A' }, 'back to the last state the server confirmed');
	});
});
