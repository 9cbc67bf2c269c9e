// A group's members (room.list_member): the owner first, then in join order. Opened from the group
// chat's "Members" bar.
const store = require('../../utils/store.js');
const fmt = require('../../utils/format.js');
const i18n = require('../../utils/i18n.js');

Component({
  data: { t: {}, rid: '', items: [], error: '' },
  methods: {
    onLoad(query) {
      const rid = decodeURIComponent(query.rid || '');
      this.setData({ t: i18n.strings(), rid });
      this.load();
    },
    onPullDownRefresh() {
      delete store.state.members[this.data.rid];
      return this.load().then(() => wx.stopPullDownRefresh());
    },
    load() {
      return store.roomMembers(this.data.rid).then((list) => {
        const me = store.state.me;
        const items = list.map((m) => {
          const name = store.userName(m.auid);
          return {
            auid: m.auid,
            name: m.auid === me ? `${name} (${i18n.t('me')})` : name,
            owner: m.role === 'owner',
            initial: fmt.initial(name),
            colour: fmt.colour(`P2P:${m.auid}`),
          };
        });
        this.setData({ items, error: '' });
        wx.setNavigationBarTitle({ title: i18n.t('titleMembers', { n: items.length }) });
      }, (err) => {
        this.setData({ error: store.errorText(err) });
      });
    },
    onTap(e) {
      const auid = e.currentTarget.dataset.auid;
      if (auid && auid !== store.state.me) wx.navigateTo({ url: `/pages/chat/chat?way=P2P&toTarget=${encodeURIComponent(auid)}` });
    },
  },
});
