/**
 * JavaScript clients of the sample app for ChaosConvergenceTests: each a syncro-client-js
 * client (protocol v2, a MemoryStore) that makes random changes to Todos and to its user's
 * Pages (which her other clients change too) until told to stop, then reports what it holds.
 * Every other client subscribes to the shared Todos (section 8.7 of docs/PROTOCOL.md).
 *
 * Run by the test, not by hand: `node chaos-clients.mjs '<config>'` where the config is
 * JSON: `{ "seed": "…", "clients": [{ "uid", "user", "password", "url" }] }`. Every random
 * choice comes from the seed and the client's index.
 *
 * Commands, one per line on stdin; each answer is one JSON line on stdout:
 * - `stop`: stop writing; answers `{"event":"stopped","ops":{…}}` once every write is stored;
 * - `settle <ms>`: wait until every client is online with nothing pending, at most that long;
 *   answers `{"event":"settled","clients":[{uid, online, pending}]}`;
 * - `report`: answers `{"event":"report","clients":[{uid, user, status, pending, position,
 *   lastScribeId, records: {Todo: […], Page: […]}, …}]}`;
 * - `close`: closes the clients and exits.
 * It prints `{"event":"ready"}` once the clients are open and writing.
 */

import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

// the client and its ws come from syncro-client-js, which bin/test installs first
const clientFolder = new URL('../../../../syncro-client-js/', import.meta.url);
const { Syncro, MemoryStore } = await import(new URL('src/index.js', clientFolder));
const { WebSocket } = createRequire(new URL('package.json', clientFolder))('ws');

const config = JSON.parse(process.argv[2]);

/** A 32-bit hash of a string, to seed a generator (xmur3). */
function hash(text) {
	let h = 1779033703 ^ text.length;
	for (let i = 0; i < text.length; i++) {
		h = Math.imul(h ^ text.charCodeAt(i), 3432918353);
		h = (h << 13) | (h >>> 19);
	}
	h = Math.imul(h ^ (h >>> 16), 2246822507);
	h = Math.imul(h ^ (h >>> 13), 3266489909);
	return (h ^= h >>> 16) >>> 0;
}

