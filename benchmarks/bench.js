'use strict';
// Syncro side by side with its peers and the limit of its design, in one run.
//
//   node bench.js [--quick | --full] [--only syncro-redis,baseline,...] [--workloads fanout,rate,catchup,write,connections]
//                 [--n 100,1000] [--m 10000] [--rates 200@100,50@1000] [--rate-seconds 20] [--k 10000,100000] [--w 5000]
//                 [--idle 10000] [--auth bench:bench-secret] [--rest-auth alice:alice-secret] [--jar path] [--java path]
//                 [--settle off] [--warmup seconds] [--cpu-profile dir]
//                 [--out results] [--label text]
//
// Starts each server on loopback (Redis too, on a free port, without persistence), drives
// it from forked driver processes, stops it, and prints one table; writes it to
// results/<date>.md with a CSV next to it and a PNG chart. See README.md.
const { fork, spawn, execFileSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const { subscribers, now, headers } = require('./lib/clients');
const { writers, drive, post, request } = require('./lib/writers');
const { freePort, sleep } = require('./lib/procs');
const { summarizeFile } = require('./lib/profile');

const HERE = __dirname;
const ROOT = path.resolve(HERE, '..');

// Options

// M per N: a list as long as n, or one M for every N. The fixed-rate rows are (rate, N)
// pairs, each writing for rateSeconds, as the issue's latency targets are (200/s to 100
// subscribers, 50/s to 1,000). Pass --n/--m/--k for the sizes of the issue (M=10,000 at
// every N), which take hours on a 2-core machine.
const PROFILES = {
	quick: { n: [100], m: [500], rates: [{ rate: 200, n: 100 }], rateSeconds: 10, warmup: 60, k: [5000], w: 1000, idle: 1000,
		timeout: 30, jdbc: { n: [100], k: [5000] } },
	full: { n: [100, 1000, 5000], m: [2000, 500, 100], rates: [{ rate: 200, n: 100 }, { rate: 50, n: 1000 }], rateSeconds: 20, warmup: 120,
		k: [10000, 100000], w: 3000, idle: 10000, timeout: 120, jdbc: { n: [1000], k: [10000] } },
};

function parseArgs(argv) {
	const args = { profile: 'quick' };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--quick' || a === '--full') {
			args.profile = a.slice(2);
		}
		else if (a.startsWith('--')) {
			args[a.slice(2)] = argv[++i];
		}
	}
	const p = { ...PROFILES[args.profile] };
	const list = (v) => String(v).split(',').map((x) => x.trim()).filter(Boolean);
	const nums = (v) => list(v).map(Number);
	if (args.n) { p.n = nums(args.n); p.jdbc = { ...p.jdbc, n: p.n }; }
	if (args.m) p.m = nums(args.m);
	if (args.rates) {
		p.rates = list(args.rates).map((pair) => {
			const [rate, n] = pair.split('@').map(Number);
			if (!(rate > 0 && n > 0)) throw new Error(`--rates takes rate@subscribers pairs, e.g. 200@100,50@1000: ${pair}`);
			return { rate, n };
		});
	}
	if (args['rate-seconds']) p.rateSeconds = Number(args['rate-seconds']);
	// the options before the pairs still work: --rate 200,50 to --rate-n subscribers each,
	// --rate-m changes at the first rate (the same seconds at every rate)
	if (args.rate || args['rate-n']) {
		const rates = args.rate ? nums(args.rate) : p.rates.map((r) => r.rate);
		p.rates = rates.map((rate, i) => ({ rate, n: Number(args['rate-n']) || p.rates[Math.min(i, p.rates.length - 1)].n }));
	}
	if (args['rate-m']) p.rateSeconds = Number(args['rate-m']) / p.rates[0].rate;
	if (args.k) { p.k = nums(args.k); p.jdbc = { ...p.jdbc, k: p.k }; }
	if (args.w) p.w = Number(args.w);
	if (args.idle) p.idle = Number(args.idle);
	if (args.timeout) p.timeout = Number(args.timeout);
	p.profile = args.profile;
	p.only = args.only ? list(args.only) : ['syncro-redis', 'syncro-jdbc', 'baseline', 'socketio', 'pouchdb', 'ywebsocket'];
	p.workloads = args.workloads ? list(args.workloads) : ['fanout', 'rate', 'catchup', 'write', 'connections'];
	// the sample app's sync handshake takes HTTP Basic of a user of sample.users; --auth none drops it
	p.auth = args.auth || process.env.BENCH_AUTH || 'bench:bench-secret';
	if (p.auth === 'none') p.auth = '';
	// its REST API always does: the writer signs in as the same user, or as the sample's alice
	// when the connections go without
	p.restAuth = args['rest-auth'] || process.env.BENCH_REST_AUTH || p.auth || 'alice:alice-secret';
	p.jar = args.jar || path.join(ROOT, 'sample-app/target/sample-app-0.1.0-SNAPSHOT.jar');
	p.out = args.out || path.join(HERE, 'results');
	p.label = args.label || '';
	// --settle off: no waiting for the load average before a row, and no repeats
	p.settle = args.settle !== 'off';
	p.warmup = (args.warmup !== undefined) ? Number(args.warmup) : p.warmup;
	// --cpu-profile dir: async-profiler's collapsed stacks of every fan-out and catch-up row of Syncro
	p.cpuProfile = args['cpu-profile'] ? path.resolve(args['cpu-profile']) : null;
	// --profile-event alloc: the profiles count allocated bytes instead of CPU; wall: the
	// threads' wall-clock time, waiting included (where a request's time goes)
	p.profileEvent = args['profile-event'] || 'cpu';
	if (!['cpu', 'alloc', 'wall'].includes(p.profileEvent)) throw new Error('--profile-event: cpu, alloc or wall');
	if (p.cpuProfile && p.cpuProfile.includes(',')) throw new Error('--cpu-profile: the profiler\'s options are separated by commas; a directory without one');
	// the JVM of Syncro's servers, to compare Java versions: --java /usr/lib/jvm/<jdk>/bin/java
	p.java = args.java || 'java';
	p.jvmArgs = (args['jvm-args'] || process.env.BENCH_JVM_ARGS || '-Xms256m -Xmx1g').split(' ').filter(Boolean);
	p.syncroArgs = (args['syncro-args'] || process.env.BENCH_SYNCRO_ARGS || '').split(' ').filter(Boolean);
	return p;
}

const P = parseArgs(process.argv.slice(2));
const RUN_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'syncro-bench-'));
const started = [];

function log(...a) {
	console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...a);
}

async function waitFor(check, timeoutMs, what) {
	const until = Date.now() + timeoutMs;
	for (;;) {
		try {
			if (await check()) {
				return;
			}
		}
		catch (e) {
			// not yet
		}
		if (Date.now() > until) {
			throw new Error('timed out waiting for ' + what);
		}
		await sleep(200);
	}
}

function portOpen(port) {
	return new Promise((resolve) => {
		const s = net.connect(port, '127.0.0.1');
		s.once('connect', () => { s.destroy(); resolve(true); });
		s.once('error', () => resolve(false));
	});
}

