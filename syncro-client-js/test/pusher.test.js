import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backoff } from '../src/backoff.js';
import { SyncroError } from '../src/errors.js';
import { Pusher } from '../src/pusher.js';

/** A connection that records requests and lets the test answer them, as Connection does. */
function fakeConnection() {
	return {
		open: true,
		closed: false,
		sent: [],
		request(message, options = {}) {
			return new Promise((resolve, reject) => this.sent.push({
				message,
				resolve: (reply) => {
					options.process?.(reply);
					resolve(reply);
				},
				reject,
			}));
		},
	};
}

function scribes(count, first = 1) {
	return Array.from({ length: count }, (_, i) => ({ id: first + i, klass: 'Todo', type: 'create', data: { id: `t${first + i}` } }));
}

function pusherOf(pending, conn = fakeConnection()) {
	const outcomes = [];
	const leave = (scribeId) => pending.splice(pending.findIndex((scribe) => scribe.id === scribeId), 1);
	// as the client does, storing at once
	const renumber = (expected) => {
		const index = pending.findIndex((scribe) => scribe.id >= expected);
		if (index < 0 || pending[index].id === expected) {
			return false;
		}
		outcomes.push(['renumbered', expected]);
		pending.splice(index, pending.length, ...pending.slice(index).map((scribe, i) => ({ ...scribe, id: expected + i })));
		pusher.renumbered(expected);
		pusher.pump();
		return true;
	};
	const pusher = new Pusher(conn, {
		pending: () => pending,
		storedUpTo: () => pending.at(-1)?.id ?? 0,
		onItsWay: () => false,
		acknowledged: (scribeId) => {
			outcomes.push(['acknowledged', scribeId]);
			leave(scribeId);
		},
		refused: (scribeId, code) => {
			outcomes.push(['refused', scribeId, code]);
			leave(scribeId);
		},
		renumber,
	}, new Backoff({ initial: 1, max: 1 }));
	return { pusher, conn, outcomes };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Pusher (own scribes by add_scribe)', () => {
	it('sends nothing before it is started, then at most 100 at once, the next as answers come', async () => {
		const { pusher, conn, outcomes } = pusherOf(scribes(101));
		pusher.pump();
		assert.equal(conn.sent.length, 0);
		pusher.start();
		assert.equal(conn.sent.length, 100);
		conn.sent[0].resolve({ type: 'response', result: true });
		await settle();
		assert.deepEqual(outcomes, [['acknowledged', 1]]);
		assert.deepEqual(conn.sent.map((request) => request.message.scribe.id).slice(-1), [101]);
	});

	it('starts over from the oldest pending scribe after a 409', async () => {
		const { pusher, conn } = pusherOf(scribes(3));
		pusher.start();
		conn.sent[1].reject(new SyncroError(409, 'Out of order.', { expected: 1 }));
		await settle();
		assert.deepEqual(conn.sent.map((request) => request.message.scribe.id), [1, 2, 3, 1, 2, 3]);
	});

	it('renumbers instead of starting over when a 409 expects a scribe it no longer holds, and ignores answers to the old ids', async () => {
		// the server's mark went back to 40 while this client held 57 to 59
		const { pusher, conn, outcomes } = pusherOf(scribes(3, 57));
		pusher.start();
		conn.sent[0].reject(new SyncroError(409, 'Out of order.', { expected: 41 }));
		await settle();
		assert.deepEqual(conn.sent.map((request) => request.message.scribe.id), [57, 58, 59, 41, 42, 43]);
		assert.deepEqual(conn.sent.slice(3).map((request) => request.message.scribe.data.id), ['t57', 't58', 't59'], 'in their order');
		// answers to pushes under the old ids speak of other scribes now
		conn.sent[1].reject(new SyncroError(409, 'Out of order.', { expected: 41 }));
		conn.sent[2].resolve({ type: 'response', result: true });
		await settle();
		assert.equal(conn.sent.length, 6, 'nothing sent again');
		for (const request of conn.sent.slice(3)) {
			request.resolve({ type: 'response', result: true });
		}
		await settle();
		assert.deepEqual(outcomes, [['renumbered', 41], ['acknowledged', 41], ['acknowledged', 42], ['acknowledged', 43]]);
	});

	it('starts over from the id a 409 expects when it holds that scribe: one was lost on the way', async () => {
		const { pusher, conn, outcomes } = pusherOf(scribes(3, 5));
		pusher.start();
		conn.sent[1].reject(new SyncroError(409, 'Out of order.', { expected: 5 }));
		await settle();
		assert.deepEqual(conn.sent.map((request) => request.message.scribe.id), [5, 6, 7, 5, 6, 7]);
		assert.deepEqual(outcomes, []);
	});

	it('hands a final refusal over and carries on with the others', async () => {
		const { pusher, conn, outcomes } = pusherOf(scribes(2));
		pusher.start();
		conn.sent[0].reject(new SyncroError(403, 'No.'));
		conn.sent[1].resolve({ type: 'response', result: true });
		await settle();
		assert.deepEqual(outcomes.sort(), [['acknowledged', 2], ['refused', 1, 403]]);
		assert.equal(conn.sent.length, 2, 'a refused scribe is not sent again');
	});
});
