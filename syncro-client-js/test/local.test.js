import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { MemoryStore } from '../src/index.js';
import { FakeServer } from './support/fake-server.js';
import { collect, open, PROTOCOLS, waitFor } from './support/helpers.js';

for (const protocol of PROTOCOLS) describe(`local writes, protocol ${protocol}`, () => {
	let server;
	let client;

	beforeEach(async () => {
		server = await new FakeServer().listen();
		client = await open(server, { protocol, store: new MemoryStore() });
	});

	afterEach(async () => {
		await client?.close();
		await server.stop();
	});

	it('applies a create at once, with a generated UUID id, and fires change on the client and the collection', async () => {
		const todos = client.collection('Todo');
		const changes = collect(client, 'change');
		const todoChanges = collect(todos, 'change');
		const written = todos.create({ title: 'Write tests', done: false });
		// synchronously visible, before the store write finished
		assert.equal(todos.all().length, 1);
		const [todo] = todos.all();
		assert.match(todo.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
		assert.deepEqual(todos.get(todo.id), { title: 'Write tests', done: false, id: todo.id });
		assert.deepEqual(changes, [{ klass: 'Todo', id: todo.id, type: 'create', record: todo, previous: null, source: 'local' }]);
		assert.deepEqual(todoChanges, changes);
		assert.deepEqual(await written, todo);
	});

	it('keeps a given id, and refuses to create a record that exists', async () => {
		const todos = client.collection('Todo');
		await todos.create({ id: 'a', title: 'A' });
		assert.equal(todos.get('a').title, 'A');
		await assert.rejects(todos.create({ id: 'a', title: 'again' }), /exists already/);
	});

	it('applies an update at once, records only the changed attributes, and records nothing for no change', async () => {
		const todos = client.collection('Todo');
		await todos.create({ id: 't', title: 'Old', done: false, tags: ['x'] });
		const changes = collect(client, 'change');
		const updated = todos.update('t', { title: 'New', done: false, tags: ['x'] });
		assert.equal(todos.get('t').title, 'New');
		assert.equal(changes.length, 1);
		assert.equal(changes[0].type, 'update');
		assert.equal(changes[0].previous.title, 'Old');
		assert.equal(changes[0].source, 'local');
		await updated;
		await client.whenSettled();
		assert.deepEqual(server.record('Todo', 't'), { id: 't', title: 'New', done: false, tags: ['x'] });
		const update = server.scribesReceived.find((entry) => entry.scribe.type === 'update').scribe;
		assert.deepEqual(update, { id: 2, klass: 'Todo', type: 'update', data: ['t', { title: 'New' }] });

		const before = client.pendingWrites;
		const same = await todos.update('t', { title: 'New' });
		assert.equal(same.title, 'New');
		assert.equal(client.pendingWrites, before, 'an update that changes nothing records no scribe');
		assert.equal(changes.length, 1);
	});

	it('applies a destroy at once and fires a destroy change; destroying a missing record does nothing', async () => {
		const todos = client.collection('Todo');
		await todos.create({ id: 'gone', title: 'Bye' });
		const changes = collect(todos, 'change');
		const destroyed = todos.destroy('gone');
		assert.equal(todos.get('gone'), undefined);
		assert.deepEqual(changes.map((c) => [c.type, c.record, c.source]), [['destroy', null, 'local']]);
		await destroyed;
		await todos.destroy('gone');
		assert.equal(changes.length, 1);
	});

	it('rejects an update of a missing record and a change of id', async () => {
		const todos = client.collection('Todo');
		await assert.rejects(todos.update('nope', { title: 'x' }), /no Todo 'nope'/);
		await todos.create({ id: 'k', title: 'K' });
		await assert.rejects(todos.update('k', { id: 'other' }), /cannot change/);
	});

	it('hands out frozen records that cannot be changed in place', async () => {
		const todos = client.collection('Todo');
		const todo = await todos.create({ title: 'Frozen', tags: ['a'] });
		assert.throws(() => {
			todo.title = 'changed';
		}, TypeError);
		assert.throws(() => todo.tags.push('b'), TypeError);
		assert.equal(todos.get(todo.id).title, 'Frozen');
	});

	it('keeps collections apart and returns one collection object per class', async () => {
		assert.equal(client.collection('Todo'), client.collection('Todo'));
		await client.collection('Todo').create({ id: 'same', title: 'todo' });
		await client.collection('Note').create({ id: 'same', text: 'note' });
		assert.equal(client.collection('Todo').get('same').title, 'todo');
		assert.equal(client.collection('Note').get('same').text, 'note');
		assert.equal(client.collection('Todo').all().length, 1);
	});

	it('counts pending writes down to 0 as the server acknowledges them, with an event per change', async () => {
		await client.whenOnline();
		const counts = collect(client, 'pendingWrites');
		const todos = client.collection('Todo');
		await Promise.all([todos.create({ title: 'one' }), todos.create({ title: 'two' }), todos.create({ title: 'three' })]);
		await waitFor(() => client.pendingWrites === 0, 'every write acknowledged');
		assert.deepEqual(counts.slice(0, 3), [1, 2, 3]);
		assert.equal(counts.at(-1), 0);
		for (let i = 1; i < counts.length; i++) {
			assert.equal(Math.abs(counts[i] - counts[i - 1]), 1);
		}
		assert.equal(server.records.get('Todo').size, 3);
	});
});
