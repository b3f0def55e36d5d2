import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backoff, backoffDelay } from '../src/index.js';

describe('backoff', () => {
	it('doubles its ceiling per attempt up to the maximum', () => {
		const top = { initial: 100, max: 1000, random: () => 0 };
		assert.deepEqual([0, 1, 2, 3, 4, 5, 20].map((n) => backoffDelay(n, top)), [100, 200, 400, 800, 1000, 1000, 1000]);
	});

	it('draws each delay from the upper half of its ceiling by default (jitter)', () => {
		const lowest = { initial: 100, max: 1000, random: () => 0.999999 };
		assert.deepEqual([0, 1, 2, 3, 4].map((n) => backoffDelay(n, lowest)), [50, 100, 200, 400, 500]);
		const middle = { initial: 100, max: 1000, random: () => 0.5 };
		assert.equal(backoffDelay(2, middle), 300);
	});

	it('spreads delays of clients retrying at the same attempt', () => {
		const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(3, { initial: 100, max: 10000 })));
		assert.ok(delays.size > 1, 'jitter makes delays differ');
		for (const delay of delays) {
			assert.ok(delay >= 400 && delay <= 800, `${delay} within [400, 800]`);
		}
	});

	it('grows with each next() and starts over after reset()', () => {
		const backoff = new Backoff({ initial: 10, max: 80, random: () => 0 });
		assert.deepEqual([backoff.next(), backoff.next(), backoff.next(), backoff.next(), backoff.next()], [10, 20, 40, 80, 80]);
		assert.equal(backoff.attempt, 5);
		backoff.reset();
		assert.equal(backoff.attempt, 0);
		assert.equal(backoff.next(), 10);
	});

	it('uses 500 ms doubling up to 30 s when not configured', () => {
		const backoff = new Backoff({ random: () => 0 });
		const delays = Array.from({ length: 10 }, () => backoff.next());
		assert.deepEqual(delays, [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
	});

	it('has no jitter when jitter is 0', () => {
		assert.equal(backoffDelay(1, { initial: 100, jitter: 0, random: () => 0.7 }), 200);
	});
});
