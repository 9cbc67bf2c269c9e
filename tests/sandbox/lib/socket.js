'use strict';
// wx.connectSocket and SocketTask, backed by npm `ws`.

const { listenerHooks } = require('./listeners');
const WebSocket = require('ws');
const { ERR, netReason } = require('./errmsg');
const { isArrayBuffer, isView, bytesOf, toStringTag } = require('./realm');

let nextSocketId = 1;

class SocketTaskImpl {
  constructor(sb, opts) {
    this.sb = sb;
    this.id = nextSocketId++;
    this.url = opts.url;
    this.record = {
      id: this.id, url: opts.url, protocols: opts.protocols || [], header: opts.header || {},
      state: 'connecting', frames: [], openedAt: null, closedAt: null, closeCode: null, closeReason: null,
      failed: null,
    };
    this.ws = null;
    this.listeners = { open: [], message: [], close: [], error: [] };
    this.active = false; // counts against the 5-socket limit
    this.silenced = false; // the sandbox already reported the end of this socket (suspend / offline)
    this.userClose = null;
    this.errorReported = false;
    this.closeReported = false;
    this.facade = this._makeFacade();
  }

  _makeFacade() {
    const f = new this.sb.intr.Object();
    const { on, off } = listenerHooks(() => this.listeners);
    f.onOpen = on('open');
    f.onMessage = on('message');
    f.onClose = on('close');
    f.onError = on('error');
    f.offOpen = off('open');
    f.offMessage = off('message');
    f.offClose = off('close');
    f.offError = off('error');
    f.send = (o) => this.send(o || {});
    f.close = (o) => this.close(o || {});
    return f;
  }

  _emit(type, payload) {
    this.sb._deliver(() => {
      const arg = this.sb.toCtx(payload);
      for (const cb of [...this.listeners[type]]) this.sb._invoke(cb, [arg]);
    });
  }

  // Reports an error (once) and then the close (once).
  _reportEnd({ errMsg, code, reason }) {
    if (errMsg && !this.errorReported) {
      this.errorReported = true;
      this._emit('error', { errMsg });
    }
    if (!this.closeReported) {
      this.closeReported = true;
      // WeChat fills in the reason: "normal closure" (1000), "abnormal closure" (1006)
      const fallback = code === 1000 ? 'normal closure' : code === 1006 ? 'abnormal closure' : '';
      this._emit('close', { code, reason: reason || fallback });
    }
  }

  // A task that never got a connection (limit, bad url, offline): fail callback, then onError + onClose.
  failAtCreate(opts, errMsg) {
    this.record.state = 'closed';
    this.record.failed = errMsg;
    this.record.closedAt = Date.now();
    this.sb._callback(opts, 'fail', { errMsg });
    this._reportEnd({ errMsg, code: 1006 });
  }

  start(opts) {
    const sb = this.sb;
    const protocols = Array.isArray(opts.protocols) && opts.protocols.length ? [...opts.protocols] : undefined;
    const headers = {};
    if (opts.header && typeof opts.header === 'object') {
      for (const k of Object.keys(opts.header)) if (!/^referer$/i.test(k)) headers[k] = String(opts.header[k]);
    }
    const timeout = Number(opts.timeout) > 0 ? Number(opts.timeout) : sb.options.socketTimeout;
    let ws;
    try {
      ws = new WebSocket(this.url, protocols, {
        headers,
        perMessageDeflate: !!opts.perMessageDeflate,
        handshakeTimeout: timeout,
        followRedirects: false,
      });
    } catch (e) {
      this.failAtCreate(opts, ERR.socketInvalidUrl(this.url));
      return;
    }
    this.ws = ws;
    this.active = true;
    sb._socketOpened(this);
    ws.binaryType = 'nodebuffer';
    let responseHeaders = {};
    ws.on('upgrade', (res) => { responseHeaders = { ...res.headers }; });
    ws.on('open', () => {
      this.record.state = 'open';
      this.record.openedAt = Date.now();
      sb.emit('socket-open', this.record);
      if (!this.silenced) this._emit('open', { header: responseHeaders, profile: {} });
    });
    ws.on('message', (data, isBinary) => {
      const frame = isBinary
        ? { dir: 'in', type: 'binary', data: Buffer.from(data), at: Date.now() }
        : { dir: 'in', type: 'text', data: data.toString('utf8'), at: Date.now() };
      sb._frame(this, frame);
      if (this.silenced) return;
      this.sb._deliver(() => {
        const payload = new sb.intr.Object();
        payload.data = isBinary ? sb.ctxArrayBuffer(frame.data) : frame.data;
        for (const cb of [...this.listeners.message]) sb._invoke(cb, [payload]);
      });
    });
    ws.on('error', (err) => {
      this.lastError = err;
      if (this.silenced) return;
      const msg = /handshake has timed out/i.test(err.message) ? ERR.socketTimeout : netReason(err);
      this.errorReported = true;
      this._emit('error', { errMsg: msg });
    });
    ws.on('close', (code, reasonBuf) => {
      const reason = reasonBuf ? reasonBuf.toString('utf8') : '';
      this.active = false;
      this.record.state = 'closed';
      this.record.closedAt = Date.now();
      if (this.record.closeCode === null) { this.record.closeCode = code; this.record.closeReason = reason; }
      sb._socketClosed(this);
      sb.emit('socket-close', this.record);
      if (this.silenced) return;
      if (this.userClose && (code === 1006 || this.record.openedAt === null)) {
        // closed by the page before / without a close handshake: report what the page asked for
        this._reportEnd({ code: this.userClose.code, reason: this.userClose.reason });
        return;
      }
      if (code === 1006 && !this.errorReported && sb.options.errorOnAbnormalClose) {
        this._reportEnd({ errMsg: netReason(this.lastError || { message: 'abnormal closure' }), code, reason });
        return;
      }
      this._reportEnd({ code, reason });
    });
    sb._callback(opts, 'success', { errMsg: ERR.socketOk });
  }

