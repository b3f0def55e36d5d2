'use strict';
// The baseline limit: the least a server of Syncro's design must do. A writer's change is
// appended to a Redis stream (XADD); one reader follows the stream (XREAD BLOCK) and pushes
// each entry, serialised once, to every WebSocket subscriber. No persistence of its own, no
// recipients, no acknowledgements from subscribers. Catch-up reads the stream in batches
// (XRANGE ... COUNT), so nothing loads the whole history.
//
//   node servers/baseline.js <port> <redisPort>
//
// Messages (JSON text frames):
//   writer -> {"t":"w","n":<request no>,"d":<payload string>}   <- {"t":"ack","n":..}
//   client -> {"t":"sub"}                                       <- live {"t":"c","id":"<stream id>","d":..}
//   client -> {"t":"fetch","after":"<stream id>","limit":500}   <- {"t":"batch","e":[[id,d],..],"more":bool}
const http = require('http');
const { WebSocketServer } = require('ws');
const Redis = require('ioredis');

const port = Number(process.argv[2]);
const redisPort = Number(process.argv[3]);
const KEY = 'bench:stream';

const writer = new Redis({ port: redisPort, host: '127.0.0.1', enableAutoPipelining: true });
const reader = new Redis({ port: redisPort, host: '127.0.0.1' });
const subscribers = new Set();

const server = http.createServer((req, res) => {
	res.writeHead(200, { 'content-type': 'text/plain' });
	res.end('ok');
});
const wss = new WebSocketServer({ server, perMessageDeflate: false });

wss.on('connection', (ws) => {
	ws.on('message', async (raw) => {
		let m;
		try {
			m = JSON.parse(raw);
		}
		catch (e) {
			return;
		}
		if (m.t === 'w') {
			await writer.xadd(KEY, '*', 'd', m.d);
			ws.send(`{"t":"ack","n":${m.n}}`);
		}
		else if (m.t === 'sub') {
			subscribers.add(ws);
			ws.send('{"t":"subscribed"}');
		}
		else if (m.t === 'fetch') {
			const limit = Math.min(Number(m.limit) || 500, 1000);
			const after = m.after || '0-0';
			const entries = await writer.xrange(KEY, '(' + after, '+', 'COUNT', limit + 1);
			const more = entries.length > limit;
			const batch = entries.slice(0, limit).map(([id, fields]) => [id, fields[1]]);
			ws.send(JSON.stringify({ t: 'batch', e: batch, more }));
		}
	});
	ws.on('close', () => subscribers.delete(ws));
	ws.on('error', () => subscribers.delete(ws));
});

async function follow() {
	let last = '$';
	for (;;) {
		const answer = await reader.xread('COUNT', 1000, 'BLOCK', 0, 'STREAMS', KEY, last);
		if (!answer) {
			continue;
		}
		for (const [id, fields] of answer[0][1]) {
			last = id;
			// serialised once per entry, whatever the number of subscribers
			const message = `{"t":"c","id":"${id}","d":${JSON.stringify(fields[1])}}`;
			for (const ws of subscribers) {
				ws.send(message);
			}
		}
	}
}

server.listen(port, '127.0.0.1', () => {
	follow().catch((e) => {
		console.error(e);
		process.exit(1);
	});
	console.log('baseline listening on ' + port);
});
