// A mini-program page as docs/lifecycle.md shows it, against WeChat's own typings (miniprogram-api-typings):
// init once (App), listeners added in onLoad and removed in onUnload with the same function.
import sdk = require('../../js-shim/echatim-sdk');

interface ChatData { items: Array<{ mid: number; text: string; recalled: boolean }>; state: sdk.ImState }
interface ChatMethods {
  onMessage(m: sdk.ImMessage): void;
  onState(s: { state: sdk.ImState; reason: string }): void;
  onSend(e: WechatMiniprogram.BaseEvent): void;
}

App({
  onLaunch() {
    const lang = wx.getAppBaseInfo().language;
    void sdk.im.init({ host: '127.0.0.1', key: 'TSDKTEST00001', loginAuid: 'alice', loginToken: 'alice', logLevel: lang === 'en' ? 'debug' : 'warn' });
  },
});

Page<ChatData, ChatMethods>({
  data: { items: [], state: 'connecting' },
  onLoad() {
    // Bound once, so that off() removes exactly this page's listener.
    this.onMessage = this.onMessage.bind(this);
    this.onState = this.onState.bind(this);
    sdk.im.on('message', this.onMessage);
    sdk.im.on('state', this.onState);
  },
  onUnload() {
    sdk.im.off('message', this.onMessage);
    sdk.im.off('state', this.onState);
  },
  onMessage(m) {
    this.setData({ items: this.data.items.concat([{ mid: m.mid, text: m.recalled ? '' : String((m.body as sdk.TextBody).text), recalled: m.recalled }]) });
  },
  onState(s) {
    this.setData({ state: s.state });
  },
  onSend() {
    sdk.apis.message.send({
      toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: 'hi' },
      success: (r) => wx.showToast({ title: `#${r.seq}` }),
      fail: (err) => wx.showToast({ title: `${err.code}`, icon: 'error' }),
    });
  },
});
