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

function scribes(count) {
	return Array.from({ length: count }, (_, i) => ({ id: i + 1, klass: 'Todo', type: 'create', data: { id: `t${i + 1}` } }));
}

function pusherOf(pending, conn = fakeConnection()) {
	const outcomes = [];
	const leave = (scribeId) => pending.splice(pending.findIndex((scribe) => scribe.id === scribeId), 1);
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
		report: (error) => outcomes.push(['report', error.message]),
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
