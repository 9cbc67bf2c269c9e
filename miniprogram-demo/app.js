// The E聊 SDK demo. The SDK (utils/echatim-sdk.js + utils/echatim-sdk.wasm.br, copied there by
// toolchain/build.sh) is used by utils/store.js; the server settings are in config.js.
const config = require('./config.js');
const store = require('./utils/store.js');

App({
  globalData: { config },
  store,
  onLaunch() {
    // Nothing to do before the login page: the SDK loads its wasm on the first sdk.im.init.
  },
  onError(msg) {
    console.error('app error', msg);
  },
});
