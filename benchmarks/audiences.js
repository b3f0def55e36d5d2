'use strict';
// Fan-out by audience: N subscribers, each signed in as a user of its own and the only
// member of a list of its own, against the sample app's jar. Two rows on one server:
//   everyone  M shared Todos, every subscriber gets all M (N x M deliveries);
//   own list  M Todos written round-robin into the N lists, each subscriber gets its
//             M / N and nothing of the others' (M deliveries), which the server finds by
//             filtering every scribe for every session by its user.
//   own list, subscribed  the same, to v2 subscribers that each subscribed to their own
//             list's scope (listTodos), so the klass is narrowed per connection too.
// Figures: time from the first write to the last receipt, deliveries per second, latency
// from the write's send to each receipt (p50, p99), server CPU seconds. A subscriber that
// gets a change of another list, or one twice, fails the row.
// Then one subscriber subscribes to a scope of K Todos (a list of u0's holding K), without
// a sync (as a client whose position is current): the time from the subscribe to its
// answer, which comes behind the K records, and the server's heap (after a GC before, the
// most seen while it runs, after a GC after), read with jcmd and jstat.
//
//   node benchmarks/audiences.js [--n 1000] [--m 5000] [--k 10000] [--store jdbc|redis] [--jar path]
// (benchmarks/run.sh builds the jar; this script expects it built.)
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');
const { subscribers, now } = require('./lib/clients');
const { log, freePort, sleep, waitFor, cpuSeconds, heapAfterGc, watchHeap } = require('./lib/procs');
const { post, request } = require('./lib/writers');

const HERE = __dirname;

function parseArgs(argv) {
	const args = {};
	for (let i = 0; i < argv.length; i++) {
		if (argv[i].startsWith('--')) {
			args[argv[i].slice(2)] = argv[i + 1];
			i++;
		}
	}
	return {
		n: Number(args.n || 1000),
		m: Number(args.m || 5000),
		k: Number(args.k || 10000),
		store: args.store || 'jdbc',
		jar: args.jar || path.join(HERE, '..', 'sample-app', 'target', 'sample-app-0.1.0-SNAPSHOT.jar'),
	};
}

const P = parseArgs(process.argv.slice(2));
const password = 'bench-secret';
const user = (i) => `u${i}`;
const basic = (i) => ({ Authorization: 'Basic ' + Buffer.from(`${user(i)}:${password}`).toString('base64') });
const procs = [];

async function startServer() {
	const port = await freePort();
	const users = {};
	for (let i = 0; i < P.n; i++) users[user(i)] = password;
	const args = ['-Xms256m', '-Xmx1g', '-jar', P.jar, '--server.port=' + port, '--server.address=127.0.0.1',
		'--spring.datasource.url=jdbc:h2:mem:audiences;DB_CLOSE_DELAY=-1', '--logging.level.root=WARN',
		'--server.tomcat.max-connections=30000', '--syncro.connections.max-total=20000',
		'--syncro.rate-limit.requests-per-second=1000000', '--syncro.rate-limit.burst=1000000',
		// Tomcat closes a keep-alive connection after 100 requests by default, and a write sent
		// on it just then fails with a reset
		'--server.tomcat.max-keep-alive-requests=-1'];
	if (P.store === 'redis') {
		const redisPort = await freePort();
		procs.push(spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
			{ stdio: 'ignore' }));
		await sleep(500);
		args.push('--syncro.store=redis', '--spring.data.redis.port=' + redisPort);
	}
	// a thousand users: as SPRING_APPLICATION_JSON rather than a thousand arguments
	const env = { ...process.env, SPRING_APPLICATION_JSON: JSON.stringify({ sample: { users } }) };
	const server = spawn('java', args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
	procs.push(server);
	await waitFor(async () => (await request(port, 'GET', '/api/todos', basic(0))).status === 200, 120000, 'the sample app');
	return { port, pid: server.pid };
}

