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
 * When the server's log names another history than the one the position is of, the
 * confirmed copy and the position are dropped ({@link Replica#reset}) and rebuilt by a sync
 * from nothing; the pending scribes stay.
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
		/** The history of the server's log the position is of, or null. @type {string | null} */
		this.epoch = state.epoch ?? null;
		/** The highest own scribe id the server is known to have settled. @type {number} */
		this.serverMark = state.serverMark ?? 0;
		/** How many resets there were, so that the answer to a sync sent before one is dropped. */
		this.resets = 0;
		/** @private @type {Map<string, {klass: string, id: string | number}>} records the user
		 * saw when the confirmed copy was dropped, until a sync from nothing caught up */
		this._stale = new Map();
		/** @private @type {Map<string, Map<string, Attributes>>} */
		this._confirmed = new Map();
		/** @private @type {Map<string, Set<string>>} per klass being sent again for the
		 * subscriptions (§8.7), the ids of its confirmed records nothing has touched since */
		this._untouched = new Map();
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
			this._untouched.get(scribe.klass)?.delete(String(id));
			const confirmed = applyScribe(getIn(this._confirmed, scribe.klass, id), scribe);
			setIn(this._confirmed, scribe.klass, id, confirmed);
			records.set(recordKey(scribe.klass, id), { klass: scribe.klass, id, record: confirmed });
			pushChange(changes, this._refresh(scribe.klass, id));
		}
		return { moved: this.position !== start, records: [...records.values()], changes, problems };
	}

	/**
	 * A batch of the records of a klass that the subscriptions give (protocol v2,
	 * `records`): each replaces the confirmed copy. The first batch starts over: once the
	 * last is in, the confirmed records of the klass that neither a batch nor a scribe
	 * touched meanwhile leave.
	 * @param {string} klass
	 * @param {boolean} first whether the batch starts over
	 * @param {unknown[]} batch every attribute of each record
	 * @param {boolean} last whether no batch follows
	 * @returns {{records: ConfirmedEntry[], changes: Change[], problems: string[]}}
	 */
	applyRecords(klass, first, batch, last) {
		if (first || !this._untouched.has(klass)) {
			this._untouched.set(klass, new Set(this._confirmed.get(klass)?.keys() ?? []));
		}
		const untouched = this._untouched.get(klass);
		const records = [];
		const changes = [];
		const problems = [];
		for (const attributes of batch) {
			const id = attributes?.id;
			if (attributes === null || typeof attributes !== 'object' || Array.isArray(attributes)
				|| (typeof id !== 'string' && typeof id !== 'number')) {
				problems.push('A record sent for a subscription needs an id.');
				continue;
			}
			untouched.delete(String(id));
			const record = freeze({ ...attributes });
			setIn(this._confirmed, klass, id, record);
			records.push({ klass, id, record });
			pushChange(changes, this._refresh(klass, id));
		}
		if (last) {
			this._untouched.delete(klass);
			for (const key of untouched) {
				const id = getIn(this._confirmed, klass, key)?.id ?? key;
				setIn(this._confirmed, klass, key, null);
				records.push({ klass, id, record: null });
				pushChange(changes, this._refresh(klass, key));
			}
		}
		return { records, changes, problems };
	}

	/**
	 * The confirmed copies of a klass's records: the server's state as this client holds it.
	 * @param {string} klass
	 * @returns {Attributes[]}
	 */
	confirmedOf(klass) {
		return [...(this._confirmed.get(klass)?.values() ?? [])];
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

	/**
	 * The server expects own scribe `from` next, and the pending scribes from there on start
	 * above it: the server forgot the scribes it had settled from `from` on (it expired this
	 * uid, or was set back to a backup), so it would answer every one of them 409 for good.
	 * Renumbers them consecutively from `from`, in their order, and numbers new scribes after
	 * them. The view does not change.
	 * @param {number} from the id the server expects next
	 * @returns {{scribes: Scribe[], removed: number[]} | null} the renumbered scribes, and the
	 *   ids they had that none of them has now; null when nothing was renumbered (scribe
	 *   `from` is pending, or no pending scribe is above it)
	 */
	renumber(from) {
		const index = this.pending.findIndex((scribe) => scribe.id >= from);
		if (index < 0 || this.pending[index].id === from) {
			return null;
		}
		const old = this.pending.slice(index);
		const scribes = old.map((scribe, i) => freeze({ ...scribe, id: from + i }));
		this.pending.splice(index, old.length, ...scribes);
		this.nextScribeId = from + scribes.length;
		const reused = new Set(scribes.map((scribe) => scribe.id));
		return { scribes, removed: old.map((scribe) => scribe.id).filter((id) => !reused.has(id)) };
	}

	/**
	 * The server settled an own scribe (played or refused it): its mark is at least there.
	 * @param {number} scribeId
	 */
	settled(scribeId) {
		this.serverMark = Math.max(this.serverMark, scribeId);
	}

	/**
	 * Forgets the server's state, whose history changed (what it confirmed may not exist any
	 * more): drops the confirmed copy of every record and the position, and keeps the pending
	 * scribes. The view stays as it is until a sync from nothing catches up
	 * ({@link Replica#caughtUp}), so the records the server still has do not blink.
	 * @returns {ConfirmedEntry[]} the confirmed records to delete from the store
	 */
	reset() {
		const records = [];
		for (const [klass, byId] of this._confirmed) {
			for (const [key, record] of byId) {
				records.push({ klass, id: record.id ?? key, record: null });
			}
		}
		for (const [klass, byId] of this._view) {
			for (const [key, record] of byId) {
				this._stale.set(recordKey(klass, key), { klass, id: record.id ?? key });
			}
		}
		this._confirmed.clear();
		this._untouched.clear();
		this.position = null;
		this.resets++;
		return records;
	}

	/**
	 * A sync caught up with the server's log: after a reset, the records it did not bring back
	 * leave the view, except what pending scribes keep.
	 * @returns {Change[]} the view's changes
	 */
	caughtUp() {
		const changes = [];
		for (const { klass, id } of this._stale.values()) {
			pushChange(changes, this._refresh(klass, id));
		}
		this._stale.clear();
		return changes;
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
