'use strict';
// The on<Event>/off<Event> pairs of wx task objects (SocketTask, RequestTask, UploadTask): on(type)
// adds a callback, off(type) removes one, or all when called without one.
function listenerHooks(listeners) {
  const on = (type) => (cb) => { if (typeof cb === 'function') listeners()[type].push(cb); };
  const off = (type) => (cb) => {
    const all = listeners();
    if (cb === undefined) all[type] = [];
    else all[type] = all[type].filter((x) => x !== cb);
  };
  return { on, off };
}

module.exports = { listenerHooks };