function startProcess(name, command, args, options = {}) {
	const logFile = path.join(RUN_DIR, name + '.log');
	const out = fs.openSync(logFile, 'a');
	const child = spawn(command, args, { stdio: ['ignore', out, out], cwd: options.cwd || RUN_DIR,
		env: { ...process.env, ...(options.env || {}) } });
	const proc = { name, child, pid: child.pid, logFile, exited: false };
	child.on('exit', () => { proc.exited = true; });
	started.push(proc);
	return proc;
}

async function stopProcess(proc) {
	if (!proc || proc.exited) {
		return;
	}
	proc.child.kill('SIGTERM');
	for (let i = 0; i < 50 && !proc.exited; i++) {
		await sleep(100);
	}
	if (!proc.exited) {
		proc.child.kill('SIGKILL');
		await sleep(200);
	}
}

function cleanup() {
	for (const proc of started) {
		if (!proc.exited) {
			try { proc.child.kill('SIGKILL'); } catch (e) { /* gone */ }
		}
	}
}
process.on('exit', cleanup);
process.on('SIGINT', () => { cleanup(); process.exit(130); });
process.on('SIGTERM', () => { cleanup(); process.exit(143); });

// Measuring a server process

function procStatus(pid) {
	const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	const kb = (key) => Number((new RegExp(key + ':\\s+(\\d+)').exec(text) || [0, 0])[1]);
	return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
}

function cpuSeconds(pid) {
	const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
	return (Number(fields[11]) + Number(fields[12])) / 100;
}

// A tool of the JDK whose java runs Syncro (--java): the jcmd of another version may not
// attach to it.
function jdkTool(name) {
	if (!P.java.includes('/')) {
		return name;
	}
	const tool = path.join(path.dirname(fs.realpathSync(P.java)), name);
	return fs.existsSync(tool) ? tool : name;
}

// the JVM's used heap after a full collection, in KB
function jvmHeapAfterGc(pid) {
	execFileSync(jdkTool('jcmd'), [String(pid), 'GC.run'], { stdio: 'ignore' });
	const info = execFileSync(jdkTool('jcmd'), [String(pid), 'GC.heap_info']).toString();
	return Number((/used (\d+)K/.exec(info) || [0, 0])[1]);
}

// Samples a process's RSS every 50 ms until stopped; returns the peak.
function rssSampler(pid) {
	let peak = procStatus(pid).rssKb;
	const timer = setInterval(() => {
		try { peak = Math.max(peak, procStatus(pid).rssKb); } catch (e) { /* exited */ }
	}, 50);
	return { stop: () => { clearInterval(timer); return peak; } };
}

// The JVM's GC log: the heap after each collection (young or full) logged since `from`
// lines. Remark and Cleanup pauses of a concurrent cycle log the heap in use, eden
// included, not what a collection left, so they are not counted.
function gcAfterValues(logFile, fromLine) {
	if (!fs.existsSync(logFile)) {
		return { lines: 0, after: [] };
	}
	const lines = fs.readFileSync(logFile, 'utf8').split('\n');
	const after = [];
	for (const line of lines.slice(fromLine)) {
		const m = /Pause (?:Young|Full).* (\d+)M->(\d+)M\(\d+M\)/.exec(line);
		if (m) {
			after.push(Number(m[2]) * 1024);
		}
	}
	return { lines: lines.length, after };
}

// CPU profiles (--cpu-profile): async-profiler, Maven Central's tools.profiler:async-profiler,
// attached by jcmd to a JVM server for the measured part of each fan-out row.

const ASYNC_PROFILER_JAR = path.join(os.homedir(), '.m2/repository/tools/profiler/async-profiler/4.2/async-profiler-4.2.jar');

function profilerLibrary() {
	const lib = path.join(RUN_DIR, 'linux-x64/libasyncProfiler.so');
	if (fs.existsSync(lib)) {
		return lib;
	}
	if (!fs.existsSync(ASYNC_PROFILER_JAR)) {
		log('fetching async-profiler 4.2 from Maven Central');
		execFileSync('mvn', ['-B', '-ntp', '-q', 'dependency:get', '-Dartifact=tools.profiler:async-profiler:4.2'], { stdio: 'inherit' });
	}
	execFileSync('unzip', ['-o', '-q', ASYNC_PROFILER_JAR, 'linux-x64/libasyncProfiler.so', '-d', RUN_DIR]);
	return lib;
}

// One command to the profiler in a JVM. Its options go in literal double quotes, or jcmd
// splits them at the commas; jcmd exits with 0 whatever the agent answered, so the answer
// is read from its output.
function profilerCommand(pid, command) {
	const out = execFileSync(jdkTool('jcmd'), [String(pid), 'JVMTI.agent_load', profilerLibrary(), `"${command}"`]).toString();
	if (!/return code: 0\b/.test(out)) {
		throw new Error(out.trim().split('\n').pop());
	}
}

// Starts profiling a JVM server's CPU (perf events, or the interval timer where those are
// not allowed); returns whether it runs.
function startProfile(server) {
	if (!P.cpuProfile || !server.jvm) {
		return false;
	}
	for (const event of (P.profileEvent === 'cpu') ? ['cpu', 'itimer'] : [P.profileEvent]) {
		try {
			profilerCommand(server.pid, (event === 'alloc') ? 'start,event=alloc,threads' : `start,event=${event},interval=1ms,threads`);
			return true;
		}
		catch (e) {
			log(`${server.name}: async-profiler with event=${event} did not start: ${e.message}`);
		}
	}
	return false;
}

// Stops it, writes its collapsed stacks to <dir>/<server>-<workload>-<size>.collapsed and
// logs what they say.
function stopProfile(server, row) {
	const file = path.join(P.cpuProfile, `${server.name}-${row.workload}-${row.size}`.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/_$/, '') + '.collapsed');
	try {
		profilerCommand(server.pid, `stop,collapsed,threads,file=${file}`);
		log(`CPU profile of ${server.name} ${row.workload} ${row.size}: ${file}\n${summarizeFile(file)}`);
	}
	catch (e) {
		log(`${server.name}: no CPU profile: ${e.message}`);
	}
}

// Servers

