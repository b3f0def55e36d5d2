/**
 * One WebSocket connection speaking the Syncro message layer (PROTOCOL.md §3): requests
 * with ids and their replies, request timeouts, and the peer's requests handed over in the
 * order they arrive.
 * @module
 */

import { SyncroError } from './errors.js';

const OPEN = 1;

/** Messages that carry no id and are never answered (protocol v2's `hello`). */
const NOTICES = new Set(['hello']);

/** How long the answer to a v2 push waits for later pushes to answer with it, in ms. */
const PUSH_ANSWER_DELAY = 100;

/** The most v2 pushes one answer waits for: answered at once when this many are applied. */
const PUSHES_PER_ANSWER = 16;

/**
 * @typedef {object} ConnectionHandlers
 * @property {(connection: Connection) => void} onOpen the socket opened
 * @property {(connection: Connection, message: any) => void} onRequest a request of the
 *   peer (`sync`, `add_scribe`, `rpc`, `noop`, or an unknown type); the handler answers
 *   it with {@link Connection#respond} or {@link Connection#fail}
 * @property {(connection: Connection, message: any) => void} onError an `error` that
 *   answers no request of ours (the server's report on a scribe it pulled)
 * @property {(connection: Connection, message: any) => void} onNotice a message that is
 *   never answered: `hello`
 * @property {(connection: Connection, event: {code?: number, reason?: string}) => void} onClose
 *   the socket closed, or could not open
 */

/**
 * A connection to the server. Requests get ids counting from 1; a reply settles the
 * request's promise (an `error` reply rejects it with a {@link SyncroError}), and a request
 * that gets no reply in time is rejected with code `'timeout'`. When the socket closes,
 * every open request is rejected with code `'closed'`.
 */
export class Connection {
	/**
	 * @param {WebSocket} socket a socket that is opening
	 * @param {ConnectionHandlers} handlers
	 * @param {{requestTimeout: number}} options
	 */
	constructor(socket, handlers, options) {
		/** @private */
		this._socket = socket;
		/** @private */
		this._handlers = handlers;
		/** @private */
		this._timeout = options.requestTimeout;
		/** @private */
		this._nextId = 1;
		/** @private @type {Map<number, {resolve: Function, reject: Function, process?: Function, timer: any}>} */
		this._awaiting = new Map();
		/** @private the highest push applied but not answered yet, 0 when none */
		this._pushToAnswer = 0;
		/** @private how many pushes that answer will answer */
		this._pushesToAnswer = 0;
		/** @private */
		this._pushAnswerTimer = null;
		/** Whether the socket is closed (or never opened). */
		this.closed = false;
		/** Whether the socket is open. */
		this.open = false;

		socket.onopen = () => {
			if (!this.closed) {
				this.open = true;
				handlers.onOpen(this);
			}
		};
		socket.onmessage = (event) => this._receive(event.data);
		socket.onclose = (event) => this._closed({ code: event?.code, reason: event?.reason });
		socket.onerror = () => {
			// a close event follows; browsers tell nothing more here
		};
	}

	/**
	 * Sends a request and waits for its reply.
	 * @param {object} message the request without its id
	 * @param {object} [options]
	 * @param {(reply: any) => void} [options.process] called with a `response` as soon as it
	 *   arrives, before any message after it is handled (a sync batch is applied there, so
	 *   that live pushes behind it find it applied)
	 * @param {number} [options.timeout] milliseconds to wait (default: the request timeout)
	 * @returns {Promise<any>} the `response` message
	 */
	request(message, options = {}) {
		if (!this.open || this.closed) {
			return Promise.reject(new SyncroError('closed', 'The connection is not open.'));
		}
		const id = this._nextId++;
		return new Promise((resolve, reject) => {
			const timeout = options.timeout ?? this._timeout;
			const timer = setTimeout(() => {
				this._awaiting.delete(id);
				reject(new SyncroError('timeout', `No answer to ${message.type} came within ${timeout} ms.`));
			}, timeout);
			this._awaiting.set(id, { resolve, reject, process: options.process, timer });
			this._send({ ...message, id });
		});
	}

	/**
	 * Answers a request of the peer.
	 * @param {number} id the request's id
	 * @param {unknown} result the result
	 * @param {boolean} [more] for a `sync` answer: whether more scribes remain
	 */
	respond(id, result, more = false) {
		this._send(more ? { type: 'response', id, result, more: true } : { type: 'response', id, result });
	}

