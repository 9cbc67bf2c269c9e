'use strict';
// wx.request, wx.uploadFile and wx.downloadFile over node:http / node:https.
// The three share one concurrency budget (10 by default), as in WeChat.

const { listenerHooks } = require('./listeners');
const http = require('node:http');
const https = require('node:https');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { ERR, netReason } = require('./errmsg');
const { isArrayBuffer, isView, bytesOf } = require('./realm');

const METHODS = new Set(['OPTIONS', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'TRACE', 'CONNECT', 'PATCH']);
const MIME = {
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.gif': 'image/gif', '.webp': 'image/webp',
  '.txt': 'text/plain', '.json': 'application/json', '.mp3': 'audio/mpeg', '.mp4': 'video/mp4',
  '.silk': 'audio/silk', '.aac': 'audio/aac', '.m4a': 'audio/mp4', '.pdf': 'application/pdf',
};

let nextTaskId = 1;

function findHeader(headers, name) {
  const lower = name.toLowerCase();
  for (const k of Object.keys(headers)) if (k.toLowerCase() === lower) return k;
  return null;
}

function encodeQuery(obj) {
  return Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .map((k) => {
      const v = obj[k];
      const s = v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v);
      return `${encodeURIComponent(k)}=${encodeURIComponent(s)}`;
    })
    .join('&');
}

function headersFromRaw(raw) {
  const out = {};
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i];
    const v = raw[i + 1];
    if (/^set-cookie$/i.test(k)) continue;
    out[k] = k in out ? `${out[k]},${v}` : v;
  }
  const cookies = [];
  for (let i = 0; i < raw.length; i += 2) if (/^set-cookie$/i.test(raw[i])) cookies.push(raw[i + 1]);
  if (cookies.length) out['Set-Cookie'] = cookies.join(',');
  return { header: out, cookies };
}

// One network task (request / upload / download).
class NetTask {
  constructor(sb, api, opts) {
    this.sb = sb;
    this.api = api;
    this.opts = opts;
    this.id = nextTaskId++;
    this.state = 'new'; // new | queued | running | done
    this.req = null;
    this.timer = null;
    this.listeners = { progress: [], headers: [], chunk: [] };
    this.record = { id: this.id, api, url: opts.url, method: null, state: 'new', statusCode: null, errMsg: null, startedAt: null, endedAt: null };
    this.facade = this._makeFacade();
  }

  _makeFacade() {
    const f = new this.sb.intr.Object();
    const { on, off } = listenerHooks(() => this.listeners);
    f.abort = () => this.abort();
    f.onHeadersReceived = on('headers');
    f.offHeadersReceived = off('headers');
    if (this.api === 'request') {
      f.onChunkReceived = on('chunk');
      f.offChunkReceived = off('chunk');
    } else {
      f.onProgressUpdate = on('progress');
      f.offProgressUpdate = off('progress');
    }
    return f;
  }

  _emit(type, payload) {
    const list = this.listeners[type];
    if (!list.length) return;
    this.sb._deliver(() => {
      const arg = this.sb.toCtx(payload);
      for (const cb of [...this.listeners[type]]) this.sb._invoke(cb, [arg]);
    });
  }

