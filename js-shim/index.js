'use strict';
// echatim-sdk.js: what a mini-program page require()s, and what a web page loads with <script>.
//   const sdk = require('../../utils/echatim-sdk.js');     // or require('echatim-sdk') after 构建 npm
//   <script src="echatim-sdk.js"></script>                  // browser: the global `echatim`
//   const socket = sdk.io('http://127.0.0.1:3000/chat', { auth: { token } });   // socket.io-client API
//   sdk.im.init({host, httpPort, socketPort, key, secret, apiTransport, loginAuid, loginToken,
//                fileServerConfig}, function (sdk) { ... })                    // the E聊 session
//   sdk.apis.message.send({toTarget, way: 'P2P', type: 'TEXT', body: {text}})
// The platform: `wx` where it exists (WeChat), else the browser's WebSocket/fetch/localStorage.
const io = require('./io.js');
const loader = require('./loader.js');
const { createWxImPlatform } = require('./platform/wx-im.js');
const im = require('./im.js');

// The browser build (dist/browser/, toolchain/bundle.js) has the browser platform; the mini-program
// build leaves it out (its bytes count in every app's package).
let web = null;
if (typeof __ECHAT_BROWSER__ !== 'undefined' && __ECHAT_BROWSER__) web = require('./platform/browser.js');
const wxApi = () => (typeof wx !== 'undefined' && wx ? wx : undefined);
const onWx = !web || !!wxApi() || typeof WebSocket !== 'function';  // without either, wx.js says what is missing

// One platform for sdk.io and sdk.im, made on first use: wx.onAppShow and wx.onNetworkStatusChange are
// registered once, and the network state is asked for once. The IM platform is the socket platform plus
// HTTP requests, uploads and storage.
let platform = null;
const sharedPlatform = () => platform || (platform = onWx ? createWxImPlatform(wxApi()) : web.createBrowserImPlatform());
io.setPlatformFactory(sharedPlatform);
if (!onWx) loader.configure({ wasmUrl: web.scriptWasmUrl() || undefined });  // beside the <script>
if (onWx && wxApi()) io.warmUp();

module.exports = {
  version: __ECHAT_VERSION__,
  io: io.io,
  connect: io.io,
  Manager: io.Manager,
  // configure({wasmPath: '/utils/echatim-sdk.wasm.br'}) before the first io()/im call, if the SDK
  // files are not in /utils/ (browser: {wasmUrl}); configure({logLevel: 'debug'}) at any time.
  configure: loader.configure,
  // Resolves when the wasm core is loaded (every call works before that: it waits).
  ready: () => loader.loadCore().then(() => undefined),
};
im.install(module.exports, sharedPlatform);
