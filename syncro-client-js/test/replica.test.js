import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Replica } from '../src/replica.js';

const empty = () => new Replica({ nextScribeId: 1, position: null, records: [], scribes: [] });

describe('Replica (confirmed copies, pending scribes, the view)', () => {
	it('shows a pending change at once and keeps it on top of remote changes to the record', () => {
		const replica = empty();
		replica.applyRemote([{ id: 5, klass: 'Todo', type: 'create', data: { id: 'a', title: 'A', done: false } }]);
		const { scribe, change } = replica.record('Todo', 'update', ['a', { done: true }]);
		assert.equal(scribe.id, 1);
		assert.deepEqual(change.after, { id: 'a', title: 'A', done: true });
		const remote = replica.applyRemote([{ id: 8, klass: 'Todo', type: 'update', data: ['a', { title: 'B', done: false }] }]);
		assert.deepEqual(replica.get('Todo', 'a'), { id: 'a', title: 'B', done: true }, 'the pending done stays on top');
		assert.deepEqual(remote.changes.map((c) => c.after), [{ id: 'a', title: 'B', done: true }]);
		assert.equal(replica.position, 8);
	});

	it('rolls a refused scribe back to the confirmed copy with the other pending scribes on top', () => {
		const replica = empty();
		replica.applyRemote([{ id: 1, klass: 'Todo', type: 'create', data: { id: 'a', title: 'A', done: false } }]);
		replica.record('Todo', 'update', ['a', { title: 'refused' }]);
		replica.record('Todo', 'update', ['a', { done: true }]);
		const refused = replica.refuse(1);
		assert.deepEqual(refused.record, { id: 'a', title: 'A', done: true });
		assert.deepEqual(refused.change.before, { id: 'a', title: 'refused', done: true });
		assert.equal(replica.refuse(1), null, 'a scribe is refused once');
		const accepted = replica.accept(2);
		assert.deepEqual(accepted.confirmed, { klass: 'Todo', id: 'a', record: { id: 'a', title: 'A', done: true } });
		assert.equal(accepted.change, null, 'accepting changes nothing that is seen');
		assert.deepEqual(replica.pending, []);
	});

	it('skips scribes at or below its position and moves past malformed ones', () => {
		const replica = empty();
		replica.applyRemote([{ id: 4, klass: 'Todo', type: 'create', data: { id: 'a', n: 1 } }]);
		const result = replica.applyRemote([
			{ id: 4, klass: 'Todo', type: 'update', data: ['a', { n: 2 }] },
			{ id: 6, klass: 'Todo', type: 'rename', data: [] },
			{ id: 2, klass: 'Todo', type: 'destroy', data: ['a'] },
		]);
		assert.equal(result.moved, true);
		assert.equal(replica.position, 6);
		assert.equal(result.problems.length, 1);
		assert.deepEqual(replica.get('Todo', 'a'), { id: 'a', n: 1 });
	});

	it('rebuilds the view from stored confirmed records and pending scribes, numbering on after the newest', () => {
		const replica = new Replica({
			nextScribeId: 2,
			position: 9,
			records: [{ klass: 'Todo', id: 'a', record: { id: 'a', title: 'A' } }, { klass: 'Todo', id: 'b', record: { id: 'b' } }],
			scribes: [
				{ id: 3, klass: 'Todo', type: 'destroy', data: ['b'] },
				{ id: 2, klass: 'Todo', type: 'update', data: ['a', { title: 'mine' }] },
			],
		});
		assert.deepEqual(replica.all('Todo'), [{ id: 'a', title: 'mine' }]);
		assert.deepEqual(replica.pending.map((s) => s.id), [2, 3]);
		assert.equal(replica.nextScribeId, 4, 'never below a stored scribe');
	});
});
