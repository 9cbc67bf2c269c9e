'use strict';
// The browser platform: the same interface as wx.js (sockets, timers, network and foreground events)
// and wx-im.js (requests, uploads, storage), over WebSocket, fetch, FormData and localStorage.
// Like wx.js for `wx`, this is the only file that touches those browser APIs.

// The URL of the <script> that loaded the SDK, read while it runs (document.currentScript is null
// afterwards): the default place of echatim-sdk.wasm is beside it.
function scriptWasmUrl() {
  try {
    const s = typeof document !== 'undefined' && document && document.currentScript;
    if (s && s.src) return new URL('echatim-sdk.wasm', s.src).href;
  } catch (err) { /* not a browser, or no URL */ }
  return null;
}

function hasBrowserApis() {
  return typeof WebSocket === 'function' && typeof fetch === 'function';
}

function createBrowserPlatform() {
  if (!hasBrowserApis()) {
    throw new Error('neither the wx API nor the browser APIs (WebSocket, fetch) are available here');
  }
  const networkListeners = [];
  const foregroundListeners = [];
  const win = typeof window !== 'undefined' ? window : null;
  const doc = typeof document !== 'undefined' ? document : null;
  if (win && win.addEventListener) {
    win.addEventListener('online', () => { for (const fn of networkListeners.slice()) fn(true); });
    win.addEventListener('offline', () => { for (const fn of networkListeners.slice()) fn(false); });
  }
  if (doc && doc.addEventListener) {
    // A tab brought back to the front: timers may have been throttled meanwhile, as in a mini-program
    // returning from the background.
    doc.addEventListener('visibilitychange', () => {
      if (doc.visibilityState === 'visible') for (const fn of foregroundListeners.slice()) fn();
    });
  }
  return {
    now: () => Date.now(),
    seed: () => {
      if (typeof crypto !== 'undefined' && crypto && crypto.getRandomValues) {
        const a = new Uint32Array(2);
        crypto.getRandomValues(a);
        return a[0] * 0x200000 + (a[1] & 0x1fffff);
      }
      return Math.floor(Math.random() * 0x100000000) * 0x200000 + Math.floor(Math.random() * 0x200000);
    },
    setTimer: (ms, fn) => setTimeout(fn, ms),
    clearTimer: (handle) => clearTimeout(handle),
    isOnline: () => (typeof navigator !== 'undefined' && navigator && navigator.onLine === false ? false : true),
    whenNetworkKnown: (fn) => fn(),
    onForeground: (fn) => foregroundListeners.push(fn),
    onNetwork: (fn) => networkListeners.push(fn),

    poll(method, url, body, done) {
      const ctl = typeof AbortController === 'function' ? new AbortController() : null;
      let finished = false;
      const finish = (err, status, text) => {
        if (finished) return;
        finished = true;
        done(err, status, text);
      };
      fetch(url, { method, body, headers: { 'content-type': 'text/plain;charset=UTF-8' }, signal: ctl ? ctl.signal : undefined })
        .then((res) => res.text().then((text) => finish(null, res.status, text)))
        .catch((err) => finish(`fetch failed: ${err && err.message}`, 0, ''));
      return { abort() { finished = true; if (ctl) ctl.abort(); } };
    },

    openSocket(url, h) {
      let ws;
      let closed = false;
      const close = (code, reason) => {
        if (closed) return;
        closed = true;
        h.onClose(code, reason);
      };
      try {
        ws = new WebSocket(url);
      } catch (err) {
        setTimeout(() => { h.onError(`WebSocket threw: ${err && err.message}`); close(1006, 'failed'); }, 0);
        return { send() {}, close() {} };
      }
      ws.binaryType = 'arraybuffer';
      ws.onopen = () => h.onOpen();
      ws.onmessage = (ev) => h.onMessage(ev.data);
      ws.onerror = () => { if (!closed) h.onError('socket error'); };
      ws.onclose = (ev) => close(typeof ev.code === 'number' ? ev.code : 1006, ev.reason || '');
      return {
        send(data, onFail) {
          try {
            ws.send(data);
          } catch (err) {
            if (onFail) onFail(`send failed: ${err && err.message}`);
          }
        },
        close(code, reason) {
          try {
            // A browser accepts 1000 or 3000-4999 here, as wx does.
            ws.close(code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000, String(reason || '').slice(0, 60));
          } catch (err) { /* already closed */ }
        },
      };
    },
  };
}

function storage() {
  try {
    return typeof localStorage !== 'undefined' && localStorage ? localStorage : null;
  } catch (err) {
    return null;  // access denied (e.g. cookies blocked)
  }
}

function respond(done) {
  return [
    (res) => res.text().then((text) => done(null, res.status, text), (err) => done(`reading the answer failed: ${err && err.message}`, 0, '')),
    (err) => done(`network: ${err && err.message || err}`, 0, ''),
  ];
}

function createBrowserImPlatform() {
  const p = createBrowserPlatform();
  p.request = (url, body, done) => {
    fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } }).then(...respond(done));
  };
  // In a browser `filePath` is a URL the page can fetch (a blob: URL from URL.createObjectURL(file),
  // or a same-origin path); the bytes are posted as multipart part `file`.
  p.upload = (url, filePath, fields, onProgress, done) => {
    fetch(filePath).then((res) => {
      if (!res.ok) throw new Error(`HTTP ${res.status} reading ${filePath}`);
      return res.blob();
    }).then((blob) => {
      const form = new FormData();
      for (const k of Object.keys(fields || {})) form.append(k, fields[k]);
      form.append('file', blob, fields && fields.name ? fields.name : String(filePath).split('/').pop() || 'file');
      if (typeof onProgress === 'function') onProgress({ progress: 0, totalBytesSent: 0, totalBytesExpectedToSend: blob.size });
      return fetch(url, { method: 'POST', body: form }).then((res) => {
        if (typeof onProgress === 'function') onProgress({ progress: 100, totalBytesSent: blob.size, totalBytesExpectedToSend: blob.size });
        return res;
      });
    }).then(...respond(done));
  };
  p.storageKeys = () => {
    const s = storage();
    const keys = [];
    if (!s) return keys;
    for (let i = 0; i < s.length; i++) keys.push(s.key(i));
    return keys;
  };
  p.storageGet = (key) => {
    const s = storage();
    const v = s ? s.getItem(key) : null;
    return typeof v === 'string' ? v : '';
  };
  p.storageSet = (key, value) => {
    const s = storage();
    if (!s) return 'localStorage is not available';
    try {
      s.setItem(key, value);
      return '';
    } catch (err) {
      return (err && err.message) || 'localStorage.setItem failed';
    }
  };
  p.storageRemove = (key) => {
    const s = storage();
    if (!s) return 'localStorage is not available';
    s.removeItem(key);
    return '';
  };
  return p;
}

module.exports = { createBrowserPlatform, createBrowserImPlatform, scriptWasmUrl };
