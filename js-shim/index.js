'use strict';
// echatim-sdk.js: what a mini-program page require()s.
//   const sdk = require('../../utils/echatim-sdk.js');
//   const socket = sdk.io('http://127.0.0.1:3000/chat', { auth: { token } });   // socket.io-client API
//   sdk.im.init({host, httpPort, socketPort, key, secret, apiTransport, loginAuid, loginToken,
//                fileServerConfig}, function (sdk) { ... })                    // the E聊 session
//   sdk.apis.message.send({toTarget, way: 'P2P', type: 'TEXT', body: {text}})
const io = require('./io.js');
const loader = require('./loader.js');
const { createWxPlatform } = require('./platform/wx.js');
const { createWxImPlatform } = require('./platform/wx-im.js');
const im = require('./im.js');

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
im.install(module.exports, createWxImPlatform);
