'use strict';
// Drives one instance of a C++ core through its bindings (`echat_<area>_<input>(handle, now, ...)`, area
// 'SioManager' = socketio::Manager, 'ImClient' = im::Client): feeds it inputs, reads the batch each call returns
// (src/host/batch.h documents the format), performs the transport commands on the platform, and the
// area's other I/O outputs through `io` handlers (the IM layer's 'http'), keeps the single real timer at
// the core's next deadline, and hands every other output to `sink` (io.js, im.js). No protocol logic
// lives here.

const TRANSPORT = new Set(['open', 'send', 'sendx', 'sendb', 'close', 'poll']);

// The socket.io hot path (bindings/socketio_bindings.cpp, echat_sio_*): the frame or payload stays here,
// the core gets the header, a handle and what JSON.parse found (socketio::Shape: root | first << 4 |
// reserved << 8, kinds None 0, Invalid 1, Null 2, Bool 3, Number 4, String 5, Array 6, Object 7).
const HEAD_MAX = 1024;
const INVALID = 1;
function kindOf(v) {
  if (v === null) return 2;
  const t = typeof v;
  if (t === 'string') return 5;
  if (t === 'number') return 4;
  if (t === 'boolean') return 3;
  return Array.isArray(v) ? 6 : 7;
}
function shapeOf(v, reserved) {
  const root = kindOf(v);
  if (root !== 6 || v.length === 0) return root;
  const first = kindOf(v[0]);
  return root | (first << 4) | (first === 5 && reserved.has(v[0]) ? 256 : 0);
}

// How long after onAppShow a socket close still counts as one the suspension caused.
const RESUME_WINDOW_MS = 5000;

const { decodeUtf8, utf8Length, encodeUtf8 } = require('./utf8.js');
const { isFunction, isString, isRecord } = require('./is.js');

const ASCII = /^[\x00-\x7f]*$/;  // native: a long ASCII text's byte length without a loop here
const IN_KEEP = 65536;  // bindings/boundary.cpp kKeep

function copyOut(view, off, len) {
  const out = new ArrayBuffer(len);
  new Uint8Array(out).set(view.subarray(off, off + len));
  return out;
}

class CoreDriver {
  // area: 'SioManager' | 'ImClient'; io: {kind: (output, driver) => void} performed with the transport commands;
  // closedCode: the error code of a call made after destroy().
  // early: a socket opened before the core loaded (openEarly, below), adopted by the first matching open().
  // ordered: deliver() queues outputs caused by a listener's call while others are handed out (the IM
  // area); socket.io's API needs its events at once instead (`socket.disconnect().connect()` inside a
  // listener must see the disconnect before it connects again).
  constructor(core, area, platform, optionsJson, sink, { io = {}, closedCode = 'closed', early = null, ordered = false } = {}) {
    this.early = early;
    this.platform = platform;
    this.sink = sink;
    this.core = core;
    this.area = area;
    this.io = io;
    this.closedCode = closedCode;
    this.h = this.invoke('new', [optionsJson]);  // a handle: bindings/<area>_bindings.cpp
    this.sockets = new Map();  // transport id -> platform socket
    this.gets = new Map();     // transport id -> the long-polling GET in flight ({abort})
    this.timer = null;
    this.deadline = -1;
    this.closed = false;
    this.resumedAt = -1;  // when the app last came to the foreground, until a frame arrives
    // The options' error, if any (the core then answers every call with it).
    this.optionsError = this.raw('status').x;
    // Host-kept payloads (socket.io area only): handle -> parsed arguments (received) or JSON text (to
    // send) while the core holds the handle in a buffer.
    this.fast = area === 'SioManager' && isFunction(core.echat_sio_text);
    this.held = new Map();
    this.ordered = ordered;
    this.queue = [];         // outputs for the sink (deliver())
    this.draining = false;
    this.nextRef = 1;
    this.shared = null;
    if (this.fast) this.reserved = new Set(decodeUtf8(this.bytes(core.echat_sio_reserved())).split(','));
    // The IM area's hot path (bindings/im_lane.cpp, echat_im_message): a delivery's object stays
    // here under a handle until the core releases it ({k:'drop'}).
    this.imFast = area === 'ImClient' && isFunction(core.echat_im_message);
    this.syncedKey = null;  // where a delivery handed over at once records the position (im.js sets it)
    this._texts = [];       // [way, formUser, toTarget] the core keeps from the last delivery (delivery())
    this._outbox = null;    // {key, prefix, marker, setByCore, idPrefix, from}: a send's record and texts (im.js sets it)
    // A received event on "/" from the fast lane (code 1): (args, ackId or -1), set by the owner of a
    // SioManager driver (io.js): the 's.event' output without building the batch output object.
    this.onEvent = null;
  }

