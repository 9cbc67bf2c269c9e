// Conversations: one row per peer or group with the last message, its time and the unread badge.
// Pull down to reload the list from the server (conversation/list).
const store = require('../../utils/store.js');
const fmt = require('../../utils/format.js');
const i18n = require('../../utils/i18n.js');

const STATES = ['connecting', 'reconnecting', 'disconnected'];

Component({
  data: { t: {}, items: [], me: '', meInitial: '', meColour: '', server: '', stateText: '' },
  methods: {
    onLoad() {
      this.setData({ t: i18n.strings() });
      wx.setNavigationBarTitle({ title: i18n.t('titleChats') });
      this.unsubscribe = store.subscribe((change) => {
        if (change.type === 'conversations' || change.type === 'contacts' || change.type === 'state') this.render();
      });
      this.render();
    },
    onShow() {
      i18n.applyTabBar();
      this.render();
      if (store.state.me) store.refreshConversations().catch(() => null);
    },
    onUnload() {
      if (this.unsubscribe) this.unsubscribe();
    },
    onPullDownRefresh() {
      const done = () => wx.stopPullDownRefresh();
      return store.refreshConversations().then(done, (err) => {
        done();
        wx.showToast({ title: store.errorText(err), icon: 'none' });
      });
    },
    render() {
      const s = store.state;
      const now = Date.now();
      const items = store.conversationList().map((c) => {
        const name = store.displayName(c.way, c.toTarget);
        const from = c.way === 'P2R' && c.lastMessage && c.lastMessage.formUser !== s.me
          ? `${store.userName(c.lastMessage.formUser)}: ` : '';
        return {
          key: c.key,
          way: c.way,
          toTarget: c.toTarget,
          name,
          initial: fmt.initial(name),
          colour: fmt.colour(c.key),
          preview: from + fmt.preview(c.lastMessage),
          time: fmt.formatTime(c.updateTime, now),
          badge: fmt.badge(c.unread),
        };
      });
      const settings = s.settings || {};
      let stateText = s.me ? (STATES.indexOf(s.connection) >= 0 ? i18n.t(s.connection) : '') : i18n.t('notLoggedIn');
      if (s.kicked) stateText = i18n.t('kicked');
      this.setData({
        items,
        me: s.me || '',
        meInitial: fmt.initial(s.me),
        meColour: fmt.colour(s.me),
        server: s.me ? `${settings.host}:${settings.socketPort} · ${settings.key}` : '',
        stateText,
      });
    },
    onOpen(e) {
      const { way, to } = e.currentTarget.dataset;
      wx.navigateTo({ url: `/pages/chat/chat?way=${way}&toTarget=${encodeURIComponent(to)}` });
    },
    onLogout() {
      store.logout();
      wx.reLaunch({ url: '/pages/login/login' });
    },
  },
});
