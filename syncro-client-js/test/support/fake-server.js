/**
 * A small Syncro server for the client's tests, on the ws package. It follows PROTOCOL.md
 * as the Java server does: it pulls the client's scribes on connect and again after each
 * pull that moved its mark, settles client scribes by the mark rules (duplicates answered
 * with their first outcome, 409 with `expected` for a gap), answers `sync` in batches and
 * then pushes live. Knobs make it misbehave the way real servers and networks do.
 *
 * A handshake that asks `v=2` gets protocol v2 (docs/PROTOCOL.md section 8) unless the server is
 * made with `{ version: 1 }`: `hello` first, the client's own scribes echoed in sync
 * answers and pushes, live pushes batched as `add_scribes`, and `at` in the answer to a
 * played `add_scribe`, sent only after every scribe up to `at` went out on the connection.
 *
 * Its log has an epoch, named in `hello`; a `sync` from a position of another epoch, or
 * beyond the log's head, is answered 410, as the Java server does. {@link FakeServer#setBack}
 * loses the end of the log, as a restore from a backup or a restart without data does.
 */

import { WebSocketServer } from 'ws';
import { digestOf } from '../../src/digest.js';

const FINAL = new Set([400, 403, 404]);

export class FakeServer {
	/**
	 * @param {object} [options]
	 * @param {number} [options.batchSize=500] most scribes per answer to the client's sync
	 * @param {number} [options.idStep=3] gap between server scribe ids (they are sparse)
	 * @param {number} [options.version=2] the highest protocol version the server speaks
	 * @param {number} [options.pushBatchSize=64] most scribes per `add_scribes` push (v2)
	 * @param {string | null} [options.epoch='epoch-1'] the history the log holds, named in
	 *   `hello`; null names none, as a server from before epochs
	 */
	constructor({ batchSize = 500, idStep = 3, version = 2, pushBatchSize = 64, epoch = 'epoch-1' } = {}) {
		this.batchSize = batchSize;
		this.idStep = idStep;
		this.version = version;
		this.pushBatchSize = pushBatchSize;
		this.epoch = epoch;
		/** server scribes: {id, klass, type, data, origin} */
		this.log = [];
		this.lastId = 0;
		/** klass -> Map(id -> record) */
		this.records = new Map();
		/** uid -> mark */
		this.marks = new Map();
		/** uid -> Map(scribe id -> {code, message}) */
		this.refusals = new Map();
		/** `${uid}#${scribeId}` -> times played */
		this.plays = new Map();
		/** every message received: {uid, message} */
		this.received = [];
		/** answers to the server's pulls: {uid, from, count, more} */
		this.pullAnswers = [];
		/** every client scribe that arrived, by either path: {uid, scribe} */
		this.scribesReceived = [];
		/** every answer to a client's add_scribe, as sent: {uid, scribe, reply} */
		this.scribeAnswers = [];
		/** the client's syncs: {uid, from} */
		this.syncs = [];
		/** scope name -> (params, uid) => {klass, holds(record)}, or throws {code, message} */
		this.scopes = {};
		/** whether digests are given (§8.9): true, 'no-rebuild' (rebuild is 501), or false (501) */
		this.digests = false;
		/** how many digests were asked for */
		this.digestRequests = 0;
		/** the klasses asked to be sent again */
		this.rebuildRequests = [];
		/** the subscribe and unsubscribe requests received: {uid, type, scope, params} */
		this.subscriptionRequests = [];
		/** how many connections were accepted */
		this.connections = 0;
		/** the headers of every handshake, in order */
		this.handshakeHeaders = [];
		/** every accepted handshake: {uid, url, asked (the v parameter or null), version (spoken)} */
		this.handshakes = [];
		this.sessions = new Set();
		this.rpcHandlers = {
			Echo: { say: (args) => args },
			Slow: { never: () => new Promise(() => {}) },
		};

		// knobs
		/** @type {((scribe: any, uid: string) => boolean) | null} refuse with 403 */
		this.refuse = null;
		/** @type {((scribe: any) => any) | null} changes a client scribe before it is played,
		 * as a server that normalises what it stores */
		this.rewrite = null;
		/** answer a client scribe id once with a transient code: [{id, code}] */
		this.failures = [];
		/** the next N client scribes that arrive vanish: not played, not answered */
		this.lose = 0;
		/** drop the connection right after the Nth client scribe from now settles (played or
		 * refused), before answering it */
		this.dropAfterSettle = 0;
		/** milliseconds to wait before handling each message */
		this.delay = 0;
		/** whether to ignore every message (a server that hangs) */
		this.mute = false;
		/** v2: push nothing until {@link releasePushes}, and answer add_scribe at once, before
		 * its scribes went out (a server whose answer overtook its pushes) */
		this.holdPushes = false;
		/** v2: the next N answers to a played add_scribe carry no `at` (the append not seen in time) */
		this.withholdAt = 0;
		/** v2: called after a client scribe was played and before its answer goes out */
		this.onPlayed = null;
		/** v2: called right after the answer to a played client scribe went out */
		this.onAnswered = null;
		/** the next N syncs of clients are answered 410, whatever their position */
		this.goneSyncs = 0;
		/** called as each client scribe arrives, by either path, before it is settled */
		this.onReceived = null;
	}

