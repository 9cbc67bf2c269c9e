'use strict';
// echatim-sdk.js: what a mini-program page require()s, and what a web page loads with <script>.
//   const sdk = require('../../utils/echatim-sdk.js');     // or require('echatim-sdk') after 构建 npm
//   <script src="echatim-sdk.js"></script>                  // browser: the global `echatim`
//   const socket = sdk.io('http://127.0.0.1:3000/chat', { auth: { token } });   // socket.io-client API
//   sdk.im.init({host, httpPort, socketPort, key, secret, apiTransport, loginAuid, loginToken,
//                fileServerConfig}, function (sdk) { ... })                    // the E聊 session
//   sdk.apis.message.send({toTarget, way: 'P2P', type: 'TEXT', body: {text}})
// The platform: `wx` where it exists (WeChat), else the browser's WebSocket/fetch/localStorage.
//
// Unlike the other js-shim files (CommonJS, which Node's tests require as they are), this entry is an ES
// module: toolchain/bundle.js turns the others into ES modules too, so that esbuild joins them into one
// scope (no module wrappers, no export objects). It runs only bundled (__ECHAT_VERSION__, __ECHAT_BROWSER__).
import * as io from './io.js';
import * as loader from './loader.js';
import { createWxImPlatform } from './platform/wx-im.js';
import * as im from './im.js';
import { createBrowserImPlatform, scriptWasmUrl } from './platform/browser.js';

// The browser build (dist/browser/, toolchain/bundle.js) has the browser platform; the mini-program
// build leaves it out (its bytes count in every app's package): there onWx is the constant true.
const wxApi = () => (typeof wx !== 'undefined' && wx ? wx : undefined);
const onWx = !__ECHAT_BROWSER__ || !!wxApi() || typeof WebSocket !== 'function';  // without either, wx.js says what is missing

// One platform for sdk.io and sdk.im, made on first use: wx.onAppShow and wx.onNetworkStatusChange are
// registered once, and the network state is asked for once. The IM platform is the socket platform plus
// HTTP requests, uploads and storage.
let platform = null;
const sharedPlatform = () => platform || (platform = onWx ? createWxImPlatform(wxApi()) : createBrowserImPlatform());
io.setPlatformFactory(sharedPlatform);
if (!onWx) loader.configure({ wasmUrl: scriptWasmUrl() || undefined });  // beside the <script>
// In WeChat the platform is made when the SDK is required, and the wasm starts loading right after the
// code that required it (cold start: loader.js preload).
if (onWx && wxApi()) {
  io.warmUp();
  loader.preload();
}

const sdk = {
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
im.install(sdk, sharedPlatform);
// CommonJS (WeChat's require, Node): module.exports; the browser build's IIFE hands it to its footer
// (toolchain/bundle.js), which makes it module.exports or the global `echatim`.
if (__ECHAT_BROWSER__) __echatimSdk = sdk;
else module.exports = sdk;
