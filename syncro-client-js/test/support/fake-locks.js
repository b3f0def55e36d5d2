/**
 * A LockManager with the part of the Web Locks API the IndexedDB store uses:
 * `request(name, { ifAvailable: true }, callback)`, held until the callback's promise settles.
 * Node 20 has no `navigator.locks`.
 */
export class FakeLockManager {
	constructor() {
		this.held = new Set();
	}

	async request(name, options, callback) {
		// browsers call the callback in a later task, never within request()
		await null;
		if (this.held.has(name)) {
			if (options.ifAvailable) {
				return callback(null);
			}
			throw new Error('This fake only grants free locks.');
		}
		this.held.add(name);
		try {
			return await callback({ name, mode: 'exclusive' });
		}
		finally {
			this.held.delete(name);
		}
	}
}
