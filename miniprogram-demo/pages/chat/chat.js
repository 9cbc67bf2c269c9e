// A conversation (P2P with a user, or P2R with a group): the messages in order, ours on the right with
// their sending / failed states (tap a failed one to send it again) and, in P2P, read receipts; pull
// down for older history (message.history with beforeSeq); long-press one of ours to recall it; a
// text input and image sending (wx.chooseMedia -> sdk.apis.file.upload -> an IMAGE message); in a
// group, the member list (pages/members).
//
// Listeners: the page subscribes to the store in onLoad and unsubscribes in onUnload (docs/lifecycle.md):
// opening the page again adds no second listener.
const store = require('../../utils/store.js');
const fmt = require('../../utils/format.js');
const i18n = require('../../utils/i18n.js');

const TIME_GAP_MS = 5 * 60 * 1000;  // a time line between messages further apart than this

Component({
  data: {
    t: {}, way: 'P2P', toTarget: '', title: '', items: [], draft: '', bottom: '', stateText: '',
    historyText: '', membersText: '',
  },
  methods: {
    onLoad(query) {
      const way = query.way === 'P2R' ? 'P2R' : 'P2P';
      const toTarget = decodeURIComponent(query.toTarget || '');
      this.key = store.convKey(way, toTarget);
      this.setData({ t: i18n.strings(), way, toTarget });
      this.unsubscribe = store.subscribe((change) => {
        if ((change.type === 'messages' && change.key === this.key) || change.type === 'contacts' || change.type === 'state') this.render();
      });
      this.render();
      store.openConversation(way, toTarget);
    },
    // Pull-down: the page of history before the oldest message shown.
    onPullDownRefresh() {
      const done = () => {
        this.anchor = '';
        wx.stopPullDownRefresh();
      };
      // Keep the message that was at the top in view once the older ones are above it.
      this.anchor = this.data.items.length ? this.data.items[0].clientMsgId : '';
      return store.loadOlder(this.data.way, this.data.toTarget).then(() => {
        done();
      }, (err) => {
        done();
        wx.showToast({ title: store.errorText(err), icon: 'none' });
      });
    },
    onUnload() {
      if (this.unsubscribe) this.unsubscribe();
      store.closeConversation(this.data.way, this.data.toTarget);
    },
    render() {
      const t = i18n.t;
      const me = store.state.me;
      const way = this.data.way;
      const title = store.displayName(way, this.data.toTarget);
      if (title !== this.data.title) wx.setNavigationBarTitle({ title });
      let lastTime = 0;
      const now = Date.now();
      const readMid = way === 'P2P' ? store.peerReadMid(this.key) : 0;
      const list = store.messages(this.key);
      const items = list.map((m) => {
        const mine = m.formUser === me;
        const sender = store.userName(m.formUser);
        const body = m.body || {};
        let receipt = '';
        // Read receipts come as message.read notifications while we are online; the protocol keeps no
        // record of the peer's read position, so "Unread" is only shown for what was sent in this session.
        if (mine && way === 'P2P' && m.status === 'sent' && m.mid && !m.recalled) {
          if (m.mid <= readMid) receipt = 'read';
          else if (m.sentHere) receipt = 'unread';
        }
        let text;
        if (m.recalled) text = mine ? t('youRecalled') : t('theyRecalled', { name: sender });
        else text = m.type === 'TEXT' ? String(body.text == null ? '' : body.text) : fmt.preview(m);
        const item = {
          id: `m${m.order}`,
          clientMsgId: m.clientMsgId,
          mine,
          type: m.recalled ? 'RECALLED' : m.type,
          text,
          recallable: mine && !m.recalled && m.status === 'sent' && !!m.mid,
          receipt,
          receiptText: receipt ? t(receipt) : '',
          url: m.type === 'IMAGE' ? body.url || '' : '',
          status: m.status,
          error: m.error,
          errorText: m.status === 'failed' ? t('notSent', { why: m.error }) : '',
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
      const h = store.history(this.key);
      const room = way === 'P2R' ? store.state.rooms[this.data.toTarget] : null;
      this.setData({
        title,
        items,
        bottom: (this.anchor && (items.find((x) => x.clientMsgId === this.anchor) || {}).id) || (items.length ? items[items.length - 1].id : ''),
        stateText: c === 'connected' || !me ? '' : (c === 'reconnecting' ? t('queued') : t('connecting')),
        historyText: !items.length || h.loading ? '' : (h.hasMore ? t('pullForEarlier') : t('noEarlier')),
        membersText: way === 'P2R' ? t('members', { n: room ? room.memberCount : '…' }) : '',
      });
    },
    // Long-press on one of our messages: an action sheet with "Recall" (message.recall).
    onLongPress(e) {
      const id = e.currentTarget.dataset.id;
      const item = this.data.items.find((x) => x.clientMsgId === id);
      if (!item || !item.recallable) return;
      wx.showActionSheet({
        itemList: [i18n.t('recall')],
        success: (res) => {
          if (res.tapIndex !== 0) return;
          store.recall(this.key, id).catch((err) => {
            wx.showToast({ title: i18n.t('recallFailed', { why: store.errorText(err) }), icon: 'none' });
          });
        },
        fail: () => null,  // dismissed
      });
    },
    onMembers() {
      wx.navigateTo({ url: `/pages/members/members?rid=${encodeURIComponent(this.data.toTarget)}` });
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
