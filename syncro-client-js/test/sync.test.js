import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { MemoryStore } from '../src/index.js';
import { FakeServer } from './support/fake-server.js';
import { collect, open, PROTOCOLS, waitFor } from './support/helpers.js';

for (const protocol of PROTOCOLS) describe(`sync, protocol ${protocol}`, () => {
	const clients = [];
	let server;

	afterEach(async () => {
		await Promise.all(clients.splice(0).map((client) => client.close()));
		await server?.stop().catch(() => {});
	});

	async function client(options = {}) {
		const opened = await open(server, { protocol, store: new MemoryStore(), ...options });
		clients.push(opened);
		return opened;
	}

	it('sends the headers it was given on every handshake, for credentials', async () => {
		server = await new FakeServer().listen();
		const authorization = `Basic ${Buffer.from('alice:alice-secret').toString('base64')}`;
		const reader = await client({ headers: { Authorization: authorization } });
		await reader.whenOnline();
		server.dropAll();
		await waitFor(() => server.connections === 2 && reader.status === 'online');
		assert.deepEqual(server.handshakeHeaders.map((headers) => headers.authorization), [authorization, authorization]);
	});

	it('syncs in batches, repeating sync from its new position while more remain', async () => {
		server = await new FakeServer({ batchSize: 3 }).listen();
		for (let i = 1; i <= 7; i++) {
			server.append('Todo', 'create', { id: `t${i}`, title: `T${i}` });
		}
		server.append('Todo', 'update', ['t1', { title: 'changed' }]);
		server.append('Todo', 'destroy', ['t2']);
		const reader = await client();
		const changes = collect(reader, 'change');
		await reader.whenOnline();
		assert.deepEqual(server.syncs.map((sync) => sync.from), [null, 9, 18]);
		assert.equal(reader.position, 27);
		const todos = reader.collection('Todo');
		assert.equal(todos.all().length, 6);
		assert.equal(todos.get('t1').title, 'changed');
		assert.equal(todos.get('t2'), undefined);
		assert.ok(changes.every((change) => change.source === 'remote'));
		assert.deepEqual(changes.slice(-2).map((change) => change.type), ['update', 'destroy']);
	});

	it('syncs from its stored position after a reopen', async () => {
		server = await new FakeServer().listen();
		server.append('Todo', 'create', { id: 'a', title: 'A' });
		const store = new MemoryStore();
		const first = await client({ store });
		await first.whenOnline();
		await first.close();
		server.append('Todo', 'create', { id: 'b', title: 'B' });
		const second = await client({ store });
		await second.whenOnline();
		assert.deepEqual(server.syncs.map((sync) => sync.from), [null, 3]);
		assert.deepEqual(second.collection('Todo').all().map((todo) => todo.id), ['a', 'b']);
	});

	it('applies live pushes, answers them true and advances its position', async () => {
		server = await new FakeServer().listen();
		const reader = await client();
		await reader.whenOnline();
		const changes = collect(reader.collection('Todo'), 'change');
		const scribe = server.append('Todo', 'create', { id: 'live', title: 'pushed' });
		await waitFor(() => reader.collection('Todo').get('live'), 'the push applied');
		const session = server.session(reader.uid);
		await waitFor(() => session.pushReplies.length === 1, 'the answer');
		assert.deepEqual(session.pushReplies[0].reply.result, true);
		assert.equal(reader.position, scribe.id);
		assert.deepEqual(changes, [{
			klass: 'Todo', id: 'live', type: 'create', source: 'remote', record: { id: 'live', title: 'pushed' }, previous: null,
		}]);
	});

	it('ignores pushes at or below its position, and answers them true', async () => {
		server = await new FakeServer().listen();
		server.append('Todo', 'create', { id: 'a', title: 'A' });
		server.append('Todo', 'update', ['a', { title: 'B' }]);
		const reader = await client();
		await reader.whenOnline();
		const position = reader.position;
		const session = server.session(reader.uid);
		const atPosition = await session.pushRaw({ id: position, klass: 'Todo', type: 'update', data: ['a', { title: 'again' }] });
		const below = await session.pushRaw({ id: position - 1, klass: 'Todo', type: 'destroy', data: ['a'] });
		assert.equal(atPosition.result, true);
		assert.equal(below.result, true);
		assert.deepEqual(reader.collection('Todo').get('a'), { id: 'a', title: 'B' });
		assert.equal(reader.position, position);
	});

	it('answers a malformed push with 400 and does not move its position', async () => {
		server = await new FakeServer().listen();
		const reader = await client();
		await reader.whenOnline();
		const reply = await server.session(reader.uid).pushRaw({ id: 50, klass: 'Todo', type: 'rename', data: [] });
		assert.equal(reply.type, 'error');
		assert.equal(reply.code, 400);
		assert.equal(reader.position, null);
	});

	it('keeps pending local changes on top of remote changes to the same record', async () => {
		server = await new FakeServer().listen();
		server.append('Todo', 'create', { id: 'r', title: 'A', done: false });
		const writer = await client();
		await writer.whenOnline();
		server.delay = 100;
		const todos = writer.collection('Todo');
		await todos.update('r', { done: true });
		server.append('Todo', 'update', ['r', { title: 'remote' }]);
		await waitFor(() => todos.get('r').title === 'remote', 'the remote change');
		assert.deepEqual(todos.get('r'), { id: 'r', title: 'remote', done: true });
		await writer.whenSettled();
		assert.deepEqual(todos.get('r'), { id: 'r', title: 'remote', done: true });
		assert.deepEqual(server.record('Todo', 'r'), { id: 'r', title: 'remote', done: true });
	});

	it('carries one client\'s changes to another', async () => {
		server = await new FakeServer().listen();
		const alice = await client({ client: 'alice' });
		const bob = await client({ client: 'bob' });
		await Promise.all([alice.whenOnline(), bob.whenOnline()]);
		const seen = collect(bob, 'change');
		await alice.collection('Todo').create({ id: 'shared', title: 'from alice' });
		await waitFor(() => bob.collection('Todo').get('shared'), 'bob sees it');
		assert.deepEqual(seen.map((change) => [change.type, change.id, change.source]), [['create', 'shared', 'remote']]);
		await alice.collection('Todo').update('shared', { title: 'edited' });
		await waitFor(() => bob.collection('Todo').get('shared').title === 'edited', 'bob sees the update');
		assert.equal(alice.collection('Todo').get('shared').title, 'edited');
	});

	// v2 answers the server's pull with [] and sends every scribe by add_scribe (v2.test.js)
	if (protocol === 1) {
		it('answers the server\'s pull in batches of at most 500 scribes, with more while more remain', async () => {
			server = new FakeServer();
			await server.listen();
			await server.stop();
			const writer = await client();
			const todos = writer.collection('Todo');
			await Promise.all(Array.from({ length: 1200 }, (_, i) => todos.create({ id: `n${i}`, n: i })));
			await server.listen();
			await writer.whenSettled();
			await waitFor(() => server.pullAnswers.length === 4, 'the last pull');
			assert.deepEqual(server.pullAnswers.map((answer) => [answer.from, answer.count, answer.more]),
				[[0, 500, true], [500, 500, true], [1000, 200, false], [1200, 0, false]]);
			assert.equal(server.records.get('Todo').size, 1200);
			assert.equal(server.playsOf(writer.uid, 1200), 1);
		});

		it('keeps each answer to the server\'s pull well under 512 KiB', async () => {
			server = new FakeServer();
			await server.listen();
			await server.stop();
			const writer = await client();
			const todos = writer.collection('Todo');
			const text = 'x'.repeat(60 * 1024);
			await Promise.all(Array.from({ length: 12 }, (_, i) => todos.create({ id: `big${i}`, text })));
			await server.listen();
			await writer.whenSettled();
			await waitFor(() => server.pullAnswers.length === 4, 'the last pull');
			const answers = server.received.filter((entry) => entry.message.type === 'response' && Array.isArray(entry.message.result));
			assert.ok(answers.length >= 3, 'split into several answers');
			for (const answer of answers) {
				assert.ok(Buffer.byteLength(JSON.stringify(answer.message)) < 300 * 1024);
			}
			// 60 KiB each: four fit in the 256 KiB an answer may carry
			assert.deepEqual(server.pullAnswers.map((answer) => [answer.count, answer.more]), [[4, true], [4, true], [4, false], [0, false]]);
			assert.equal(server.records.get('Todo').size, 12);
		});
	}

	it('reports connecting, syncing, online and offline, and reconnects after the server restarts', async () => {
		server = await new FakeServer().listen();
		const reader = await client();
		assert.equal(reader.status, 'connecting');
		const statuses = collect(reader, 'status');
		await reader.whenOnline();
		assert.deepEqual(statuses, ['syncing', 'online']);
		await server.stop();
		await waitFor(() => statuses.includes('offline'), 'offline');
		await server.listen();
		await reader.whenOnline();
		assert.deepEqual(statuses.slice(0, 4), ['syncing', 'online', 'offline', 'connecting']);
		assert.equal(statuses.at(-1), 'online');
		server.append('Todo', 'create', { id: 'after', title: 'restart' });
		await waitFor(() => reader.collection('Todo').get('after'), 'live again');
	});
});
