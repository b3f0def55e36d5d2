'use strict';
// What the benchmark scripts share about the processes they run: free ports, waiting for
// a server, its CPU time and its heap.
const fs = require('fs');
const net = require('net');
const { spawn, execFileSync } = require('child_process');

function log(...a) {
	console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...a);
}

function freePort() {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(check, ms, what) {
	const deadline = Date.now() + ms;
	while (Date.now() < deadline) {
		try {
			if (await check()) return;
		}
		catch (e) { /* not yet */ }
		await sleep(250);
	}
	throw new Error(`${what} did not come up in ${ms} ms`);
}

/** The CPU time a process used: utime and stime of /proc/<pid>/stat, in ticks of 10 ms. */
function cpuSeconds(pid) {
	const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
	return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The heap in use, in MiB, after a full GC, by jcmd. */
function heapAfterGc(pid) {
	execFileSync('jcmd', [String(pid), 'GC.run'], { stdio: 'ignore' });
	const used = /used (\d+)K/.exec(execFileSync('jcmd', [String(pid), 'GC.heap_info']).toString());
	return used ? Number(used[1]) / 1024 : NaN;
}

/**
 * Watches the heap in use every 100 ms with one jstat (its S0U, S1U, EU and OU columns, in
 * KiB), so that watching costs one process rather than one per sample.
 */
function watchHeap(pid) {
	const watch = { peak: 0 };
	const jstat = spawn('jstat', ['-gc', String(pid), '100']);
	let header = null;
	jstat.stdout.on('data', (chunk) => {
		for (const line of chunk.toString().split('\n').map((text) => text.trim()).filter(Boolean)) {
			const fields = line.split(/\s+/);
			if (!header) {
				header = fields;
				continue;
			}
			const used = ['S0U', 'S1U', 'EU', 'OU'].reduce((sum, name) => sum + Number(fields[header.indexOf(name)]), 0);
			watch.peak = Math.max(watch.peak, used / 1024);
		}
	});
	watch.stop = () => jstat.kill();
	return watch;
}

module.exports = { log, freePort, sleep, waitFor, cpuSeconds, heapAfterGc, watchHeap };