async function inParallel(count, width, task) {
	let next = 0;
	await Promise.all(Array.from({ length: width }, async () => {
		while (next < count) {
			const i = next++;
			await task(i);
		}
	}));
}

function percentile(sorted, q) {
	return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * q) - 1)] : NaN;
}

/**
 * Connects N subscribers from the log's current end; each tells which changes it got. With
 * scopeOf, subscriber i speaks v2 and subscribes to scopeOf(i) first.
 */
async function connect(server, from, scopeOf) {
	const subs = [];
	await inParallel(P.n, 50, (i) => new Promise((resolve, reject) => {
		const sub = { got: new Map(), latencies: [], lastAt: 0 };
		const connectTo = scopeOf ? subscribers.syncroV2 : subscribers.syncro;
		const opts = { port: server.port, auth: `${user(i)}:${password}`, from, subscribe: scopeOf && scopeOf(i) };
		sub.client = connectTo(opts, `c${i}-${Date.now() % 100000}`, {
			onReady: resolve,
			onError: reject,
			onChange: (seq, sentAt) => {
				const at = now();
				sub.got.set(seq, (sub.got.get(seq) || 0) + 1);
				sub.latencies.push(at - sentAt);
				sub.lastAt = Math.max(sub.lastAt, at);
			},
		});
		subs[i] = sub;
	}));
	return subs;
}

async function row(name, server, subs, writeOf, expectedOf) {
	const cpu0 = cpuSeconds(server.pid);
	const t0 = now();
	await inParallel(P.m, 16, (seq) => writeOf(seq + 1));
	const writesMs = now() - t0;
	const deadline = Date.now() + 300000;
	const complete = () => subs.every((sub, i) => expectedOf(i).every((seq) => sub.got.has(seq)));
	while (!complete() && Date.now() < deadline) {
		await sleep(100);
	}
	const cpu = cpuSeconds(server.pid) - cpu0;
	let deliveries = 0, duplicates = 0, foreign = 0, lastAt = 0;
	const latencies = [];
	subs.forEach((sub, i) => {
		const expected = new Set(expectedOf(i));
		for (const [seq, times] of sub.got) {
			if (!expected.has(seq)) foreign++;
			if (times > 1) duplicates++;
			deliveries += times;
		}
		latencies.push(...sub.latencies);
		lastAt = Math.max(lastAt, sub.lastAt);
	});
	latencies.sort((a, b) => a - b);
	const seconds = (lastAt - t0) / 1000;
	const ok = complete() && duplicates === 0 && foreign === 0;
	log(`${name}: ${ok ? 'ok' : 'FAIL'} N=${P.n} M=${P.m} store=${P.store}: ${deliveries} deliveries in ${seconds.toFixed(2)} s`
		+ ` = ${Math.round(deliveries / seconds)}/s; writes ${Math.round(P.m / (writesMs / 1000))}/s;`
		+ ` p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p99 ${percentile(latencies, 0.99).toFixed(1)} ms;`
		+ ` server CPU ${cpu.toFixed(1)} s; ${duplicates} duplicated, ${foreign} of another list`);
	subs.forEach((sub) => { sub.got.clear(); sub.latencies.length = 0; sub.lastAt = 0; });
	return ok;
}

