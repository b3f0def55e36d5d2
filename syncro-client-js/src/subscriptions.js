/**
 * The client's subscriptions (protocol v2, PROTOCOL.md §8.7): named scopes of the server
 * that narrow a klass to a slice of its records. They are kept in the store, so they hold
 * offline and across restarts, and sent again on every connection; an unsubscribe made
 * offline waits in the store too, and goes on the next connection.
 * @module
 */

import { SyncroError } from './errors.js';

/**
 * @typedef {import('./connection.js').Connection} Connection
 * @typedef {import('./records.js').JsonValue} JsonValue
 *
 * @typedef {object} StoredSubscription one subscription as the store keeps it
 * @property {string} scope the scope's name
 * @property {Record<string, JsonValue>} params its parameters (a JSON copy)
 * @property {boolean} on true while subscribed; false for an unsubscribe the server has not
 *   answered yet
 * @property {boolean} [confirmed] whether the server accepted it once
 *
 * @typedef {object} SubscriptionsHost what the subscriptions need of their client
 * @property {(subscriptions: StoredSubscription[]) => Promise<void>} persist stores them
 * @property {(error: Error) => void} report an error that concerns no single call
 */

/** How long a subscribe may take, its records included. */
const SUBSCRIBE_TIMEOUT = 300000;

/**
 * One client's subscriptions, and the calls waiting for the server's answer to them.
 */
export class Subscriptions {
	/**
	 * @param {StoredSubscription[] | undefined} stored what the store held
	 * @param {SubscriptionsHost} host
	 */
	constructor(stored, host) {
		/** @private @type {Map<string, StoredSubscription>} by key, in the order made */
		this._entries = new Map((stored ?? []).map((entry) => [keyOf(entry.scope, entry.params), { ...entry }]));
		/** @private */ this._host = host;
		/** @private @type {Map<string, Array<{on: boolean, resolve: Function, reject: Function}>>} */
		this._waiters = new Map();
		/** @private @type {Connection | null} the v2 connection the entries were sent on */
		this._conn = null;
	}

	/**
	 * The scopes subscribed to.
	 * @returns {Array<{scope: string, params: Record<string, JsonValue>}>}
	 */
	list() {
		return [...this._entries.values()].filter((entry) => entry.on)
			.map((entry) => ({ scope: entry.scope, params: structuredClone(entry.params) }));
	}

	/**
	 * Subscribes to a scope, now if a v2 connection is open, else on the next one.
	 * @param {string} scope
	 * @param {Record<string, unknown>} params
	 * @returns {Promise<{klass: string}>} resolves once the scope's records are in
	 */
	subscribe(scope, params) {
		return this._change(scope, params, true);
	}

	/**
	 * Unsubscribes from a scope; the records no other subscription holds leave.
	 * @param {string} scope
	 * @param {Record<string, unknown>} params
	 * @returns {Promise<{klass: string} | null>} resolves once the server answered (null when
	 *   the scope is unknown to it)
	 */
	unsubscribe(scope, params) {
		return this._change(scope, params, false);
	}

	/**
	 * A v2 connection is open: every subscription, and every unsubscribe not yet answered,
	 * goes on it.
	 * @param {Connection} conn
	 */
	connected(conn) {
		this._conn = conn;
		for (const entry of this._entries.values()) {
			this._send(conn, entry);
		}
	}

	/**
	 * The connection speaks v1, which has no subscriptions: the calls waiting fail.
	 */
	unsupported() {
		this._failWaiting(new SyncroError(501, 'The server speaks protocol v1, which has no subscriptions.'));
	}

	/**
	 * The client closed: the calls waiting fail, as no connection will answer them (the
	 * subscriptions stay stored for the next client of the store).
	 * @param {Error} error
	 */
	closed(error) {
		this._failWaiting(error);
	}

	/** @private */
	_failWaiting(error) {
		this._conn = null;
		for (const [key, waiters] of this._waiters) {
			this._waiters.delete(key);
			for (const waiter of waiters) {
				waiter.reject(error);
			}
		}
	}

	/** @private */
	_change(scope, params, on) {
		if (typeof scope !== 'string' || scope.length === 0) {
			return Promise.reject(new TypeError('A scope is a non-empty string.'));
		}
		if (params === null || typeof params !== 'object' || Array.isArray(params)) {
			return Promise.reject(new TypeError("A scope's parameters are an object."));
		}
		const copy = JSON.parse(JSON.stringify(params));
		const key = keyOf(scope, copy);
		const entry = { scope, params: copy, on, confirmed: this._entries.get(key)?.confirmed ?? false };
		this._entries.delete(key);
		this._entries.set(key, entry);
		this._persist();
		const answered = new Promise((resolve, reject) => {
			const waiters = this._waiters.get(key) ?? [];
			waiters.push({ on, resolve, reject });
			this._waiters.set(key, waiters);
		});
		if (this._conn?.open) {
			this._send(this._conn, entry);
		}
		return answered;
	}

	/** @private */
	_send(conn, entry) {
		const key = keyOf(entry.scope, entry.params);
		const type = entry.on ? 'subscribe' : 'unsubscribe';
		conn.request({ type, scope: entry.scope, params: entry.params }, { timeout: SUBSCRIBE_TIMEOUT }).then(
			(reply) => this._answered(key, entry, reply.result ?? null, null),
			(error) => this._answered(key, entry, null, error));
	}

	/** @private */
	_answered(key, entry, result, error) {
		if (this._entries.get(key) !== entry) {
			// changed since: the newer change's own answer settles its callers
			return;
		}
		const refused = Number.isInteger(error?.code) && [400, 403, 404].includes(error.code);
		if (error && !refused) {
			// the connection dropped, or the answer timed out: sent again on the next connection
			return;
		}
		if (entry.on && !refused) {
			entry.confirmed = true;
		}
		else if (entry.on && entry.confirmed) {
			// refused now (the user left the list, say): unsubscribe, so that the klass holds
			// what the remaining subscriptions give
			const off = { ...entry, on: false };
			this._entries.set(key, off);
			if (this._conn?.open) {
				this._send(this._conn, off);
			}
		}
		else {
			this._entries.delete(key);
		}
		this._persist();
		const waiters = this._waiters.get(key) ?? [];
		this._waiters.delete(key);
		for (const waiter of waiters) {
			if (error && (waiter.on || error.code !== 404)) {
				waiter.reject(error);
			}
			else {
				waiter.resolve(result);
			}
		}
		if (refused && entry.on && !waiters.length) {
			this._host.report(error);
		}
	}

	/** @private */
	_persist() {
		this._host.persist([...this._entries.values()].map((entry) => ({ ...entry })));
	}
}

/** The key of a subscription: its scope and its parameters, keys sorted. */
function keyOf(scope, params) {
	return JSON.stringify([scope, canonical(params)]);
}

function canonical(value) {
	if (Array.isArray(value)) {
		return value.map(canonical);
	}
	if (value !== null && typeof value === 'object') {
		return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical(value[key])]));
	}
	return value;
}
