'use strict';
// The only file that knows about `wx`. It gives the rest of the shim one small platform interface:
//   now()                       the wall clock (Date.now: performance.now does not exist there)
//   seed()                      randomness for the core's backoff jitter
//   setTimer(ms, fn) / clearTimer(handle)
//   openSocket(url, handlers)   a WebSocket through wx.connectSocket -> {send(data, onFail), close(code, reason)}
//   onForeground(fn), onNetwork(fn(online)), isOnline(), isNetworkKnown(), whenNetworkKnown(fn)
//   http(method, url, body, contentType, done(err, status, text)) -> {abort()}   wx.request, text in and out
//   poll(method, url, body, done)   the same for Engine.IO long-polling (text/plain)
// Uploads and storage join this interface with the IM layer (wx-im.js).
const { isFunction, isString, isNumber } = require('../is.js');

function errText(res, fallback) {
  return (res && (res.errMsg || res.message)) || fallback;
}

// A wx.request / wx.uploadFile answer's body as text (wx may have parsed it).
const bodyText = (res) => (isString(res.data) ? res.data : JSON.stringify(res.data));

// wx fails the 11th concurrent request/uploadFile at once, nothing sent ("exceed max request connection count").
const overLimit = (msg) => /exceed max (\w+ )?(connection|task)/i.test(msg || '');

// SocketTask.close accepts 1000 or 3000-4999 only.
function closeCode(code) {
  return code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000;
}

// WeChat limits a close reason to 123 bytes (UTF-8).
function closeReason(reason) {
  let r = String(reason || '');
  while (r.length && unescape(encodeURIComponent(r)).length > 123) r = r.slice(0, -1);
  return r;
}

// The longest wait for wx.getNetworkType's first answer before connecting anyway.
const NETWORK_ANSWER_MS = 1000;

function createWxPlatform(wx) {
  const has = (api) => isFunction(wx[api]);
  if (!wx || !has('connectSocket')) {
    throw new Error('the wx API is not available: echatim-sdk.js runs in a WeChat mini-program');
  }
  let online = true;
  const networkListeners = [];
  const foregroundListeners = [];
  // Whether the network state is known yet: wx.getNetworkType answers asynchronously, and a page may
  // start offline. Connection attempts wait for the first answer (bounded: never longer than
  // NETWORK_ANSWER_MS), so that a page started offline makes none.
  let networkKnown = !has('getNetworkType');
  const knownWaiters = [];
  const markKnown = () => {
    if (networkKnown) return;
    networkKnown = true;
    for (const fn of knownWaiters.splice(0)) fn();
  };

  if (has('onNetworkStatusChange')) {
    wx.onNetworkStatusChange((res) => {
      online = !!(res && res.isConnected);
      markKnown();
      for (const fn of networkListeners.slice()) fn(online);
    });
  }
  if (has('onAppShow')) {
    wx.onAppShow(() => {
      for (const fn of foregroundListeners.slice()) fn();
    });
  }
  if (has('getNetworkType')) {
    const timer = setTimeout(markKnown, NETWORK_ANSWER_MS);
    wx.getNetworkType({
      success: (res) => {
        clearTimeout(timer);
        const now = res.networkType !== 'none';
        const was = networkKnown;
        const changed = now !== online;
        online = now;  // before markKnown: its waiters read isOnline()
        markKnown();
        if (changed && was) for (const fn of networkListeners.slice()) fn(online);
      },
      fail: () => {
        clearTimeout(timer);
        markKnown();
      },
    });
  }

  return {
    now: () => Date.now(),
    seed: () => Math.floor(Math.random() * 0x100000000) * 0x200000 + Math.floor(Math.random() * 0x200000),
    setTimer: (ms, fn) => setTimeout(fn, ms),
    clearTimer: (handle) => clearTimeout(handle),
    isOnline: () => online,
    isNetworkKnown: () => networkKnown,
    // fn() once the network state is known (at once if it is)
    whenNetworkKnown: (fn) => (networkKnown ? fn() : knownWaiters.push(fn)),
    onForeground: (fn) => foregroundListeners.push(fn),
    onNetwork: (fn) => networkListeners.push(fn),

    // Long-polling: an HTTP request with text in and out; done(err, status, text) once; -> {abort()}.
    poll(method, url, body, done) {
      return this.http(method, url, body, 'text/plain;charset=UTF-8', done);
    },

    // wx.request with a text body and a text answer (also the IM layer's API calls, wx-im.js).
    http(method, url, body, contentType, done) {
      let finished = false;
      let task = null;
      const finish = (err, status, text) => {
        if (finished) return;
        finished = true;
        done(err, status, text);
      };
      const attempt = () => {
        if (finished) return;
        try {
          task = wx.request({
            url,
            method,
            data: body === undefined ? '' : body,
            header: { 'content-type': contentType },
            dataType: 'text',
            responseType: 'text',
            success: (res) => finish(null, res.statusCode, bodyText(res)),
            fail: (res) => {
              const msg = errText(res, 'request:fail');
              // wx fails the 11th concurrent request at once, nothing sent: try again shortly.
              if (overLimit(msg)) setTimeout(attempt, 200);
              else finish(msg, 0, '');
            },
          });
        } catch (err) {
          setTimeout(() => finish(`request threw: ${err && err.message}`, 0, ''), 0);
        }
      };
      attempt();
      return {
        abort() {
          finished = true;
          if (task && isFunction(task.abort)) task.abort();
        },
      };
    },

    openSocket(url, h) {
      let failed = false;
      const fail = (msg) => {
        if (failed) return;
        failed = true;
        h.onError(msg);
        h.onClose(1006, msg);
      };
      let task = null;
      try {
        task = wx.connectSocket({ url, fail: (res) => setTimeout(() => fail(errText(res, 'connectSocket failed')), 0) });
      } catch (err) {
        setTimeout(() => fail(`connectSocket threw: ${err && err.message}`), 0);
      }
      if (!task) return { send() {}, close() {} };
      task.onOpen(() => h.onOpen());
      task.onMessage((res) => h.onMessage(res.data));
      task.onError((res) => { if (!failed) h.onError(errText(res, 'socket error')); });
      task.onClose((res) => {
        if (failed) return;
        failed = true;
        h.onClose(res && isNumber(res.code) ? res.code : 1006, (res && res.reason) || '');
      });
      return {
        send(data, onFail) {
          task.send({ data, fail: (res) => onFail && onFail(errText(res, 'send failed')) });
        },
        close(code, reason) {
          try {
            task.close({ code: closeCode(code), reason: closeReason(reason) });
          } catch (err) { /* already closed */ }
        },
      };
    },
  };
}

module.exports = { createWxPlatform, errText, overLimit, bodyText };