	/**
	 * Starts listening (again), on the same port as before if it listened already.
	 * @param {number} [port]
	 */
	async listen(port = this.port ?? 0) {
		this.wss = new WebSocketServer({
			host: '127.0.0.1',
			port,
			verifyClient: ({ req }, done) => {
				const asked = new URL(req.url, 'http://localhost').searchParams.get('v');
				if (asked !== null && !/^[1-9][0-9]*$/.test(asked)) {
					done(false, 400, 'Bad protocol version');
					return;
				}
				done(true);
			},
		});
		await new Promise((resolve, reject) => {
			this.wss.once('listening', resolve);
			this.wss.once('error', reject);
		});
		this.port = this.wss.address().port;
		this.wss.on('connection', (ws, request) => {
			this.handshakeHeaders.push(request.headers);
			const uid = new URL(request.url, 'http://localhost').searchParams.get('client');
			if (!uid || !/^[A-Za-z0-9_.:-]{1,64}$/.test(uid)) {
				ws.close(1008, 'Bad uid');
				return;
			}
			this.connections++;
			const asked = new URL(request.url, 'http://localhost').searchParams.get('v');
			const version = Math.min(Number(asked ?? 1), this.version);
			this.handshakes.push({ uid, url: request.url, asked, version });
			const session = new Session(this, ws, uid, version);
			this.sessions.add(session);
			ws.on('close', () => this.sessions.delete(session));
			if (version >= 2) {
				session.send(this.epoch === null ? { type: 'hello', version } : { type: 'hello', version, epoch: this.epoch });
			}
			session.pull();
		});
		return this;
	}

	/** The endpoint URL. */
	get url() {
		return `ws://127.0.0.1:${this.port}/syncro`;
	}

	/** Drops every connection and stops listening; the state is kept for {@link listen}. */
	async stop() {
		for (const session of this.sessions) {
			session.ws.terminate();
		}
		this.sessions.clear();
		await new Promise((resolve) => this.wss.close(() => resolve()));
	}

	/** Drops every connection without a close handshake. */
	dropAll() {
		for (const session of this.sessions) {
			session.ws.terminate();
		}
	}

	mark(uid) {
		return this.marks.get(uid) ?? 0;
	}

	playsOf(uid, scribeId) {
		return this.plays.get(`${uid}#${scribeId}`) ?? 0;
	}

	record(klass, id) {
		return this.records.get(klass)?.get(id) ?? null;
	}

	/**
	 * Changes a record as another client would, and pushes the scribe to live sessions.
	 * @returns {object} the scribe
	 */
	append(klass, type, data, origin = 'server') {
		this.lastId += this.idStep;
		const scribe = { id: this.lastId, klass, type, data };
		this.log.push({ ...scribe, origin });
		this._applyRecord(scribe);
		for (const session of this.sessions) {
			session.pushNew();
		}
		return scribe;
	}

	/**
	 * Loses every scribe after `id` and its effect on the records, and hands those ids out
	 * again, as a log restored from a backup (or, with 0, one that restarted without its
	 * data) does. The marks are kept unless `marks` says otherwise (uid -> mark). With
	 * `epoch`, the log names a new history, as an operator rotates it after a restore.
	 * @param {number} id the last scribe kept
	 * @param {{epoch?: string | null, marks?: Record<string, number>}} [options]
	 */
	setBack(id, { epoch, marks } = {}) {
		this.log = this.log.filter((scribe) => scribe.id <= id);
		this.lastId = this.log.at(-1)?.id ?? 0;
		this.records = new Map();
		for (const scribe of this.log) {
			this._applyRecord(scribe);
		}
		for (const [uid, mark] of Object.entries(marks ?? {})) {
			this.marks.set(uid, mark);
		}
		if (epoch !== undefined) {
			this.epoch = epoch;
		}
	}

