'use strict';
// The clients of each system under test, all on Node's `ws` (or `http` for
// pouchdb-server's _changes feed). A subscriber calls onChange(seq, sentAt) for every
// change it receives and onReady() once it is live; the payload of every change is the
// string "b:<seq>:<sentAt ms>", carried as a Todo title, a stream field, an event
// argument, a document field or a Yjs array element.
const http = require('http');
const WebSocket = require('ws');

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

function now() {
	return performance.timeOrigin + performance.now();
}

function payload(seq) {
	return 'b:' + seq + ':' + now().toFixed(3);
}

const PAYLOAD = /b:(\d+):([\d.]+)/;
const PAYLOADS = /b:(\d+):([\d.]+)/g;
const PUSH = /^\{"type":"add_scribe","id":(\d+),"scribe":\{"id":(\d+),/;

function parsePayload(text, onChange) {
	const m = PAYLOAD.exec(text);
	if (m) {
		onChange(Number(m[1]), Number(m[2]));
	}
}

function headers(opts) {
	const h = {};
	if (opts.auth) {
		h.Authorization = 'Basic ' + Buffer.from(opts.auth).toString('base64');
	}
	return h;
}

// Syncro (PROTOCOL.md): answer the server's pull with nothing, sync from a position until
// no more remain, then take live pushes and answer each with true.
function syncro(opts, uid, handlers) {
	const ws = new WebSocket(`ws://127.0.0.1:${opts.port}/syncro?client=${uid}`,
		{ headers: headers(opts), perMessageDeflate: false });
	let position = (opts.from === undefined || opts.from === null) ? null : opts.from;
	let requestId = 0;
	let syncId = -1;
	const sync = () => {
		syncId = ++requestId;
		ws.send(JSON.stringify({ type: 'sync', id: syncId, from: position }));
	};
	ws.on('open', () => sync());
	ws.on('message', (raw) => {
		const text = raw.toString();
		// the hot path: a push, as the server writes it, read without a full parse
		const push = PUSH.exec(text);
		if (push) {
			ws.send('{"type":"response","id":' + push[1] + ',"result":true}');
			const id = Number(push[2]);
			if (id > position) {
				position = id;
				handlers.onChange && parsePayload(text, handlers.onChange);
			}
			return;
		}
		const m = JSON.parse(text);
		if (m.type === 'add_scribe') {
			ws.send('{"type":"response","id":' + m.id + ',"result":true}');
			if (m.scribe.id > position) {
				position = m.scribe.id;
				handlers.onChange && parsePayload(m.scribe.data.title || '', handlers.onChange);
			}
		}
		else if (m.type === 'sync') {
			ws.send('{"type":"response","id":' + m.id + ',"result":[]}');
		}
		else if (m.type === 'response' && m.id === syncId) {
			for (const scribe of m.result) {
				position = scribe.id;
				handlers.onChange && parsePayload((scribe.data && scribe.data.title) || '', handlers.onChange);
			}
			if (m.more) {
				sync();
			}
			else {
				handlers.onReady && handlers.onReady();
			}
		}
		else if (m.type === 'error') {
			handlers.onError && handlers.onError(new Error('error ' + m.code + ': ' + m.message));
		}
	});
	ws.on('error', (e) => handlers.onError && handlers.onError(e));
	ws.on('close', (code) => handlers.onClose && handlers.onClose(code));
	return { close: () => ws.terminate(), position: () => position };
}

// Syncro over protocol v2 (PROTOCOL.md section 8): answer the pull with nothing,
// subscribe to a scope when asked (opts.subscribe = {scope, params}; the scope's records
// come in `records` batches, counted by onRecords), sync from a position, then take
// `add_scribes` pushes and answer them as the JS client does.
function syncroV2(opts, uid, handlers) {
	const ws = new WebSocket(`ws://127.0.0.1:${opts.port}/syncro?client=${uid}&v=2`,
		{ headers: headers(opts), perMessageDeflate: false });
	let position = (opts.from === undefined || opts.from === null) ? null : opts.from;
	let requestId = 0;
	let syncId = -1;
	let subscribeId = -1;
	let subscribed = !opts.subscribe;
	// opts.sync === false: subscribe only, as a client whose position is current would
	let synced = opts.sync === false;
	const sync = () => {
		syncId = ++requestId;
		ws.send(JSON.stringify({ type: 'sync', id: syncId, from: position }));
	};
	const ready = () => {
		if (subscribed && synced) {
			handlers.onReady && handlers.onReady();
		}
	};
	// pushes are answered as the JS client answers them (its Connection#answerPush): the
	// pushes applied within 100 ms with one answer to the last, at once when sixteen wait
	let toAnswer = 0;
	let waiting = 0;
	let timer = null;
	const answerPushes = () => {
		clearTimeout(timer);
		timer = null;
		if (toAnswer > 0 && ws.readyState === WebSocket.OPEN) {
			ws.send('{"type":"response","id":' + toAnswer + ',"result":true}');
		}
		toAnswer = 0;
		waiting = 0;
	};
	const answerPush = (id) => {
		toAnswer = Math.max(toAnswer, id);
		if (++waiting >= 16) {
			answerPushes();
		}
		else if (timer === null) {
			timer = setTimeout(answerPushes, 100);
		}
	};
	const apply = (scribe) => {
		if (scribe.id > (position ?? 0)) {
			position = scribe.id;
			handlers.onChange && parsePayload((scribe.data && scribe.data.title) || '', handlers.onChange);
		}
	};
	ws.on('message', (raw) => {
		const m = JSON.parse(raw.toString());
		if (m.type === 'hello') {
			if (opts.subscribe) {
				subscribeId = ++requestId;
				ws.send(JSON.stringify({ type: 'subscribe', id: subscribeId, ...opts.subscribe }));
			}
			if (!synced) {
				sync();
			}
		}
		else if (m.type === 'add_scribes') {
			m.scribes.forEach(apply);
			answerPush(m.id);
		}
		else if (m.type === 'records') {
			handlers.onRecords && handlers.onRecords(m.records.length, m.more === true);
			answerPush(m.id);
		}
		else if (m.type === 'sync') {
			ws.send('{"type":"response","id":' + m.id + ',"result":[]}');
		}
		else if (m.type === 'response' && m.id === syncId) {
			m.result.forEach(apply);
			if (m.more) {
				sync();
			}
			else if (!synced) {
				synced = true;
				ready();
			}
		}
		else if (m.type === 'response' && m.id === subscribeId) {
			subscribed = true;
			ready();
		}
		else if (m.type === 'error') {
			handlers.onError && handlers.onError(new Error('error ' + m.code + ': ' + m.message));
		}
	});
	ws.on('error', (e) => handlers.onError && handlers.onError(e));
	ws.on('close', (code) => handlers.onClose && handlers.onClose(code));
	return { close: () => ws.terminate(), position: () => position };
}

// The baseline limit: subscribe to live entries, or fetch in batches from the start.
function baseline(opts, uid, handlers) {
	const ws = new WebSocket(`ws://127.0.0.1:${opts.port}/`, { perMessageDeflate: false });
	const fetch = (after) => ws.send(JSON.stringify({ t: 'fetch', after, limit: opts.batch || 500 }));
	ws.on('open', () => {
		if (opts.catchUp) {
			fetch('0-0');
		}
		else {
			ws.send('{"t":"sub"}');
		}
	});
	ws.on('message', (raw) => {
		const text = raw.toString();
		if (text.startsWith('{"t":"c"')) {
			handlers.onChange && parsePayload(text, handlers.onChange);
			return;
		}
		const m = JSON.parse(text);
		if (m.t === 'c') {
			handlers.onChange && parsePayload(m.d, handlers.onChange);
		}
		else if (m.t === 'subscribed') {
			handlers.onReady && handlers.onReady();
		}
		else if (m.t === 'batch') {
			for (const [, d] of m.e) {
				parsePayload(d, handlers.onChange);
			}
			if (m.more) {
				fetch(m.e[m.e.length - 1][0]);
			}
			else {
				handlers.onReady && handlers.onReady();
			}
		}
	});
	ws.on('error', (e) => handlers.onError && handlers.onError(e));
	ws.on('close', (code) => handlers.onClose && handlers.onClose(code));
	return { close: () => ws.terminate() };
}

// socket.io over its WebSocket transport, speaking Engine.IO 4 / Socket.IO 5 packets
// directly (open "0", ping "2" / pong "3", connect "40", event "42[...]"), which is what
// socket.io-client sends, without its per-socket overhead in the driver.
function socketio(opts, uid, handlers) {
	const ws = new WebSocket(`ws://127.0.0.1:${opts.port}/socket.io/?EIO=4&transport=websocket`,
		{ perMessageDeflate: false });
	ws.on('message', (raw) => {
		const text = raw.toString();
		if (text.startsWith('42')) {
			handlers.onChange && parsePayload(text, handlers.onChange);
		}
		else if (text === '2') {
			ws.send('3');
		}
		else if (text.startsWith('0')) {
			ws.send('40');
		}
		else if (text.startsWith('40')) {
			handlers.onReady && handlers.onReady();
		}
	});
	ws.on('error', (e) => handlers.onError && handlers.onError(e));
	ws.on('close', (code) => handlers.onClose && handlers.onClose(code));
	return { close: () => ws.terminate() };
}

// pouchdb-server: a continuous _changes feed from now (live), or _changes in batches of
// `batch` from 0 (catch-up), as PouchDB's replicator reads it.
function pouchdb(opts, uid, handlers) {
	let request;
	let closed = false;
	if (opts.catchUp) {
		const next = (since) => {
			request = http.get({ host: '127.0.0.1', port: opts.port, agent,
				path: `/${opts.db || 'bench'}/_changes?include_docs=true&since=${since}&limit=${opts.batch || 500}` }, (res) => {
				const chunks = [];
				res.on('data', (c) => chunks.push(c));
				res.on('end', () => {
					const body = JSON.parse(Buffer.concat(chunks).toString());
					for (const change of body.results) {
						if (change.doc && change.doc.p) {
							parsePayload(change.doc.p, handlers.onChange);
						}
					}
					if (body.results.length > 0 && !closed) {
						next(body.last_seq);
					}
					else {
						handlers.onReady && handlers.onReady();
					}
				});
			});
			request.on('error', (e) => handlers.onError && handlers.onError(e));
		};
		next(0);
		return { close: () => { closed = true; request && request.destroy(); } };
	}
	// from the database's update_seq read before the writer starts, so that a change
	// made while the feed is being set up is not missed; ready once the request is sent
	request = http.get({ host: '127.0.0.1', port: opts.port, agent: false,
		path: `/${opts.db || 'bench'}/_changes?feed=continuous&include_docs=true&since=${encodeURIComponent(opts.since ?? 'now')}&heartbeat=30000` }, (res) => {
		let buffer = '';
		res.setEncoding('utf8');
		res.on('data', (chunk) => {
			buffer += chunk;
			let nl;
			while ((nl = buffer.indexOf('\n')) >= 0) {
				const line = buffer.slice(0, nl);
				buffer = buffer.slice(nl + 1);
				if (line.length > 1) {
					parsePayload(line, handlers.onChange);
				}
			}
		});
		res.on('end', () => handlers.onClose && handlers.onClose(0));
	});
	request.on('finish', () => handlers.onReady && handlers.onReady());
	request.on('error', (e) => !closed && handlers.onError && handlers.onError(e));
	return { close: () => { closed = true; request.destroy(); } };
}

// y-websocket: the y-protocols sync messages of one shared document. The subscriber
// answers the server's sync step 1 and asks for the document with an empty state vector
// (step 1), then reads every update (step 2 or update) for the payloads its strings
// carry, without integrating them into a Y.Doc of its own (the driver measures the
// server, not Yjs on the client).
function ywebsocket(opts, uid, handlers) {
	const ws = new WebSocket(`ws://127.0.0.1:${opts.port}/${opts.room || 'bench'}`, { perMessageDeflate: false });
	ws.binaryType = 'nodebuffer';
	let ready = false;
	ws.on('open', () => {
		// messageSync(0), syncStep1(0), state vector: varUint8Array of [0] (no clients)
		ws.send(Buffer.from([0, 0, 1, 0]));
	});
	ws.on('message', (raw) => {
		const buf = raw;
		if (buf[0] !== 0) {
			return; // awareness
		}
		const kind = buf[1];
		if (kind === 0) {
			// the server's step 1: answer with an empty update (step 2 of nothing)
			ws.send(Buffer.from([0, 1, 2, 0, 0]));
			return;
		}
		// step 2 (the document so far) or update: scan the strings
		const text = buf.toString('latin1');
		let m;
		PAYLOADS.lastIndex = 0;
		while ((m = PAYLOADS.exec(text)) !== null) {
			handlers.onChange && handlers.onChange(Number(m[1]), Number(m[2]));
		}
		if (kind === 1 && !ready) {
			ready = true;
			handlers.onReady && handlers.onReady();
		}
	});
	ws.on('error', (e) => handlers.onError && handlers.onError(e));
	ws.on('close', (code) => handlers.onClose && handlers.onClose(code));
	return { close: () => ws.terminate() };
}

const subscribers = { syncro, syncroV2, baseline, socketio, pouchdb, ywebsocket };

module.exports = { subscribers, payload, parsePayload, now, agent, headers };
