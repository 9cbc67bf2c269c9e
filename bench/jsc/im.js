// The IM scenario of the JavaScriptCore bench (bench/jsc/run.js --im N, after harness.js), one client per
// process: receiving E聊 deliveries, as user bob.
//   require() -> logged in   from before the client's file is loaded to the session being usable: the
//                            SDK's init callback (logged in, conversations listed); the raw client's
//                            login ack. The SDK's deliveries start once its catch-up (message/sync)
//                            is done too: before 2026-12-05 they started during it, and were measured
//                            as a fresh install's history (the general path).
//   receive                  P.messages `topic.message` pushes (each with an ack id, ~230 bytes of
//                            message object) fed straight into the socket's onMessage; time until the
//                            app's listener saw them all and the client had sent every ack (its seq
//                            checked after; seenUsPerMessage: until the listener saw them all);
//                            from alice, or (P.convs = K > 1) from K senders in turn: K conversations
// The server side is the harness's, answering the login, conversation/list and message/sync emits.
// Clients: the SDK (sdk.im: inbox order, dedup, the persisted position, conversations) and the ~20-line
// raw E聊 client over weapp.socket.io that bench/im/run.js also measures (no order, dedup or storage).
//   send (P.sends)           P.sends message.send calls at once, each answered as stored by the server;
//                            time until every one is confirmed (see runSends); P.serial: one at a time,
//                            each made when the last is confirmed (a person chatting)
// Prints RESULT {connectMs, usPerMessage}.
/* global H, P, load, module */
'use strict';
var WARM = 200;
var PAD = new Array(41).join('w');
// The login's JWT, of the devserver's shape (devserver/lib/auth.js: HS256 over appKey, auid, a 32-hex jti,
// iat and exp; 232 characters): every message.send carries it. Before 2026-12-07 it was 'JWT-jsc' (7), which
// left out what a real one costs a sender (the raw client's JSON.stringify copies it natively; the SDK's
// core wrote it into every frame, which the shim read back a character at a time).
var JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhcHBLZXkiOiJkZW1vLWFwcC1rZXkiLCJhdWlkIjoiYm9iIiwianRpIjoiN2Y' +
  '0YjJjOWUxYTVkOGYzMDZlNGIxYzlhMmQ3ZTVmMDgiLCJpYXQiOjE3OTY2MTY1MTUsImV4cCI6MTc5NjYyMDExNX0.q3Xl9fR2mVt0' +
  'Zk8HcW4sJ1pN6yLbA7uEgDiOoQrTxYw';

H.onEvent = function (name, args, id) {
  var req = args[1] || {};
  var data = null;
  if (name === 'topic.connection') data = JWT;
  else if (req.method === 'list') data = [];
  else if (req.method === 'sync') data = { messages: [], hasMore: false };
  else if (req.method === 'send') {  // stored: the server's answer (docs/protocol.md 9.5)
    sendNo++;
    data = { mid: 700000 + sendNo, seq: sendNo, clientMsgId: req.clientMsgId, createTime: 1764900000000 + sendNo };
  }
  if (id >= 0) H.answer(id, [{ requestId: req.requestId, response: { code: 0, msg: 'ok', data: data } }]);
};

var sendNo = 0;
var total = WARM + (P.sends || P.messages);
var frames = [];
for (var k = 0; k < total; k++) {
  var m = {
    seq: k + 1, mid: 500000 + k, formUser: P.convs > 1 ? 'u' + (k % P.convs) : 'alice', toTarget: 'bob', way: 'P2P', type: 'TEXT',
    body: { text: 'message ' + k + ' ' + PAD }, createTime: 1764900000000 + k, clientMsgId: 'alice-c-' + k,
  };
  frames.push('42' + k + '["topic.message",' + JSON.stringify(m) + ']');
}
var seen = 0;
function onMessage(m) { if (m.body.text.length > 40) seen++; }

// P.sends: the sending scenario instead: `total` message.send calls at once (the SDK's outbox pipelines
// them, sendWindow at a time; the raw client emits them all), each answered as stored; time until every
// one is confirmed. The SDK's outbox records go to wx storage, a no-op in this harness (WeChat's
// setStorageSync is a native call, not measured here).
var confirmed = 0;
function sendAll(from, to, done) {
  var left = to - from;
  var s = from;
  function one() {
    confirmed++;
    if (--left === 0) done();
    else if (P.serial) send(s++);
  }
  function send(n) {
    var body = { text: 'message ' + n + ' ' + PAD };
    if (P.client === 'sdk') {
      sdk.apis.message.send({ toTarget: 'alice', way: 'P2P', type: 'TEXT', body: body }).then(one, function (e) { H.fail('send: ' + e.message); });
    } else {
      socket.emit('topic.message', { method: 'send', jwt: JWT, requestId: 'bob-s-' + n, timestamp: Date.now(),
        clientMsgId: 'bob-c-' + n, toTarget: 'alice', way: 'P2P', type: 'TEXT', body: body }, function (r) {
        if (!r || !r.response || r.response.code !== 0) H.fail('send refused');
        one();
      });
    }
  }
  if (P.serial) send(s++);
  else while (s < to) send(s++);
}

