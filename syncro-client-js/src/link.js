/**
 * What a client tracks per connection.
 * @module
 */

/**
 * One connection and its parts: the pusher of own scribes, the answers to the server's
 * pull, the landings of own scribes (protocol v2), and the pings. A new connection starts
 * with a new one.
 */
export class Link {
	constructor() {
		/** @type {import('./connection.js').Connection | null} */
		this.conn = null;
		/** The protocol version spoken: set by the server's `hello` (v2), or 1 when its pull
		 * comes first; null before either. @type {number | null} */
		this.version = null;
		/** Set once the connection speaks v2. @type {import('./landing.js').Landing | null} */
		this.landing = null;
		/** @type {import('./pusher.js').Pusher | null} */
		this.pusher = null;
		/** @type {import('./pull.js').ServerPull | null} */
		this.pull = null;
		/** @type {ReturnType<typeof setInterval> | null} the pings */
		this.heartbeat = null;
		/** Whether the client's pull started: on the server's first message, or at once
		 * when the client asks for v1 only. */
		this.catchingUp = false;
	}

	/**
	 * An own scribe left the pending list: nothing tracks it as on its way any more.
	 * @param {number} scribeId
	 */
	forget(scribeId) {
		this.pusher?.forget(scribeId);
		this.pull?.forget(scribeId);
		this.landing?.forget(scribeId);
	}

	/**
	 * The pending scribes from `from` on were renumbered: nothing tracks them under their old
	 * ids any more.
	 * @param {number} from the first renumbered id
	 */
	renumbered(from) {
		this.pusher?.renumbered(from);
		this.pull?.renumbered(from);
		this.landing?.renumbered(from);
	}

	/** Stops every timer of the connection. */
	stopTimers() {
		this.pusher?.stop();
		this.pull?.stop();
		this.landing?.stop();
		clearInterval(this.heartbeat);
		this.heartbeat = null;
	}
}