  // Views of the shared region, re-made after a growth of the memory (the loader counts them: core.grown)
  // detached the old buffer. That check is two property reads; the detached view's byteLength, the
  // check until 2026-12-07, is a getter called per lane call (~2 % of a delivery on JSC without a JIT).
  views() {
    let v = this.shared;
    if (v === null || v.grown !== this.core.grown) {
      const at = this.core.echat_sio_shared();
      const u8 = new Uint8Array(this.core.HEAPU8.buffer, at, 128 + HEAD_MAX);
      v = this.shared = {
        grown: this.core.grown,
        u8,
        f64: new Float64Array(u8.buffer, u8.byteOffset, 12),
        i32: new Int32Array(u8.buffer, u8.byteOffset + 96, 8),
        head: new Uint8Array(u8.buffer, u8.byteOffset + 128, HEAD_MAX),
      };
    }
    return v;
  }

  // The JSON an export answered (bytes()); the batch the core last wrote (echat_<area>_last).
  json(p) {
    return JSON.parse(decodeUtf8(this.bytes(p)));
  }

  last() {
    return this.json(this.core[`echat_${this.area}_last`](this.h));
  }

  // The first n bytes of the shared head, an ASCII text the core wrote.
  headText(n) {
    return String.fromCharCode.apply(null, this.views().head.subarray(0, n));
  }

  ref() {
    const r = this.nextRef;
    this.nextRef = r >= 0x7fffffff ? 1 : r + 1;
    return r;
  }

