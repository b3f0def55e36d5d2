import { WebSocket } from 'ws';
import { Syncro } from '../../src/index.js';

/**
 * The protocol versions the behavioural suites run under: what is not about how one version
 * works must hold in both (the fake server speaks whichever the client asks for).
 */
export const PROTOCOLS = [1, 2];

/**
 * Polls until a condition holds; fails with a message when it does not within the time.
 * @param {() => unknown} condition
 * @param {string} [what] what is awaited, for the failure message
 * @param {number} [timeout]
 */
export async function waitFor(condition, what = 'a condition', timeout = 5000) {
	const deadline = Date.now() + timeout;
	for (;;) {
		const value = await condition();
		if (value) {
			return value;
		}
		if (Date.now() > deadline) {
			throw new Error(`Timed out waiting for ${what}`);
		}
		await sleep(5);
	}
}

export function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Opens a client on the fake server with fast retries.
 * @param {{url: string}} server
 * @param {object} [options] more Syncro options
 */
export function open(server, options = {}) {
	return Syncro.open({
		url: server.url,
		WebSocket,
		backoff: { initial: 5, max: 40 },
		requestTimeout: 3000,
		heartbeat: 0,
		...options,
	});
}

/** Collects what an emitter emits under a name. */
export function collect(emitter, event) {
	const seen = [];
	emitter.on(event, (payload) => seen.push(payload));
	return seen;
}
