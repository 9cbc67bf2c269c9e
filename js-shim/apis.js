'use strict';
// sdk.apis.<module>.<method>(form) for every call of docs/protocol.md section 10, each returning a
// Promise of {code: 0, msg, data, requestId} (rejected with an Error carrying code, msg, requestId).
// Method names are the protocol's (E聊's): sdk.apis.user.update_token, sdk.apis.room.list_member, ...
// The core (src/im) does the work; this table only names the calls. message.send goes through the
// outbox; file.upload uses wx.uploadFile.

const CATALOGUE = {
  user: ['add', 'update', 'get', 'list', 'update_token', 'refresh_token'],
  friend: ['add', 'del', 'list', 'update_alias'],
  blacklist: ['add', 'del', 'list'],
  room: ['add', 'update', 'del', 'list', 'list_member', 'add_user', 'del_user'],
  message: ['send', 'sync', 'history', 'list', 'recall', 'read'],
  conversation: ['list', 'read', 'del'],
  client: ['list'],
};

function createApis(im, getPlatform) {
  const apis = {};
  for (const module of Object.keys(CATALOGUE)) {
    apis[module] = {};
    for (const method of CATALOGUE[module]) {
      apis[module][method] = (form, options) => im.request(module, method, form, options && options.transport);
    }
  }
  apis.message.send = (form) => im.send(form).then((r) => Object.assign({}, r, {
    // E聊 apps read the result's fields directly as well as through data.
    mid: r.data && r.data.mid, seq: r.data && r.data.seq, createTime: r.data && r.data.createTime,
    clientMsgId: r.data && r.data.clientMsgId,
  }));
  apis.file = {
    // upload({filePath, name?, mime?, onProgress?}): multipart POST with wx.uploadFile (part `file`).
    upload(form) {
      const f = form || {};
      if (typeof f.filePath !== 'string' || !f.filePath) {
        const err = new Error('invalid argument \'filePath\': required');
        err.code = 400;
        err.msg = err.message;
        err.requestId = null;
        err.field = 'filePath';
        return Promise.reject(err);
      }
      return im.whenLoggedIn().then((info) => new Promise((resolve, reject) => {
        const fields = { jwt: info.jwt };
        if (f.name) fields.name = String(f.name);
        if (f.mime) fields.mime = String(f.mime);
        getPlatform().upload(info.uploadUrl, f.filePath, fields, f.onProgress, (error, status, text) => {
          let r = null;
          try { r = JSON.parse(text); } catch (e) { r = null; }
          if (error || !r || typeof r.code !== 'number') {
            const err = new Error(error ? `network: ${error}` : `the answer is not an R envelope (HTTP ${status})`);
            err.code = error ? -1002 : -1006;
            err.msg = err.message;
            err.requestId = null;
            return reject(err);
          }
          if (r.code === 0) {
            // The R envelope, and the file's URL at the top level (what an IMAGE/FILE message carries).
            return resolve({ code: 0, msg: r.msg, data: r.data, requestId: r.requestId === undefined ? null : r.requestId,
              url: r.data && r.data.url });
          }
          const err = new Error(r.msg);
          err.code = r.code;
          err.msg = r.msg;
          err.requestId = r.requestId === undefined ? null : r.requestId;
          return reject(err);
        });
      }));
    },
  };
  return apis;
}

module.exports = { createApis, CATALOGUE };