  // Writes an ASCII string into the shared head; false when it does not fit or is not ASCII.
  putHead(s) {
    const n = s.length;
    if (n > HEAD_MAX) return false;
    const head = this.views().head;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 127) return false;
      head[i] = c;
    }
    return true;
  }

  // A received text frame: cut at its first '[' (where an EVENT/ACK's arguments start), the arguments
  // parsed once here, the header and the parse result to the core, which decides (and may refuse the
  // cut: the whole frame then takes the batch path).
  textFrame(tid, data) {
    if (this.imFast && (this.delivery(tid, data) || this.answered(tid, data))) return;
    const k = data.indexOf('[');
    if (this.fast && k > 1 && k <= HEAD_MAX) {
      let args;
      let shape;
      try {
        args = JSON.parse(data.slice(k));
        shape = shapeOf(args, this.reserved);
      } catch (err) {
        args = undefined;
        shape = INVALID;
      }
      if (this.putHead(k === data.length ? data : data.slice(0, k))) {
        const ref = this.ref();
        const code = this.core.echat_sio_text(this.h, this.platform.now(), tid, k, ref, data.length - k, shape);
        if (code >= 0) {
          this.answer(code, ref, args);
          return;
        }
      }
    }
    this.input('textFrame', tid, data);
  }

  // A delivery `42<ack id>["topic.message", {...}]` (IM area), parsed once here: the core gets the
  // header's length and ack id (NaN: none), the handle and the fields it decides on (seq, mid, way, formUser,
  // toTarget, createTime, recalled); the object stays here. The texts are written only when they are not
  // the last call's (`_texts`: a conversation's run of messages writes them once). False (nothing done)
  // when the frame is anything else, or a field is of a type the core would read differently: the frame
  // then takes the general path whole.
  delivery(tid, data) {
    const k = data.indexOf('[');
    if (k < 2 || k > 22 || data.charCodeAt(0) !== 52 || data.charCodeAt(1) !== 50 || this.syncedKey === null ||
        !data.startsWith('["topic.message"', k)) return false;
    let args;
    try {
      args = JSON.parse(data.slice(k));
    } catch (err) {
      return false;
    }
    const m = args[1];
    if (args.length !== 2 || !isRecord(m)) {  // (args[0] is "topic.message": it parsed, and starts so)
      return false;
    }
    const { seq, mid, createTime: ct, recalled } = m;
    const way = text(m.way);
    const from = text(m.formUser);
    const to = Number.isSafeInteger(m.toTarget) ? String(m.toTarget) : text(m.toTarget);
    const t = this._texts;
    const same = way === t[0] && from === t[1] && to === t[2];  // (none yet: undefined)
    if (!(Number.isSafeInteger(seq) && seq > 0 && Number.isSafeInteger(mid) && mid > 0) || way === null ||
        from === null || to === null || (ct != null && !(Number.isSafeInteger(ct) && ct >= 0)) ||
        (recalled != null && typeof recalled !== 'boolean') || !(same || this.putHead(way + from + to))) {
      return false;
    }
    const ref = this.ref();
    if (!same) this._texts = [way, from, to];
    const id = data.slice(2, k);  // the ack id's digits (the core checks them against k)
    const code = this.core.echat_im_message(this.h, this.platform.now(), tid, k, parseInt(id, 10), ref,
      data.length - k, seq, mid, ct == null ? -1 : ct, (recalled === true) + 2 * same, way.length,
      from.length, to.length);
    if (code === 5) {
      this.handed(m, ref, seq, id, way, from, to);
      return true;
    }
    if (code !== 3) return false;
    this.held.set(ref, m);
    this.dispatch(this.last());
    return true;
  }

  // A delivery the core handed over at once (code 5; the region: bindings/im_lane.cpp): the outputs
  // a batch would have carried, performed as dispatch() does (timer, then the frame, then the app's
  // events in the core's order, then the objects the core let go of). Everything is read from the
  // region before any listener may call the core again. The ack and the synced record are written here
  // from `seq` (a safe integer), the ack id's digits `id` and the core's boot, as the core writes them
  // (im::Client::put_ack_args, put_record): numbers become text natively here, interpreted there.
  handed(m, ref, seq, id, way, from, to) {
    const { f64, i32 } = this.views();
    const bits = i32[0];
    const conv = bits & 1 && this.heard._listeners.conversation !== undefined ? {  // (no event for nobody)
      lastMessage: Object.assign({}, m), lastSeq: f64[4], readSeq: f64[3], toTarget: bits & 2 ? from : to,
      unread: f64[2], updateTime: f64[5], way,
    } : null;
    const released = i32[4];  // (0: none; no object has that handle)
    const tid = i32[1];
    const record = `{"seq":${seq},"boot":${f64[6]}}`;
    this.armTimer(f64[0]);
    if (i32[3]) this.send(tid, `43${id}[{"seq":${seq}}]`);
    if (!(bits & 4)) this.held.set(ref, m);
    this.held.delete(released);
    const msg = { k: 'msg', message: Object.assign({}, m) };  // (im.js reads no more of a live one)
    const rec = store(this.syncedKey, record);
    this.deliver(conv ? [msg, { k: 'conv', conv }, rec] : [msg, rec]);
  }

  // message/send with the form kept here (IM area; bindings/im_send_lane.cpp echat_im_send): the core gets
  // the fields it decides on (toTarget, way, formUser, clientMsgId) and the size of `text`, the form's
  // JSON.stringify, which stays here: the record and the frames are written from it and the core's
  // numbers (im::Client::send_fast). `registered(id)` runs before anything is performed. False (nothing
  // done) when the form is not plain (a field of another type, a key the core sets itself: the core's
  // list, echat_ImClient_storageKeys "setByCore"; toJSON) or
  // the core leaves it to the general path (echat_ImClient_send), which decides and names what is wrong.
  // `refused(x)` (x: {code, message}, as a batch's caller error) when the core refuses it for good.
  sendForm(form, text, registered, refused) {
    const to = form.toTarget;
    const way = form.way;
    const from = form.formUser;
    const cmid = form.clientMsgId;
    if (this._outbox === null || this.closed || !isString(to) || !isString(way) ||
        !isString(form.type) || form.body === undefined || isFunction(form.body) ||
        (from !== undefined && !isString(from)) ||
        (cmid !== undefined && !isString(cmid)) || isFunction(form.toJSON) || Array.isArray(form) ||
        !this.putHead(to + way + (from || '') + (cmid || ''))) {
      return false;
    }
    const set = this._outbox.setByCore;  // a loop: no closure called per key (JS is interpreted on iOS)
    for (let i = 0; i < set.length; i++) if (form[set[i]] !== undefined) return false;
    const ref = this.ref();
    const code = this.core.echat_im_send(this.h, this.platform.now(), ref, text.length, to.length, way.length,
      from === undefined ? 0 : from.length, cmid === undefined ? 0 : cmid.length,
      (from === undefined ? 0 : 1) | (cmid === undefined ? 0 : 2));
    if (code < 0) return false;
    if (code === 5) {  // over the server's maxPayload: refused before its text entered wasm
      refused({ code: '400', message: this.headText(this.views().i32[2]) });
      return true;
    }
    const { f64, i32 } = this.views();
    const o = this._outbox;
    const id = f64[1];
    const bits = i32[0];
    // The texts are written here from the core's numbers (im::Client::lane_fields, lane_cmid,
    // lane_frame_head; the ids are plain ASCII: no escapes): numbers become text natively here,
    // interpreted in wasm on iOS, and nothing is read back a character at a time.
    const msgNo = f64[3];
    const clientMsgId = msgNo ? `${o.idPrefix}-${f64[4]}-m-${msgNo}` : cmid;
    const body = `${text.slice(1, -1)}${bits & 4 ? o.from : ''}${msgNo ? `,"clientMsgId":"${clientMsgId}"` : ''}}`;
    this.held.set(ref, body + ']');  // the wire text, until the core releases it
    registered(id);
    const outs = [store(o.prefix + clientMsgId, `{"n":${f64[2]},"c":"${clientMsgId}","f":{${body}}`)];
    if (bits & 1) outs.push(store(o.key, o.marker));
    const heard = this.heard._listeners.sendState !== undefined;  // (no sendState output for nobody)
    if (heard) outs.push(sendState(id, clientMsgId, 'queued'));
    if (bits & 2) {
      this.send(i32[1], this.framed(f64[5], f64[6], f64[7], i32[2], 0) + body + ']');
      if (heard) outs.push(sendState(id, clientMsgId, 'sending'));
    }
    this.laneDone(outs, code === 7, f64[0]);
    return true;
  }

  // A lane-sent message's frame text before its wire text (im::Client::lane_frame_head), from its ack
  // id, requestId number and timestamp, with the session's JWT: the core gives the JWT's text (`jwt`
  // characters of the head from `at`) with the first frame of each JWT only, and this driver keeps it
  // (_jwt) for the next ones.
  framed(wire, no, ts, jwt, at) {
    if (jwt) this._jwt = this.headText(at + jwt).slice(at);
    return `42${wire}["topic.message",{"requestId":"${this._outbox.idPrefix}-${no}","timestamp":${ts},"method":"send","jwt":${this._jwt}`;
  }

  // A lane's outputs (after the transport command it performed), then the batch the core wrote when it
  // said there is one (its transport commands first, as dispatch() does); else the lane's deadline.
  laneDone(outs, withBatch, deadline) {
    if (withBatch) {
      const batch = this.last();
      batch.o = outs.concat(batch.o);
      this.dispatch(batch);
    } else {
      this.armTimer(deadline);
      this.deliver(outs);
    }
  }

  // A call's answer `43<id>[{"response": R}]` (or [R]) whose R has code 0 (IM area;
  // bindings/im_send_lane.cpp echat_im_answer): parsed once here; the core gets the header and finishes the call
  // (im::Client::answer_fast), R.data stays here; the message the freed window place lets go is sent
  // from here too. False (nothing done) for anything else: the frame then takes the general path (so
  // before im.js has set _outbox, whose idPrefix writes the requestId).
  answered(tid, data) {
    const k = data.indexOf('[');
    if (k < 3 || k > 22 || data.charCodeAt(0) !== 52 || data.charCodeAt(1) !== 51 || this._outbox === null) return false;
    let args;
    try {
      args = JSON.parse(data.slice(k));
    } catch (err) {
      return false;
    }
    const first = Array.isArray(args) && args.length > 0 ? args[0] : null;
    if (!isRecord(first)) return false;
    const r = first.response !== undefined ? first.response : first;
    if (!isRecord(r) || r.code !== 0) return false;
    // The ack id's digits read here (the core checks them against k, as a delivery's).
    const code = this.core.echat_im_answer(this.h, this.platform.now(), tid, k, parseInt(data.slice(2, k), 10),
      this.ref(), data.length - k);
    if (code < 0) return false;
    const { f64, i32 } = this.views();
    const id = f64[1];
    const bits = i32[0];
    // The clientMsgId and the next message's: written here from their numbers when the core made them
    // (f64[7], f64[8]; the boot f64[9]), else their texts one after the other in the region's head
    // (i32[3], i32[5]); then the JWT's text (framed()).
    const o = this._outbox;
    const a = i32[3];
    const b = a + i32[5];
    const ids = b === 0 ? '' : this.headText(b);
    const clientMsgId = f64[7] ? `${o.idPrefix}-${f64[9]}-m-${f64[7]}` : ids.slice(0, a);
    if (bits & 4) this.send(i32[1], this.framed(f64[4], f64[5], f64[6], i32[2], b) + this.held.get(i32[7]));  // the next message
    if (i32[6] !== 0) this.held.delete(i32[6]);
    const outs = [];
    const heard = this.heard._listeners.sendState !== undefined;
    if (bits & 1) {
      outs.push(store(o.prefix + clientMsgId, ''));
      if (bits & 2) outs.push(store(o.key, ''));
      if (heard) outs.push(sendState(id, clientMsgId, 'sent'));
    }
    outs.push({ k: 'resp', id, code: 0, msg: isString(r.msg) && r.msg !== '' ? r.msg : 'ok',
      data: r.data === undefined ? null : r.data, requestId: `${o.idPrefix}-${f64[3]}`, clientMsgId });
    if (bits & 4 && heard) outs.push(sendState(f64[2], f64[8] ? `${o.idPrefix}-${f64[9]}-m-${f64[8]}` : ids.slice(a), 'sending'));
    this.laneDone(outs, code === 9, f64[0]);
    return true;
  }

  // A conversation object from the core: a last message kept here ("lastRef") is put in.
  shown(c) {
    if (c && c.lastRef) {
      c.lastMessage = Object.assign({}, this.held.get(c.lastRef), c.lastPatch);
      delete c.lastRef;
      delete c.lastPatch;
    }
    return c;
  }

  // emit/ack with arguments already JSON text (no attachments): {r, x} as call() gives.
  emitFast(before, nsp, json, args, flags, timeout) {
    return this.fastCall(before, nsp, json, args, (ref, shape) =>
      this.core.echat_sio_emit(this.h, this.platform.now(), nsp.length, ref, json.length, shape, flags, timeout));
  }

  ackFast(before, nsp, ackId, json, args) {
    return this.fastCall(before, nsp, json, args, (ref, shape) =>
      this.core.echat_sio_ack(this.h, this.platform.now(), nsp.length, ackId, ref, json.length, shape));
  }

  fastCall(before, nsp, json, args, f) {
    if (this.closed || !this.fast || !this.putHead(nsp)) return null;
    const ref = this.ref();
    const code = f(ref, shapeOf(args, this.reserved));
    return this.answer(code, ref, json, before);
  }

  // Acts on a hot-path answer (codes: bindings/socketio_bindings.cpp). Returns {r, x}.
  answer(code, ref, value, before) {
    const v = this.views();
    if (code === 1 && !before) {  // the common case of a received frame: no result object, no output object
      this.armTimer(v.f64[0]);
      this.onEvent(value, v.f64[1]);
      return null;
    }
    if (code === 3) {
      this.held.set(ref, value);
      const batch = this.last();
      if (before) before(batch);
      this.dispatch(batch);
      this.prune();
      return batch;
    }
    const extra = v.f64[1];
    const result = { r: extra >= 0 ? extra : null, x: null };
    this.armTimer(v.f64[0]);
    if (code === 4) {
      const header = this.headText(v.i32[0]);
      const tid = v.i32[1];
      if (before) before(result);
      this.send(tid, header + value);
      return result;
    }
    if (before) before(result);
    if (code === 1) this.onEvent(value, extra);
    else if (code === 2) this.sink({ k: 's.ack', nsp: '/', emitId: extra, ok: true, args: value, error: null, buffers: [] });
    else {
      this.held.set(ref, value);  // buffered by the core, or dropped
      this.prune();
    }
    return result;
  }

  // Forgets the payloads the core no longer holds.
  prune() {
    if (this.held.size === 0) return;
    const oldest = this.core.echat_sio_oldest(this.h);
    for (const r of this.held.keys()) {
      if (oldest !== 0 && r >= oldest) break;
      this.held.delete(r);
    }
  }

  // A payload to send: the socket.io area forgets it once sent; the IM area keeps it until the core
  // releases it ({k:'drop'}: an outbox form is sent again after a lost connection).
  kept(ref) {
    return this.area === 'ImClient' ? this.held.get(ref) : this.take(ref);
  }

  take(ref) {
    const v = this.held.get(ref);
    this.held.delete(ref);
    return v;
  }

  raw(name, ...args) {
    return this.json(this.invoke(name, [this.h, this.platform.now(), ...args]));
  }

  // Calls the core's export echat_<area>_<name>(...args) (bindings/boundary.h): numbers go as they are; a
  // string (as UTF-8) or a Uint8Array goes through the input buffer (echat_in), and the export gets its
  // byte length in its place.
  invoke(name, args) {
    const core = this.core;
    let total = 0;
    let strings = false;
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (typeof a === 'string') total += ASCII.test(a) ? a.length : utf8Length(a);
      else if (typeof a === 'object' && a) total += a.length;
      else continue;
      strings = true;
    }
    if (strings) {
      // The input buffer is asked for again only when it is too small, or large and no longer needed
      // (bindings/boundary.cpp echat_in). Through Reflect.apply: V8 11.3 (Node 20) crashed with the
      // call inlined into this function by TurboFan (a SIGSEGV in tests/js/heap.test.js, gone with
      // --no-turbo-inline-js-wasm-calls).
      // The buffer is the module's, shared by every driver of this core (an app's sdk.io and sdk.im):
      // where it is and its size are kept on the core (loader.js coreOf), not per driver.
      const input = core.input;
      if (total > input.cap || (input.cap > IN_KEEP && total <= IN_KEEP)) {
        input.at = Reflect.apply(core.echat_in, null, [total]);
        input.cap = total;
      }
      let at = input.at;
      const u8 = core.HEAPU8;  // after echat_in: it may have grown the memory
      args = args.slice();
      for (let i = 0; i < args.length; i++) {
        const a = args[i];
        if (typeof a === 'string') {
          const end = encodeUtf8(a, u8, at);
          args[i] = end - at;
          at = end;
        } else if (typeof a === 'object' && a) {
          u8.set(a, at);
          args[i] = a.length;
          at += a.length;
        }
      }
    }
    return core[`echat_${this.area}_${name}`](...args);
  }

  // The bytes an export answered (the address of a {data, size} pair): a view of wasm memory, valid
  // until the next call.
  bytes(p) {
    const w = this.core.HEAPU32;
    const data = w[p >> 2];
    return this.core.HEAPU8.subarray(data, data + w[(p >> 2) + 1]);
  }

  // Calls raw method `name` with (now, ...args); returns {r, x} after dispatching the batch.
  call(name, ...args) {
    return this.callThen(null, name, ...args);
  }

  // The same; `before(batch)` sees the call's result before its outputs are dispatched (an emit's ack
  // callback must be registered before an AckResult in the same batch is delivered).
  callThen(before, name, ...args) {
    if (this.closed) {
      const b = { r: null, x: { kind: 'caller', code: this.closedCode, message: 'closed' } };
      if (before) before(b);
      return b;
    }
    const batch = this.raw(name, ...args);
    if (before) before(batch);
    this.dispatch(batch);
    return batch;
  }

  // The batch's transport commands (open, send, close) are performed first, in order; then its events
  // go to the app. An app listener may call the core (an emit from a "connect" listener): the frames of
  // that nested call then follow the frames of this batch on the wire, in the core's order.
  dispatch(batch) {
    const outs = batch.o;
    let arena = null;
    const bytes = (off, len) => {
      if (!arena) arena = this.bytes(this.core[`echat_${this.area}_binary`](this.h));
      return copyOut(arena, off, len);
    };
    // Copy every binary payload out of wasm memory first: app listeners may call back into the core,
    // which reuses the arena.
    for (const o of outs) {
      if (o.k === 'sendb') o.bytes = bytes(o.off, o.len);
      else if (o.k === 'sendx') o.text += this.kept(o.ref);
      else if (o.k === 's.event' || o.k === 's.ack') {
        o.buffers = ranges(o.bin, bytes);
        if (o.ref) o.args = this.take(o.ref);
      } else if (o.k === 'msg') {
        if (o.ref) o.message = Object.assign({}, this.held.get(o.ref));  // the app's copy: the kept one stays as sent
      } else if (o.k === 'conv') this.shown(o.conv);
      else if (o.k === 'convs') {
        if (Array.isArray(o.list)) o.list.forEach((c) => this.shown(c));
      } else if (o.k === 'drop') this.held.delete(o.ref);
    }
    this.armTimer(batch.t);
    for (const o of outs) if (this.isIo(o.k)) this.handle(o);
    this.deliver(outs.filter((o) => !this.isIo(o.k)));
  }

  // Hands outputs to the sink in the core's order. Ordered (the IM area): a listener that calls the
  // core while one is handled (markRead from a 'message' listener) gets that call's outputs after the
  // rest of the batch being handled, not in the middle of it: an app then sees a conversation's
  // changes in the order they happened, and its last 'conversation' event is the current one.
  deliver(outs) {
    if (!this.ordered) {
      for (const o of outs) this.sink(o);
      return;
    }
    if (this.draining) {
      for (const o of outs) this.queue.push(o);
      return;
    }
    // Handed out from `outs` itself, a fresh array (behind what waits, if a sink threw before): what a
    // listener's call adds meanwhile goes on the same array, behind them (copying each batch into the
    // queue and cutting it out again cost ~440 ns per call on JSC without a JIT). Taken by index, never
    // shift() (linear on V8 for arrays above ~16k entries: 88 instead of 11 us per delivery at 20,000).
    const q = this.queue = this.queue.length > 0 ? this.queue.concat(outs) : outs;
    this.draining = true;
    let i = 0;
    try {
      while (i < q.length) this.sink(q[i++]);
    } finally {
      this.queue = i < q.length ? q.slice(i) : [];  // (what follows a sink that threw waits for the next delivery)
      this.draining = false;
    }
  }

  isIo(kind) {
    return TRANSPORT.has(kind) || kind in this.io;
  }

  handle(o) {
    switch (o.k) {
      case 'open': return this.open(o.tid, o.url);
      case 'send':
      case 'sendx': return this.send(o.tid, o.text);
      case 'sendb': return this.send(o.tid, o.bytes);
      case 'close': {
        const s = this.sockets.get(o.tid);
        this.sockets.delete(o.tid);
        if (s) s.close(o.code, o.reason);
        const g = this.gets.get(o.tid);
        this.gets.delete(o.tid);
        if (g) g.abort();  // a polling transport: its GET is given up (a POST, e.g. the close packet, ends by itself)
        return undefined;
      }
      case 'poll': return this.poll(o);
      default: return this.io[o.k](o, this);
    }
  }

  open(tid, url) {
    const e = this.early;
    this.early = null;
    if (e && e.url === url && !e.adopted) {
      e.adopted = true;
      this.sockets.set(tid, e._socket);
      const h = this.handlers(tid);
      // What the socket did so far is replayed after this batch (a socket's events always come later).
      Promise.resolve().then(() => {
        for (const [kind, args] of e.queue) h[kind](...args);
        e.queue = null;
        e.target = h;
      });
      return;
    }
    this.sockets.set(tid, this.platform.openSocket(url, this.handlers(tid)));
  }

  handlers(tid) {
    return {
      onOpen: () => this.input('transportOpen', tid),
      onMessage: (data) => {
        this.resumedAt = -1;
        if (typeof data === 'string') {
          if (!this.closed) this.textFrame(tid, data);
        }
        else this.input('binaryFrame', tid, new Uint8Array(data));
      },
      onClose: (code, reason) => {
        this.sockets.delete(tid);
        this.input('transportClose', tid, code, String(reason || ''));
        this.wakeIfResuming();
      },
      onError: (message) => {
        this.input('transportError', tid, String(message));
        this.wakeIfResuming();
      },
    };
  }

  // Long-polling: {k: 'poll', tid, req, post, url, texts, refs} -> wx.request; the POST body is each
  // text followed by its host-kept payload (src/host/batch.h).
  poll(o) {
    const { tid, req: rid } = o;
    let body;
    if (o.post) body = o.texts.map((text, i) => (o.refs[i] ? text + this.kept(o.refs[i]) : text)).join('');
    const req = this.platform.poll(o.post ? 'POST' : 'GET', o.url, body, (err, status, text) => {
      if (this.gets.get(tid) === req) this.gets.delete(tid);
      if (err !== null) this.input('httpError', tid, rid, String(err));
      else this.input('httpResponse', tid, rid, status, text);
    });
    if (!o.post) this.gets.set(tid, req);
  }

  // The app came to the foreground: the core checks its deadlines against the wall clock and, when it
  // waits for a reconnect backoff, tries at once. WeChat may deliver the close of a socket the
  // suspension killed only after onAppShow: such a close (before any frame arrived since the wake) is
  // part of the same resume, so the core is woken again after it instead of waiting for the backoff.
  foreground() {
    this.resumedAt = this.platform.now();
    this.input('wake');
  }

  wakeIfResuming() {
    if (this.resumedAt < 0) return;
    if (this.platform.now() - this.resumedAt > RESUME_WINDOW_MS) {
      this.resumedAt = -1;
      return;
    }
    this.resumedAt = -1;
    this.input('wake');
  }

  send(tid, data) {
    const s = this.sockets.get(tid);
    if (s) s.send(data, (message) => this.input('transportError', tid, `send failed: ${message}`));
  }

  input(name, ...args) {
    if (!this.closed) this.call(name, ...args);
  }

  armTimer(deadline) {
    // A later deadline keeps the armed timer: it fires early, the core acts on nothing and answers
    // with its real next deadline (on_timer accepts early calls). On Engine.IO 4 every received packet
    // moves the heartbeat deadline, so this saves a clearTimeout + setTimeout per frame.
    if (this.timer !== null && deadline >= this.deadline) return;
    if (this.timer !== null) this.platform.clearTimer(this.timer);
    this.timer = null;
    this.deadline = deadline;
    if (deadline < 0 || this.closed) return;
    const wait = Math.max(0, deadline - this.platform.now());
    this.timer = this.platform.setTimer(wait, () => {
      this.timer = null;
      this.deadline = -1;
      this.input('timer');
    });
  }

  destroy() {
    if (this.closed) return;
    this.call('close');
    this.closed = true;
    if (this.timer !== null) this.platform.clearTimer(this.timer);
    this.timer = null;
    for (const s of this.sockets.values()) s.close(1000, 'destroyed');
    this.sockets.clear();
    for (const g of this.gets.values()) g.abort();
    this.gets.clear();
    this.core[`echat_${this.area}_delete`](this.h);
  }
}