	/** v2: lets held pushes go, oldest first. */
	releasePushes() {
		this.holdPushes = false;
		for (const session of this.sessions) {
			session.pushNew();
		}
	}

	/** The session of a uid. */
	session(uid) {
		return [...this.sessions].find((session) => session.uid === uid);
	}

	/**
	 * Settles one client scribe by the mark rules.
	 * @returns {true | {code: number, message: string, expected?: number} | 'lost' | 'dropped'}
	 */
	receive(uid, scribe, session) {
		if (!Number.isSafeInteger(scribe?.id) || scribe.id < 1) {
			return { code: 400, message: 'A scribe needs a positive integer id.' };
		}
		this.scribesReceived.push({ uid, scribe });
		this.onReceived?.(scribe, uid);
		if (this.lose > 0) {
			this.lose--;
			return 'lost';
		}
		const mark = this.mark(uid);
		const id = scribe.id;
		if (id <= mark) {
			return this.refusals.get(uid)?.get(id) ?? true;
		}
		if (id > mark + 1) {
			return { code: 409, message: `Client scribe ${id} is out of order; ${mark + 1} is expected next.`, expected: mark + 1 };
		}
		const failure = this.failures.findIndex((entry) => entry.id === id);
		if (failure >= 0) {
			const [{ code }] = this.failures.splice(failure, 1);
			return { code, message: 'Try again later.' };
		}
		let refusal = null;
		if (this.refuse?.(scribe, uid)) {
			refusal = { code: 403, message: 'The policy refused this scribe.' };
		}
		else {
			refusal = this._play(this.rewrite?.(scribe) ?? scribe, uid);
		}
		this.marks.set(uid, id);
		if (refusal) {
			if (!this.refusals.has(uid)) {
				this.refusals.set(uid, new Map());
			}
			this.refusals.get(uid).set(id, refusal);
		}
		else {
			this.plays.set(`${uid}#${id}`, this.playsOf(uid, id) + 1);
		}
		if (this.dropAfterSettle > 0 && --this.dropAfterSettle === 0) {
			session.ws.terminate();
			return 'dropped';
		}
		return refusal ?? true;
	}

	/** Plays a client scribe; returns a refusal, or null when played. */
	_play(scribe, uid) {
		const { klass, type, data } = scribe;
		if (typeof klass !== 'string' || !['create', 'update', 'destroy'].includes(type)) {
			return { code: 400, message: 'Bad scribe shape.' };
		}
		const records = this.records.get(klass) ?? new Map();
		if (type === 'create') {
			const existing = records.get(data.id);
			if (existing) {
				const changes = diff(existing, data);
				if (Object.keys(changes).length > 0) {
					this._appendFrom(uid, klass, 'update', [data.id, changes]);
				}
				return null;
			}
			this._appendFrom(uid, klass, 'create', data);
			return null;
		}
		const [id, changes] = data;
		const existing = records.get(id);
		if (type === 'update') {
			if (!existing) {
				return { code: 404, message: `There is no ${klass} '${id}'.` };
			}
			const changed = diff(existing, changes);
			if (Object.keys(changed).length > 0) {
				this._appendFrom(uid, klass, 'update', [id, changed]);
			}
			return null;
		}
		if (existing) {
			this._appendFrom(uid, klass, 'destroy', [id]);
		}
		return null;
	}

	_appendFrom(uid, klass, type, data) {
		this.append(klass, type, data, uid);
	}

	_applyRecord({ klass, type, data }) {
		if (!this.records.has(klass)) {
			this.records.set(klass, new Map());
		}
		const records = this.records.get(klass);
		if (type === 'create') {
			records.set(data.id, { ...(records.get(data.id) ?? {}), ...data });
		}
		else if (type === 'update') {
			records.set(data[0], { ...records.get(data[0]), ...data[1] });
		}
		else {
			records.delete(data[0]);
		}
	}
}

