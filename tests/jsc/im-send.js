// The sending scenario of the JavaScriptCore smoke test (tests/jsc/im-smoke.test.js, after
// bench/jsc/harness.js): the shipped SDK's sdk.im, logged in to the harness's in-process server, sends
// three messages one at a time (each takes the send lane and goes out at once; its answer the answer
// lane), then twenty at once (sendWindow 16: the rest wait in the outbox and go as answers come), then
// three forms the lane leaves to the general path (a numeric toTarget, which the core turns into text, a
// form carrying a requestId of its own, which the core replaces, and a form without a body, refused
// naming the field).
// Prints RESULT {frames, answers, states, records, removed, lanes, errors, refusal}.
/* global H, P, load, module, wx */
'use strict';
var result = { frames: [], answers: [], states: {}, records: {}, removed: [], errors: [], lanes: { send: {}, answer: {} } };
var deadline = setTimeout(function () { H.fail('timed out; so far ' + JSON.stringify(result)); }, 20000);

var stored = 0;
H.onEvent = function (name, args, id) {
  var req = args[1] || {};
  var data = null;
  if (name === 'topic.connection') data = 'JWT-jsc';
  else if (req.method === 'list') data = [];
  else if (req.method === 'sync') data = { messages: [], hasMore: false };
  else if (req.method === 'send') {
    result.frames.push(req);
    stored++;
    data = { mid: 800 + stored, seq: stored, clientMsgId: req.clientMsgId, createTime: 1764900000000 + stored };
  }
  if (id >= 0) H.answer(id, [{ requestId: req.requestId, response: { code: 0, msg: 'ok', data: data } }]);
};

var setStorage = wx.setStorageSync;
wx.setStorageSync = function (key, value) {
  if (key.indexOf(':outbox') > 0) result.records[key] = value;
  return setStorage.call(wx, key, value);
};
var removeStorage = wx.removeStorageSync;
wx.removeStorageSync = function (key) {
  if (key.indexOf(':outbox') > 0) result.removed.push(key);
  return removeStorage.call(wx, key);
};

load(P.sdk);
var sdk = module.exports;

// How each call went (bindings/im_lane.cpp). (The glue's exports are stubs that replace themselves on
// their first call: the setter takes the real one.)
function count(name, into) {
  var core = sdk.im._driver.core;
  var real = core[name];
  var counted = function () {
    var code = real.apply(core, arguments);
    into[code] = (into[code] || 0) + 1;
    return code;
  };
  Object.defineProperty(core, name, { configurable: true, get: function () { return counted; }, set: function (f) { real = f; } });
}

function form(n) { return { toTarget: 'alice', way: 'P2P', type: 'TEXT', body: { text: 's' + n, n: n } }; }

function send(f) {
  return sdk.apis.message.send(f).then(function (r) {
    result.answers.push([r.clientMsgId, r.seq, r.mid]);
    return r;
  });
}

function run() {
  count('echat_im_send', result.lanes.send);
  count('echat_im_answer', result.lanes.answer);
  send(form(1)).then(function () { return send(form(2)); }).then(function () {
    var own = form(3);
    own.clientMsgId = 'bob-own-3';
    return send(own);
  }).then(function () {
    var burst = [];
    for (var i = 4; i < 24; i++) burst.push(send(form(i)));
    return Promise.all(burst);
  }).then(function () {
    var numeric = form(24);
    numeric.toTarget = 42;
    return send(numeric);
  }).then(function () {
    var own = form(25);  // a field the core sets itself: the general path erases it, as before
    own.requestId = 'app-req';
    return send(own);
  }).then(function () {
    return sdk.apis.message.send({ toTarget: 'alice', way: 'P2P', type: 'TEXT' }).then(function () {
      H.fail('a form without a body was sent');
    }, function (e) { result.refusal = [e.code, e.field, e.message]; });
  }).then(function () {
    clearTimeout(deadline);
    H.done(result);
  }, function (e) { H.fail('send failed: ' + e.message); });
}

sdk.im.on('sendState', function (s) {
  (result.states[s.clientMsgId] = result.states[s.clientMsgId] || []).push(s.state);
});
sdk.im.on('error', function (e) { result.errors.push(e.message); });
var synced = false;
sdk.im.on('sync', function () { if (!synced) { synced = true; setTimeout(run, 0); } });
sdk.im.init({ host: '127.0.0.1', httpPort: 8080, socketPort: 3000, key: 'K1', apiTransport: 'SOCKET',
  loginAuid: 'bob', loginToken: 'pb' }, function (s) { if (!s) H.fail('init failed'); });