	/**
	 * Answers an applied push of protocol v2 (`add_scribes`, `records`), together with the
	 * pushes applied after it within {@link PUSH_ANSWER_DELAY} ms, or with the next
	 * {@link PUSHES_PER_ANSWER} at most: answers to pushes are cumulative (PROTOCOL.md §8.3),
	 * so one answer to the last of them answers them all, and the server reads one message
	 * where it read one per push.
	 * @param {number} id the push's id
	 */
	answerPush(id) {
		this._pushToAnswer = Math.max(this._pushToAnswer, id);
		this._pushesToAnswer++;
		if (this._pushesToAnswer >= PUSHES_PER_ANSWER) {
			this._answerPushes();
		}
		else if (this._pushAnswerTimer === null) {
			this._pushAnswerTimer = setTimeout(() => this._answerPushes(), PUSH_ANSWER_DELAY);
		}
	}

	/** @private */
	_answerPushes() {
		clearTimeout(this._pushAnswerTimer);
		this._pushAnswerTimer = null;
		const id = this._pushToAnswer;
		this._pushToAnswer = 0;
		this._pushesToAnswer = 0;
		if (id > 0) {
			this.respond(id, true);
		}
	}

	/**
	 * Answers a request of the peer (or reports a problem, without `id`) with an error.
	 * @param {number | null} id the request's id, if it answers one
	 * @param {number} code the error code
	 * @param {string} message one human sentence
	 */
	fail(id, code, message) {
		if (id != null && this._pushToAnswer > 0) {
			// the pushes before this one were applied: their answer goes first, in order
			this._answerPushes();
		}
		this._send(id == null ? { type: 'error', code, message } : { type: 'error', id, code, message });
	}

	/**
	 * Closes the socket; open requests are rejected with code `'closed'`.
	 * @param {number} [code=1000]
	 * @param {string} [reason]
	 */
	close(code = 1000, reason = '') {
		try {
			this._socket.close(code, reason);
		}
		catch {
			// closing a socket that never opened may throw in some implementations
		}
		this._closed({ code, reason });
	}

	/** @private */
	_send(message) {
		if (this.open && !this.closed && this._socket.readyState === OPEN) {
			this._socket.send(JSON.stringify(message));
		}
	}

	/** @private */
	_receive(data) {
		if (this.closed) {
			return;
		}
		let message;
		try {
			message = JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data));
		}
		catch {
			this.fail(null, 400, 'The message is not JSON.');
			return;
		}
		if (typeof message !== 'object' || message === null || Array.isArray(message) || typeof message.type !== 'string') {
			this.fail(null, 400, 'A message must be a JSON object with a string type.');
			return;
		}
		if (message.type === 'response' || message.type === 'error') {
			this._reply(message);
			return;
		}
		if (NOTICES.has(message.type)) {
			this._handlers.onNotice(this, message);
			return;
		}
		if (!Number.isSafeInteger(message.id)) {
			this.fail(null, 400, `A ${message.type} request needs an integer id.`);
			return;
		}
		this._handlers.onRequest(this, message);
	}

	/** @private */
	_reply(message) {
		const waiting = Number.isSafeInteger(message.id) ? this._awaiting.get(message.id) : undefined;
		if (!waiting) {
			if (message.type === 'error' && message.id == null) {
				this._handlers.onError(this, message);
			}
			return;
		}
		this._awaiting.delete(message.id);
		clearTimeout(waiting.timer);
		if (message.type === 'error') {
			waiting.reject(new SyncroError(message.code, String(message.message ?? 'The request failed.'), {
				scribe: message.scribe ?? undefined,
				expected: message.expected ?? undefined,
			}));
			return;
		}
		try {
			waiting.process?.(message);
			waiting.resolve(message);
		}
		catch (error) {
			waiting.reject(error);
		}
	}

	/** @private */
	_closed(event) {
		if (this.closed) {
			return;
		}
		this.closed = true;
		this.open = false;
		clearTimeout(this._pushAnswerTimer);
		this._pushAnswerTimer = null;
		for (const waiting of this._awaiting.values()) {
			clearTimeout(waiting.timer);
			waiting.reject(new SyncroError('closed', 'The connection closed before the answer came.'));
		}
		this._awaiting.clear();
		this._socket.onopen = null;
		this._socket.onmessage = null;
		this._socket.onclose = null;
		this._handlers.onClose(this, event);
	}
}
