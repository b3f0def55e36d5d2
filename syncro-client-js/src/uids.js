/**
 * Client uids: checking them, taking one with its lock, and the URL that carries one.
 * @module
 */

import { uuid } from './records.js';

/** A client uid: 1 to 64 characters of `[A-Za-z0-9_.:-]` (PROTOCOL.md §5.1). */
const UID = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * Whether a string is a valid client uid.
 * @param {unknown} uid
 * @returns {boolean}
 */
export function isValidUid(uid) {
	return typeof uid === 'string' && UID.test(uid);
}

/**
 * Takes the uid a client speaks for, with its lock: the given one, else a stored one whose
 * lock is free (so a closed tab's pending writes go out with the next tab), else a new one.
 * @param {import('./stores.js').Store} store
 * @param {string | undefined} client
 * @returns {Promise<{uid: string, release: () => Promise<void>}>}
 */
export async function claimUid(store, client) {
	if (client !== undefined && client !== null) {
		if (!isValidUid(client)) {
			throw new TypeError('A client uid is 1 to 64 characters of A-Z, a-z, 0-9, _ . : and -.');
		}
		const release = await store.lock(client);
		if (!release) {
			throw new Error(`The client uid '${client}' is in use by another Syncro client (another tab?).`);
		}
		return { uid: client, release };
	}
	for (const known of await store.clients()) {
		if (isValidUid(known)) {
			const release = await store.lock(known);
			if (release) {
				return { uid: known, release };
			}
		}
	}
	for (;;) {
		const uid = uuid();
		const release = await store.lock(uid);
		if (release) {
			return { uid, release };
		}
	}
}

/**
 * The WebSocket URL for a uid: relative URLs resolve against the page, http(s) becomes
 * ws(s), `client=<uid>` is set, and `v=<version>` asks for a protocol version above 1.
 * @param {string} url the endpoint
 * @param {string} uid the uid
 * @param {number} [version=1] the protocol version to ask for
 * @returns {string}
 */
export function clientUrl(url, uid, version = 1) {
	const resolved = new URL(url, globalThis.location?.href);
	if (resolved.protocol === 'http:') {
		resolved.protocol = 'ws:';
	}
	else if (resolved.protocol === 'https:') {
		resolved.protocol = 'wss:';
	}
	resolved.searchParams.set('client', uid);
	if (version > 1) {
		resolved.searchParams.set('v', String(version));
	}
	else {
		resolved.searchParams.delete('v');
	}
	return resolved.toString();
}
