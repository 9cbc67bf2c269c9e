'use strict';
// setTimeout / setInterval for the page, implemented by the sandbox so they can be frozen while the
// app is suspended. Each page timer keeps its due time on the wall clock.
//
// freeze(): every armed host timer is disarmed; nothing fires while suspended.
// thaw(mode):
//   'defer' (default): due times are wall-clock; timers that fell due while suspended are handed
//                      back in due order (the caller decides when to run them), the rest re-armed.
//   'pause':           the countdown stopped during suspension; every due time moves later by the
//                      suspended duration (the worst case for code that trusts timers).

class Timers {
  constructor({ invoke, TypeErrorCtor }) {
    this._invoke = invoke; // (fn, args) => void, runs page code with error reporting
    this._TypeError = TypeErrorCtor;
    this._timers = new Map();
    this._nextId = 1;
    this._frozenAt = null;
    this._disposed = false;
  }

  get frozen() { return this._frozenAt !== null; }
  get count() { return this._timers.size; }

  set(fn, ms, args, repeat) {
    if (typeof fn !== 'function') throw new this._TypeError('callback must be a function');
    let delay = Number(ms);
    if (!Number.isFinite(delay) || delay < 0) delay = 0;
    const t = { id: this._nextId++, fn, args, ms: delay, repeat, due: Date.now() + delay, handle: null, queued: false };
    this._timers.set(t.id, t);
    if (!this.frozen && !this._disposed) this._arm(t);
    return t.id;
  }

  clear(id) {
    const t = this._timers.get(Number(id));
    if (!t) return;
    if (t.handle) clearTimeout(t.handle);
    t.handle = null;
    this._timers.delete(t.id);
  }

  _arm(t) {
    if (!Number.isFinite(t.due)) return; // an interval waiting for its overdue run
    t.handle = setTimeout(() => this._fire(t), Math.max(0, t.due - Date.now()));
  }

  _fire(t) {
    t.handle = null;
    if (this._disposed || this.frozen || !this._timers.has(t.id)) return;
    if (t.repeat) {
      t.due = Date.now() + Math.max(1, t.ms);
      this._arm(t);
    } else {
      this._timers.delete(t.id);
    }
    this._invoke(t.fn, t.args);
  }

  freeze() {
    if (this.frozen) return;
    this._frozenAt = Date.now();
    for (const t of this._timers.values()) {
      if (t.handle) clearTimeout(t.handle);
      t.handle = null;
    }
  }

  // Returns the list of overdue timers, as thunks to run in order; the others are re-armed.
  thaw(mode = 'defer') {
    if (!this.frozen) return [];
    const now = Date.now();
    const shift = mode === 'pause' ? now - this._frozenAt : 0;
    this._frozenAt = null;
    const list = [...this._timers.values()].sort((a, b) => a.due - b.due || a.id - b.id);
    const overdue = [];
    for (const t of list) {
      t.due += shift;
      if (mode === 'defer' && t.due <= now) {
        overdue.push(() => {
          if (!this._timers.has(t.id) || this._disposed) return; // cleared meanwhile
          if (t.repeat) {
            t.due = Date.now() + Math.max(1, t.ms);
            if (!this.frozen) this._arm(t);
          } else {
            this._timers.delete(t.id);
          }
          this._invoke(t.fn, t.args);
        });
        if (t.repeat) t.due = Infinity; // not re-armed until its overdue run
      } else {
        this._arm(t);
      }
    }
    return overdue;
  }

  dispose() {
    this._disposed = true;
    for (const t of this._timers.values()) if (t.handle) clearTimeout(t.handle);
    this._timers.clear();
  }
}

module.exports = { Timers };