function store(key, value) {
  return { k: 'store', key, value };
}

function sendState(id, clientMsgId, state) {
  return { k: 'sendstate', id, clientMsgId, state, reason: '' };
}

// A message field the core reads as text: a string, or '' when absent (null counts as absent); null when
// it is of another type.
function text(v) {
  if (v === undefined || v === null) return '';
  return isString(v) ? v : null;
}

function ranges(list, bytes) {
  const out = [];
  for (let i = 0; i < list.length; i += 2) out.push(bytes(list[i], list[i + 1]));
  return out;
}

// The URL of the core's first connection attempt (Engine.IO 4 unless protocol 3), for the early
// WebSocket; null when the options are not the plain kind whose URL is certain here (the core's own
// normalisation then decides, without an early socket).
function earlyUrl(u, path, query, protocol) {
  const m = /^(https?|wss?):\/\/([a-z0-9.-]+)(?::(\d+))?$/.exec(u.origin);
  const p = path === undefined ? '/socket.io' : path;
  if (!m || !/^\/?[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*\/?$/.test(p) || !/^[A-Za-z0-9%._~*'()!=&+-]*$/.test(query)) return null;
  const secure = m[1] === 'https' || m[1] === 'wss';
  const port = m[3] && Number(m[3]) !== (secure ? 443 : 80) ? `:${Number(m[3])}` : '';
  const dir = `${p[0] === '/' ? '' : '/'}${p}${p.endsWith('/') ? '' : '/'}`;
  return `${secure ? 'wss' : 'ws'}://${m[2]}${port}${dir}?EIO=${protocol === 3 ? 3 : 4}&transport=websocket${query ? `&${query}` : ''}`;
}

// A WebSocket whose events wait until a CoreDriver adopts it (CoreDriver.open) and then replay.
function openEarly(platform, url) {
  if (!url) return null;
  const early = { url, _socket: null, adopted: false, target: null, queue: [] };
  const relay = (kind) => (...args) => {
    if (early.target) early.target[kind](...args);
    else early.queue.push([kind, args]);
  };
  early._socket = platform.openSocket(url, {
    onOpen: relay('onOpen'), onMessage: relay('onMessage'), onClose: relay('onClose'), onError: relay('onError'),
  });
  return early;
}

// An early socket no core adopted (its first attempt named another URL, or never came): closed, and
// never adopted later (a driver still holding it would otherwise take a closed socket).
function dropEarly(early) {
  if (!early || early.adopted) return;
  early.url = null;
  early._socket.close(1000, 'unused');
}

module.exports = { CoreDriver, earlyUrl, openEarly, dropEarly };
