// A conversation (P2P with a user, or P2R with a group): the messages in order, ours on the right with
// their sending / failed states (tap a failed one to send it again), a text input, and image sending
// (wx.chooseMedia -> sdk.apis.file.upload -> an IMAGE message).
const store = require('../../utils/store.js');
const fmt = require('../../utils/format.js');

const TIME_GAP_MS = 5 * 60 * 1000;  // a time line between messages further apart than this

Component({
  data: { way: 'P2P', toTarget: '', title: '', items: [], draft: '', bottom: '', stateText: '' },
  methods: {
    onLoad(query) {
      const way = query.way === 'P2R' ? 'P2R' : 'P2P';
      const toTarget = decodeURIComponent(query.toTarget || '');
      this.key = store.convKey(way, toTarget);
      this.setData({ way, toTarget });
      this.unsubscribe = store.subscribe((change) => {
        if ((change.type === 'messages' && change.key === this.key) || change.type === 'contacts' || change.type === 'state') this.render();
      });
      this.render();
      store.openConversation(way, toTarget);
    },
    onUnload() {
      if (this.unsubscribe) this.unsubscribe();
      store.closeConversation(this.data.way, this.data.toTarget);
    },
    render() {
      const me = store.state.me;
      const way = this.data.way;
      const title = store.displayName(way, this.data.toTarget);
      if (title !== this.data.title) wx.setNavigationBarTitle({ title });
      let lastTime = 0;
      const now = Date.now();
      const items = store.messages(this.key).map((m) => {
        const mine = m.formUser === me;
        const sender = store.userName(m.formUser);
        const body = m.body || {};
        const item = {
          id: `m${m.order}`,
          clientMsgId: m.clientMsgId,
          mine,
          type: m.recalled ? 'RECALLED' : m.type,
          text: m.recalled ? 'This message was recalled' : (m.type === 'TEXT' ? String(body.text == null ? '' : body.text) : fmt.preview(m)),
          url: m.type === 'IMAGE' ? body.url || '' : '',
          status: m.status,
          error: m.error,
          progressText: m.status === 'sending' && m.type === 'IMAGE' && m.progress ? `${m.progress}%` : '',
          sender,
          showSender: way === 'P2R' && !mine,
          initial: fmt.initial(sender),
          colour: fmt.colour(`P2P:${m.formUser}`),
          timeLabel: m.createTime - lastTime > TIME_GAP_MS ? fmt.formatTime(m.createTime, now) : '',
        };
        lastTime = m.createTime;
        return item;
      });
      const c = store.state.connection;
      this.setData({
        title,
        items,
        bottom: items.length ? items[items.length - 1].id : '',
        stateText: c === 'connected' || !me ? '' : (c === 'reconnecting' ? 'Reconnecting… messages are queued' : 'Connecting…'),
      });
    },
    onInput(e) {
      this.setData({ draft: e.detail.value });
    },
    onSend() {
      const text = String(this.data.draft || '').trim();
      if (!text) return undefined;
      this.setData({ draft: '' });
      return store.sendText(this.data.way, this.data.toTarget, text);
    },
    onRetry(e) {
      return store.retry(this.key, e.currentTarget.dataset.id);
    },
    onChooseImage() {
      return new Promise((resolve) => {
        wx.chooseMedia({
          count: 1,
          mediaType: ['image'],
          sourceType: ['album', 'camera'],
          sizeType: ['compressed'],
          success: (res) => {
            const f = res.tempFiles && res.tempFiles[0];
            if (!f) return resolve(null);
            return resolve(store.sendImage(this.data.way, this.data.toTarget, f));
          },
          fail: () => resolve(null),  // cancelled
        });
      });
    },
    onPreview(e) {
      const url = e.currentTarget.dataset.url;
      if (url) wx.previewImage({ urls: [url], current: url });
    },
  },
});
