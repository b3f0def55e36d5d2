/**
 * A minimal event emitter that runs in browsers and Node alike.
 * @module
 */

/**
 * Calls listeners by event name. A listener that throws does not stop the others nor the
 * client; its error is reported on the console.
 */
export class Emitter {
	constructor() {
		/** @private @type {Map<string, Set<Function>>} */
		this._listeners = new Map();
	}

	/**
	 * Adds a listener.
	 * @param {string} event the event name
	 * @param {Function} listener called with the event's payload
	 * @returns {() => void} a function that removes the listener again
	 */
	on(event, listener) {
		if (typeof listener !== 'function') {
			throw new TypeError('A listener must be a function.');
		}
		let set = this._listeners.get(event);
		if (!set) {
			set = new Set();
			this._listeners.set(event, set);
		}
		set.add(listener);
		return () => this.off(event, listener);
	}

	/**
	 * Removes a listener added with {@link Emitter#on}.
	 * @param {string} event the event name
	 * @param {Function} listener the listener
	 */
	off(event, listener) {
		this._listeners.get(event)?.delete(listener);
	}

	/**
	 * Calls every listener of an event with a payload.
	 * @param {string} event the event name
	 * @param {unknown} payload the payload
	 * @returns {boolean} whether any listener was called
	 */
	emit(event, payload) {
		const set = this._listeners.get(event);
		if (!set || set.size === 0) {
			return false;
		}
		for (const listener of [...set]) {
			try {
				listener(payload);
			}
			catch (error) {
				console.error(`A Syncro '${event}' listener threw`, error);
			}
		}
		return true;
	}
}
