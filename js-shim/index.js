'use strict';
// echatim-sdk.js: what a mini-program page require()s.
//   const sdk = require('../../utils/echatim-sdk.js');
//   const socket = sdk.io('http://127.0.0.1:3000/chat', { auth: { token } });   // socket.io-client API
// sdk.im and sdk.apis (the E聊 session) join with the IM layer.
const io = require('./io.js');
const loader = require('./loader.js');
const { createWxPlatform } = require('./platform/wx.js');

io.setPlatformFactory(() => createWxPlatform(typeof wx !== 'undefined' ? wx : undefined));

module.exports = {
  version: __ECHAT_VERSION__,
  io: io.io,
  connect: io.io,
  Manager: io.Manager,
  // configure({wasmPath: '/utils/echatim-sdk.wasm.br'}) before the first io()/im call, if the SDK
  // files are not in /utils/.
  configure: loader.configure,
  // Resolves when the wasm core is loaded (every call works before that: it waits).
  ready: () => loader.loadCore().then(() => undefined),
};