class Session {
	constructor(server, ws, uid, version) {
		this.server = server;
		this.ws = ws;
		this.uid = uid;
		/** the protocol version spoken on this connection */
		this.version = version;
		/** v2: answers to played add_scribes waiting until their scribes went out: {at, reply, scribe} */
		this.answers = [];
		this.pushScheduled = false;
		this.live = false;
		this.sentUpTo = 0;
		this.nextId = 1;
		this.awaiting = new Map();
		/** ids of the v2 pushes (add_scribes, records) not answered yet */
		this.pushes = new Set();
		this.queue = Promise.resolve();
		/** answers the client gave to our pushes: {scribe, reply} (v1), {scribes, reply} (v2) */
		this.pushReplies = [];
		ws.on('message', (data) => {
			const message = JSON.parse(data.toString());
			server.received.push({ uid, message });
			if (server.mute) {
				return;
			}
			this.queue = this.queue
				.then(() => (server.delay > 0 ? new Promise((resolve) => setTimeout(resolve, server.delay)) : undefined))
				.then(() => this.handle(message))
				.catch((error) => console.error('fake server', error));
		});
	}

	send(message) {
		if (this.ws.readyState === 1) {
			this.ws.send(JSON.stringify(message));
		}
	}

	/** Answers a client's add_scribe, and notes the answer. */
	answerScribe(scribe, reply) {
		this.server.scribeAnswers.push({ uid: this.uid, scribe, reply });
		this.send(reply);
	}

	request(message) {
		const id = this.nextId++;
		return new Promise((resolve) => {
			this.awaiting.set(id, resolve);
			if (message.type === 'add_scribes' || message.type === 'records') {
				this.pushes.add(id);
			}
			this.send({ ...message, id });
		});
	}

	pull() {
		const from = this.server.mark(this.uid);
		this.request({ type: 'sync', from: from > 0 ? from : null }).then((reply) => this.pulled(from, reply));
	}

	pulled(from, reply) {
		if (reply.type !== 'response' || !Array.isArray(reply.result)) {
			return;
		}
		this.server.pullAnswers.push({ uid: this.uid, from, count: reply.result.length, more: reply.more === true, ids: reply.result.map((s) => s.id) });
		for (const scribe of reply.result) {
			const outcome = this.server.receive(this.uid, scribe, this);
			if (outcome === 'dropped') {
				return;
			}
			if (outcome === 'lost' || outcome === true) {
				continue;
			}
			this.send({ type: 'error', code: outcome.code, message: outcome.message, scribe: scribe.id, ...(outcome.expected ? { expected: outcome.expected } : {}) });
			if (!FINAL.has(outcome.code)) {
				return;
			}
		}
		if (this.server.mark(this.uid) !== from) {
			this.pull();
		}
	}

	handle(message) {
		const { type, id } = message;
		if (type === 'response' || type === 'error') {
			if (type === 'response' && this.pushes.has(id)) {
				// answers to v2 pushes are cumulative, as the server takes them: this one
				// answers every push before it too
				for (const push of [...this.pushes].filter((push) => push < id)) {
					this.pushes.delete(push);
					const earlier = this.awaiting.get(push);
					this.awaiting.delete(push);
					earlier?.(message);
				}
			}
			this.pushes.delete(id);
			const resolve = this.awaiting.get(id);
			this.awaiting.delete(id);
			resolve?.(message);
			return;
		}
		if (type === 'sync') {
			this.answerSync(message);
		}
		else if (type === 'add_scribe') {
			const mark = this.server.mark(this.uid);
			const lastId = this.server.lastId;
			const outcome = this.server.receive(this.uid, message.scribe, this);
			if (outcome === 'lost' || outcome === 'dropped') {
				return;
			}
			if (outcome === true && this.version >= 2) {
				this.answerPlayed(message, message.scribe.id <= mark, lastId);
			}
			else if (outcome === true) {
				this.answerScribe(message.scribe, { type: 'response', id, result: true });
			}
			else {
				this.answerScribe(message.scribe, { type: 'error', id, code: outcome.code, message: outcome.message, scribe: message.scribe?.id, ...(outcome.expected ? { expected: outcome.expected } : {}) });
			}
		}
		else if (type === 'rpc') {
			this.answerRpc(message);
		}
		else if (type === 'noop') {
			this.send({ type: 'response', id, result: true });
		}
		else if (type === 'digest' && this.version >= 2 && this.server.digests) {
			// every record goes to every client here; answered once every scribe went out
			const klasses = {};
			for (const [klass, records] of this.server.records) {
				klasses[klass] = digestOf(records.values());
			}
			this.server.digestRequests++;
			this.send({ type: 'response', id, result: { at: this.sentUpTo, klasses, unverified: [] } });
		}
		else if (type === 'rebuild' && this.version >= 2 && this.server.digests) {
			this.server.rebuildRequests.push(message.klass);
			if (this.server.digests === 'no-rebuild') {
				this.send({ type: 'error', id, code: 501, message: 'Cannot send a klass again.' });
			}
			else {
				this.answerRebuild(message);
			}
		}
		else if ((type === 'subscribe' || type === 'unsubscribe') && this.version >= 2) {
			// not awaited: the client's answers to the records come through the same queue
			this.answerSubscription(message);
		}
		else {
			this.send({ type: 'error', id, code: 501, message: 'Unknown type.' });
		}
	}

