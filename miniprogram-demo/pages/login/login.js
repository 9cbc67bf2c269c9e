// Log in: server host and ports, app key, auid and token. Defaults: config.js (the local devserver),
// then what the last successful login used.
const config = require('../../config.js');
const store = require('../../utils/store.js');
const i18n = require('../../utils/i18n.js');

Component({
  data: {
    t: {},
    form: {
      host: config.host,
      httpPort: String(config.httpPort),
      socketPort: String(config.socketPort),
      key: config.key,
      loginAuid: config.loginAuid,
      loginToken: config.loginToken,
    },
    busy: false,
    error: '',
  },
  methods: {
    onLoad() {
      this.setData({ t: i18n.strings() });
      wx.setNavigationBarTitle({ title: i18n.t('appName') });
      const last = store.lastLogin();
      if (last) {
        this.setData({
          form: Object.assign({}, this.data.form, {
            host: last.host, httpPort: String(last.httpPort), socketPort: String(last.socketPort),
            key: last.key, loginAuid: last.loginAuid,
          }),
        });
      }
    },
    onInput(e) {
      const field = e.currentTarget.dataset.field;
      this.setData({ [`form.${field}`]: e.detail.value, error: '' });
    },
    onLogin() {
      if (this.data.busy) return undefined;
      const f = this.data.form;
      const missing = ['host', 'httpPort', 'socketPort', 'key', 'loginAuid', 'loginToken'].filter((k) => !String(f[k] || '').trim());
      if (missing.length) {
        this.setData({ error: i18n.t('fillIn', { list: missing.join(', ') }) });
        return undefined;
      }
      this.setData({ busy: true, error: '' });
      return store.login({
        host: f.host.trim(),
        httpPort: Number(f.httpPort),
        socketPort: Number(f.socketPort),
        key: f.key.trim(),
        loginAuid: f.loginAuid.trim(),
        loginToken: f.loginToken,
      }).then(() => {
        this.setData({ busy: false });
        wx.switchTab({ url: '/pages/conversations/conversations' });
      }, (err) => {
        this.setData({ busy: false, error: i18n.t('loginFailed', { why: err.message }) });
      });
    },
  },
});
