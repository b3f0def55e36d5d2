'use strict';
// The writers: each makes change number `seq` with the payload "b:<seq>:<send time>" in
// the way a user of that system would, and resolves when the server acknowledged it
// (y-websocket has no acknowledgement: its write resolves once the socket buffer drains).
const http = require('http');
const crypto = require('crypto');
const WebSocket = require('ws');
const { payload, agent, headers } = require('./clients');

function post(port, path, body, extraHeaders = {}) {
	const data = Buffer.from(JSON.stringify(body));
	return new Promise((resolve, reject) => {
		const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent,
			headers: { 'content-type': 'application/json', 'content-length': data.length, ...extraHeaders } }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString();
				if (res.statusCode >= 300) {
					reject(new Error(`POST ${path}: ${res.statusCode} ${text.slice(0, 200)}`));
				}
				else {
					resolve(text);
				}
			});
		});
		req.on('error', reject);
		req.end(data);
	});
}

function request(port, method, path, extraHeaders = {}) {
	return new Promise((resolve, reject) => {
		const req = http.request({ host: '127.0.0.1', port, path, method, agent, headers: extraHeaders }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
		});
		req.on('error', reject);
		req.end();
	});
}

// onMessage is attached before the socket opens: a server's first frame may arrive in
// the same read as its handshake answer and be emitted before a promise continuation runs
function openWs(url, options = {}, onMessage = null) {
	return new Promise((resolve, reject) => {
		const ws = new WebSocket(url, { perMessageDeflate: false, ...options });
		if (onMessage) {
			ws.on('message', (data) => onMessage(data, ws));
		}
		ws.once('open', () => resolve(ws));
		ws.once('error', reject);
	});
}

// Syncro through its REST endpoint: POST /api/todos, recorded as a create scribe. The
// sample app's REST API takes HTTP Basic of one of its users: opts.restAuth.
async function syncroRest(opts) {
	const auth = headers({ auth: opts.restAuth });
	return { write: (seq) => post(opts.port, '/api/todos', { title: payload(seq), done: false }, auth), close() {} };
}

// Syncro through WebSocket add_scribe, as one client uid with consecutive scribe ids,
// pipelined: requests are sent without waiting and matched to their replies by id.
async function syncroWs(opts) {
	const uid = opts.uid || ('writer-' + crypto.randomUUID().slice(0, 8));
	const waiting = new Map();
	let requestId = 0;
	let scribeId = 0;
	let ws = null;
	ws = await openWs(`ws://127.0.0.1:${opts.port}/syncro?client=${uid}`, { headers: headers(opts) }, (raw, socket) => {
		const m = JSON.parse(raw);
		if (m.type === 'sync') {
			socket.send(JSON.stringify({ type: 'response', id: m.id, result: [] }));
		}
		else if (m.type === 'add_scribe') {
			socket.send('{"type":"response","id":' + m.id + ',"result":true}');
		}
		else if ((m.type === 'response' || m.type === 'error') && waiting.has(m.id)) {
			const w = waiting.get(m.id);
			waiting.delete(m.id);
			if (m.type === 'error') {
				w.reject(new Error('add_scribe: ' + m.code + ' ' + m.message));
			}
			else {
				w.resolve();
			}
		}
	});
	return {
		write: (seq) => new Promise((resolve, reject) => {
			const id = ++requestId;
			waiting.set(id, { resolve, reject });
			const scribe = { id: ++scribeId, klass: 'Todo', type: 'create',
				data: { id: crypto.randomUUID(), title: payload(seq), done: false } };
			ws.send(JSON.stringify({ type: 'add_scribe', id, scribe }));
		}),
		close: () => ws.terminate(),
	};
}

async function baseline(opts) {
	const ws = await openWs(`ws://127.0.0.1:${opts.port}/`);
	const waiting = new Map();
	let n = 0;
	ws.on('message', (raw) => {
		const m = JSON.parse(raw);
		if (m.t === 'ack' && waiting.has(m.n)) {
			waiting.get(m.n)();
			waiting.delete(m.n);
		}
	});
	return {
		write: (seq) => new Promise((resolve) => {
			const id = ++n;
			waiting.set(id, resolve);
			ws.send(JSON.stringify({ t: 'w', n: id, d: payload(seq) }));
		}),
		close: () => ws.terminate(),
	};
}

