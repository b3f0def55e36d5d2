import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, describe, it } from 'node:test';
import { canonical, digestOf, MemoryStore, recordHash } from '../src/index.js';
import { FakeServer } from './support/fake-server.js';
import { open, waitFor } from './support/helpers.js';

const vectors = JSON.parse(readFileSync(new URL('../../docs/digest-vectors.json', import.meta.url), 'utf8'));

describe('digests (PROTOCOL.md §8.9)', () => {
	it('encodes and hashes the examples of the protocol exactly as the server does', () => {
		for (const example of vectors.records) {
			const record = JSON.parse(example.json);
			const set = Object.fromEntries(Object.entries(record).filter(([, value]) => value !== null));
			assert.equal(Buffer.from(canonical(set)).toString('hex'), example.canonical, example.json);
			assert.equal(recordHash(record).toString(16).padStart(16, '0'), example.hash, example.json);
		}
		assert.deepEqual(digestOf(vectors.records.map((example) => JSON.parse(example.json))), vectors.digest);
	});

	it('is the same for a record whatever the order of its attributes, and null as absent', () => {
		assert.equal(recordHash({ id: 1, a: 'x', b: [1, { d: 2, c: 3 }] }),
			recordHash({ b: [1, { c: 3, d: 2 }], a: 'x', id: 1, gone: null }));
		assert.notEqual(recordHash({ id: 1, a: 'x' }), recordHash({ id: 1, a: 'y' }));
		assert.deepEqual(digestOf([]), { count: 0, hash: '0000000000000000' });
	});
});

describe('verified replicas (protocol v2)', () => {
	const clients = [];
	let server;

	afterEach(async () => {
		await Promise.all(clients.splice(0).map((client) => client.close()));
		await server?.stop().catch(() => {});
	});

	async function online(digests) {
		server = new FakeServer();
		server.digests = digests;
		await server.listen();
		server.append('Todo', 'create', { id: 't1', title: 'Milk' });
		server.append('Todo', 'create', { id: 't2', title: 'Eggs' });
		server.append('Page', 'create', { id: 'p1', title: 'A page' });
		const client = await open(server, { store: new MemoryStore() });
		clients.push(client);
		await client.whenOnline();
		if (digests) {
			// the check after the sync is answered before an rpc sent after it
			await waitFor(() => server.digestRequests === 1);
		}
		await client.rpc('Syncro', 'last_scribe_id');
		return client;
	}

	it('checks its records after each sync and finds them equal', async () => {
		const client = await online(true);
		await waitFor(() => server.digestRequests === 1);
		assert.deepEqual(await client.verify(), []);
		assert.equal(client.mismatches, 0);
	});

	it('reports a klass that differs, has the server send it again, and then holds what it holds', async () => {
		const client = await online(true);
		const mismatches = [];
		client.on('mismatch', (event) => mismatches.push(event));
		// the server's records change behind the client's back, as a lost scribe would leave them
		server.records.get('Todo').set('t2', { id: 't2', title: 'Eggs, a dozen' });
		server.records.get('Todo').delete('t1');
		assert.deepEqual(await client.verify(), ['Todo']);
		assert.equal(client.mismatches, 1);
		assert.equal(mismatches.length, 1);
		assert.equal(mismatches[0].klass, 'Todo');
		assert.deepEqual(mismatches[0].expected, digestOf([{ id: 't2', title: 'Eggs, a dozen' }]));
		assert.deepEqual(mismatches[0].actual, digestOf([{ id: 't1', title: 'Milk' }, { id: 't2', title: 'Eggs' }]));
		assert.deepEqual(server.rebuildRequests, ['Todo']);
		assert.deepEqual(client.collection('Todo').all(), [{ id: 't2', title: 'Eggs, a dozen' }]);
		assert.deepEqual(await client.verify(), []);
		assert.equal(client.mismatches, 1);
	});

	it('starts over from nothing when the server cannot send the klass again', async () => {
		const client = await online('no-rebuild');
		const resets = [];
		client.on('reset', (event) => resets.push(event));
		server.records.get('Page').set('p1', { id: 'p1', title: 'Changed behind its back' });
		assert.deepEqual(await client.verify(), ['Page']);
		assert.deepEqual(resets, [{ reason: 'gone' }]);
	});

	it('asks nothing of a server that gives no digests', async () => {
		const client = await online(false);
		assert.deepEqual(await client.verify(), []);
		assert.equal(client.mismatches, 0);
	});
});
