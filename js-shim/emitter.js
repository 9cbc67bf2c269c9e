'use strict';
// A small event emitter with socket.io-client's method names (on, once, off, emit, listeners,
// hasListeners, removeAllListeners). A listener that throws does not stop the others: the error is
// reported through `onListenerError` (console.error by default), so one page bug cannot wedge the SDK.
// An event's list of listeners is never changed in place: on() and off() put a new one in its place, so
// an emit walks the list it found (a listener added or removed by a listener takes effect from the next
// emit) without copying it first (a copy per event: ~190 ns of ~450 per emit on JSC without a JIT).
const { isFunction } = require('./is.js');

class Emitter {
  constructor() {
    this._listeners = Object.create(null);
  }

  on(event, fn) {
    if (!isFunction(fn)) throw new TypeError(`listener for "${event}" must be a function`);
    this._listeners[event] = (this._listeners[event] || []).concat([fn]);
    return this;
  }

  once(event, fn) {
    const wrapper = (...args) => {
      this.off(event, wrapper);
      fn.apply(this, args);
    };
    wrapper.listener = fn;
    return this.on(event, wrapper);
  }

  off(event, fn) {
    if (event === undefined) {
      this._listeners = Object.create(null);
      return this;
    }
    const list = this._listeners[event];
    if (!list) return this;
    if (fn === undefined) {
      delete this._listeners[event];
      return this;
    }
    const i = list.findIndex((l) => l === fn || l.listener === fn);
    if (i >= 0) this._listeners[event] = list.filter((l, j) => j !== i);
    if (this._listeners[event].length === 0) delete this._listeners[event];
    return this;
  }

  removeListener(event, fn) { return this.off(event, fn); }
  removeAllListeners(event) { return this.off(event); }
  listeners(event) { return (this._listeners[event] || []).slice(); }
  hasListeners(event) { return !!(this._listeners[event] && this._listeners[event].length); }

  // Named emitReserved in socket.io-client: emits to local listeners only, never on the wire.
  emitReserved(event, ...args) {
    const list = this._listeners[event];
    if (!list) return false;
    for (let i = 0; i < list.length; i++) {
      try {
        list[i].apply(this, args);
      } catch (err) {
        Emitter.onListenerError(err, event);
      }
    }
    return true;
  }
}

// The shim's own calls use the name _emit, which the bundle shortens (toolchain/bundle.js): the same
// function, no extra call.
Emitter.prototype._emit = Emitter.prototype.emitReserved;

Emitter.onListenerError = (err, event) => {
  if (typeof console !== 'undefined') console.error(`[echatim] a "${event}" listener threw:`, err);
};

module.exports = { Emitter };