/** A seeded generator of numbers in [0, 1) (mulberry32). */
function generator(seed) {
	let a = seed;
	return () => {
		a = (a + 0x6d2b79f5) | 0;
		let t = Math.imul(a ^ (a >>> 15), 1 | a);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function send(message) {
	process.stdout.write(`${JSON.stringify(message)}\n`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function within(promise, ms) {
	let timer;
	return Promise.race([
		promise.then(() => true),
		new Promise((resolve) => { timer = setTimeout(() => resolve(false), ms); }),
	]).finally(() => clearTimeout(timer));
}

/** One client and its writer. */
class ChaosClient {
	constructor(spec, index) {
		this.spec = spec;
		// every other client narrows its Todos to the shared ones (all the run's Todos are
		// shared): what it holds must not change, but every Todo scribe it gets is then
		// checked against the record, and every reconnection resets its Todos
		this.subscribes = index % 2 === 1;
		this.random = generator(hash(`${config.seed}/js/${index}`));
		this.count = 0;
		this.ops = { create: 0, update: 0, destroy: 0, skipped: 0 };
		this.refused = 0;
		this.conflicts = 0;
		this.restarts = 0;
		this.mismatches = [];
		this.errors = 0;
		this.writing = true;
	}

	async open() {
		const { uid, user, password, url } = this.spec;
		this.client = await Syncro.open({
			url,
			client: uid,
			WebSocket,
			store: new MemoryStore(),
			headers: { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` },
			backoff: { initial: 50, max: 500, factor: 2, jitter: 0.5 },
			requestTimeout: 10000,
		});
		this.client.on('refused', () => this.refused++);
		this.client.on('conflict', () => this.conflicts++);
		this.client.on('reset', () => this.restarts++);
		this.client.on('mismatch', ({ klass, at, expected, actual }) =>
			this.mismatches.push(`${klass} at ${at}: server ${expected.count} records, client ${actual.count}`));
		// resets are the point of the run: count what they cause, do not print each
		this.client.on('error', () => this.errors++);
		this.todos = this.client.collection('Todo');
		this.pages = this.client.collection('Page');
		if (this.subscribes) {
			// answered on the first connection that gets through; kept until then
			this.client.subscribe('sharedTodos', {}).catch(() => this.errors++);
		}
	}

	pick(list) {
		return list[Math.floor(this.random() * list.length)];
	}

	/** Writes until stopped, a random change every 20 to 150 ms. */
	async write() {
		while (this.writing) {
			try {
				await this.change();
			}
			catch {
				// the record went meanwhile (a destroy, or the Page moved to another user)
				this.ops.skipped++;
			}
			await sleep(20 + Math.floor(this.random() * 130));
		}
	}

	async change() {
		const { uid, user } = this.spec;
		const n = ++this.count;
		const todos = this.todos.all();
		const pages = this.pages.all();
		const r = this.random();
		if (r < 0.6) {
			// Todos: everyone writes every one of them, so writes to one record collide
			const t = this.random();
			if (todos.length === 0 || (t < 0.25 && todos.length < 40)) {
				await this.todos.create({ id: `${uid}-t${n}`, title: `${uid} todo ${n}`, done: false });
				this.ops.create++;
			}
			else if (t < 0.85 || todos.length < 40) {
				const todo = this.pick(todos);
				const u = this.random();
				const changes = u < 0.4 ? { done: !todo.done } : u < 0.8 ? { title: `${uid} edit ${n}` }
					: { title: `${uid} edit ${n}`, done: this.random() < 0.5 };
				await this.todos.update(todo.id, changes);
				this.ops.update++;
			}
			else {
				await this.todos.destroy(this.pick(todos).id);
				this.ops.destroy++;
			}
		}
		else {
			// Pages: its user's, which her other clients change too and the REST writers move
			// to other users meanwhile
			const t = this.random();
			if (pages.length === 0 || (t < 0.3 && pages.length < 10)) {
				await this.pages.create({ id: `${uid}-p${n}`, owner: user, title: `${uid} page ${n}`, body: `written ${n}` });
				this.ops.create++;
			}
			else if (t < 0.95) {
				const page = this.pick(pages);
				await this.pages.update(page.id, this.random() < 0.5 ? { title: `${uid} retitled ${n}` } : { body: `rewritten ${n}` });
				this.ops.update++;
			}
			else {
				await this.pages.destroy(this.pick(pages).id);
				this.ops.destroy++;
			}
		}
	}

	async settle(ms) {
		const c = this.client;
		const done = await within(Promise.all([c.whenOnline(), c.whenSettled()]).then(() => c.whenOnline()), ms);
		return { uid: this.spec.uid, settled: done, status: c.status, pending: c.pendingWrites };
	}

	async report() {
		const c = this.client;
		let lastScribeId = null;
		let rpcError = null;
		try {
			lastScribeId = await c.rpc('Syncro', 'last_scribe_id', []);
		}
		catch (error) {
			rpcError = String(error?.message ?? error);
		}
		try {
			await c.verify();
		}
		catch (error) {
			rpcError ??= `the last check of the digest failed: ${error?.message ?? error}`;
		}
		return {
			uid: this.spec.uid,
			user: this.spec.user,
			status: c.status,
			pending: c.pendingWrites,
			position: c.position,
			lastScribeId,
			rpcError,
			refused: this.refused,
			conflicts: this.conflicts,
			errors: this.errors,
			subscriptions: c.subscriptions.length,
			restarts: this.restarts,
			mismatches: c.mismatches,
			mismatchNotes: this.mismatches,
			records: { Todo: this.todos.all(), Page: this.pages.all() },
		};
	}
}

const clients = config.clients.map((spec, index) => new ChaosClient(spec, index));
await Promise.all(clients.map((c) => c.open()));
const writers = clients.map((c) => c.write());
send({ event: 'ready' });

const commands = createInterface({ input: process.stdin });
for await (const line of commands) {
	const [command, argument] = line.trim().split(/\s+/);
	if (command === 'stop') {
		clients.forEach((c) => { c.writing = false; });
		await Promise.all(writers);
		const ops = { create: 0, update: 0, destroy: 0, skipped: 0 };
		for (const c of clients) {
			for (const key of Object.keys(ops)) {
				ops[key] += c.ops[key];
			}
		}
		send({ event: 'stopped', ops });
	}
	else if (command === 'settle') {
		send({ event: 'settled', clients: await Promise.all(clients.map((c) => c.settle(Number(argument)))) });
	}
	else if (command === 'report') {
		send({ event: 'report', clients: await Promise.all(clients.map((c) => c.report())) });
	}
	else if (command === 'close') {
		break;
	}
}
clients.forEach((c) => { c.writing = false; });
await Promise.all(clients.map((c) => c.client.close()));
process.exit(0);
