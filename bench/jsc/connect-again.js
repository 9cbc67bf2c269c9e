// bench/jsc/cold-ab.js --again (after harness.js): require() -> 'connect' as in connect.js, then a second
// io() to another server in the same process, timed from that call to its 'connect': the same work
// without the first calls' costs (code compiled on first call). Prints RESULT {connectMs, againMs, stamps}.
/* global H, module */
'use strict';
H.start(function () {
  var first = H.tConnected - H.t0;
  var io = module.exports.io || module.exports;
  var t = H.now();
  var socket = io('http://127.0.0.1:3001', { forceNew: true, transports: ['websocket'] });
  socket.on('connect', function () { H.done({ connectMs: first, againMs: H.now() - t }); });
});
