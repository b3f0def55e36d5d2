// Starts the sample app's jar as a real process on a free port, with an in-memory H2
// database, and stops it again.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Where the tests leave what a person may want to look at (gitignored). */
export const outputDir = resolve(root, 'e2e/test-output');

/** The sample app's jar that `mvn package` builds; SAMPLE_APP_JAR names another. */
export const jar = resolve(process.env.SAMPLE_APP_JAR ?? resolve(root, 'sample-app/target/sample-app-0.1.0-SNAPSHOT.jar'));

/**
 * Starts the sample app and waits until it answers.
 * @param {{ startTimeout?: number }} [options]
 * @returns {Promise<{ url: string, stop: () => Promise<void>, log: () => string }>}
 */
export async function startSampleApp({ startTimeout = 60_000 } = {}) {
	if (!existsSync(jar)) {
		throw new Error(`The sample app's jar is missing: ${jar}. Build it first: `
			+ 'mvn -B -pl sample-app -am package -DskipTests (bin/test runs mvn verify before these tests).');
	}
	mkdirSync(outputDir, { recursive: true });
	const port = await freePort();
	// its own working folder, so nothing the app writes lands in the repository
	const workDir = mkdtempSync(join(tmpdir(), 'syncro-e2e-'));
	const logFile = join(outputDir, 'sample-app.log');
	const logStream = createWriteStream(logFile);
	let output = '';
	const child = spawn('java', ['-XX:TieredStopAtLevel=1', '-jar', jar,
		'--spring.datasource.url=jdbc:h2:mem:e2e;DB_CLOSE_DELAY=-1'], {
		cwd: workDir,
		env: { ...process.env, SERVER_PORT: String(port) },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	for (const stream of [child.stdout, child.stderr]) {
		stream.on('data', (chunk) => {
			output += chunk;
			logStream.write(chunk);
		});
	}
	const exited = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
	let stopped = false;
	const killOnExit = () => child.kill('SIGKILL');
	process.once('exit', killOnExit);

	const stop = async () => {
		if (stopped) {
			return;
		}
		stopped = true;
		process.removeListener('exit', killOnExit);
		if (child.exitCode === null && child.signalCode === null) {
			child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
			await exited;
			clearTimeout(timer);
		}
		logStream.end();
		rmSync(workDir, { recursive: true, force: true });
	};

	const url = `http://127.0.0.1:${port}`;
	const deadline = Date.now() + startTimeout;
	try {
		for (;;) {
			if (child.exitCode !== null || child.signalCode !== null) {
				throw new Error(`The sample app exited before it answered (see ${logFile}):\n${tail(output)}`);
			}
			if (await answers(`${url}/`)) {
				break;
			}
			if (Date.now() > deadline) {
				throw new Error(`The sample app did not answer within ${startTimeout} ms (see ${logFile}):\n${tail(output)}`);
			}
			await new Promise((done) => setTimeout(done, 250));
		}
	}
	catch (error) {
		await stop();
		throw error;
	}
	return { url, stop, log: () => output };
}

async function answers(url) {
	try {
		const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
		return response.ok;
	}
	catch {
		return false;
	}
}

function freePort() {
	return new Promise((done, fail) => {
		const server = createServer();
		server.once('error', fail);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => done(port));
		});
	});
}

function tail(text, lines = 40) {
	return text.split('\n').slice(-lines).join('\n');
}
