/**
 * The records of one synchronised class, as a client sees them.
 * @module
 */

import { Emitter } from './emitter.js';
import { isPlainObject, isRecordId, jsonEqual, toJson, uuid } from './records.js';

/**
 * @typedef {import('./records.js').Attributes} Attributes
 * @typedef {import('./records.js').AnyRecord} AnyRecord
 * @typedef {import('./client.js').ChangeEvent} ChangeEvent
 */

/**
 * One class's records (`client.collection('Todo')`). Writes apply to the local state at
 * once, fire `change` synchronously, and go into the local scribe log; their promises
 * resolve when the scribe is stored (not when the server acknowledged it: see
 * `client.pendingWrites` and the client's `refused` event).
 */
export class Collection {
	/**
	 * Use `client.collection(klass)`, which makes one per class.
	 * @private
	 * @param {import('./client.js').Syncro} client
	 * @param {string} klass
	 */
	constructor(client, klass) {
		/** @private */
		this._client = client;
		/** @private */
		this._events = new Emitter();
		/** The synchronised class's name. @type {string} */
		this.klass = klass;
	}

	/**
	 * Creates a record. Its `id` is a new UUID unless `attrs` has one.
	 * @param {Attributes} attrs the attributes (JSON values)
	 * @returns {Promise<Readonly<AnyRecord>>} the record, once its scribe is stored
	 */
	create(attrs = {}) {
		if (!isPlainObject(attrs)) {
			return Promise.reject(new TypeError('create needs an object of attributes.'));
		}
		const data = toJson(attrs);
		if (data.id === undefined || data.id === null) {
			data.id = uuid();
		}
		if (!isRecordId(data.id)) {
			return Promise.reject(new TypeError('A record id must be a non-empty string or a number.'));
		}
		if (this.get(data.id)) {
			return Promise.reject(new Error(`${this.klass} '${data.id}' exists already; update it instead.`));
		}
		return this._client._write(this.klass, 'create', data);
	}

	/**
	 * Changes attributes of a record. Only the attributes whose values differ go into the
	 * scribe; a change that changes nothing records nothing.
	 * @param {string | number} id the record's id
	 * @param {Attributes} changes the attributes to set
	 * @returns {Promise<Readonly<AnyRecord>>} the record, once its scribe is stored
	 */
	update(id, changes) {
		if (!isPlainObject(changes)) {
			return Promise.reject(new TypeError('update needs an object of changes.'));
		}
		const current = this.get(id);
		if (!current) {
			return Promise.reject(new Error(`There is no ${this.klass} '${id}'.`));
		}
		const json = toJson(changes);
		if ('id' in json && !jsonEqual(json.id, current.id)) {
			return Promise.reject(new Error('A record id cannot change.'));
		}
		const diff = {};
		for (const [name, value] of Object.entries(json)) {
			if (name !== 'id' && !jsonEqual(current[name], value)) {
				diff[name] = value;
			}
		}
		if (Object.keys(diff).length === 0) {
			return Promise.resolve(current);
		}
		return this._client._write(this.klass, 'update', [current.id, diff]);
	}

	/**
	 * Destroys a record; destroying a record that does not exist does nothing.
	 * @param {string | number} id the record's id
	 * @returns {Promise<void>} resolves once the scribe is stored
	 */
	destroy(id) {
		const current = this.get(id);
		if (!current) {
			return Promise.resolve();
		}
		return this._client._write(this.klass, 'destroy', [current.id]).then(() => undefined);
	}

	/**
	 * A record as this client sees it (the server's state with the pending local changes).
	 * @param {string | number} id the record's id
	 * @returns {Readonly<AnyRecord> | undefined} the frozen record, or undefined
	 */
	get(id) {
		return this._client._get(this.klass, id);
	}

	/**
	 * Every record of the class as this client sees it, in the order they first appeared.
	 * @returns {Readonly<AnyRecord>[]}
	 */
	all() {
		return this._client._all(this.klass);
	}

	/**
	 * Listens to changes of this class's records (`'change'`, as the client's).
	 * @param {'change'} event
	 * @param {(change: ChangeEvent) => void} listener
	 * @returns {() => void} removes the listener
	 */
	on(event, listener) {
		return this._events.on(event, listener);
	}

	/**
	 * Removes a listener.
	 * @param {'change'} event
	 * @param {(change: ChangeEvent) => void} listener
	 */
	off(event, listener) {
		this._events.off(event, listener);
	}

	/** @package */
	_emit(event, payload) {
		this._events.emit(event, payload);
	}
}
