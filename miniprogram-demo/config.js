// The demo's one config module: where the E聊 server is and who logs in by default.
// The defaults are those of the local devserver (node devserver/bin/echat-devserver.js): HTTP API on
// 58082, socket.io on 59092, app key TSDKTEST00001, user admin / token admin. The demo makes no admin
// calls, so `secret` stays empty (the devserver generates the app's real admin secret at first start).
// On a phone, host must be a registered https/wss domain; in WeChat DevTools, with the project setting
// "不校验合法域名、web-view（业务域名）、TLS 版本以及 HTTPS 证书" on (project.config.json urlCheck: false),
// 127.0.0.1 works.
module.exports = {
  host: '127.0.0.1',
  httpPort: 58082,
  socketPort: 59092,
  key: 'TSDKTEST00001',
  secret: '',
  // API calls over the socket ('SOCKET') or with wx.request ('HTTP'); messages always come by socket.
  apiTransport: 'SOCKET',
  loginAuid: 'admin',
  loginToken: 'admin',
  // The SDK files that toolchain/build.sh copies into utils/.
  wasmPath: '/utils/echatim-sdk.wasm.br',
  // Messages loaded when a chat opens.
  historyLimit: 30,
  // How long the login page waits for the first connection and login before it gives up
  // (sdk.im.init keeps trying to connect to an unreachable server: only a refusal is final).
  loginTimeoutMs: 15000,
};
