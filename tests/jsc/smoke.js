// The JavaScriptCore smoke scenario (run by tests/jsc/smoke.test.js after bench/jsc/harness.js): the
// shipped SDK loads, connects, receives events with text and binary attachments, answers the server's
// ack request, gets its own emit acknowledged, and sends a binary attachment. Prints RESULT {...}.
/* global H, print, quit */
'use strict';
var result = { got: [] };
var deadline = setTimeout(function () { H.fail('timed out; so far ' + JSON.stringify(result)); }, 20000);

H.start(function (socket) {
  result.connected = true;
  result.id = socket.id;
  socket.on('hello', function (a, b) { result.got.push(['hello', a, b]); });
  socket.on('sur', function (s) { result.got.push(['sur', s.length, s.charCodeAt(1)]); });
  socket.on('bin', function (buf, tag) {
    result.got.push(['bin', Object.prototype.toString.call(buf), Array.prototype.slice.call(new Uint8Array(buf)), tag]);
  });
  socket.on('ask', function (n, cb) { cb(n * 2); });
  // The server pushes: a text event, a lone surrogate (JSON.parse accepts it), a binary event, an ack request.
  H.send('42["hello","world",{"n":1}]');
  H.send('42["sur","x\\ud800"]');
  H.send('451-["bin",{"_placeholder":true,"num":0},"t"]');
  H.send(new Uint8Array([1, 2, 3]).buffer);
  H.send('4217["ask",21]');
  socket.emit('up', new Uint8Array([9, 8]).buffer);
  socket.emit('echo', 'ping', { k: [1, 2] }, function (a, b) {
    result.echo = [a, b];
    // Let the frames the client sent reach the server, then report.
    setTimeout(function () {
      result.serverLog = H.log;
      clearTimeout(deadline);
      H.done(result);
    }, 10);
  });
});
