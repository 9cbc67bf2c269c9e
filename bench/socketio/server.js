'use strict';
// The benchmark's server: socket.io 4 (allowEIO3 on, as E聊-style deployments run it), in a child
// process on 127.0.0.1 so its CPU does not count against the client being measured.
//   push {n, size} [cb]  -> emits n events "push" (i, a string of `size` bytes), then cb(n)
//   echo x cb            -> cb(x)
const http = require('node:http');
const { Server } = require('socket.io');

const httpServer = http.createServer((req, res) => { res.writeHead(404); res.end(); });
const io = new Server(httpServer, { allowEIO3: true, serveClient: false, pingInterval: 25000, pingTimeout: 20000 });
io.on('connection', (socket) => {
  socket.on('echo', (x, cb) => { if (typeof cb === 'function') cb(x); });
  socket.on('push', ({ n, size }, cb) => {
    const payload = 'x'.repeat(size);
    for (let i = 0; i < n; i++) socket.emit('push', i, payload);
    if (typeof cb === 'function') cb(n);
  });
});
process.on('disconnect', () => process.exit(0));
httpServer.listen(0, '127.0.0.1', () => process.send({ port: httpServer.address().port }));
