import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { MemoryStore, SyncroError } from '../src/index.js';
import { FakeServer } from './support/fake-server.js';
import { open, PROTOCOLS, waitFor } from './support/helpers.js';

for (const protocol of PROTOCOLS) describe(`rpc and requests of the server, protocol ${protocol}`, () => {
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

	it('resolves an rpc with its result', async () => {
		server = await new FakeServer().listen();
		const caller = await client();
		assert.deepEqual(await caller.rpc('Echo', 'say', [1, 'two', { three: 3 }]), [1, 'two', { three: 3 }]);
		server.append('Todo', 'create', { id: 'a' });
		assert.equal(await caller.rpc('Syncro', 'last_scribe_id'), 3);
	});

	it('rejects an rpc with the server\'s error code', async () => {
		server = await new FakeServer().listen();
		const caller = await client();
		await assert.rejects(caller.rpc('Nope', 'x'), (error) => error instanceof SyncroError && error.code === 404);
		await assert.rejects(caller.rpc('Echo', 'shout'), (error) => error instanceof SyncroError && error.code === 405
			&& error.message === "The method 'shout' is not exposed on 'Echo'.");
	});

	it('rejects an rpc that gets no answer within the request timeout', async () => {
		server = await new FakeServer().listen();
		const caller = await client({ requestTimeout: 100 });
		await assert.rejects(caller.rpc('Slow', 'never'), (error) => error instanceof SyncroError && error.code === 'timeout');
		// the connection still works
		assert.deepEqual(await caller.rpc('Echo', 'say', ['still here']), ['still here']);
	});

	it('waits for a connection to send an rpc made while offline', async () => {
		server = new FakeServer();
		await server.listen();
		await server.stop();
		const caller = await client();
		const result = caller.rpc('Echo', 'say', ['later']);
		await server.listen();
		assert.deepEqual(await result, ['later']);
	});

	it('rejects an rpc waiting for a connection when the client closes', async () => {
		server = new FakeServer();
		await server.listen();
		await server.stop();
		const caller = await client();
		const result = caller.rpc('Echo', 'say', []);
		await caller.close();
		await assert.rejects(result, (error) => error.code === 'closed');
	});

	it('answers noop with true, rpc with 404 and an unknown type with 501', async () => {
		server = await new FakeServer().listen();
		const peer = await client();
		await peer.whenOnline();
		const session = server.session(peer.uid);
		assert.deepEqual(await session.request({ type: 'noop' }), { type: 'response', id: 2, result: true });
		const rpc = await session.request({ type: 'rpc', klass: 'Any', method: 'thing', args: [] });
		assert.equal(rpc.type, 'error');
		assert.equal(rpc.code, 404);
		const unknown = await session.request({ type: 'teleport' });
		assert.equal(unknown.code, 501);
		assert.equal(unknown.id, 4);
	});

	it('answers a server pull whose from is not an integer with 400', async () => {
		server = await new FakeServer().listen();
		const peer = await client();
		await peer.whenOnline();
		const reply = await server.session(peer.uid).request({ type: 'sync', from: 'yesterday' });
		assert.equal(reply.type, 'error');
		assert.equal(reply.code, 400);
	});

	it('pings an idle connection and drops it when the ping goes unanswered', async () => {
		server = await new FakeServer().listen();
		const peer = await client({ heartbeat: 30, requestTimeout: 60 });
		await peer.whenOnline();
		const pings = () => server.received.filter((entry) => entry.message.type === 'noop').length;
		await waitFor(() => pings() >= 2, 'pings');
		// the server stops answering: the client drops the connection and reconnects
		server.mute = true;
		const statuses = [];
		peer.on('status', (status) => statuses.push(status));
		await waitFor(() => statuses.includes('offline'), 'the connection dropped after an unanswered ping');
		server.mute = false;
		await waitFor(() => server.connections >= 2 && peer.status === 'online', 'a reconnect');
	});
});
