// Contacts: friends (tap one to chat), add a friend by auid, groups (tap one to chat) and creating a
// group from friends.
const store = require('../../utils/store.js');
const fmt = require('../../utils/format.js');
const i18n = require('../../utils/i18n.js');

Component({
  data: {
    t: {}, pickHint: '',
    friends: [], groups: [], friendAuid: '', notice: '', noticeError: false,
    grouping: false, groupName: '', selected: {}, selectedCount: 0,
  },
  methods: {
    onLoad() {
      this.setData({ t: i18n.strings() });
      wx.setNavigationBarTitle({ title: i18n.t('titleContacts') });
      this.unsubscribe = store.subscribe((change) => {
        if (change.type === 'contacts' || change.type === 'state') this.render();
      });
      this.render();
    },
    onShow() {
      i18n.applyTabBar();
      this.render();
      if (store.state.me) store.refreshContacts().catch(() => null);
    },
    onUnload() {
      if (this.unsubscribe) this.unsubscribe();
    },
    onPullDownRefresh() {
      return store.refreshContacts().catch(() => null).then(() => wx.stopPullDownRefresh());
    },
    render() {
      const selected = this.data.selected;
      const friends = store.state.friends.map((f) => {
        const name = store.userName(f.auid);
        return { auid: f.auid, name, initial: fmt.initial(name), colour: fmt.colour(`P2P:${f.auid}`), selected: !!selected[f.auid] };
      });
      const rooms = store.state.rooms;
      const groups = Object.keys(rooms).map((rid) => rooms[rid]).sort((a, b) => a.rid - b.rid).map((r) => ({
        rid: r.rid, name: r.name, memberCount: r.memberCount, initial: fmt.initial(r.name), colour: fmt.colour(`P2R:${r.rid}`),
      }));
      this.setData({ friends, groups, pickHint: i18n.t('pickHint', { n: this.data.selectedCount }) });
    },
    onFriendInput(e) {
      this.setData({ friendAuid: e.detail.value, notice: '' });
    },
    onAddFriend() {
      const auid = String(this.data.friendAuid || '').trim();
      if (!auid) return undefined;
      return store.addFriend(auid).then(() => {
        // keep what the user may have typed meanwhile
        const typed = String(this.data.friendAuid || '').trim();
        this.setData({ friendAuid: typed === auid ? '' : this.data.friendAuid, notice: i18n.t('friendAdded', { auid }), noticeError: false });
      }, (err) => {
        this.setData({ notice: i18n.t('friendFailed', { auid, why: store.errorText(err) }), noticeError: true });
      });
    },
    onTapFriend(e) {
      const auid = e.currentTarget.dataset.auid;
      if (this.data.grouping) {
        const selected = Object.assign({}, this.data.selected);
        if (selected[auid]) delete selected[auid];
        else selected[auid] = true;
        this.setData({ selected, selectedCount: Object.keys(selected).length });
        this.render();
        return;
      }
      wx.navigateTo({ url: `/pages/chat/chat?way=P2P&toTarget=${encodeURIComponent(auid)}` });
    },
    onOpenGroup(e) {
      wx.navigateTo({ url: `/pages/chat/chat?way=P2R&toTarget=${e.currentTarget.dataset.rid}` });
    },
    onToggleGroup() {
      this.setData({ grouping: !this.data.grouping, groupName: '', selected: {}, selectedCount: 0 });
      this.render();
    },
    onGroupNameInput(e) {
      this.setData({ groupName: e.detail.value });
    },
    onCreateGroup() {
      const name = String(this.data.groupName || '').trim();
      const members = Object.keys(this.data.selected);
      if (!name || !members.length) return undefined;
      return store.createGroup(name, members).then((room) => {
        this.setData({ grouping: false, groupName: '', selected: {}, selectedCount: 0, notice: i18n.t('groupCreated', { name: room.name }), noticeError: false });
        this.render();
        wx.navigateTo({ url: `/pages/chat/chat?way=P2R&toTarget=${room.rid}` });
      }, (err) => {
        this.setData({ notice: i18n.t('groupFailed', { why: store.errorText(err) }), noticeError: true });
      });
    },
  },
});