async function startRedis() {
	const port = await freePort();
	const proc = startProcess('redis-' + port, 'redis-server',
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxclients', '20000']);
	await waitFor(() => portOpen(port), 10000, 'redis');
	return { port, proc };
}

async function startSyncro(store, enabled = true) {
	const port = await freePort();
	const extra = [];
	let redis = null;
	if (store === 'redis') {
		redis = await startRedis();
		extra.push('--syncro.store=redis', '--spring.data.redis.port=' + redis.port, '--management.health.redis.enabled=true');
	}
	const name = `syncro-${store}${enabled ? '' : '-disabled'}-${port}`;
	const gcLog = path.join(RUN_DIR, name + '-gc.log');
	// a profiler attached later sees where inlined code ran, and the JVM does not warn of it
	const profiling = P.cpuProfile ? ['-XX:+UnlockDiagnosticVMOptions', '-XX:+DebugNonSafepoints', '-XX:+EnableDynamicAgentLoading'] : [];
	const args = [...P.jvmArgs, ...profiling, `-Xlog:gc:file=${gcLog}`, '-jar', P.jar,
		'--server.port=' + port, '--server.address=127.0.0.1',
		'--spring.datasource.url=jdbc:h2:mem:bench;DB_CLOSE_DELAY=-1',
		'--server.tomcat.max-connections=30000', '--server.tomcat.accept-count=2000',
		'--server.tomcat.threads.max=200', '--logging.level.root=WARN',
		// room for 10,000 idle connections and the probes, all of one user; the rate limits
		// per connection (100 requests/s) and per user (300/s) would refuse the bulk
		// add_scribe writers: all raised
		'--syncro.connections.max-total=40000', '--syncro.rate-limit.requests-per-second=1000000',
		'--syncro.rate-limit.burst=1000000', '--syncro.rate-limit.per-user.requests-per-second=1000000',
		'--syncro.rate-limit.per-user.burst=1000000', '--syncro.connections.max-per-user=40000',
		'--syncro.clients.max-per-user=1000000', '--syncro.clients.max-new-per-hour=1000000',
		'--syncro.enabled=' + enabled, ...extra, ...P.syncroArgs];
	for (const auth of new Set([P.auth, P.restAuth].filter(Boolean))) {
		const [user, password] = auth.split(':');
		args.push(`--sample.users.${user}=${password}`);
	}
	const proc = startProcess(name, P.java, args);
	const ready = async () => (await request(port, 'GET', '/api/todos?size=1', headers({ auth: P.restAuth }))).status === 200;
	await waitFor(ready, 90000, name);
	return { name: store === 'redis' ? (enabled ? 'syncro-redis' : 'syncro-disabled') : 'syncro-jdbc', port, pid: proc.pid, redisPid: redis && redis.proc.pid, jvm: true, gcLog, stop: async () => { await stopProcess(proc); if (redis) await stopProcess(redis.proc); } };
}

async function startNode(name, script, args, options = {}) {
	const proc = startProcess(name, process.execPath, [script, ...args], options);
	return proc;
}

async function startServer(kind) {
	if (kind === 'syncro-redis') return startSyncro('redis');
	if (kind === 'syncro-jdbc') return startSyncro('jdbc');
	if (kind === 'syncro-disabled') return startSyncro('redis', false);
	const port = await freePort();
	if (kind === 'baseline') {
		const redis = await startRedis();
		const proc = await startNode('baseline-' + port, path.join(HERE, 'servers/baseline.js'), [String(port), String(redis.port)]);
		await waitFor(() => portOpen(port), 15000, kind);
		return { name: kind, port, pid: proc.pid, redisPid: redis.proc.pid, stop: async () => { await stopProcess(proc); await stopProcess(redis.proc); } };
	}
	if (kind === 'socketio') {
		const proc = await startNode('socketio-' + port, path.join(HERE, 'servers/socketio.js'), [String(port)]);
		await waitFor(() => portOpen(port), 15000, kind);
		return { name: kind, port, pid: proc.pid, stop: () => stopProcess(proc) };
	}
	if (kind === 'pouchdb') {
		const dir = fs.mkdtempSync(path.join(RUN_DIR, 'pouchdb-'));
		const proc = await startNode('pouchdb-' + port, path.join(HERE, 'node_modules/pouchdb-server/bin/pouchdb-server'),
			['--in-memory', '--port', String(port), '--host', '127.0.0.1', '--no-stdout-logs'], { cwd: dir });
		await waitFor(async () => (await request(port, 'GET', '/')).status === 200, 30000, kind);
		return { name: kind, port, pid: proc.pid, stop: () => stopProcess(proc) };
	}
	if (kind === 'ywebsocket') {
		const proc = await startNode('ywebsocket-' + port, path.join(HERE, 'node_modules/y-websocket/bin/server.js'), [],
			{ env: { HOST: '127.0.0.1', PORT: String(port) } });
		await waitFor(() => portOpen(port), 15000, kind);
		return { name: kind, port, pid: proc.pid, stop: () => stopProcess(proc) };
	}
	throw new Error('unknown server ' + kind);
}

// the changes of a fixed-rate row: rateSeconds of writing
function rateM(rate) {
	return Math.round(rate * P.rateSeconds);
}

function mFor(i) {
	const m = P.m;
	return m[Math.min(Math.max(0, i), m.length - 1)];
}

function clientKind(kind) {
	return kind.startsWith('syncro') ? 'syncro' : kind;
}

// The subscriber of lib/clients.js for a server: Syncro's speak protocol v2, as its JS
// client does, but for the one row that keeps v1 for comparison.
function subscriberKind(server, v1 = false) {
	const kind = clientKind(server.name);
	return kind !== 'syncro' ? kind : v1 ? 'syncro' : 'syncroV2';
}

// The highest scribe id a new Syncro client would sync from: Syncro.last_scribe_id.
async function syncroLastId(server) {
	const { openWs } = require('./lib/writers');
	// the rpc goes out at once; the server's pull is answered whenever it comes
	return new Promise((resolve, reject) => {
		let ws = null;
		const onMessage = (raw, socket) => {
			const m = JSON.parse(raw);
			if (m.type === 'sync') {
				socket.send(JSON.stringify({ type: 'response', id: m.id, result: [] }));
			}
			else if (m.id === 1 && m.type === 'response') {
				socket.terminate();
				resolve(m.result);
			}
			else if (m.id === 1 && m.type === 'error') {
				reject(new Error(JSON.stringify(m)));
			}
		};
		openWs(`ws://127.0.0.1:${server.port}/syncro?client=bench-probe`, { headers: headers({ auth: P.auth }) }, onMessage)
			.then((socket) => {
				ws = socket;
				ws.send(JSON.stringify({ type: 'rpc', id: 1, klass: 'Syncro', method: 'last_scribe_id', args: [] }));
			}, reject);
	});
}

// Drivers

function driverCount(n) {
	return n >= 4000 ? 4 : n >= 500 ? 2 : 1;
}

async function startDrivers(kind, n, m, opts, uidPrefix) {
	const count = driverCount(n);
	const drivers = [];
	for (let d = 0; d < count; d++) {
		const share = Math.floor(n / count) + (d < n % count ? 1 : 0);
		const child = fork(path.join(HERE, 'driver.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
		const driver = { child, n: share, ready: null, done: null, state: null, failed: null };
		driver.readyPromise = new Promise((resolve) => { driver.resolveReady = resolve; });
		driver.donePromise = new Promise((resolve) => { driver.resolveDone = resolve; });
		child.on('message', (msg) => {
			if (msg.type === 'ready') { driver.ready = msg; driver.resolveReady(msg); }
			else if (msg.type === 'failed') { driver.failed = msg; driver.resolveReady(msg); }
			else if (msg.type === 'done') { driver.state = msg.state; driver.resolveDone(msg.state); }
			else if (msg.type === 'state') { driver.state = msg.state; driver.resolveState && driver.resolveState(msg.state); }
		});
		child.send({ type: 'start', config: { kind, n: share, m, opts, uidPrefix: `${uidPrefix}-${d}-` } });
		drivers.push(driver);
	}
	return drivers;
}

function driverStates(drivers) {
	return Promise.all(drivers.map((d) => new Promise((resolve) => {
		d.resolveState = resolve;
		d.child.send({ type: 'report' });
	})));
}

async function stopDrivers(drivers) {
	for (const d of drivers) {
		try { d.child.send({ type: 'stop' }); } catch (e) { /* gone */ }
	}
	await Promise.all(drivers.map((d) => new Promise((resolve) => {
		if (d.child.exitCode !== null) resolve();
		d.child.once('exit', resolve);
		setTimeout(() => { d.child.kill('SIGKILL'); resolve(); }, 3000);
	})));
}

function withTimeout(promise, ms) {
	return Promise.race([promise, sleep(ms).then(() => 'timeout')]);
}

// The drivers' sparse histograms (bucket, count, bucket, count, ... in 0.1 ms buckets) as
// one, in bucket order.
function mergeHistograms(histograms) {
	const counts = new Map();
	for (const h of histograms) {
		for (let i = 0; i < h.length; i += 2) counts.set(h[i], (counts.get(h[i]) || 0) + h[i + 1]);
	}
	return [...counts].sort((a, b) => a[0] - b[0]).flat();
}

function percentile(sparse, q) {
	let total = 0;
	for (let i = 1; i < sparse.length; i += 2) total += sparse[i];
	if (total === 0) return NaN;
	const pairs = [];
	for (let i = 0; i < sparse.length; i += 2) pairs.push([sparse[i], sparse[i + 1]]);
	pairs.sort((a, b) => a[0] - b[0]);
	const target = q >= 1 ? total : Math.ceil(total * q);
	let seen = 0;
	for (const [bucket, count] of pairs) {
		seen += count;
		if (seen >= target) return bucket / 10;
	}
	return pairs[pairs.length - 1][0] / 10;
}

// Workloads

const results = [];

function describe(row) {
	const figures = Object.entries(row).filter(([k]) => !['server', 'workload', 'size', 'histogram'].includes(k))
		.map(([k, v]) => `${k}=${typeof v === 'number' ? +v.toFixed(2) : v}`).join(' ');
	return `${row.server} ${row.workload} ${row.size}: ${figures}`;
}

function record(row) {
	results.push(row);
	log(describe(row));
}

function loadAverage() {
	return Number(fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

// Other work on the machine shares its cores: before a row, wait (up to 90 s) for the
// 1-minute load average to fall to 1, and return it.
async function settle() {
	let load = loadAverage();
	if (!P.settle || load <= 1) {
		return load;
	}
	log(`load average ${load}: waiting up to 90 s for 1 or less`);
	const t = Date.now();
	while (load > 1 && Date.now() - t < 90000) {
		await sleep(5000);
		load = loadAverage();
	}
	log(`load average ${load} after ${Math.round((Date.now() - t) / 1000)} s`);
	return load;
}

// Runs one measured row (a workload function that returns it) once the machine settled,
// and records it with the load average before it. A row begun above a load of 1 shared
// the machine with something else: it is measured again (once), and the repeat is the
// row. The workload is told it is a repeat (`again`), to measure afresh what it caches.
async function measure(workload) {
	let loadBefore = await settle();
	let row = await workload(false);
	if (P.settle && loadBefore > 1) {
		const first = loadBefore;
		log(`first try, load ${first} before it: ${describe(row)}`);
		loadBefore = await settle();
		row = await workload(true);
		row.note = [row.note, `repeated: load ${first} before the first try`].filter(Boolean).join('; ');
	}
	record({ ...row, loadBefore });
}

// The writer of a server's fan-out rows: Syncro's through its REST API.
function writerKind(server) {
	return server.name.startsWith('syncro') ? 'syncro' : clientKind(server.name);
}

// The time a fan-out row's writes and deliveries are given, in ms: --timeout, and at a
// fixed rate the time its writes take.
function writeBudget(m, rate) {
	return P.timeout * 1000 + (rate ? (m / rate) * 1000 : 0);
}

// The CPU seconds of a server and its Redis, if it has one.
function serverCpu(server) {
	return cpuSeconds(server.pid) + (server.redisPid ? cpuSeconds(server.redisPid) : 0);
}

// What a fan-out row's writes cost a server and its Redis with nobody listening: the same
// writer making the same M changes at the same rate (or window), into a room or database
// of their own, so that no subscriber of the row sees them. Kept per server, M and rate,
// so that the v1 row takes the v2 row's; measured afresh for a repeated row.
//
// The writes run twice and the second run counts: the first compiles what they need (a
// JVM's JIT took a third to a half of Syncro's CPU in a profile of a first 400 REST writes
// at 200/s, after 4,000 at full speed), which would be counted against writing and make
// delivering look cheap, even less than nothing.
async function quietCpu(server, m, rate, opts, again) {
	const key = `${m}@${rate}`;
	server.quiet = server.quiet || new Map();
	if (server.quiet.has(key) && !again) {
		return server.quiet.get(key);
	}
	const budget = writeBudget(m, rate);
	let cpu0 = 0;
	let written = null;
	for (let run = 1; run <= 2; run++) {
		const writer = await writers[writerKind(server)]({ ...opts, room: opts.room + '-quiet', db: opts.db + '-quiet' });
		cpu0 = serverCpu(server);
		written = await drive(writer, 1, m, { window: 16, rate, deadline: performance.now() + budget });
		// y-websocket's writes resolve once sent: closing waits until the server has them
		await writer.close();
		await sleep(300);
	}
	const quiet = { cpuS: serverCpu(server) - cpu0, failed: (written.failures || written.written < m) ? `${written.written}/${m} quiet writes made` : null };
	log(`${server.name}: ${m} writes${rate ? ` at ${rate}/s` : ''} with no subscriber took ${quiet.cpuS.toFixed(2)} CPU s` + (quiet.failed ? `, ${quiet.failed}` : ''));
	server.quiet.set(key, quiet);
	return quiet;
}

// A JIT (the JVM's C2 most of all, V8's too) reaches its steady code only after a minute
// or more of load, and undoes some of it when new subscribers take a path its profile had
// not seen. In a profile of Syncro's first measured row after 20 s of warming up, C2 took
// 37% of the server's CPU; over rounds of warming up, Syncro's CPU per round fell from 17
// to 7 s and stayed there from the eighth round on. Every server therefore gets the same
// unmeasured rounds before its first fan-out, rate or write row, --warmup seconds (0 for
// none) of 200 changes/s in rounds of WARM_ROUND_S, each to 100 new subscribers; each
// round's CPU and p99 are logged, to show where the server's steady state began.
const WARM_ROUND_S = 10;

async function warmUp(server) {
	const rounds = Math.ceil(P.warmup / WARM_ROUND_S);
	if (rounds <= 0) {
		return;
	}
	log(`${server.name}: warming up, ${rounds} rounds of ${WARM_ROUND_S} s of 200 changes/s to 100 new subscribers, not measured`);
	for (let round = 1; round <= rounds; round++) {
		const row = await fanout(server, 100, 200 * WARM_ROUND_S, 200, { warmUp: true });
		const cpu = (row.result === 'ok') ? `, ${(row.serverCpuS + (row.redisCpuS || 0)).toFixed(2)} CPU s, p99 ${row.p99ms} ms` : '';
		log(`${server.name}: warm-up round ${round}: ${row.result}${cpu}`);
	}
}

async function fanout(server, n, m, rate, { v1 = false, again = false, warmUp = false } = {}) {
	const kind = clientKind(server.name);
	const id = `${rate ? 'r' : 'f'}${n}x${m}-${Date.now() % 100000}`;
	const opts = { port: server.port, auth: P.auth, restAuth: P.restAuth, room: 'room-' + id,
		db: 'db-' + id.replace(/[^a-z0-9]/g, '') };
	// first, before any subscriber: on Syncro they then sync from after these writes
	const quiet = warmUp ? { cpuS: 0 } : await quietCpu(server, m, rate, opts, again);
	if (kind === 'syncro') {
		opts.from = await syncroLastId(server);
	}
	if (kind === 'pouchdb') {
		await request(server.port, 'PUT', '/' + opts.db);
		opts.since = JSON.parse((await request(server.port, 'GET', '/' + opts.db)).body).update_seq;
	}
	const writer = await writers[writerKind(server)](opts);
	const drivers = await startDrivers(subscriberKind(server, v1), n, m, opts, 'sub-' + id);
	const readies = await withTimeout(Promise.all(drivers.map((d) => d.readyPromise)), 120000);
	// " (v1)" last, so that the targets, which match sizes by their start and end, skip it
	const size = `N=${n} M=${m}` + (rate ? ` @${rate}/s` : '') + (v1 ? ' (v1)' : '');
	const row = { server: server.name, workload: rate ? 'fan-out fixed rate' : 'fan-out full speed', size };
	if (readies === 'timeout' || drivers.some((d) => d.failed)) {
		const failed = drivers.find((d) => d.failed);
		await stopDrivers(drivers);
		writer.close();
		return { ...row, result: 'FAIL', note: 'subscribers could not connect: ' + (failed ? failed.failed.error : 'timeout') };
	}
	await sleep(300);
	const profiling = !warmUp && startProfile(server);
	const cpu0 = cpuSeconds(server.pid);
	const redis0 = server.redisPid ? cpuSeconds(server.redisPid) : 0;
	const t0 = now();
	const budget = writeBudget(m, rate);
	// the writer stops at the budget too: a server that takes writes slowly times out
	const written = await drive(writer, 1, m, { window: 16, rate, deadline: performance.now() + budget });
	const finished = await withTimeout(Promise.all(drivers.map((d) => d.donePromise)), Math.max(1000, budget - (now() - t0)));
	await sleep(300);
	const states = await driverStates(drivers);
	const cpu = cpuSeconds(server.pid) - cpu0;
	const redisCpu = server.redisPid ? cpuSeconds(server.redisPid) - redis0 : 0;
	if (profiling) stopProfile(server, row);
	await stopDrivers(drivers);
	writer.close();
	const sparse = mergeHistograms(states.map((s) => s.histogram));
	let complete = 0, received = 0, duplicates = 0, foreign = 0, errors = 0, lastAt = 0, firstError = null;
	for (const s of states) {
		complete += s.complete; received += s.received; duplicates += s.duplicates; foreign += s.foreign;
		errors += s.errors + s.closes; lastAt = Math.max(lastAt, s.lastAt); firstError = firstError || s.firstError;
	}
	const ok = finished !== 'timeout' && complete === n && duplicates === 0 && foreign === 0 && written.failures === 0;
	const seconds = (lastAt - t0) / 1000;
	if (!ok) {
		// late but correct so far: it did not finish in time; anything else is a failure
		const late = (finished === 'timeout' || written.written < m) && duplicates === 0 && foreign === 0 && written.failures === 0 && errors === 0;
		return { ...row, result: late ? 'TIMEOUT' : 'FAIL', note: `${received}/${n * m} delivered, ${complete}/${n} complete, ${duplicates} dup, ${foreign} foreign, ${written.failures} write failures`
			+ (written.written < m ? `, the writer made ${written.written}/${m} changes in ${Math.round(budget / 1000)} s` : '') + (finished === 'timeout' ? ', timed out' : '') + (firstError ? `, first error: ${firstError}` : '') + (written.firstFailure ? `, ${written.firstFailure}` : ''),
			deliveriesPerSec: received / ((now() - t0) / 1000) };
	}
	// CPU per delivery: what the server and its Redis spent beyond the same writes unheard
	const cpuPerDeliveryUs = quiet.failed ? '' : ((cpu + redisCpu - quiet.cpuS) / (n * m)) * 1e6;
	return { ...row, result: 'ok', seconds, deliveriesPerSec: (n * m) / seconds, writesPerSec: m / (written.ms / 1000),
		p50ms: percentile(sparse, 0.5), p99ms: percentile(sparse, 0.99), maxMs: percentile(sparse, 1), serverCpuS: cpu,
		redisCpuS: server.redisPid ? redisCpu : '', quietCpuS: quiet.cpuS, cpuPerDeliveryUs, writeAckP50ms: written.ackP50,
		writeAckP99ms: written.ackP99, note: quiet.failed || '', histogram: sparse };
}

// Preloads a server with changes numbered from..to (inclusive), the fastest way its users would.
async function preload(server, from, to, opts) {
	const kind = clientKind(server.name);
	if (kind === 'pouchdb') {
		const writer = await writers.pouchdb(opts);
		for (let s = from; s <= to; s += 1000) {
			const seqs = [];
			for (let q = s; q <= Math.min(to, s + 999); q++) seqs.push(q);
			await writer.bulk(seqs);
		}
		return null;
	}
	if (kind === 'syncro') {
		// four clients writing through add_scribe at once
		const lanes = 4;
		const per = Math.ceil((to - from + 1) / lanes);
		const started0 = performance.now();
		await Promise.all(Array.from({ length: lanes }, async (_, i) => {
			const w = await writers['syncro-ws'](opts);
			const a = from + i * per;
			const b = Math.min(to, a + per - 1);
			if (a <= b) await drive(w, a, b, { window: 32 });
			w.close();
		}));
		return (to - from + 1) / ((performance.now() - started0) / 1000);
	}
	const writer = await writers[kind](opts);
	await drive(writer, from, to, { window: 64 });
	await writer.close();
	return null;
}

// Fills the log (or stream, database, document) of the catch-up rows up to K changes; on
// Syncro the first fill, through add_scribe, is the WebSocket write row, returned.
async function fill(server, k, state) {
	if (state.loaded >= k) {
		return null;
	}
	const opts = { port: server.port, auth: P.auth, room: 'catchup', db: 'catchup' };
	const t = performance.now();
	const rate = await preload(server, state.loaded + 1, k, opts);
	const seconds = (performance.now() - t) / 1000;
	log(`${server.name}: preloaded ${k - state.loaded} changes in ${seconds.toFixed(1)} s`);
	const first = state.loaded === 0;
	state.loaded = k;
	return (rate && first) ? { server: server.name, workload: 'write add_scribe', size: `W=${k} 4 clients window 32`, result: 'ok', seconds, changesPerSec: rate } : null;
}

// A cold client fetching the K changes fill() made.
async function catchUp(server, k) {
	const row = { server: server.name, workload: 'catch-up', size: `K=${k}` };
	const opts = { port: server.port, auth: P.auth, room: 'catchup', db: 'catchup', catchUp: true, from: null };
	await sleep(500);
	const gcBefore = server.jvm ? jvmHeapAfterGc(server.pid) : null;
	const gcLines = server.jvm ? gcAfterValues(server.gcLog, 0).lines : 0;
	const rssBefore = procStatus(server.pid).rssKb;
	const sampler = rssSampler(server.pid);
	const cpu0 = cpuSeconds(server.pid);
	const profiling = startProfile(server);
	const seen = new Uint8Array(k + 1);
	let count = 0, duplicates = 0, foreign = 0;
	const t0 = now();
	let error = null;
	const done = new Promise((resolve) => {
		const client = subscribers[subscriberKind(server)](opts, 'cold-' + k + '-' + Date.now() % 100000, {
			onChange: (seq) => {
				if (seq < 1 || seq > k) foreign++;
				else if (seen[seq]) duplicates++;
				else { seen[seq] = 1; count++; }
			},
			onReady: () => { client.close(); resolve(); },
			onError: (e) => { error = String(e.message || e); resolve(); },
		});
	});
	const finished = await withTimeout(done, P.timeout * 1000);
	const seconds = (now() - t0) / 1000;
	const peakRss = sampler.stop();
	const cpu = cpuSeconds(server.pid) - cpu0;
	if (profiling) stopProfile(server, row);
	let heapGrowthMb = null;
	if (server.jvm) {
		const during = gcAfterValues(server.gcLog, gcLines).after;
		const after = jvmHeapAfterGc(server.pid);
		heapGrowthMb = (Math.max(after, ...during) - gcBefore) / 1024;
	}
	if (finished === 'timeout' || error || count !== k || duplicates || foreign) {
		return { ...row, result: 'FAIL', note: `${count}/${k} received, ${duplicates} dup, ${foreign} foreign` + (error ? ', ' + error : '') + (finished === 'timeout' ? ', timed out' : '') };
	}
	return { ...row, result: 'ok', seconds, changesPerSec: k / seconds, rssGrowthMb: (peakRss - rssBefore) / 1024,
		heapGrowthMb: heapGrowthMb === null ? '' : heapGrowthMb, serverCpuS: cpu };
}

async function writePath(server, w) {
	// through REST, then through WebSocket add_scribe (four clients)
	const opts = { port: server.port, auth: P.auth, restAuth: P.restAuth };
	const rest = await writers.syncro(opts);
	await drive(rest, 1, Math.min(1000, w), { window: 16 }); // warm-up, as the other row ran its preload first
	const r = await drive(rest, 1, w, { window: 16 });
	return { server: server.name, workload: 'write REST', size: `W=${w} window 16`, result: r.failures ? 'FAIL' : 'ok',
		seconds: r.ms / 1000, changesPerSec: w / (r.ms / 1000), note: r.firstFailure || '' };
}

async function connections(server, count) {
	const kind = clientKind(server.name);
	const opts = { port: server.port, auth: P.auth, room: 'idle', db: 'idle' };
	if (kind === 'syncro') opts.from = await syncroLastId(server);
	if (kind === 'pouchdb') {
		await request(server.port, 'PUT', '/idle');
		opts.since = JSON.parse((await request(server.port, 'GET', '/idle')).body).update_seq;
	}
	await sleep(500);
	const heapBefore = server.jvm ? jvmHeapAfterGc(server.pid) : null;
	const rssBefore = procStatus(server.pid).rssKb;
	const t0 = now();
	const drivers = await startDrivers(subscriberKind(server), count, 0, opts, 'idle-' + (Date.now() % 100000));
	const readies = await withTimeout(Promise.all(drivers.map((d) => d.readyPromise)), 180000);
	const seconds = (now() - t0) / 1000;
	const row = { server: server.name, workload: 'idle connections', size: `C=${count}` };
	if (readies === 'timeout' || drivers.some((d) => d.failed)) {
		const states = await driverStates(drivers);
		const ready = states.reduce((a, s) => a + s.ready, 0);
		await stopDrivers(drivers);
		return { ...row, result: 'FAIL', note: `${ready}/${count} connected` + (drivers.find((d) => d.failed) ? ': ' + drivers.find((d) => d.failed).failed.error : ', timed out') };
	}
	await sleep(1500);
	const rssAfter = procStatus(server.pid).rssKb;
	const heapAfter = server.jvm ? jvmHeapAfterGc(server.pid) : null;
	await stopDrivers(drivers);
	return { ...row, result: 'ok', seconds, connectsPerSec: count / seconds, rssKbPerConn: (rssAfter - rssBefore) / count,
		heapKbPerConn: server.jvm ? (heapAfter - heapBefore) / count : '' };
}

// Report

function fmt(v, digits = 0) {
	if (v === undefined || v === null || v === '' || Number.isNaN(v)) return '';
	if (typeof v !== 'number') return String(v);
	return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function tableMarkdown() {
	const lines = [];
	lines.push('| server | workload | size | result | time s | rate /s | p50 ms | p99 ms | max ms | memory | server CPU s | CPU µs/delivery | load before | note |');
	lines.push('|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|');
	for (const r of results) {
		const rate = r.deliveriesPerSec ?? r.changesPerSec ?? r.connectsPerSec;
		let memory = '';
		if (r.heapGrowthMb !== undefined) memory = `heap +${fmt(r.heapGrowthMb, 1)} MB, RSS +${fmt(r.rssGrowthMb, 1)} MB`.replace('heap + MB, ', '');
		if (r.rssKbPerConn !== undefined) memory = (r.heapKbPerConn !== '' ? `heap ${fmt(r.heapKbPerConn, 1)} KB/conn, ` : '') + `RSS ${fmt(r.rssKbPerConn, 1)} KB/conn`;
		const rateText = (r.result === 'ok' || rate) ? fmt(rate) + (r.deliveriesPerSec && r.writesPerSec ? ` (writes ${fmt(r.writesPerSec)}/s)` : '') : '';
		lines.push(`| ${r.server} | ${r.workload} | ${r.size} | ${r.result === 'ok' ? 'ok' : '**' + r.result + '**'} | ${r.result === 'ok' ? fmt(r.seconds, 2) : ''} | ${rateText} | ${fmt(r.p50ms, 1)} | ${fmt(r.p99ms, 1)} | ${fmt(r.maxMs, 1)} | ${memory} | ${fmt(r.serverCpuS, 1)} | ${fmt(r.cpuPerDeliveryUs, 1)} | ${fmt(r.loadBefore, 2)} | ${r.note || ''} |`);
	}
	return lines.join('\n');
}

// The first ok row of a server's workload whose size starts with `size` (whole words), not
// the row kept on protocol v1.
function find(server, workload, size = '', sizeEnd = '') {
	return results.find((r) => r.server === server && r.workload === workload && r.result === 'ok' && !r.size.endsWith(' (v1)')
		&& (r.size === size || r.size.startsWith(size ? size + ' ' : '')) && r.size.endsWith(sizeEnd));
}

function targets() {
	const out = [];
	const ratio = (a, b) => (a && b) ? a / b : NaN;
	// `uncounted`: why a measured row does not count against its goal
	const line = (text, value, goal, better, uncounted = '') => {
		const met = uncounted || (Number.isNaN(value) ? 'not measured' : (better === 'higher' ? value >= goal : value <= goal) ? 'met' : 'MISSED');
		out.push(`| ${text} | ${Number.isNaN(value) ? '' : fmt(value, 2)} | ${better === 'higher' ? '>=' : '<='} ${goal} | ${met} |`);
	};
	const rateRow = (server, { rate, n }) => find(server, 'fan-out fixed rate', `N=${n}`, `@${rate}/s`);
	// latency against the baseline's, where the baseline itself is quick enough to compare with
	for (const pair of P.rates) {
		const s = rateRow('syncro-redis', pair);
		const b = rateRow('baseline', pair);
		line(`fan-out N=${pair.n} at ${pair.rate}/s: Syncro (redis) p99 / baseline p99`, ratio(s && s.p99ms, b && b.p99ms), 2, 'lower',
			(s && b && !(b.p99ms < 50)) ? `not counted: baseline p99 ${fmt(b.p99ms, 1)} ms` : '');
	}
	const s100 = find('syncro-redis', 'fan-out full speed', 'N=100');
	const b100 = find('baseline', 'fan-out full speed', 'N=100');
	line('fan-out N=100 full speed: Syncro (redis) / baseline deliveries per s', ratio(s100 && s100.deliveriesPerSec, b100 && b100.deliveriesPerSec), 0.8, 'higher');
	// a CPU per delivery at or below 0 is the noise of the quiet writes, not a cost to divide by
	const cpu = (where, s, b) => {
		const measured = s && b && typeof s.cpuPerDeliveryUs === 'number' && typeof b.cpuPerDeliveryUs === 'number';
		const counted = measured && s.cpuPerDeliveryUs > 0 && b.cpuPerDeliveryUs > 0;
		line(`CPU per delivery: Syncro (redis) / baseline, ${where}`, counted ? s.cpuPerDeliveryUs / b.cpuPerDeliveryUs : NaN, 2, 'lower',
			(measured && !counted) ? `not counted: ${fmt(s.cpuPerDeliveryUs, 1)} / ${fmt(b.cpuPerDeliveryUs, 1)} µs, within the noise of the quiet writes` : '');
	};
	for (const pair of P.rates) cpu(`fan-out N=${pair.n} at ${pair.rate}/s`, rateRow('syncro-redis', pair), rateRow('baseline', pair));
	cpu('fan-out N=100 full speed', s100, b100);
	const s1000 = find('syncro-redis', 'fan-out full speed', 'N=1000');
	const io = find('socketio', 'fan-out full speed', 'N=1000');
	line('fan-out N=1000: Syncro (redis) / socket.io deliveries per s', ratio(s1000 && s1000.deliveriesPerSec, io && io.deliveriesPerSec), 1.0, 'higher');
	const kMax = Math.max(...P.k);
	const cs = find('syncro-redis', 'catch-up', `K=${kMax}`);
	const cp = find('pouchdb', 'catch-up', `K=${kMax}`);
	line(`catch-up K=${kMax}: Syncro (redis) / pouchdb-server changes per s`, ratio(cs && cs.changesPerSec, cp && cp.changesPerSec), 2, 'higher');
	line(`catch-up K=${kMax}: Syncro (redis) heap growth MB`, cs && cs.heapGrowthMb !== '' ? cs.heapGrowthMb : NaN, 64, 'lower');
	const on = find('syncro-redis', 'write REST');
	const off = find('syncro-disabled', 'write REST');
	line('REST write time: Syncro on / syncro.enabled=false', ratio(on && on.seconds, off && off.seconds), 1.25, 'lower');
	const c = find('syncro-redis', 'idle connections');
	line(`${P.idle} idle connections: Syncro (redis) heap KB per connection`, c ? c.heapKbPerConn : NaN, 50, 'lower');
	return '| target | measured | goal | |\n|---|--:|--:|---|\n' + out.join('\n');
}

function csv() {
	const keys = ['server', 'workload', 'size', 'result', 'seconds', 'deliveriesPerSec', 'writesPerSec', 'changesPerSec', 'connectsPerSec',
		'p50ms', 'p99ms', 'maxMs', 'heapGrowthMb', 'rssGrowthMb', 'heapKbPerConn', 'rssKbPerConn', 'serverCpuS', 'redisCpuS', 'quietCpuS', 'cpuPerDeliveryUs', 'writeAckP50ms', 'writeAckP99ms', 'loadBefore', 'note'];
	const esc = (v) => (v === undefined || v === null) ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v);
	return [keys.join(',')].concat(results.map((r) => keys.map((k) => esc(typeof r[k] === 'number' ? +r[k].toFixed(3) : r[k])).join(','))).join('\n') + '\n';
}

function writeReport(meta) {
	fs.mkdirSync(P.out, { recursive: true });
	const stamp = new Date().toISOString().replace(/:\d\d\.\d+Z$/, '').replace(/:/g, '');
	const base = path.join(P.out, `${stamp}-${P.profile}`);
	const md = [
		`# Syncro benchmark, ${P.profile} run, ${meta.startedAt}`,
		'',
		`Machine: ${os.cpus().length} cores (${os.cpus()[0].model}), ${Math.round(os.totalmem() / 2 ** 30)} GB; ${os.type()} ${os.release()}; Node ${process.version}; ${meta.java}.`,
		`Load averages (uptime) before: ${meta.loadBefore}; after: ${meta.loadAfter}. Other work on the machine shares its 2 cores, so compare rows within this run, not across runs. ` +
			(P.settle ? 'Before each row the run waited (up to 90 s) for a 1-minute load average of 1 or less (column "load before"), and measured a row again when it began above 1 (its note says so).' : 'Run with `--settle off`: rows did not wait for the load average and none was repeated.'),
		`Redis ${meta.redis}, started per server without persistence (\`--save '' --appendonly no\`). Syncro: the sample app jar, JVM \`${P.jvmArgs.join(' ')}\`, H2 in memory for the entities` +
			(P.auth ? `, clients authenticated as \`${P.auth.split(':')[0]}\`` : '') + `, REST writes as \`${P.restAuth.split(':')[0]}\`` + (P.syncroArgs.length ? `, extra arguments \`${P.syncroArgs.join(' ')}\`` : '') + '.',
		`Syncro's subscribers speak protocol v2 (\`add_scribes\` batches), as its JS client does; the row marked (v1) is the same fixed-rate fan-out with v1 subscribers (one \`add_scribe\` per change).`,
		`Sizes: fan-out N=${P.n.join(', ')} subscribers with M=${P.n.map((n, i) => mFor(i)).join(', ')} changes; fixed rate ${P.rates.map((r) => `${r.rate}/s to N=${r.n}`).join(' and ')}, ${fmt(P.rateSeconds, 1)} s each; catch-up K=${P.k.join(', ')}; write W=${P.w}; idle C=${P.idle}; syncro-jdbc only fan-out N=${P.jdbc.n.join(', ')} and catch-up K=${P.jdbc.k.join(', ')}. Run took ${meta.minutes} minutes.`,
		...(P.cpuProfile ? [`CPU profiles of the fan-out rows of Syncro's servers (async-profiler, 1 ms of CPU a sample) in \`${P.cpuProfile}\`: the CPU figures of those rows include the profiler's.`] : []),
		P.label ? `\n${P.label}\n` : '',
		'## Results',
		'',
		tableMarkdown(),
		'',
		'## Targets',
		'',
		targets(),
		'',
		'Rates: fan-out rows give deliveries per second (N x M over the time from the first write to the last receipt); catch-up rows changes per second, in the second of two fetches of the K changes by a new client (the first, whose rate the note gives, compiles the server\'s read path: the JVM\'s C2, Node\'s V8); write rows changes per second; connection rows connections per second. Latency is from the writer\'s send to each receipt; the time from a write\'s send to its acknowledgement (the REST answer, the XADD reply, the socket.io ack) is in the CSV (writeAckP50ms, writeAckP99ms), as every receipt waits for the write path first. CPU per delivery (fan-out rows): the CPU seconds of the server and of its Redis (Syncro on redis and the baseline start one each; CSV columns serverCpuS and redisCpuS) during the row, less their CPU seconds for the same writes with no subscriber (quietCpuS, measured before the subscribers connect, on the second of two runs of them, as the first pays for the JIT\'s compiling), divided by the N x M deliveries, in microseconds; its figures are as coarse as the kernel\'s 10 ms ticks, so a small row\'s are rough. A row with a correctness failure (a duplicate, a change outside 1..M, a gap left when the run ended, a client error) says FAIL and gives no figure; TIMEOUT means every change received was right but not all arrived within the time allowed (`--timeout` after the last write), and gives the rate reached so far.',
		'',
	].join('\n');
	fs.writeFileSync(base + '.md', md);
	fs.writeFileSync(base + '.csv', csv());
	// every fan-out row's latencies, for the chart and for a closer look than p50/p99/max
	const latencies = results.filter((r) => r.histogram).map((r) => ({ server: r.server, workload: r.workload, size: r.size,
		bucketMs: 0.1, histogram: r.histogram }));
	fs.writeFileSync(base + '-latency.json', JSON.stringify(latencies) + '\n');
	try {
		execFileSync('python3', [path.join(HERE, 'chart.py'), base + '.csv', base + '.png'], { stdio: 'inherit' });
	}
	catch (e) {
		log('chart failed: ' + e.message);
	}
	return { base, md };
}

// Main

async function main() {
	const meta = { startedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), loadBefore: fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') };
	const version = require('child_process').spawnSync(P.java, ['-version']);
	meta.java = `\`${P.java} -version\`: ` + (version.stderr ? version.stderr.toString().trim().split('\n').join(' / ') : String(version.error));
	meta.redis = execFileSync('redis-server', ['--version']).toString().split(' ')[2];
	const t0 = Date.now();
	if (P.cpuProfile) fs.mkdirSync(P.cpuProfile, { recursive: true });
	log(`${P.profile} run: ${P.only.join(', ')}; ${P.workloads.join(', ')}`);
	const syncroKinds = P.only.filter((k) => k.startsWith('syncro'));
	const order = [...P.only];
	if (P.workloads.includes('write') && syncroKinds.includes('syncro-redis') && !order.includes('syncro-disabled')) order.push('syncro-disabled');
	for (const kind of order) {
		if ((kind === 'syncro-jdbc' || kind === 'syncro-disabled') && !fs.existsSync(P.jar)) continue;
		log(`starting ${kind}`);
		let server;
		try {
			server = await startServer(kind);
		}
		catch (e) {
			record({ server: kind, workload: 'start', size: '', result: 'FAIL', note: e.message });
			continue;
		}
		try {
			if (kind === 'syncro-disabled') {
				await measure(() => writePath(server, P.w));
				continue;
			}
			const state = { loaded: 0 };
			const jdbc = kind === 'syncro-jdbc';
			// catch-up first, on an empty log that then holds exactly K changes; on Syncro
			// its preload through add_scribe is the WebSocket write figure
			if (P.workloads.includes('catchup')) {
				for (const k of (jdbc ? P.jdbc.k : P.k)) {
					if (kind === 'socketio') {
						record({ server: kind, workload: 'catch-up', size: `K=${k}`, result: 'n/a', note: 'socket.io keeps no history' });
						continue;
					}
					// the fill is a row of its own on Syncro, but not one to repeat: it makes the log
					const loadBefore = (kind.startsWith('syncro') && state.loaded === 0) ? await settle() : null;
					const written = await fill(server, k, state);
					if (written) record({ ...written, loadBefore, note: loadBefore > 1 && P.settle ? `not repeated (it fills the log): load ${loadBefore} before it` : '' });
					// a first fetch, not measured, compiles the server's read path (the JVM's C2,
					// Node's V8), as on a server that has served clients for a while
					const cold = await catchUp(server, k);
					const coldNote = (cold.result === 'ok') ? `first fetch ${fmt(cold.changesPerSec)}/s` : `first fetch ${cold.result}: ${cold.note}`;
					await measure(async () => {
						const row = await catchUp(server, k);
						return { ...row, note: [row.note, coldNote].filter(Boolean).join('; ') };
					});
				}
			}
			if (['fanout', 'rate', 'write'].some((w) => P.workloads.includes(w))) await warmUp(server);
			if (P.workloads.includes('write') && kind === 'syncro-redis') await measure(() => writePath(server, P.w));
			if (P.workloads.includes('fanout')) {
				for (const n of (jdbc ? P.jdbc.n : P.n)) await measure((again) => fanout(server, n, mFor(P.n.indexOf(n)), 0, { again }));
			}
			if (P.workloads.includes('rate') && !jdbc) {
				// the same seconds of writing at every rate
				for (const { rate, n } of P.rates) await measure((again) => fanout(server, n, rateM(rate), rate, { again }));
				// and once more over protocol v1, at the first pair, beside the v2 row
				const [first] = P.rates;
				if (kind === 'syncro-redis') await measure((again) => fanout(server, first.n, rateM(first.rate), first.rate, { v1: true, again }));
			}
			if (P.workloads.includes('connections') && !jdbc) await measure(() => connections(server, P.idle));
		}
		catch (e) {
			record({ server: kind, workload: 'error', size: '', result: 'FAIL', note: String(e.stack || e).split('\n').slice(0, 2).join(' ') });
		}
		finally {
			await server.stop();
		}
	}
	meta.loadAfter = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
	meta.minutes = ((Date.now() - t0) / 60000).toFixed(1);
	const { base, md } = writeReport(meta);
	console.log(md);
	log(`wrote ${base}.md, .csv, -latency.json and .png; logs in ${RUN_DIR}`);
	// the timers of workloads' timeouts would keep the process alive for minutes
	process.exit(0);
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
