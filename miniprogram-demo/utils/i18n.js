// The demo's words in two languages: Chinese (简体中文) by default, English when the phone's WeChat
// language is English (wx.getAppBaseInfo().language, or wx.getSystemInfoSync() on base libraries
// before 2.20.1). Pages put strings() in their data as `t` ({{t.send}} in WXML) and call t(key, vars)
// for text with values in it. The tab bar's words are set by applyTabBar() (app.json holds the Chinese).
//
// Loading this file touches no wx API: the language is read on first use.

const STRINGS = {
  zh: {
    tabs: ['消息', '通讯录'],
    titleChats: '消息',
    titleContacts: '通讯录',
    titleMembers: '群成员（{n}）',
    appName: 'E聊 SDK 演示',
    appTagline: '小程序里的 WebAssembly 即时通讯',
    server: '服务器',
    host: '主机',
    httpPort: 'HTTP 端口',
    socketPort: 'Socket 端口',
    appKey: 'App Key',
    account: '账号',
    user: '用户（auid）',
    token: 'Token',
    connectingButton: '连接中…',
    login: '登录',
    localServer: '本地服务器：',
    fillIn: '请填写：{list}',
    loginFailed: '登录失败：{why}',
    noSdk: 'utils/echatim-sdk.js 里没有 sdk.im：请运行 `bash toolchain/build.sh`，它会把 SDK 复制到 miniprogram-demo/utils/',
    noAnswer: '{host}:{port} 在 {s} 秒内没有应答：服务器在运行吗？{why}',
    loginRefused: '登录失败',
    unknownError: '未知错误',
    connecting: '连接中…',
    reconnecting: '重新连接中…',
    disconnected: '未连接',
    notLoggedIn: '未登录',
    kicked: '已在其他设备登录',
    logout: '退出登录',
    noConversations: '还没有会话。下拉刷新，或从通讯录发起聊天。',
    addFriendPlaceholder: '输入用户 ID（auid）添加好友',
    add: '添加',
    friendAdded: '已添加 {auid} 为好友',
    friendFailed: '无法添加 {auid}：{why}',
    groups: '群聊',
    cancel: '取消',
    newGroup: '发起群聊',
    groupName: '群名称',
    pickHint: '点选下方好友加入（已选 {n} 人）',
    createGroup: '创建群聊',
    noGroups: '暂无群聊',
    friends: '好友',
    noFriends: '还没有好友：在上方添加',
    groupCreated: '已创建群聊“{name}”',
    groupFailed: '无法创建群聊：{why}',
    groupDefaultName: '群聊 {rid}',
    queued: '重新连接中…消息将排队发送',
    noMessages: '还没有消息，打个招呼吧',
    notSent: '未发送：{why}。点击重试。',
    messagePlaceholder: '输入消息',
    send: '发送',
    read: '已读',
    unread: '未读',
    youRecalled: '你撤回了一条消息',
    theyRecalled: '“{name}”撤回了一条消息',
    recall: '撤回',
    recallFailed: '无法撤回：{why}',
    noEarlier: '没有更早的消息了',
    pullForEarlier: '下拉查看更早的消息',
    members: '成员（{n}）',
    owner: '群主',
    me: '我',
    yesterday: '昨天',
    recalledPreview: '[已撤回]',
    image: '[图片]',
    voice: '[语音]',
    video: '[视频]',
    file: '[文件]',
    position: '[位置]',
  },
  en: {
    tabs: ['Chats', 'Contacts'],
    titleChats: 'Chats',
    titleContacts: 'Contacts',
    titleMembers: 'Members ({n})',
    appName: 'E聊 SDK demo',
    appTagline: 'WebAssembly IM for mini-programs',
    server: 'Server',
    host: 'Host',
    httpPort: 'HTTP port',
    socketPort: 'Socket port',
    appKey: 'App key',
    account: 'Account',
    user: 'User (auid)',
    token: 'Token',
    connectingButton: 'Connecting…',
    login: 'Log in',
    localServer: 'Local server: ',
    fillIn: 'Please fill in: {list}',
    loginFailed: 'Login failed: {why}',
    noSdk: 'utils/echatim-sdk.js has no sdk.im: run `bash toolchain/build.sh` to copy the SDK into miniprogram-demo/utils/',
    noAnswer: 'no answer from {host}:{port} within {s} s: is the server running?{why}',
    loginRefused: 'login failed',
    unknownError: 'unknown error',
    connecting: 'Connecting…',
    reconnecting: 'Reconnecting…',
    disconnected: 'Disconnected',
    notLoggedIn: 'Not logged in',
    kicked: 'Logged in on another device',
    logout: 'Log out',
    noConversations: 'No conversations yet. Pull down to refresh, or start one from Contacts.',
    addFriendPlaceholder: 'Add a friend by user id (auid)',
    add: 'Add',
    friendAdded: '{auid} is now your friend',
    friendFailed: 'Could not add {auid}: {why}',
    groups: 'Groups',
    cancel: 'Cancel',
    newGroup: 'New group',
    groupName: 'Group name',
    pickHint: 'Tap friends below to add them ({n} selected)',
    createGroup: 'Create group',
    noGroups: 'No groups',
    friends: 'Friends',
    noFriends: 'No friends yet: add one above',
    groupCreated: 'Group "{name}" created',
    groupFailed: 'Could not create the group: {why}',
    groupDefaultName: 'Group {rid}',
    queued: 'Reconnecting… messages are queued',
    noMessages: 'No messages yet: say hello',
    notSent: 'Not sent: {why}. Tap to retry.',
    messagePlaceholder: 'Message',
    send: 'Send',
    read: 'Read',
    unread: 'Unread',
    youRecalled: 'You recalled a message',
    theyRecalled: '{name} recalled a message',
    recall: 'Recall',
    recallFailed: 'Could not recall: {why}',
    noEarlier: 'No earlier messages',
    pullForEarlier: 'Pull down for earlier messages',
    members: 'Members ({n})',
    owner: 'Owner',
    me: 'Me',
    yesterday: 'Yesterday',
    recalledPreview: '[recalled]',
    image: '[Image]',
    voice: '[Voice]',
    video: '[Video]',
    file: '[File]',
    position: '[Location]',
  },
};

let current = null;

// 'en' when WeChat's language is English ('en', 'en_US', ...), 'zh' otherwise (zh_CN, zh_TW, unknown).
function language() {
  if (current) return current;
  let lang = '';
  try {
    if (typeof wx.getAppBaseInfo === 'function') lang = wx.getAppBaseInfo().language;
    else lang = wx.getSystemInfoSync().language;
  } catch (err) {
    lang = '';
  }
  current = /^en/i.test(String(lang || '')) ? 'en' : 'zh';
  return current;
}

function strings() {
  return STRINGS[language()];
}

function t(key, vars) {
  const s = strings()[key];
  const text = s === undefined ? key : String(s);
  return vars ? text.replace(/\{(\w+)\}/g, (m, k) => (vars[k] === undefined ? m : String(vars[k]))) : text;
}

// The tab bar's words in the current language (call from the tab pages' onShow: WeChat only accepts
// wx.setTabBarItem once the tab bar is shown). Nothing to do in Chinese: app.json has those words.
function applyTabBar() {
  if (language() === 'zh' || typeof wx.setTabBarItem !== 'function') return;
  strings().tabs.forEach((text, index) => wx.setTabBarItem({ index, text, fail: () => null }));
}

module.exports = { STRINGS, language, strings, t, applyTabBar };
