// The JavaScriptCore bench scenario (run by bench/jsc/run.js after harness.js), one client per process:
//   require() -> connected   from before the client's file is loaded to its 'connect' event
//   push                     P.events socket.io EVENT frames ("push", i, a 64-character string) fed
//                            straight into the socket's onMessage; time until the listener saw them all
//   acks                     P.acks sequential emits with an ack, each answered by the in-process server
//                            on the next microtask; total time
// Prints RESULT {connectMs, pushUsPerEvent, acksMs}.
/* global H, P, quit */
'use strict';
var TEXT = new Array(65).join('x');
var WARM = 200;

H.start(function (socket) {
  var result = { connectMs: H.tConnected - H.t0 };
  var frames = [];
  for (var i = 0; i < WARM + P.events; i++) frames.push('42["push",' + i + ',"' + TEXT + '"]');
  var seen = 0;
  socket.on('push', function (n, s) { if (s.length === 64) seen++; });
  for (var w = 0; w < WARM; w++) H.send(frames[w]);
  var total = WARM + P.events;
  var t0 = H.now();
  for (var k = WARM; k < total; k++) H.send(frames[k]);
  (function wait() {
    if (seen < total) { setTimeout(wait, 0); return; }
    result.pushUsPerEvent = (H.now() - t0) * 1000 / P.events;
    var left = P.acks;
    var t1 = H.now();
    (function next() {
      if (left-- === 0) {
        result.acksMs = H.now() - t1;
        H.done(result);
        return;
      }
      socket.emit('echo', left, function (v) {
        if (v !== left) H.fail('ack ' + v + ' for ' + left);
        next();
      });
    })();
  })();
});
