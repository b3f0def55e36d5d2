'use strict';
// Bootstrap of a new client from a long history, with and without compaction: the log is
// seeded with R shared Todos and then random changes to them, up to H scribes, by the
// sample's HistoryLoader (straight log appends of what the recorder would write), then the
// sample app starts on that database and one protocol v2 client syncs from nothing to the
// end. Figures: the time of that sync, the scribes it received, the server's heap (after a
// GC before; the most jstat saw while it ran), and the log's size. Then the app starts again
// with compaction on, compacts once, and the same sync is measured on the compacted log.
// A sync that does not end with exactly R Todos fails the row.
//
//   node benchmarks/bootstrap.js [--records 100000] [--histories 100000,1000000] [--jar path]
// (benchmarks/run.sh, or mvn -pl sample-app -am package -DskipTests, builds the jar.)
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const WebSocket = require('ws');
const { log, freePort, sleep, waitFor, heapAfterGc, watchHeap } = require('./lib/procs');
const { request } = require('./lib/writers');

const HERE = __dirname;
const args = {};
process.argv.slice(2).forEach((arg, i, all) => arg.startsWith('--') && (args[arg.slice(2)] = all[i + 1]));
const P = {
	records: Number(args.records || 100000),
	histories: String(args.histories || '100000,1000000').split(',').map(Number),
	jar: args.jar || path.join(HERE, '..', 'sample-app', 'target', 'sample-app-0.1.0-SNAPSHOT.jar'),
};
const auth = { Authorization: 'Basic ' + Buffer.from('alice:alice-secret').toString('base64') };

function loader(url, ...more) {
	return execFileSync('java', ['-cp', P.jar, '-Dloader.main=io.syncro.sample.history.HistoryLoader',
		'org.springframework.boot.loader.launch.PropertiesLauncher', url, ...more.map(String)]).toString();
}

async function startApp(url, compaction) {
	const port = await freePort();
	const argv = ['-Xms256m', '-Xmx2g', '-jar', P.jar, '--server.port=' + port, '--server.address=127.0.0.1',
		'--spring.datasource.url=' + url, '--logging.level.root=WARN', '--logging.level.io.syncro.store.LogCompactor=INFO',
		'--syncro.sync.batch-size=500'];
	if (compaction) {
		argv.push('--syncro.log.compaction.enabled=true', '--syncro.log.compaction.interval=2s');
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

async function measure(label, app, dir) {
	const before = heapAfterGc(app.pid);
	const heap = watchHeap(app.pid);
	const result = await bootstrap(app.port);
	heap.stop();
	const ok = result.todos === P.records;
	log(`${label}: ${ok ? 'ok' : 'FAIL'} ${result.scribes.toLocaleString('en')} scribes for ${result.todos.toLocaleString('en')} Todos`
		+ ` in ${result.seconds.toFixed(2)} s; server heap ${before.toFixed(0)} MiB after a GC before,`
		+ ` at most ${heap.peak.toFixed(0)} MiB while it ran`);
	return ok;
}

async function main() {
	let ok = true;
	for (const history of P.histories) {
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
			: await Promise.race([app.compacted, sleep(6000).then(() => 'nothing to fold')]);
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