	/**
	 * v2: answers a played add_scribe with `at` (absent for a duplicate), once every scribe
	 * up to `at` went out on this connection.
	 */
	answerPlayed(message, duplicate, lastIdBefore) {
		const reply = { type: 'response', id: message.id, result: true };
		if (!duplicate) {
			if (this.server.withholdAt > 0) {
				this.server.withholdAt--;
			}
			else {
				reply.at = this.server.lastId > lastIdBefore ? this.server.lastId : null;
			}
			this.server.onPlayed?.(message.scribe, this.uid);
		}
		this.answers.push({ at: reply.at, reply, scribe: message.scribe, duplicate });
		this.flushAnswers();
	}

	/** v2: sends the answers whose scribes went out, in order. */
	flushAnswers() {
		while (this.answers.length > 0) {
			const { at, reply, scribe, duplicate } = this.answers[0];
			if (Number.isSafeInteger(at) && at > this.sentUpTo && !this.server.holdPushes) {
				return;
			}
			this.answers.shift();
			this.answerScribe(scribe, reply);
			if (!duplicate) {
				this.server.onAnswered?.(scribe, this.uid);
			}
		}
	}

	/**
	 * v2: a subscription change resets the scope's klass: its records under the remaining
	 * subscriptions (every record when none is left) go in `records` batches of two, then the
	 * answer. Pushes are not narrowed: that is the real server's part.
	 */
	async answerSubscription({ id, type, scope, params }) {
		this.server.subscriptionRequests.push({ uid: this.uid, type, scope, params });
		const declared = this.server.scopes[scope];
		if (!declared) {
			this.send({ type: 'error', id, code: 404, message: `There is no scope named '${scope}'.` });
			return;
		}
		let resolved;
		try {
			resolved = declared(params ?? {}, this.uid);
		}
		catch (refusal) {
			if (type === 'subscribe') {
				this.send({ type: 'error', id, code: refusal.code, message: refusal.message });
				return;
			}
			resolved = { klass: refusal.klass };
		}
		this.subscriptions ??= [];
		const key = JSON.stringify([scope, params]);
		this.subscriptions = this.subscriptions.filter((held) => held.key !== key);
		if (type === 'subscribe') {
			this.subscriptions.push({ key, ...resolved });
		}
		const ofKlass = this.subscriptions.filter((held) => held.klass === resolved.klass);
		const records = [...(this.server.records.get(resolved.klass)?.values() ?? [])]
			.filter((record) => ofKlass.length === 0 || ofKlass.some((held) => held.holds(record)));
		for (let i = 0; i === 0 || i < records.length; i += 2) {
			const more = i + 2 < records.length;
			await this.request({ type: 'records', klass: resolved.klass, ...(i === 0 ? { first: true } : {}),
				records: records.slice(i, i + 2), ...(more ? { more: true } : {}) });
		}
		this.send({ type: 'response', id, result: { klass: resolved.klass } });
	}

	/** v2: sends every record of a klass in `records` batches of two, then the answer. */
	async answerRebuild({ id, klass }) {
		const records = [...(this.server.records.get(klass)?.values() ?? [])];
		for (let i = 0; i === 0 || i < records.length; i += 2) {
			const more = i + 2 < records.length;
			await this.request({ type: 'records', klass, ...(i === 0 ? { first: true } : {}),
				records: records.slice(i, i + 2), ...(more ? { more: true } : {}) });
		}
		this.send({ type: 'response', id, result: { klass } });
	}