function runSends() {
  var result = { connectMs: H.tConnected - H.t0 };
  sendAll(0, WARM, function () {
    var t0 = H.now();
    sendAll(WARM, total, function () {
      result.usPerMessage = (H.now() - t0) * 1000 / P.sends;
      H.done(result);
    });
  });
}

// The scenario starts on a task of its own, as frames do in WeChat: started inside the SDK's listener
// (before 2026-12-07), every frame the loop below feeds was a nested call whose events the SDK queued
// until the listener returned (its output queue: 60,000 entries at 20,000 deliveries, each taken with a
// shift(), which V8 makes linear for arrays that large: 88 us per delivery instead of 11).
function start() { setTimeout(run, 0); }

function run() {
  if (P.sends) return runSends();
  var result = { connectMs: H.tConnected - H.t0 };
  for (var w = 0; w < WARM; w++) H.send(frames[w]);
  var t0 = H.now();
  for (var i = WARM; i < total; i++) H.send(frames[i]);
  (function wait() {
    if (seen >= total && result.seenUsPerMessage === undefined) result.seenUsPerMessage = (H.now() - t0) * 1000 / P.messages;
    // Until every delivery was seen by the app and acknowledged to the server (the server's retry stops
    // there: a delivery is done then). Before 2026-12-07 the time stopped when the app had seen them all,
    // which left out a client's acks sent later (weapp.socket.io's writes wait on a timer).
    if (seen < total || H.acksFromClient < total) { setTimeout(wait, 0); return; }
    result.usPerMessage = (H.now() - t0) * 1000 / P.messages;
    var tries = 0;
    (function acked() {  // the acks reach the server a microtask after they are sent
      var acks = H.log.filter(function (f) { return f.indexOf('43') === 0 && f.indexOf('"seq"') > 0; }).length;
      if (acks >= total) return H.done(result);
      if (++tries > 100) return H.fail('only ' + acks + ' of ' + total + ' deliveries acknowledged');
      return setTimeout(acked, 0);
    })();
  })();
}

// The client is required first; the page logs in from its onLoad: P.onLoadMs (run.js --on-load) ms later
// in a task of its own, or (by default) in the same task.
function onLoad(fn) {
  if (P.onLoadMs === undefined) fn();
  else setTimeout(fn, P.onLoadMs);
}

H.t0 = H.now();
if (P.client === 'sdk') {
  load(P.sdk);
  var sdk = module.exports;
  sdk.im.on('message', onMessage);
  if (P.sendState) sdk.im.on('sendState', function () {});  // (run.js --send-state)
  if (P.conversation) sdk.im.on('conversation', function () {});  // (run.js --conversation)
  // The steady state of a chat: logged in, and the catch-up after the login (message/sync) done; a
  // delivery during the catch-up of a fresh install is history and takes the general path.
  var synced = false;
  var ready = false;
  sdk.im.on('sync', function () {
    synced = true;
    if (ready) start();
  });
  onLoad(function () {
    sdk.im.init({ host: '127.0.0.1', httpPort: 8080, socketPort: 3000, key: 'K1', apiTransport: 'SOCKET',
      loginAuid: 'bob', loginToken: 'pb' }, function (s) {
      if (!s) H.fail('init failed');
      H.tConnected = H.now();
      ready = true;
      if (synced) start();
    });
  });
} else {
  load(P.weapp);
  var weapp = module.exports;
  var socket = null;  // (send() below uses it)
  onLoad(function () {
    socket = weapp('http://127.0.0.1:3000', { forceNew: true, transports: ['websocket'] });
    socket.on('topic.message', function (msg, ack) {
      onMessage(msg);
      if (ack) ack({ seq: msg.seq });
    });
    socket.on('connect', function () {
      socket.emit('topic.connection', { appKey: 'K1', auid: 'bob', token: 'pb', method: 'authority/request',
        requestId: 'bob-1', timestamp: Date.now() }, function (r) {
        if (!r || !r.response || r.response.code !== 0) H.fail('login');
        H.tConnected = H.now();
        start();
      });
    });
  });
}