  send(o) {
    const sb = this.sb;
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || this.silenced) {
      sb._callback(o, 'fail', { errMsg: ERR.sendNotConnected });
      return;
    }
    let payload;
    let frame;
    const d = o.data;
    if (typeof d === 'string') {
      payload = d;
      frame = { dir: 'out', type: 'text', data: d };
    } else if (isArrayBuffer(d) || (isView(d) && !sb.options.strictSocketSend)) {
      payload = bytesOf(d);
      frame = { dir: 'out', type: 'binary', data: payload };
    } else {
      const t = d === null ? 'Null' : d === undefined ? 'Undefined' : toStringTag(d).slice(8, -1);
      sb._callback(o, 'fail', { errMsg: ERR.sendBadType(t) });
      return;
    }
    frame.at = Date.now();
    sb._frame(this, frame);
    ws.send(payload, (err) => {
      if (err) sb._callback(o, 'fail', { errMsg: `sendSocketMessage:fail ${netReason(err)}` });
      else sb._callback(o, 'success', { errMsg: ERR.sendOk });
    });
  }

  close(o) {
    const sb = this.sb;
    const ws = this.ws;
    if (!ws || this.silenced || ws.readyState === WebSocket.CLOSING || ws.readyState === WebSocket.CLOSED) {
      sb._callback(o, 'fail', { errMsg: ERR.closeNotConnected });
      return;
    }
    const code = o.code === undefined ? 1000 : o.code;
    const reason = o.reason === undefined ? '' : String(o.reason);
    if (!(code === 1000 || (Number.isInteger(code) && code >= 3000 && code <= 4999))) {
      sb._callback(o, 'fail', { errMsg: ERR.closeFail(`code must be 1000 or in 3000-4999, got ${code}`) });
      return;
    }
    if (Buffer.byteLength(reason, 'utf8') > 123) {
      sb._callback(o, 'fail', { errMsg: ERR.closeFail('reason must not be longer than 123 bytes') });
      return;
    }
    this.userClose = { code, reason };
    this.record.closeCode = code;
    this.record.closeReason = reason;
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else ws.close(code, reason);
    sb._callback(o, 'success', { errMsg: ERR.closeOk });
  }

  // Ended by the sandbox (app suspended, network cut, dispose). `report` is what the page will see.
  kill(report) {
    if (!this.ws || this.record.state === 'closed' || this.silenced) return;
    this.silenced = true;
    this.record.closeCode = report ? report.code : 1006;
    this.record.closeReason = report ? report.reason : 'sandbox dispose';
    try { this.ws.terminate(); } catch (_) { /* already gone */ }
    if (report) this._reportEnd(report);
  }

  whenClosed() {
    if (!this.ws || this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => this.ws.once('close', resolve));
  }
}

module.exports = { SocketTaskImpl };
