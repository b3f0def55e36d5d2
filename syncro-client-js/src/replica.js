/**
 * A client's records in memory: what the server confirmed, the pending local scribes, and
 * the view the user sees. No I/O; the client stores and sends what it returns.
 * @module
 */

import { applyAll, applyScribe, freeze, jsonEqual, recordIdOf, scribeProblem } from './records.js';
import { recordKey } from './stores.js';

/**
 * @typedef {import('./records.js').Attributes} Attributes
 * @typedef {import('./records.js').Scribe} Scribe
 * @typedef {import('./stores.js').StoredState} StoredState
 *
 * @typedef {object} Change a record's view changed
 * @property {string} klass
 * @property {string | number} id
 * @property {Attributes | null} before
 * @property {Attributes | null} after
 *
 * @typedef {{klass: string, id: string | number, record: Attributes | null}} ConfirmedEntry
 */

/**
 * Per record, a *confirmed* copy (the server's view: remote scribes applied, and in protocol
 * v1 own scribes applied once acknowledged) and the *pending* local scribes; the *view* is
 * the confirmed copy with the record's pending scribes applied on top. Refusing a scribe
 * drops it from the pending ones, which rolls the view back to the server's state plus the
 * other pending ones. In protocol v2 the server echoes own scribes, so the confirmed copy
 * changes only through the server's scribes and an own scribe that landed just leaves.
 */
export class Replica {
	/**
	 * @param {StoredState} state what the store holds
	 */
	constructor(state) {
		/** Pending local scribes, oldest first. @type {Scribe[]} */
		this.pending = state.scribes.map((scribe) => freeze(scribe)).sort((a, b) => a.id - b.id);
		/** The id the next local scribe gets. @type {number} */
		this.nextScribeId = Math.max(state.nextScribeId, (this.pending.at(-1)?.id ?? 0) + 1);
		/** The highest server scribe id applied, or null. @type {number | null} */
		this.position = state.position;
		/** @private @type {Map<string, Map<string, Attributes>>} */
		this._confirmed = new Map();
		/** @private @type {Map<string, Map<string, Attributes>>} */
		this._view = new Map();
		for (const entry of state.records) {
			const record = freeze(entry.record);
			setIn(this._confirmed, entry.klass, entry.id, record);
			setIn(this._view, entry.klass, entry.id, record);
		}
		for (const scribe of this.pending) {
			const id = recordIdOf(scribe);
			setIn(this._view, scribe.klass, id, applyScribe(this.get(scribe.klass, id), scribe));
		}
	}

	/**
	 * A record as the user sees it.
	 * @param {string} klass
	 * @param {string | number} id
	 * @returns {Attributes | null}
	 */
	get(klass, id) {
		return getIn(this._view, klass, id);
	}

	/**
	 * Every record of a class as the user sees it, in the order they appeared.
	 * @param {string} klass
	 * @returns {Attributes[]}
	 */
	all(klass) {
		return [...(this._view.get(klass)?.values() ?? [])];
	}

	/**
	 * Records a local change as a new pending scribe with the next id.
	 * @param {string} klass
	 * @param {'create' | 'update' | 'destroy'} type
	 * @param {any} data
	 * @returns {{scribe: Scribe, change: Change}}
	 */
	record(klass, type, data) {
		const scribe = freeze({ id: this.nextScribeId++, klass, type, data });
		this.pending.push(scribe);
		const id = recordIdOf(scribe);
		const before = this.get(klass, id);
		const after = applyScribe(before, scribe);
		setIn(this._view, klass, id, after);
		return { scribe, change: { klass, id, before, after } };
	}

