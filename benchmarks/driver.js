'use strict';
// One load-driver process, forked by bench.js: it opens `n` clients of one system and
// checks what each receives. For every client it keeps a bitmap of the sequence numbers
// 1..m: a second receipt of one is a duplicate, a number outside 1..m is foreign, and a
// client is complete when it holds all m. Latency (receipt time minus the writer's send
// time carried in the payload) goes into a histogram of 0.1 ms buckets.
const { subscribers, now } = require('./lib/clients');

const BUCKETS = 600000; // 0.1 ms up to 60 s; the last bucket holds everything beyond

let clients = [];
let config;
let histogram;
let seen = [];
let counts;
let complete = 0;
let duplicates = 0;
let foreign = 0;
let errors = 0;
let closes = 0;
let lastAt = 0;
let firstError = null;
let readyCount = 0;
let connectStarted = 0;
let doneSent = false;

function send(message) {
	process.send(message);
}

function received(index, seq, sentAt) {
	const at = now();
	if (seq < 1 || seq > config.m) {
		foreign++;
		return;
	}
	const bits = seen[index];
	if (bits[seq] === 1) {
		duplicates++;
		return;
	}
	bits[seq] = 1;
	const latency = at - sentAt;
	histogram[Math.min(BUCKETS - 1, Math.max(0, Math.round(latency * 10)))]++;
	lastAt = at;
	if (++counts[index] === config.m) {
		complete++;
		if (complete === config.n && !doneSent) {
			doneSent = true;
			send({ type: 'done', state: state() });
		}
	}
}

function state() {
	// the histogram travels sparse
	const sparse = [];
	for (let i = 0; i < BUCKETS; i++) {
		if (histogram[i] !== 0) {
			sparse.push(i, histogram[i]);
		}
	}
	let received = 0;
	for (let i = 0; i < counts.length; i++) {
		received += counts[i];
	}
	return { complete, received, duplicates, foreign, errors, closes, lastAt, firstError,
		histogram: sparse, ready: readyCount, rss: process.memoryUsage().rss };
}

function connectAll() {
	const make = subscribers[config.kind];
	const inFlight = config.concurrency || 200;
	let next = 0;
	let open = 0;
	connectStarted = now();
	const connectNext = () => {
		while (open < inFlight && next < config.n) {
			const index = next++;
			open++;
			let ready = false;
			const handlers = {
				onReady: () => {
					if (ready) {
						return;
					}
					ready = true;
					open--;
					readyCount++;
					if (readyCount === config.n) {
						send({ type: 'ready', connectMs: now() - connectStarted, rss: process.memoryUsage().rss });
						if (config.m === 0) {
							doneSent = true;
						}
					}
					connectNext();
				},
				onChange: config.m > 0 ? (seq, sentAt) => received(index, seq, sentAt) : null,
				onError: (e) => {
					errors++;
					if (!firstError) {
						firstError = String(e && e.message || e);
					}
					if (!ready) {
						ready = true;
						open--;
						send({ type: 'failed', error: firstError, ready: readyCount });
					}
				},
				onClose: (code) => {
					closes++;
					if (!firstError) {
						firstError = 'closed with ' + code;
					}
				},
			};
			clients[index] = make(config.opts, config.uidPrefix + index, handlers);
		}
	};
	connectNext();
}

process.on('message', (message) => {
	if (message.type === 'start') {
		config = message.config;
		histogram = new Uint32Array(BUCKETS);
		counts = new Uint32Array(config.n);
		seen = [];
		for (let i = 0; i < config.n; i++) {
			seen.push(config.m > 0 ? new Uint8Array(config.m + 1) : null);
		}
		connectAll();
	}
	else if (message.type === 'report') {
		send({ type: 'state', state: state() });
	}
	else if (message.type === 'stop') {
		for (const client of clients) {
			client && client.close();
		}
		setTimeout(() => process.exit(0), 100);
	}
});
process.on('disconnect', () => process.exit(0));
