'use strict';
// socket.io 4.8: plain broadcast, the closest pub/sub peer. A writer emits 'w' with an
// acknowledgement; the server broadcasts the payload as 'c' to every other socket. No
// history, so no catch-up.
//
//   node servers/socketio.js <port>
const http = require('http');
const { Server } = require('socket.io');

const port = Number(process.argv[2]);
const server = http.createServer();
const io = new Server(server, { transports: ['websocket'], perMessageDeflate: false, maxHttpBufferSize: 1e6 });

io.on('connection', (socket) => {
	socket.on('w', (payload, ack) => {
		socket.broadcast.emit('c', payload);
		if (typeof ack === 'function') {
			ack(true);
		}
	});
});

server.listen(port, '127.0.0.1', () => console.log('socket.io listening on ' + port));