async function socketio(opts) {
	const { io } = require('socket.io-client');
	const socket = io(`http://127.0.0.1:${opts.port}`, { transports: ['websocket'] });
	await new Promise((resolve, reject) => {
		socket.once('connect', resolve);
		socket.once('connect_error', reject);
	});
	return { write: (seq) => socket.emitWithAck('w', payload(seq)), close: () => socket.close() };
}

async function pouchdb(opts) {
	const db = opts.db || 'bench';
	await request(opts.port, 'PUT', '/' + db);
	return {
		write: (seq) => post(opts.port, '/' + db, { p: payload(seq) }),
		// catch-up preloads in bulk
		bulk: (seqs) => post(opts.port, `/${db}/_bulk_docs`, { docs: seqs.map((seq) => ({ p: payload(seq) })) }),
		close() {},
	};
}

// y-websocket: one Y.Doc whose array gets one element per change; every local update
// is sent as a y-protocols update message.
async function ywebsocket(opts) {
	const Y = require('yjs');
	const encoding = require('lib0/encoding');
	const ws = await openWs(`ws://127.0.0.1:${opts.port}/${opts.room || 'bench'}`);
	ws.on('message', () => {});
	const doc = new Y.Doc();
	const array = doc.getArray('changes');
	doc.on('update', (update) => {
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, 0); // messageSync
		encoding.writeVarUint(encoder, 2); // messageYjsUpdate
		encoding.writeVarUint8Array(encoder, update);
		ws.send(encoding.toUint8Array(encoder));
	});
	const drained = () => new Promise((resolve) => {
		const check = () => (ws.bufferedAmount < 65536) ? resolve() : setTimeout(check, 1);
		check();
	});
	return {
		write: (seq) => {
			array.push(['#' + payload(seq) + '#']);
			return drained();
		},
		// no acknowledgements: let the socket drain and the server take it in before closing
		close: async () => {
			while (ws.bufferedAmount > 0) {
				await new Promise((r) => setTimeout(r, 5));
			}
			await new Promise((r) => setTimeout(r, 300));
			ws.close();
		},
	};
}

const writers = { syncro: syncroRest, 'syncro-ws': syncroWs, baseline, socketio, pouchdb, ywebsocket };

// Runs seqs first..last through a writer: at full speed with `window` writes in flight,
// or at `rate` writes per second on a fixed schedule (a write is sent when due, whatever
// the ones before it are doing).
async function drive(writer, first, last, { window = 16, rate = 0, deadline = Infinity } = {}) {
	const started = performance.now();
	let written = 0;
	let failures = 0;
	let firstFailure = null;
	const acks = [];
	const timed = (seq) => {
		const sent = performance.now();
		return writer.write(seq).then(() => acks.push(performance.now() - sent));
	};
	// a write still unanswered at the deadline is given up on, not waited for
	const untilDeadline = (promise) => (deadline === Infinity) ? promise
		: Promise.race([promise, new Promise((r) => setTimeout(r, Math.max(0, deadline - performance.now())).unref())]);
	const failed = (e) => {
		failures++;
		firstFailure = firstFailure || String(e.message || e);
	};
	if (rate > 0) {
		const inFlight = [];
		for (let seq = first; seq <= last && performance.now() < deadline; seq++) {
			const due = started + ((seq - first) * 1000) / rate;
			const wait = due - performance.now();
			if (wait > 1) {
				await new Promise((r) => setTimeout(r, wait));
			}
			inFlight.push(timed(seq).then(() => written++, failed));
		}
		await untilDeadline(Promise.all(inFlight));
	}
	else {
		let next = first;
		const lane = async () => {
			while (next <= last && performance.now() < deadline) {
				const seq = next++;
				await untilDeadline(timed(seq).then(() => written++, failed));
			}
		};
		const lanes = [];
		for (let i = 0; i < window; i++) {
			lanes.push(lane());
		}
		await Promise.all(lanes);
	}
	acks.sort((a, b) => a - b);
	const at = (q) => acks.length ? acks[Math.min(acks.length - 1, Math.ceil(acks.length * q) - 1)] : NaN;
	return { ms: performance.now() - started, written, failures, firstFailure, ackP50: at(0.5), ackP99: at(0.99) };
}

module.exports = { writers, drive, post, request, openWs };
