'use strict';
// The wx platform of the IM layer (js-shim/im.js): the socket platform of wx.js plus HTTP requests,
// uploads and storage. Like wx.js, only this file touches `wx`.
//   request(url, bodyText, done(err, status, text))       POST JSON with wx.request (body read as text)
//   upload(url, filePath, fields, onProgress, done(err, status, text))   wx.uploadFile, part `file`
//   storageKeys() -> [key]   storageGet(key) -> string | ''   storageSet(key, text) / storageRemove(key) -> '' or the failure
const { isFunction, isString } = require('../is.js');
const { createWxPlatform, errText, overLimit, bodyText } = require('./wx.js');

function createWxImPlatform(wx) {
  const p = createWxPlatform(wx);
  // wx allows 10 request/uploadFile/downloadFile at once and fails the 11th at once ("exceed max
  // request connection count"): nothing was sent, so it is tried again shortly (the core keeps its own
  // calls under the limit; uploads and the app's own requests share it).
  const LIMIT_RETRY_MS = 200;
  p.request = (url, body, done) => {
    p.http('POST', url, body, 'application/json', done);
  };
  p.upload = (url, filePath, fields, onProgress, done) => {
    const attempt = () => {
      let task;
      try {
        task = wx.uploadFile({
          url,
          filePath,
          name: 'file',
          formData: fields,
          success: (res) => done(null, res.statusCode, bodyText(res)),
          fail: (res) => {
            const msg = errText(res, 'uploadFile:fail');
            if (overLimit(msg)) setTimeout(attempt, LIMIT_RETRY_MS);
            else done(msg, 0, '');
          },
        });
      } catch (err) {
        setTimeout(() => done(`uploadFile threw: ${err && err.message}`, 0, ''), 0);
        return;
      }
      if (task && isFunction(onProgress) && isFunction(task.onProgressUpdate)) {
        task.onProgressUpdate((res) => onProgress({
          progress: res.progress, totalBytesSent: res.totalBytesSent, totalBytesExpectedToSend: res.totalBytesExpectedToSend,
        }));
      }
    };
    attempt();
  };
  p.storageKeys = () => {
    try {
      const info = wx.getStorageInfoSync();
      return info && info.keys ? Array.prototype.slice.call(info.keys) : [];
    } catch (err) {
      return [];
    }
  };
  p.storageGet = (key) => {
    try {
      const v = wx.getStorageSync(key);
      return isString(v) ? v : '';
    } catch (err) {
      return '';
    }
  };
  // set/remove return '' on success, else the reason
  p.storageSet = (key, value) => {
    try {
      wx.setStorageSync(key, value);
      return '';
    } catch (err) {
      return errText(err, 'setStorageSync failed');
    }
  };
  p.storageRemove = (key) => {
    try {
      wx.removeStorageSync(key);
      return '';
    } catch (err) {
      return errText(err, 'removeStorageSync failed');
    }
  };
  return p;
}

module.exports = { createWxImPlatform };