	/** Whether a scribe goes to this client: v1 leaves out its own, v2 echoes them. */
	meantFor(scribe) {
		return this.version >= 2 || scribe.origin !== this.uid;
	}

	answerSync(message) {
		const from = message.from ?? 0;
		this.server.syncs.push({ uid: this.uid, from: message.from, epoch: message.epoch });
		const gone = this.server.goneSyncs > 0 && this.server.goneSyncs-- > 0;
		if (gone || (from > 0 && ((message.epoch != null && message.epoch !== this.server.epoch) || from > this.server.lastId))) {
			this.send({ type: 'error', id: message.id, code: 410, message: 'The position is of another history of the log; sync again from nothing.' });
			return;
		}
		const visible = this.server.log.filter((scribe) => scribe.id > from && this.meantFor(scribe));
		const batch = visible.slice(0, this.server.batchSize).map(({ origin, ...scribe }) => scribe);
		const more = visible.length > batch.length;
		this.send(more ? { type: 'response', id: message.id, result: batch, more: true } : { type: 'response', id: message.id, result: batch });
		this.sentUpTo = Math.max(this.sentUpTo, from, batch.at(-1)?.id ?? 0);
		if (!more) {
			this.live = true;
			this.pushNew();
		}
		this.flushAnswers();
	}

	pushNew() {
		if (!this.live) {
			return;
		}
		if (this.version >= 2) {
			// appends of one tick go out together, in batches
			if (!this.pushScheduled) {
				this.pushScheduled = true;
				queueMicrotask(() => {
					this.pushScheduled = false;
					this.pushBatches();
				});
			}
			return;
		}
		for (const { origin, ...scribe } of this.server.log) {
			if (scribe.id > this.sentUpTo && origin !== this.uid) {
				this.sentUpTo = scribe.id;
				this.pushRaw(scribe);
			}
		}
	}

	/** v2: pushes what was not sent yet as add_scribes, at most pushBatchSize a push. */
	pushBatches() {
		if (!this.live || this.server.holdPushes) {
			return;
		}
		const unsent = this.server.log.filter((scribe) => scribe.id > this.sentUpTo).map(({ origin, ...scribe }) => scribe);
		for (let i = 0; i < unsent.length; i += this.server.pushBatchSize) {
			const scribes = unsent.slice(i, i + this.server.pushBatchSize);
			this.sentUpTo = scribes.at(-1).id;
			this.pushBatch(scribes);
		}
		this.flushAnswers();
	}

	/** Sends any scribes as add_scribes, rules or not; resolves with the client's reply. */
	pushBatch(scribes) {
		return this.request({ type: 'add_scribes', scribes }).then((reply) => {
			this.pushReplies.push({ scribes, reply });
			return reply;
		});
	}

	/** Sends any scribe as add_scribe, rules or not; resolves with the client's reply. */
	pushRaw(scribe) {
		return this.request({ type: 'add_scribe', scribe }).then((reply) => {
			this.pushReplies.push({ scribe, reply });
			return reply;
		});
	}

	async answerRpc({ id, klass, method, args }) {
		if (klass === 'Syncro' && method === 'last_scribe_id') {
			const visible = this.server.log.filter((scribe) => this.meantFor(scribe));
			this.send({ type: 'response', id, result: visible.at(-1)?.id ?? 0 });
			return;
		}
		const handlers = this.server.rpcHandlers[klass];
		if (!handlers) {
			this.send({ type: 'error', id, code: 404, message: `The rpc klass '${klass}' is unknown.` });
			return;
		}
		if (!handlers[method]) {
			this.send({ type: 'error', id, code: 405, message: `The method '${method}' is not exposed on '${klass}'.` });
			return;
		}
		// answered later, without holding up the messages behind it
		Promise.resolve(handlers[method](args, this.uid)).then((result) => this.send({ type: 'response', id, result }));
	}
}

function diff(record, attributes) {
	const changes = {};
	for (const [name, value] of Object.entries(attributes)) {
		if (JSON.stringify(record[name]) !== JSON.stringify(value)) {
			changes[name] = value;
		}
	}
	return changes;
}
