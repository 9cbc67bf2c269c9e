'use strict';
// sdk.apis.<module>.<method>(form) for every call of docs/protocol.md section 10, each returning a
// Promise of {code: 0, msg, data, requestId} (rejected with an Error carrying code, msg, requestId).
// Method names are the protocol's (E聊's): sdk.apis.user.update_token, sdk.apis.room.list_member, ...
// The core (src/im) does the work; src/im/catalogue.json names the calls. message.send goes through the
// outbox; file.upload uses wx.uploadFile.
// wx style: a form with success/fail/complete gets them called (as wx.request does) and no Promise.
const { isFunction, isString, isNumber } = require('./is.js');
const log = require('./log.js');

// The app's calls of src/im/catalogue.json, the one catalogue (the core reads it too): {module: [method]}.
// file.upload is below (wx.uploadFile, not the core). toolchain/bundle.js ships this object, computed by
// appCalls at build time, in place of the file (the line below is the form it replaces).
function appCalls(catalogue) {
  const calls = {};
  for (const module of Object.keys(catalogue)) {
    if (module === '//' || module === 'file') continue;
    const methods = Object.keys(catalogue[module]).filter((m) => catalogue[module][m].app !== false);
    if (methods.length) calls[module] = methods;
  }
  return calls;
}
const CATALOGUE = appCalls(require('../src/im/catalogue.json'));

// An Error carrying {code, msg, requestId} (server codes, or the SDK's: docs/im-design.md) and `extra`'s
// fields (the field at fault, for the SDK's own 400s). js-shim/im.js makes its errors with it too.
function apiError(code, msg, requestId, extra) {
  return Object.assign(new Error(msg), { code, msg, requestId: requestId === undefined ? null : requestId }, extra);
}
const badArgument = (field, what) => apiError(400, `invalid argument '${field}': ${what}`, null, { field });

function createApis(im, getPlatform) {
  const apis = {};
  for (const module of Object.keys(CATALOGUE)) {
    apis[module] = {};
    for (const method of CATALOGUE[module]) {
      apis[module][method] = (form, options) => im.request(module, method, form, options && options.transport);
    }
  }
  // E聊 apps read the result's fields directly as well as through data.
  apis.message.send = (form) => im.send(form).then((r) => {
    const d = r.data || {};
    return Object.assign({}, r, { mid: d.mid, seq: d.seq, createTime: d.createTime, clientMsgId: d.clientMsgId });
  });
  apis.file = {
    // upload({filePath, name?, mime?, onProgress?}): multipart POST with wx.uploadFile (part `file`).
    upload(form) {
      const f = form || {};
      if (!isString(f.filePath) || !f.filePath) return Promise.reject(badArgument('filePath', 'required'));
      return im.whenLoggedIn().then((info) => new Promise((resolve, reject) => {
        const fields = { jwt: info.jwt };
        if (f.name) fields.name = String(f.name);
        if (f.mime) fields.mime = String(f.mime);
        getPlatform().upload(info.uploadUrl, f.filePath, fields, f.onProgress, (error, status, text) => {
          let r = null;
          try { r = JSON.parse(text); } catch (e) { r = null; }
          if (error || !r || !isNumber(r.code)) {
            return reject(apiError(error ? -1002 : -1006, error ? `network: ${error}` : `the answer is not an R envelope (HTTP ${status})`));
          }
          if (r.code === 0) {
            // The R envelope, and the file's URL at the top level (what an IMAGE/FILE message carries).
            return resolve({ code: 0, msg: r.msg, data: r.data, requestId: r.requestId === undefined ? null : r.requestId,
              url: r.data && r.data.url });
          }
          return reject(apiError(r.code, r.msg, r.requestId));
        });
      }));
    },
  };
  for (const module of Object.keys(apis)) {
    for (const method of Object.keys(apis[module])) apis[module][method] = withCallbacks(apis[module][method], `${module}.${method}`);
  }
  return apis;
}

// call(form, options) -> Promise, or, when the form has success/fail/complete, undefined with
// success(result) or fail(error), then complete(result or error). The callbacks are not sent.
function withCallbacks(call, name) {
  return (form, options) => {
    const { success, fail, complete } = form || {};
    if (!success && !fail && !complete) return call(form, options);
    const bad = ['success', 'fail', 'complete'].find((k) => form[k] && !isFunction(form[k]));
    if (bad) return Promise.reject(badArgument(bad, 'must be a function'));
    const run = (fn, value) => {
      try {
        if (fn) fn(value);
      } catch (err) {
        log.error(`a ${name} callback threw:`, err);
      }
    };
    // undefined fields are not sent (the form goes out as JSON)
    call(Object.assign({}, form, { success: undefined, fail: undefined, complete: undefined }), options)
      .then((r) => { run(success, r); run(complete, r); }, (err) => { run(fail, err); run(complete, err); });
    return undefined;
  };
}

module.exports = { createApis, CATALOGUE, apiError, appCalls };
