'use strict';
// Bootstrap of a new client from a long history, with and without compaction: the log is
// seeded with R shared Todos and then random changes to them, up to H scribes, by the
// sample's HistoryLoader (straight log appends of what the recorder would write), then the
// sample app starts on that database and one protocol v2 client syncs from nothing to the
// end. Figures: the time of that sync (the median of three, after three untimed: a server
// that serves clients is warm), the scribes it received, the server's heap (after a GC
// before; the most jstat saw while they ran), and the log's size. Then the app starts again
// with compaction on, compacts once, and the same sync is measured on the compacted log.
// A sync that does not end with exactly R Todos fails the row. Before that, pouchdb-server
// (in memory) is seeded with the same documents and revisions, and a new replica's read of
// its _changes from 0 is measured the same way.
//
//   node benchmarks/bootstrap.js [--records 100000] [--histories 100000,1000000] [--jar path]
//                                [--batch 500] [--pouchdb off] [--syncro off]
// (benchmarks/run.sh, or mvn -pl sample-app -am package -DskipTests, builds the jar.)
const { spawn, execFileSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const WebSocket = require('ws');
const { log, freePort, sleep, waitFor, heapAfterGc, watchHeap } = require('./lib/procs');
const { post, request } = require('./lib/writers');

const HERE = __dirname;
const args = {};
process.argv.slice(2).forEach((arg, i, all) => arg.startsWith('--') && (args[arg.slice(2)] = all[i + 1]));
const P = {
	records: Number(args.records || 100000),
	histories: String(args.histories || '100000,1000000').split(',').map(Number),
	jar: args.jar || path.join(HERE, '..', 'sample-app', 'target', 'sample-app-0.1.0-SNAPSHOT.jar'),
	// records per sync answer, and per _changes read of pouchdb-server
	batch: Number(args.batch || 500),
	pouchdb: args.pouchdb !== 'off',
	syncro: args.syncro !== 'off',
};
// each figure is the median of TIMED reads after WARM_UPS untimed ones: servers that serve
// clients have compiled their paths (the first read after start-up takes twice as long)
const WARM_UPS = 3;
const TIMED = 3;
const auth = { Authorization: 'Basic ' + Buffer.from('alice:alice-secret').toString('base64') };

function loader(url, ...more) {
	return execFileSync('java', ['-cp', P.jar, '-Dloader.main=io.syncro.sample.history.HistoryLoader',
		'org.springframework.boot.loader.launch.PropertiesLauncher', url, ...more.map(String)]).toString();
}

async function startApp(url, compaction) {
	const port = await freePort();
	const argv = ['-Xms256m', '-Xmx2g', '-jar', P.jar, '--server.port=' + port, '--server.address=127.0.0.1',
		'--spring.datasource.url=' + url, '--logging.level.root=WARN', '--logging.level.io.syncro.store.LogCompactor=INFO',
		'--syncro.sync.batch-size=' + P.batch,
		// one client paging through a million scribes asks for 200 answers a second, over the
		// default limit per client: this measures the sync, not the limit
		'--syncro.rate-limit.enabled=false'];
	if (compaction) {
		// the first compaction 20 s after start-up, the next one 20 s after it ends: none during the sync
		argv.push('--syncro.log.compaction.enabled=true', '--syncro.log.compaction.interval=20s');
	}
	const app = spawn('java', argv, { stdio: ['ignore', 'pipe', 'inherit'] });
	const compacted = new Promise((resolve) => {
		app.stdout.on('data', (chunk) => {
			const line = chunk.toString();
			if (line.includes('Compacted the scribe log')) {
				resolve(line.slice(line.indexOf('Compacted')).trim());
			}
		});
	});
	await waitFor(async () => (await request(port, 'GET', '/api/todos?limit=1', auth)).status === 200, 180000, 'the sample app');
	return { port, pid: app.pid, app, compacted };
}

function stop(app) {
	return new Promise((resolve) => {
		app.app.on('exit', resolve);
		app.app.kill('SIGTERM');
	});
}

/** One v2 client syncs from nothing to the end: time, scribes, the Todos it holds. */
function bootstrap(port) {
	return new Promise((resolve, reject) => {
		const ws = new WebSocket(`ws://127.0.0.1:${port}/syncro?client=boot-${Date.now() % 1000000}&v=2`,
			{ headers: auth, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
		const todos = new Set();
		let scribes = 0, position = null, id = 0, started = 0;
		const sync = () => ws.send(JSON.stringify({ type: 'sync', id: ++id, from: position }));
		ws.on('message', (raw) => {
			const m = JSON.parse(raw.toString());
			if (m.type === 'hello') {
				started = performance.now();
				sync();
			}
			else if (m.type === 'sync') {
				ws.send(JSON.stringify({ type: 'response', id: m.id, result: [] }));
			}
			else if (m.type === 'response' && Array.isArray(m.result)) {
				for (const scribe of m.result) {
					scribes++;
					position = scribe.id;
					if (scribe.klass === 'Todo') {
						const recordId = scribe.type === 'create' ? scribe.data.id : scribe.data[0];
						if (scribe.type === 'destroy') todos.delete(recordId); else todos.add(recordId);
					}
				}
				if (m.more) {
					sync();
				}
				else {
					const seconds = (performance.now() - started) / 1000;
					ws.terminate();
					resolve({ seconds, scribes, todos: todos.size });
				}
			}
			else if (m.type === 'add_scribes') {
				ws.send(`{"type":"response","id":${m.id},"result":true}`);
			}
			else if (m.type === 'error') {
				reject(new Error(`error ${m.code}: ${m.message}`));
			}
		});
		ws.on('error', reject);
	});
}

function size(dir) {
	return fs.readdirSync(dir).reduce((sum, file) => sum + fs.statSync(path.join(dir, file)).size, 0) / (1024 * 1024);
}

/** Runs a read WARM_UPS times untimed, then TIMED times: the median time, and each. */
async function timed(read) {
	for (let i = 0; i < WARM_UPS; i++) {
		await read();
	}
	const runs = [];
	for (let i = 0; i < TIMED; i++) {
		const started = performance.now();
		const result = await read();
		runs.push({ seconds: (performance.now() - started) / 1000, result });
	}
	const seconds = runs.map((run) => run.seconds).sort((a, b) => a - b);
	return { median: seconds[Math.floor(TIMED / 2)], seconds: runs.map((run) => run.seconds.toFixed(2)).join(', '),
		result: runs[runs.length - 1].result };
}

async function measure(label, app, dir) {
	const before = heapAfterGc(app.pid);
	const heap = watchHeap(app.pid);
	const { median, seconds, result } = await timed(() => bootstrap(app.port));
	heap.stop();
	const ok = result.todos === P.records;
	log(`${label}: ${ok ? 'ok' : 'FAIL'} ${result.scribes.toLocaleString('en')} scribes for ${result.todos.toLocaleString('en')} Todos`
		+ ` in ${median.toFixed(2)} s (median of ${seconds}); server heap ${before.toFixed(0)} MiB after a GC before,`
		+ ` at most ${heap.peak.toFixed(0)} MiB while they ran`);
	return ok;
}

/** The resident memory of a process, in MiB, from /proc. */
function rss(pid, field = 'VmRSS') {
	const match = new RegExp(field + ':\\s+(\\d+) kB').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
	return match ? Number(match[1]) / 1024 : NaN;
}

/**
 * pouchdb-server (in memory) holding the same documents and revisions: R Todo documents
 * with H revisions in all, each written with its revision history; then a new
 * replica's read of _changes from 0 with include_docs, in batches of 500 (what PouchDB's
 * replicator reads first; it then asks for revisions it lacks, which is not counted here).
 */
async function pouchdb(history) {
	const port = await freePort();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pouchdb-bootstrap-'));
	const server = spawn(process.execPath, [path.join(HERE, 'node_modules/pouchdb-server/bin/pouchdb-server'),
		'--in-memory', '--port', String(port), '--host', '127.0.0.1', '--no-stdout-logs'], { cwd: dir, stdio: 'ignore' });
	try {
		await waitFor(async () => (await request(port, 'GET', '/').catch(() => ({}))).status === 200, 30000, 'pouchdb-server');
		await request(port, 'PUT', '/todos');
		// each document written once with its whole revision history (new_edits: false), as
		// replication writes it: the same documents and revisions as H changes one by one,
		// seeded in minutes rather than the hours of a million single updates here
		const seeding = performance.now();
		const revisionId = (i, n) => crypto.createHash('md5').update(`t${i}/${n}`).digest('hex');
		let written = 0;
		for (let first = 0; first < P.records; first += 1000) {
			const docs = [];
			for (let i = first; i < Math.min(first + 1000, P.records); i++) {
				const revisions = Math.floor(history / P.records) + (i < history % P.records ? 1 : 0);
				const ids = [];
				for (let n = revisions; n >= 1; n--) {
					ids.push(revisionId(i, n));
				}
				docs.push({ _id: 't' + i, _rev: `${revisions}-${ids[0]}`, _revisions: { start: revisions, ids },
					title: `Todo ${i} rev ${revisions}`, done: revisions % 2 === 0, listId: null, position: i });
				written += revisions;
			}
			const answer = JSON.parse(await post(port, '/todos/_bulk_docs', { docs, new_edits: false }));
			const refused = answer.find((row) => row.error);
			if (refused) {
				throw new Error(`pouchdb-server refused a document: ${JSON.stringify(refused)}`);
			}
		}
		log(`pouchdb-server: ${P.records.toLocaleString('en')} documents, ${written.toLocaleString('en')} revisions in all, seeded in ${((performance.now() - seeding) / 1000).toFixed(0)} s`);
		const readAll = async () => {
			const docs = new Set();
			let rows = 0;
			for (let since = 0; ;) {
				const body = JSON.parse((await request(port, 'GET', `/todos/_changes?include_docs=true&since=${since}&limit=${P.batch}`)).body);
				if (body.results.length === 0) {
					return { rows, docs };
				}
				for (const change of body.results) {
					rows++;
					if (change.deleted) docs.delete(change.id); else docs.add(change.doc._id);
				}
				since = body.last_seq;
			}
		};
		const before = rss(server.pid);
		let peak = before;
		const watching = setInterval(() => { peak = Math.max(peak, rss(server.pid)); }, 100);
		const { median, seconds, result: { rows, docs } } = await timed(readAll);
		clearInterval(watching);
		const ok = docs.size === P.records;
		log(`${history.toLocaleString('en')} revisions, pouchdb-server _changes from 0: ${ok ? 'ok' : 'FAIL'} ${rows.toLocaleString('en')} rows for`
			+ ` ${docs.size.toLocaleString('en')} documents in ${median.toFixed(2)} s (median of ${seconds}); server resident memory`
			+ ` ${before.toFixed(0)} MiB before, at most ${peak.toFixed(0)} MiB while they ran`);
		return ok;
	}
	finally {
		server.kill('SIGTERM');
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

async function main() {
	let ok = true;
	for (const history of P.histories) {
		if (P.pouchdb) {
			ok = await pouchdb(history) && ok;
		}
		if (!P.syncro) {
			continue;
		}
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'syncro-bootstrap-'));
		const url = `jdbc:h2:file:${dir}/syncro-sample;AUTO_SERVER=FALSE;WRITE_DELAY=0`;
		log(`seeding ${P.records.toLocaleString('en')} Todos and ${history.toLocaleString('en')} scribes in all`);
		log(loader(url, P.records, history).trim().split('\n').pop());
		let app = await startApp(url, false);
		ok = await measure(`${history.toLocaleString('en')} scribes, not compacted`, app, dir) && ok;
		await stop(app);
		log(`database ${size(dir).toFixed(0)} MB`);
		app = await startApp(url, true);
		const compacting = performance.now();
		// a log of creates alone has nothing to fold, and logs no compaction
		const compacted = (history > P.records) ? await app.compacted
			: await Promise.race([app.compacted, sleep(25000).then(() => 'nothing to fold')]);
		log(`compacted: ${compacted} (${((performance.now() - compacting) / 1000).toFixed(1)} s after start-up)`);
		ok = await measure(`${history.toLocaleString('en')} scribes, compacted`, app, dir) && ok;
		await stop(app);
		log(`${loader(url, 0, 0, 'count').trim().split('\n').pop()}; database ${size(dir).toFixed(0)} MB`);
		fs.rmSync(dir, { recursive: true, force: true });
	}
	return ok;
}

main().then((ok) => process.exit(ok ? 0 : 1), (error) => {
	console.error(error);
	process.exit(2);
});
