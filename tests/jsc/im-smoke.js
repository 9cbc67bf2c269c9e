// The IM scenario of the JavaScriptCore smoke test (tests/jsc/im-smoke.test.js, after
// bench/jsc/harness.js): the shipped SDK's sdk.im logs in to the harness's in-process server, which then
// pushes E聊 deliveries: five in order (the delivery lane hands them over at once), a repeat, one ahead
// of a gap (the core buffers it and syncs; the sync page fills the gap), then two more in order.
// Prints RESULT {seqs, acks, convs, stored, errors, lanes}.
/* global H, P, load, module, wx */
'use strict';
var result = { seqs: [], acks: [], convs: [], errors: [], stored: {} };
var deadline = setTimeout(function () { H.fail('timed out; so far ' + JSON.stringify(result)); }, 20000);

function msg(seq) {
  return { seq: seq, mid: 9000 + seq, formUser: 'alice', toTarget: 'bob', way: 'P2P', type: 'TEXT',
    body: { text: 'm' + seq }, createTime: 1764900000000 + seq };
}
function push(ackId, seq) { H.send('42' + ackId + '["topic.message",' + JSON.stringify(msg(seq)) + ']'); }

var syncs = 0;
H.onEvent = function (name, args, id) {
  var req = args[1] || {};
  var data = null;
  if (name === 'topic.connection') data = 'JWT-jsc';
  else if (req.method === 'list') data = [];
  else if (req.method === 'sync') {
    syncs++;
    // The second sync is the one the gap starts (from seq 5): it brings 6.
    data = { messages: syncs === 2 ? [msg(6)] : [], hasMore: false };
  }
  if (id >= 0) H.answer(id, [{ requestId: req.requestId, response: { code: 0, msg: 'ok', data: data } }]);
};

var setStorage = wx.setStorageSync;
wx.setStorageSync = function (key, value) {
  result.stored[key] = value;
  return setStorage.call(wx, key, value);
};

load(P.sdk);
var sdk = module.exports;
var started = false;
function start() {
  if (started) return;
  started = true;
  // How each delivery went (bindings/im_lane.cpp): 5 handed over at once, 3 through a batch.
  result.lanes = {};
  // (The glue's export is a stub that replaces itself on its first call: the setter takes the real one.)
  var core = sdk.im._driver.core;
  var deliver = core.echat_im_message;
  var counted = function () {
    var code = deliver.apply(core, arguments);
    result.lanes[code] = (result.lanes[code] || 0) + 1;
    return code;
  };
  Object.defineProperty(core, 'echat_im_message', {
    configurable: true, get: function () { return counted; }, set: function (f) { deliver = f; },
  });
  for (var s = 1; s <= 5; s++) push(100 + s, s);
  push(106, 3);   // a repeat: dropped, acknowledged
  push(107, 7);   // ahead of 6: buffered, a sync fills the gap
}
sdk.im.on('message', function (m) {
  result.seqs.push(m.seq);
  // (A socket delivers frames asynchronously: not from inside a listener.)
  if (m.seq === 7) setTimeout(function () { push(108, 8); push(109, 9); }, 0);
  if (m.seq === 9) {
    setTimeout(function () {  // the acks reach the server a microtask after they are sent
      result.acks = H.log.filter(function (f) { return /^43\d+\[/.test(f); });
      clearTimeout(deadline);
      H.done(result);
    }, 0);
  }
});
sdk.im.on('conversation', function (c) { result.convs.push([c.toTarget, c.unread, c.lastSeq, c.lastMessage.body.text]); });
sdk.im.on('error', function (e) { result.errors.push(e.message); });
sdk.im.on('sync', function () { if (syncs === 1) setTimeout(start, 0); });
sdk.im.init({ host: '127.0.0.1', httpPort: 8080, socketPort: 3000, key: 'K1', apiTransport: 'SOCKET',
  loginAuid: 'bob', loginToken: 'pb' }, function (s) { if (!s) H.fail('init failed'); });
