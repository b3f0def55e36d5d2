import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { MemoryStore } from '../src/index.js';
import { clientUrl } from '../src/uids.js';
import { FakeServer } from './support/fake-server.js';
import { collect, open, sleep, waitFor } from './support/helpers.js';

describe('protocol v2', () => {
	const clients = [];
	let server;

	afterEach(async () => {
		await Promise.all(clients.splice(0).map((client) => client.close()));
		await server?.stop().catch(() => {});
	});

	async function client(options = {}) {
		const opened = await open(server, { store: new MemoryStore(), ...options });
		clients.push(opened);
		return opened;
	}

	/** A client that is online and has answered the server's pull. */
	async function online(options = {}) {
		const opened = await client(options);
		await opened.whenOnline();
		await waitFor(() => server.pullAnswers.some((answer) => answer.uid === opened.uid), 'the server\'s pull answered');
		return opened;
	}

	/** A fake server with a port that is not listening yet: the client finds it down. */
	async function downServer(options) {
		server = new FakeServer(options);
		await server.listen();
		await server.stop();
	}

	/** Resolves once the client handled every message the server sent before: a round trip behind them. */
	function roundTrip(peer) {
		return peer.rpc('Echo', 'say', []);
	}

	describe('negotiation', () => {
		it('asks for v=2 beside its uid, takes hello, and answers the server\'s pull with an empty array', async () => {
			await downServer();
			const writer = await client();
			await writer.collection('Todo').create({ id: 'a', title: 'A' });
			await server.listen();
			await writer.whenSettled();
			assert.deepEqual(server.handshakes.map(({ url, version }) => [url, version]), [[`/syncro?client=${writer.uid}&v=2`, 2]]);
			assert.deepEqual(server.pullAnswers.map((answer) => [answer.from, answer.count, answer.more]), [[0, 0, false]]);
			assert.deepEqual(server.received.filter((entry) => entry.message.type === 'add_scribe').map((entry) => entry.message.scribe.id), [1]);
			assert.deepEqual(server.received.filter((entry) => entry.message.type === 'error'), [], 'hello is never answered');
		});

		it('speaks v1 on a connection whose server pulls before any hello', async () => {
			await downServer({ version: 1 });
			const writer = await client();
			await writer.collection('Todo').create({ id: 'a', title: 'A' });
			await server.listen();
			await writer.whenSettled();
			assert.deepEqual(server.handshakes.map(({ asked, version }) => [asked, version]), [['2', 1]]);
			assert.deepEqual(server.pullAnswers[0].ids, [1], 'the pull is answered with the pending scribe');
			assert.equal(server.received.some((entry) => entry.message.type === 'add_scribe'), false);
			assert.equal(writer.position, null, 'a v1 server echoes nothing; the acknowledgement confirmed the write');
			assert.deepEqual(writer.collection('Todo').get('a'), { id: 'a', title: 'A' });
			server.append('Todo', 'create', { id: 'b', title: 'B' });
			await waitFor(() => writer.collection('Todo').get('b'), 'a v1 push');
			assert.equal(writer.position, 6, 'after its own scribe at 3');
		});

		it('asks for nothing newer with protocol: 1, and a server that knows v2 speaks v1', async () => {
			server = await new FakeServer().listen();
			const writer = await online({ protocol: 1 });
			await writer.collection('Todo').create({ id: 'a', title: 'A' });
			await writer.whenSettled();
			assert.deepEqual(server.handshakes.map(({ url, version }) => [url, version]), [[`/syncro?client=${writer.uid}`, 1]]);
			assert.deepEqual(server.scribeAnswers.map((answer) => answer.reply), [{ type: 'response', id: 2, result: true }]);
			assert.equal(writer.position, null, 'no echo of its own scribe');
			const reply = await server.session(writer.uid).pushBatch([{ id: 50, klass: 'Todo', type: 'destroy', data: ['a'] }]);
			assert.equal(reply.code, 501, 'add_scribes is no v1 message');
			assert.deepEqual(writer.collection('Todo').get('a'), { id: 'a', title: 'A' });
		});

		it('takes only protocol 1 or 2, and puts v beside client in the URL', async () => {
			server = await new FakeServer().listen();
			await assert.rejects(client({ protocol: 3 }), TypeError);
			assert.equal(clientUrl('https://example.com/syncro', 'u1', 2), 'wss://example.com/syncro?client=u1&v=2');
			assert.equal(clientUrl('https://example.com/syncro?v=2', 'u1', 1), 'wss://example.com/syncro?client=u1');
			assert.equal(clientUrl('https://example.com/syncro', 'u1'), 'wss://example.com/syncro?client=u1');
		});
	});

	describe('own scribes', () => {
		it('counts the echo of its own scribes in its position, as last_scribe_id does, and confirms through it', async () => {
			server = await new FakeServer().listen();
			server.append('Todo', 'create', { id: 'x', title: 'X' });
			const store = new MemoryStore();
			const writer = await online({ store });
			await writer.collection('Todo').create({ id: 'mine', title: 'M' });
			await writer.whenSettled();
			assert.deepEqual(server.scribeAnswers.map((answer) => answer.reply.at), [6]);
			assert.equal(writer.position, 6);
			assert.equal(await writer.rpc('Syncro', 'last_scribe_id'), 6);
			await writer.close();
			const stored = store.snapshot().clients[writer.uid];
			assert.deepEqual(stored.scribes, []);
			assert.equal(stored.position, 6);
			assert.deepEqual(stored.records.map((entry) => entry.record), [{ id: 'x', title: 'X' }, { id: 'mine', title: 'M' }]);
		});

		it('keeps a write pending while its position is below where the write landed', async () => {
			server = await new FakeServer().listen();
			const writer = await online();
			// the answer overtakes the echo: as if the order rule were broken
			server.holdPushes = true;
			await writer.collection('Todo').create({ id: 'a', title: 'A' });
			await waitFor(() => server.scribeAnswers.length === 1, 'the answer');
			await roundTrip(writer);
			assert.equal(server.scribeAnswers[0].reply.at, 3);
			assert.equal(writer.position, null);
			assert.equal(writer.pendingWrites, 1);
			assert.deepEqual(writer.collection('Todo').get('a'), { id: 'a', title: 'A' });
			server.releasePushes();
			await writer.whenSettled();
			assert.equal(writer.position, 3);
			assert.deepEqual(writer.collection('Todo').get('a'), { id: 'a', title: 'A' });
		});

		it('lets a write go at once when the play appended nothing (at: null)', async () => {
			server = await new FakeServer().listen();
			server.append('Todo', 'create', { id: 'r', title: 'old' });
			const writer = await online();
			// another client set the same value; its scribe has not reached this client yet
			server.holdPushes = true;
			server.append('Todo', 'update', ['r', { title: 'same' }], 'other');
			await writer.collection('Todo').update('r', { title: 'same' });
			await writer.whenSettled();
			assert.equal(server.scribeAnswers[0].reply.at, null);
			assert.equal(writer.position, 3, 'it did not wait for the position');
			server.releasePushes();
			await waitFor(() => writer.position === 6, 'the other client\'s scribe');
			assert.deepEqual(writer.collection('Todo').get('r'), { id: 'r', title: 'same' });
		});

		it('sends a sync when the answer has no at, and lets the write go once that sync ends without more', async () => {
			server = await new FakeServer({ batchSize: 2 }).listen();
			const writer = await online();
			server.holdPushes = true;
			for (let i = 1; i <= 4; i++) {
				server.append('Note', 'create', { id: `n${i}` });
			}
			server.withholdAt = 1;
			const syncsBefore = server.syncs.length;
			let syncsWhenLeft = null;
			writer.on('pendingWrites', (count) => {
				if (count === 0) {
					syncsWhenLeft = server.syncs.length;
				}
			});
			await writer.collection('Todo').create({ id: 'a', title: 'A' });
			await writer.whenSettled();
			assert.equal('at' in server.scribeAnswers[0].reply, false);
			assert.deepEqual(server.syncs.slice(syncsBefore).map((sync) => sync.from), [null, 6, 12]);
			assert.equal(syncsWhenLeft, syncsBefore + 3, 'left only after the answer without more');
			assert.equal(writer.position, 15);
			assert.deepEqual(writer.collection('Todo').get('a'), { id: 'a', title: 'A' });
		});

		it('starts over on a new connection when a sync on a live one is refused 410, so no push overtakes the sync from nothing', async () => {
			server = await new FakeServer({ batchSize: 2 }).listen();
			for (let i = 1; i <= 6; i++) {
				server.append('Note', 'create', { id: `n${i}` });
			}
			const writer = await online();
			const resets = collect(writer, 'reset');
			const connections = server.connections;
			server.withholdAt = 1;
			server.goneSyncs = 1;
			await writer.collection('Todo').create({ id: 'a', title: 'A' });
			await waitFor(() => server.connections > connections, 'a new connection');
			await writer.whenOnline();
			await writer.whenSettled();
			assert.deepEqual(resets.map((event) => event.reason), ['gone']);
			assert.deepEqual(writer.collection('Note').all().map((note) => note.id).sort(),
				['n1', 'n2', 'n3', 'n4', 'n5', 'n6']);
			assert.deepEqual(writer.collection('Todo').get('a'), { id: 'a', title: 'A' });
		});

		it('converges after a reconnect that lost answers: duplicates come back without at', async () => {
			server = await new FakeServer().listen();
			const writer = await online();
			server.dropAfterSettle = 2;
			const todos = writer.collection('Todo');
			await Promise.all([todos.create({ id: 'a', n: 1 }), todos.create({ id: 'b', n: 2 }), todos.create({ id: 'c', n: 3 })]);
			await writer.whenSettled();
			assert.equal(server.connections, 2);
			assert.deepEqual([1, 2, 3].map((id) => server.playsOf(writer.uid, id)), [1, 1, 1]);
			const duplicates = server.scribeAnswers.filter((answer) => answer.reply.result === true && !('at' in answer.reply));
			// 2 settled as the connection dropped; 3 may have been played before the drop took effect
			assert.ok(duplicates.some((answer) => answer.scribe.id === 2), 'the write whose answer was lost came back a duplicate');
			assert.deepEqual(todos.all(), [...server.records.get('Todo').values()]);
			assert.equal(writer.position, server.lastId);
		});
	});

	describe('concurrent writes and conflicts', () => {
		/** A writer of record r, with a foreign write of the same attribute appended at a given moment. */
		async function race(moment) {
			server = await new FakeServer().listen();
			server.append('Todo', 'create', { id: 'r', title: 'old' });
			const writer = await online();
			const todos = writer.collection('Todo');
			const seen = { conflicts: collect(writer, 'conflict'), changes: collect(todos, 'change'), positionWhenLeft: null };
			writer.on('pendingWrites', (count) => {
				if (count === 0) {
					seen.positionWhenLeft = writer.position;
				}
			});
			server[moment] = (scribe, uid) => {
				if (uid === writer.uid) {
					server.append('Todo', 'update', ['r', { title: 'foreign' }], 'other');
				}
			};
			await todos.update('r', { title: 'mine' });
			await writer.whenSettled();
			await waitFor(() => writer.position === 9, 'the foreign write');
			assert.equal(server.scribeAnswers[0].reply.at, 6, 'own write at 6, the foreign one at 9');
			assert.deepEqual(server.record('Todo', 'r'), { id: 'r', title: 'foreign' });
			assert.deepEqual(todos.get('r'), { id: 'r', title: 'foreign' }, 'the server\'s value');
			assert.deepEqual(seen.changes.map((change) => [change.source, change.record.title]), [['local', 'mine'], ['remote', 'foreign']]);
			return seen;
		}

		it('ends with the server\'s value when the foreign write is pushed before the answer, and reports the conflict', async () => {
			const seen = await race('onPlayed');
			assert.equal(seen.positionWhenLeft, 9, 'the foreign push came before the answer');
			assert.deepEqual(seen.conflicts, [{
				klass: 'Todo', id: 'r', scribe: 1, type: 'update', data: ['r', { title: 'mine' }],
				record: { id: 'r', title: 'foreign' }, previous: { id: 'r', title: 'mine' },
			}]);
		});

		it('ends with the server\'s value when the foreign write is pushed after the answer, with no conflict', async () => {
			const seen = await race('onAnswered');
			assert.equal(seen.positionWhenLeft, 6, 'the answer came before the foreign push');
			assert.deepEqual(seen.conflicts, [], 'leaving changed nothing the user saw');
		});

		it('reports a conflict when the server stored something else than was sent, and none for a write stored as sent', async () => {
			server = await new FakeServer().listen();
			server.rewrite = (scribe) => (scribe.type === 'update'
				? { ...scribe, data: [scribe.data[0], { ...scribe.data[1], title: scribe.data[1].title.trim() }] }
				: scribe);
			server.append('Todo', 'create', { id: 'r', title: 'old' });
			const writer = await online();
			const todos = writer.collection('Todo');
			const conflicts = collect(writer, 'conflict');
			await todos.update('r', { title: 'plain' });
			await writer.whenSettled();
			assert.deepEqual(conflicts, []);
			await todos.update('r', { title: '  padded  ' });
			await writer.whenSettled();
			assert.deepEqual(todos.get('r'), { id: 'r', title: 'padded' });
			assert.deepEqual(conflicts, [{
				klass: 'Todo', id: 'r', scribe: 2, type: 'update', data: ['r', { title: '  padded  ' }],
				record: { id: 'r', title: 'padded' }, previous: { id: 'r', title: '  padded  ' },
			}]);
		});

		it('converges with concurrent writers and dropped connections: every client holds the server\'s records', async () => {
			server = await new FakeServer({ pushBatchSize: 4 }).listen();
			const writers = await Promise.all(['w1', 'w2', 'w3'].map((uid) => online({ client: uid })));
			let seed = 7;
			const random = (n) => {
				seed = (seed * 1103515245 + 12345) % 2147483648;
				return seed % n;
			};
			const writes = [];
			for (let round = 0; round < 40; round++) {
				for (const writer of writers) {
					const todos = writer.collection('Todo');
					const id = `r${random(4)}`;
					const choice = random(10);
					if (!todos.get(id)) {
						writes.push(todos.create({ id, title: `${writer.uid}.${round}`, n: round }));
					}
					else if (choice === 0) {
						writes.push(todos.destroy(id));
					}
					else {
						writes.push(todos.update(id, choice % 2 ? { title: `${writer.uid}.${round}` } : { n: round }));
					}
				}
				if (round % 10 === 5) {
					server.dropAll();
				}
				await sleep(random(3));
			}
			await Promise.all(writes);
			await waitFor(() => writers.every((writer) => writer.pendingWrites === 0 && writer.position === server.lastId),
				'every writer settled and caught up', 15000);
			const expected = [...(server.records.get('Todo')?.values() ?? [])].sort(byId);
			for (const writer of writers) {
				assert.deepEqual(writer.collection('Todo').all().sort(byId), expected, writer.uid);
			}
			assert.ok(server.connections > 3, 'connections were dropped');
		});
	});

	describe('batched pushes', () => {
		it('applies each add_scribes batch in order and answers the batches of a moment with one answer', async () => {
			server = await new FakeServer({ pushBatchSize: 3 }).listen();
			const reader = await online();
			const changes = collect(reader, 'change');
			for (let i = 1; i <= 7; i++) {
				server.append('Todo', 'create', { id: `t${i}`, n: i });
			}
			const session = server.session(reader.uid);
			await waitFor(() => session.pushReplies.length === 3, 'three answers');
			await roundTrip(reader);
			assert.deepEqual(session.pushReplies.map(({ scribes, reply }) => [scribes.map((scribe) => scribe.id), reply.result]),
				[[[3, 6, 9], true], [[12, 15, 18], true], [[21], true]]);
			const responses = server.received.filter((entry) => entry.message.type === 'response');
			assert.equal(responses.length, 1 + 1, 'the pull\'s answer and one answer to the last batch, which answers all three');
			assert.equal(reader.position, 21);
			assert.deepEqual(changes.map((change) => change.id), ['t1', 't2', 't3', 't4', 't5', 't6', 't7']);
		});

		it('answers at once when sixteen pushes wait for their answer, and the rest after a moment', async () => {
			server = await new FakeServer({ pushBatchSize: 1 }).listen();
			const reader = await online();
			const before = server.received.filter((entry) => entry.message.type === 'response').length;
			for (let i = 1; i <= 20; i++) {
				server.append('Todo', 'create', { id: `t${i}`, n: i });
			}
			const session = server.session(reader.uid);
			await waitFor(() => session.pushReplies.length === 20, 'every push answered');
			const answers = server.received.filter((entry) => entry.message.type === 'response').slice(before);
			assert.equal(answers.length, 2, 'after the 16th and after the last push');
			assert.equal(reader.collection('Todo').all().length, 20);
		});

		it('skips scribes at or below its position in a batch, reports a malformed one, and answers 400 a batch that is no array', async () => {
			server = await new FakeServer().listen();
			server.append('Todo', 'create', { id: 'a', title: 'A' });
			const reader = await online();
			const errors = collect(reader, 'error');
			const session = server.session(reader.uid);
			const reply = await session.pushBatch([
				{ id: 3, klass: 'Todo', type: 'destroy', data: ['a'] },
				{ id: 50, klass: 'Todo', type: 'rename', data: [] },
				{ id: 51, klass: 'Todo', type: 'update', data: ['a', { title: 'B' }] },
			]);
			assert.equal(reply.result, true);
			assert.deepEqual(reader.collection('Todo').get('a'), { id: 'a', title: 'B' });
			assert.equal(reader.position, 51);
			assert.equal(errors.length, 1);
			const bad = await session.request({ type: 'add_scribes', scribes: { id: 52 } });
			assert.equal(bad.code, 400);
			assert.equal(reader.position, 51);
		});
	});
});

function byId(a, b) {
	return String(a.id).localeCompare(String(b.id));
}