async function main() {
	if (!fs.existsSync(P.jar)) {
		throw new Error(`No jar at ${P.jar}: run benchmarks/run.sh once, or mvn -pl sample-app -am package -DskipTests`);
	}
	log(`starting the sample app (${P.store}) with ${P.n} users`);
	const server = await startServer();
	const lists = [];
	await inParallel(P.n, 16, async (i) => {
		lists[i] = JSON.parse(await post(server.port, '/api/lists', { name: `list of ${user(i)}` }, basic(i))).id;
	});
	log(`${P.n} lists made; connecting ${P.n} subscribers`);
	const subs = await connect(server, null);
	await sleep(500);
	const all = Array.from({ length: P.m }, (_, k) => k + 1);
	const everyone = await row('everyone', server, subs,
		(seq) => post(server.port, '/api/todos', { title: `b:${seq}:${now().toFixed(3)}` }, basic(seq % P.n)),
		() => all);
	// the own-list changes are numbered on: a shared Todo of the row before is not one of them
	const ownList = await row('own list', server, subs,
		(seq) => post(server.port, '/api/todos', { title: `b:${P.m + seq}:${now().toFixed(3)}`, listId: lists[seq % P.n] },
			basic(seq % P.n)),
		(i) => all.filter((seq) => seq % P.n === i).map((seq) => P.m + seq));
	// the new subscribers start where the old ones are: a Todo scribe before would cost each a
	// look at its record, which a sync from nothing through this history would measure instead
	const position = Math.max(...subs.map((sub) => sub.client.position() ?? 0));
	subs.forEach((sub) => sub.client.close());
	log(`connecting ${P.n} v2 subscribers, each subscribed to its own list`);
	const scoped = await connect(server, position,
		(i) => ({ scope: 'listTodos', params: { listId: lists[i] } }));
	await sleep(500);
	const ownListSubscribed = await row('own list, subscribed', server, scoped,
		(seq) => post(server.port, '/api/todos', { title: `b:${2 * P.m + seq}:${now().toFixed(3)}`, listId: lists[seq % P.n] },
			basic(seq % P.n)),
		(i) => all.filter((seq) => seq % P.n === i).map((seq) => 2 * P.m + seq));
	scoped.forEach((sub) => sub.client.close());
	const subscribed = await subscribeToBigScope(server);
	return everyone && ownList && ownListSubscribed && subscribed;
}

/** One subscriber subscribes to a scope of K Todos: time to the answer, records, heap. */
async function subscribeToBigScope(server) {
	const list = JSON.parse(await post(server.port, '/api/lists', { name: 'big' }, basic(0))).id;
	log(`writing ${P.k} Todos into one list`);
	await inParallel(P.k, 16, (k) => post(server.port, '/api/todos', { title: `big ${k}`, listId: list }, basic(0)));
	const before = heapAfterGc(server.pid);
	const heap = watchHeap(server.pid);
	await sleep(300);
	let records = 0, batches = 0;
	const t0 = now();
	const cpu0 = cpuSeconds(server.pid);
	const client = await new Promise((resolve, reject) => {
		const opened = subscribers.syncroV2({ port: server.port, auth: `${user(0)}:${password}`, sync: false,
			subscribe: { scope: 'listTodos', params: { listId: list } } }, `big-${Date.now() % 100000}`, {
			onReady: () => resolve(opened),
			onError: reject,
			onRecords: (count) => { records += count; batches++; },
		});
	});
	const seconds = (now() - t0) / 1000;
	const cpu = cpuSeconds(server.pid) - cpu0;
	heap.stop();
	client.close();
	const after = heapAfterGc(server.pid);
	const peak = heap.peak;
	const ok = records === P.k;
	log(`subscribe to a scope of ${P.k} Todos: ${ok ? 'ok' : 'FAIL'} ${records} records in ${batches} batches,`
		+ ` answered in ${seconds.toFixed(2)} s = ${Math.round(records / seconds)} records/s;`
		+ ` server CPU ${cpu.toFixed(1)} s; heap ${before.toFixed(0)} MiB after a GC before, at most ${peak.toFixed(0)} MiB`
		+ ` while it ran, ${after.toFixed(0)} MiB after a GC after`);
	return ok;
}

main().then((ok) => {
	procs.forEach((proc) => proc.kill('SIGKILL'));
	process.exit(ok ? 0 : 1);
}, (error) => {
	console.error(error);
	procs.forEach((proc) => proc.kill('SIGKILL'));
	process.exit(2);
});