	/**
	 * Applies scribes from the server in order, skipping those at or below the position and
	 * moving past malformed ones.
	 * @param {unknown[]} scribes
	 * @returns {{moved: boolean, records: ConfirmedEntry[], changes: Change[], problems: string[]}}
	 *   whether the position moved, the confirmed records to store, the view's changes, and
	 *   what was wrong with the scribes skipped
	 */
	applyRemote(scribes) {
		const start = this.position;
		const records = new Map();
		const changes = [];
		const problems = [];
		for (const scribe of scribes) {
			const problem = scribeProblem(scribe);
			if (problem) {
				problems.push(problem);
				if (Number.isSafeInteger(scribe?.id) && scribe.id > (this.position ?? 0)) {
					// move past it, or the next sync would return it again
					this.position = scribe.id;
				}
				continue;
			}
			if (this.position !== null && scribe.id <= this.position) {
				continue;
			}
			this.position = scribe.id;
			const id = recordIdOf(scribe);
			const confirmed = applyScribe(getIn(this._confirmed, scribe.klass, id), scribe);
			setIn(this._confirmed, scribe.klass, id, confirmed);
			records.set(recordKey(scribe.klass, id), { klass: scribe.klass, id, record: confirmed });
			pushChange(changes, this._refresh(scribe.klass, id));
		}
		return { moved: this.position !== start, records: [...records.values()], changes, problems };
	}

	/**
	 * The server acknowledged a pending scribe: it joins the confirmed state.
	 * @param {number} scribeId
	 * @returns {{scribe: Scribe, confirmed: ConfirmedEntry, change: Change | null} | null} null
	 *   when the scribe is not pending
	 */
	accept(scribeId) {
		const scribe = this._take(scribeId);
		if (!scribe) {
			return null;
		}
		const id = recordIdOf(scribe);
		const record = applyScribe(getIn(this._confirmed, scribe.klass, id), scribe);
		setIn(this._confirmed, scribe.klass, id, record);
		return { scribe, confirmed: { klass: scribe.klass, id, record }, change: this._refresh(scribe.klass, id) };
	}

	/**
	 * The server refused a pending scribe for good: it is dropped and the view rolls back.
	 * @param {number} scribeId
	 * @returns {{scribe: Scribe, record: Attributes | null, change: Change | null} | null} the
	 *   record as seen after the rollback; null when the scribe is not pending
	 */
	refuse(scribeId) {
		return this._drop(scribeId);
	}

	/**
	 * A pending scribe landed in the server's log and its echo was applied (protocol v2): it
	 * leaves without touching the confirmed copy, so the view shows what the server made of it.
	 * @param {number} scribeId
	 * @returns {{scribe: Scribe, record: Attributes | null, change: Change | null} | null} the
	 *   record as seen now; null when the scribe is not pending
	 */
	leave(scribeId) {
		return this._drop(scribeId);
	}

	/** @private */
	_drop(scribeId) {
		const scribe = this._take(scribeId);
		if (!scribe) {
			return null;
		}
		const id = recordIdOf(scribe);
		const change = this._refresh(scribe.klass, id);
		return { scribe, record: this.get(scribe.klass, id), change };
	}

	/** @private */
	_take(scribeId) {
		const index = this.pending.findIndex((scribe) => scribe.id === scribeId);
		return index < 0 ? null : this.pending.splice(index, 1)[0];
	}

	/**
	 * Recomputes a record's view from its confirmed copy and pending scribes.
	 * @private
	 * @returns {Change | null} the change, if the view changed
	 */
	_refresh(klass, id) {
		const before = this.get(klass, id);
		const key = String(id);
		const pending = this.pending.filter((scribe) => scribe.klass === klass && String(recordIdOf(scribe)) === key);
		const after = applyAll(getIn(this._confirmed, klass, id), pending);
		if (jsonEqual(before, after)) {
			return null;
		}
		setIn(this._view, klass, id, after);
		return { klass, id, before, after };
	}
}

function pushChange(changes, change) {
	if (change) {
		changes.push(change);
	}
}

function getIn(map, klass, id) {
	return map.get(klass)?.get(String(id)) ?? null;
}

function setIn(map, klass, id, record) {
	let records = map.get(klass);
	if (record === null) {
		records?.delete(String(id));
		return;
	}
	if (!records) {
		records = new Map();
		map.set(klass, records);
	}
	records.set(String(id), record);
}