  finish(kind, result) {
    if (this.state === 'done') return false;
    const wasRunning = this.state === 'running';
    this.state = 'done';
    this.record.state = kind === 'success' ? 'done' : 'failed';
    this.record.endedAt = Date.now();
    if (kind === 'fail') this.record.errMsg = result.errMsg;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.req) { try { this.req.destroy(); } catch (_) { /* ignore */ } }
    this.req = null;
    if (this.tmpFile && kind !== 'success') fs.rm(this.tmpFile.file, { force: true }, () => {});
    this.sb._taskEnded(this, wasRunning);
    this.sb.emit('request-end', this.record);
    this.sb._callback(this.opts, kind, result);
    return true;
  }

  fail(errMsg) { return this.finish('fail', { errMsg }); }

  abort() {
    if (this.state === 'done') return;
    if (this.state === 'queued') this.sb._dequeue(this);
    this.fail(ERR.abort(this.api));
  }

  // Build the request (method, url, headers, body) — may throw a ready errMsg string.
  prepare() {
    const o = this.opts;
    const sb = this.sb;
    let url = o.url;
    let method = 'GET';
    const headers = {};
    if (o.header && typeof o.header === 'object') {
      for (const k of Object.keys(o.header)) {
        if (/^referer$/i.test(k)) continue; // WeChat does not let the page set Referer
        headers[k] = String(o.header[k]);
      }
    }
    headers.Referer = sb.options.referer;
    if (!findHeader(headers, 'user-agent')) headers['User-Agent'] = sb.options.userAgent;
    let body = null;

    if (this.api === 'request') {
      method = String(o.method || 'GET').toUpperCase();
      if (!METHODS.has(method)) throw `request:fail parameter error: parameter.method should be one of ${[...METHODS].join(', ')}`;
      if (!findHeader(headers, 'content-type')) headers['content-type'] = 'application/json';
      const ct = headers[findHeader(headers, 'content-type')].toLowerCase();
      const d = o.data;
      if (method === 'GET') {
        let qs = '';
        if (typeof d === 'string') qs = d;
        else if (d && typeof d === 'object' && !isArrayBuffer(d) && !isView(d)) qs = encodeQuery(d);
        if (qs) url += (url.includes('?') ? '&' : '?') + qs;
      } else if (d !== undefined && d !== null) {
        if (isArrayBuffer(d) || isView(d)) body = bytesOf(d);
        else if (typeof d === 'string') body = Buffer.from(d, 'utf8');
        else if (typeof d === 'object') {
          body = Buffer.from(ct.includes('application/x-www-form-urlencoded') ? encodeQuery(d) : JSON.stringify(d), 'utf8');
        } else body = Buffer.from(String(d), 'utf8');
      }
    } else if (this.api === 'uploadFile') {
      method = 'POST';
      const file = sb.resolveLocalPath(o.filePath);
      if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) throw ERR.fileNotFound('uploadFile', String(o.filePath));
      const boundary = `----WeChatFormBoundary${crypto.randomBytes(8).toString('hex')}`;
      const parts = [];
      const form = o.formData && typeof o.formData === 'object' ? o.formData : {};
      for (const k of Object.keys(form)) {
        const v = form[k];
        const s = v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v);
        parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${s}\r\n`, 'utf8'));
      }
      const fname = path.basename(file);
      const mime = MIME[path.extname(fname).toLowerCase()] || 'application/octet-stream';
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${o.name || 'file'}"; filename="${fname}"\r\nContent-Type: ${mime}\r\n\r\n`, 'utf8'));
      parts.push(fs.readFileSync(file));
      parts.push(Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8'));
      body = Buffer.concat(parts);
      const ctKey = findHeader(headers, 'content-type');
      if (ctKey) delete headers[ctKey];
      headers['Content-Type'] = `multipart/form-data; boundary=${boundary}`;
    }
    if (body) headers['Content-Length'] = String(body.length);
    this.record.method = method;
    return { url, method, headers, body };
  }

  run() {
    const sb = this.sb;
    let prep;
    try {
      prep = this.prepare();
    } catch (e) {
      if (typeof e === 'string') { this.fail(e); return; }
      throw e;
    }
    this.state = 'running';
    this.record.state = 'running';
    this.record.startedAt = Date.now();
    sb.emit('request-start', this.record);
    const { url, method, headers, body } = prep;
    const mod = url.startsWith('https:') ? https : http;
    let req;
    try {
      req = mod.request(url, { method, headers, agent: url.startsWith('https:') ? sb._httpsAgent : sb._httpAgent });
    } catch (e) {
      this.fail(ERR.invalidUrl(this.api, url));
      return;
    }
    this.req = req;
    const max = sb.options.requestTimeout;
    const t = Number(this.opts.timeout) > 0 ? Math.min(Number(this.opts.timeout), max) : max;
    this.timer = setTimeout(() => this.fail(ERR.timeout(this.api)), t);
    req.on('error', (err) => { if (this.state !== 'done') this.fail(ERR.net(this.api, netReason(err))); });
    req.on('response', (res) => this._onResponse(res));
    if (body && this.api === 'uploadFile') this._writeWithProgress(req, body);
    else req.end(body || undefined);
  }

  _writeWithProgress(req, body) {
    const total = body.length;
    const CHUNK = 16 * 1024;
    let sent = 0;
    let lastPct = -1;
    const pump = () => {
      while (sent < total && this.state === 'running') {
        const chunk = body.subarray(sent, Math.min(total, sent + CHUNK));
        sent += chunk.length;
        const s = sent;
        const ok = req.write(chunk, () => {
          const pct = Math.floor((s * 100) / total);
          if (pct !== lastPct && this.state === 'running') {
            lastPct = pct;
            this._emit('progress', { progress: pct, totalBytesSent: s, totalBytesExpectedToSend: total });
          }
        });
        if (!ok) { req.once('drain', pump); return; }
      }
      if (this.state === 'running') req.end();
    };
    pump();
  }

  _onResponse(res) {
    const sb = this.sb;
    if (this.state !== 'running') { res.resume(); return; }
    const { header, cookies } = headersFromRaw(res.rawHeaders);
    this.record.statusCode = res.statusCode;
    this._emit('headers', this.api === 'request' ? { header, statusCode: res.statusCode, cookies } : { header });
    const total = Number(res.headers['content-length']) || 0;
    const chunks = [];
    let got = 0;
    let lastPct = -1;
    if (this.api === 'downloadFile') {
      this.tmpFile = sb._newTempFile(this.opts.url);
    }
    res.on('data', (c) => {
      if (this.state !== 'running') return;
      chunks.push(c);
      got += c.length;
      if (this.api === 'downloadFile' && total) {
        const pct = Math.floor((got * 100) / total);
        if (pct !== lastPct) {
          lastPct = pct;
          this._emit('progress', { progress: pct, totalBytesWritten: got, totalBytesExpectedToWrite: total });
        }
      }
    });
    res.on('error', (err) => { if (this.state === 'running') this.fail(ERR.net(this.api, netReason(err))); });
    res.on('end', () => {
      if (this.state !== 'running') return;
      const buf = Buffer.concat(chunks);
      const o = this.opts;
      if (this.api === 'request') {
        let data;
        if (o.responseType === 'arraybuffer') data = buf;
        else {
          data = buf.toString('utf8');
          if ((o.dataType === undefined || o.dataType === 'json') && data.length) {
            try { data = sb.intr.JSON.parse(data); } catch (_) { /* WeChat hands back the raw string */ }
          }
        }
        this.finish('success', { data, statusCode: res.statusCode, header, cookies, errMsg: ERR.ok('request') });
      } else if (this.api === 'uploadFile') {
        this.finish('success', { data: buf.toString('utf8'), statusCode: res.statusCode, errMsg: ERR.ok('uploadFile') });
      } else {
        fs.writeFileSync(this.tmpFile.file, buf);
        const result = { statusCode: res.statusCode, errMsg: ERR.ok('downloadFile') };
        if (o.filePath) {
          const dest = sb.resolveLocalPath(o.filePath);
          if (!dest) { this.fail(ERR.net('downloadFile', `invalid filePath ${o.filePath}`)); return; }
          fs.mkdirSync(path.dirname(dest), { recursive: true });
          fs.renameSync(this.tmpFile.file, dest);
          result.filePath = o.filePath;
        } else {
          result.tempFilePath = this.tmpFile.path;
        }
        this.finish('success', result);
      }
    });
  }
}

module.exports = { NetTask, encodeQuery, MIME };
