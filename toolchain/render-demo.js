#!/usr/bin/env node
// Pictures of the demo mini-program for the README:
// docs/images/demo-{login,conversations,chat,contacts,members,receipts}.png.
//
// Runs the main job's scenario (toolchain/chat-demo.js) against its own in-memory devserver, then a
// short scene of its own (a group's member list; a chat with a recalled message and a read receipt).
// The phones speak Chinese (WeChat's language zh_CN, the demo's default). At the
// moments worth a picture it takes the page as miniprogram-simulate rendered it (the DOM of the WXML,
// with the page's WXSS and app.wxss compiled by simulate's WXSS compiler), puts it in a phone frame
// (status bar, the navigation bar with the page's title, the tab bar of app.json) with a small style
// sheet for the built-in components (view, text, input, button, image...), and has headless Chromium
// take a 750×1334 screenshot (1 rpx = 1 px: the width of an iPhone 6/7/8 screen at 2x).
//
// Not part of the test command (CI has no Chromium). Needs Debian's chromium (installed when missing,
// with fonts-wqy-zenhei for the Chinese characters) and a built SDK (bash toolchain/build.sh).
// Usage: node toolchain/render-demo.js [outDir]      (default docs/images)
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const { execFileSync, spawnSync } = require('child_process');
const { startDevserver, DEMO, ROOT } = require('../tests/demo/harness');
const { runDemo } = require('./chat-demo');

const W = 750;
const H = 1334;
const STATUS_H = 40;
const NAV_H = 88;
const TAB_H = 98;
const outDir = path.resolve(ROOT, process.argv[2] || 'docs/images');

function chromium() {
  // The pages are Chinese: without a CJK font Chromium draws empty boxes.
  if (spawnSync('sh', ['-c', 'fc-list 2>/dev/null | grep -qiE "WenQuanYi|Noto Sans CJK|Noto Serif CJK"']).status !== 0) {
    console.log('render-demo: installing fonts-wqy-zenhei (apt-get) for the Chinese characters');
    execFileSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-zenhei >/dev/null'], { stdio: 'inherit' });
  }
  for (const c of ['chromium', 'chromium-browser']) {
    if (spawnSync('sh', ['-c', `command -v ${c}`]).status === 0) return c;
  }
  console.log('render-demo: installing chromium and fonts-wqy-zenhei (apt-get)');
  execFileSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null'], { stdio: 'inherit' });
  return 'chromium';
}

function get(url) {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ type: res.headers['content-type'], body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

// The built-in components as WeChat draws them (roughly: weui's look at 2x).
const BUILTINS = `
html, body { margin: 0; padding: 0; }
body, .nav-bar, .tab-bar { font-family: -apple-system, "Helvetica Neue", "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif; }
body { width: ${W}px; height: ${H}px; overflow: hidden; background: #ededed; -webkit-font-smoothing: antialiased; }
wx-view, wx-scroll-view, wx-swiper, wx-form { display: block; }
wx-text { display: inline; white-space: pre-wrap; }
wx-scroll-view { overflow: hidden; }
wx-input, wx-textarea { display: block; min-height: 1.4em; line-height: 1.4; overflow: hidden; white-space: nowrap; box-sizing: border-box; }
wx-input, wx-textarea { display: flex; align-items: center; }
wx-input::before { content: attr(value); }
wx-input:not([value])::before { content: attr(placeholder); color: #b2b2b2; }
wx-input[password][value]::before { content: '••••••'; letter-spacing: 2px; }
wx-button { display: block; box-sizing: border-box; width: 368px; margin-left: auto; margin-right: auto;
  padding: 24px 0; border-radius: 8px; background: #f2f2f2; color: #06ae56; font-size: 34px; font-weight: 600;
  line-height: 1.41; text-align: center; }
wx-button[type=primary] { background: #07c160; color: #fff; }
wx-button[size=mini] { display: inline-block; width: auto; padding: 0 1.32em; font-size: 26px; line-height: 2.3; border-radius: 8px; }
wx-button[disabled] { opacity: 0.4; }
wx-button[type=primary][disabled] { opacity: 1; background: #f2f2f2; color: rgba(0,0,0,0.18); }
img.wx-image { display: block; }
page { display: block; height: var(--page-h); overflow: hidden; position: relative; }
.status-bar { height: ${STATUS_H}px; display: flex; justify-content: space-between; align-items: center; padding: 0 28px;
  font: 600 26px -apple-system, "Helvetica Neue", sans-serif; background: var(--nav-bg); color: #000; }
.nav-bar { height: ${NAV_H}px; display: flex; align-items: center; justify-content: center; position: relative;
  background: var(--nav-bg); font-size: 34px; font-weight: 600; color: #000; }
.nav-back { position: absolute; left: 24px; top: 0; line-height: ${NAV_H}px; font-size: 60px; font-weight: 300; }
.capsule { position: absolute; right: 14px; top: 12px; width: 174px; height: 64px; border-radius: 32px; border: 1px solid rgba(0,0,0,0.12);
  background: rgba(255,255,255,0.6); box-sizing: border-box; display: flex; align-items: center; justify-content: space-around; font-size: 30px; }
.capsule i { display: block; width: 1px; height: 36px; background: rgba(0,0,0,0.15); }
.tab-bar { position: absolute; left: 0; right: 0; bottom: 0; height: ${TAB_H}px; display: flex; background: var(--tab-bg);
  border-top: 1px solid rgba(0,0,0,0.33); box-sizing: border-box; }
.tab { flex: 1; display: flex; flex-direction: column; align-items: center; justify-content: center; font-size: 22px; color: var(--tab-color); }
.tab.on { color: var(--tab-on); }
.tab img { display: block; width: 54px; height: 54px; margin-bottom: 2px; }
`;

function escapeHtml(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

async function pageHtml(phone) {
  const wxss = require('miniprogram-simulate/src/wxss');
  const utils = require('miniprogram-simulate/src/utils');
  const app = JSON.parse(fs.readFileSync(path.join(DEMO, 'app.json'), 'utf8'));
  const page = phone.page;
  const tag = page.route.split('/').pop();
  const source = fs.readFileSync(path.join(DEMO, 'app.wxss'), 'utf8') + fs.readFileSync(path.join(DEMO, `${page.route}.wxss`), 'utf8');
  const css = utils.transformRpx(wxss.compile(source, { prefix: tag })).replace(/100vh/g, 'var(--page-h)');

  // the rendered page, with <wx-image> made into <img> (the picture inlined: the server goes away)
  const dom = page.comp.dom.cloneNode(true);
  for (const el of Array.from(dom.querySelectorAll('wx-image'))) {
    const img = el.ownerDocument.createElement('img');
    img.setAttribute('class', `${el.getAttribute('class') || ''} wx-image`);
    const src = el.getAttribute('src') || '';
    if (/^http:\/\/127\.0\.0\.1/.test(src)) {
      const r = await get(src);
      img.setAttribute('src', `data:${r.type};base64,${r.body.toString('base64')}`);
    }
    el.replaceWith(img);
  }

  const tabs = app.tabBar && app.tabBar.list.some((t) => t.pagePath === page.route) ? app.tabBar : null;
  const pageH = H - STATUS_H - NAV_H - (tabs ? TAB_H : 0);
  const win = Object.assign({}, app.window, page.json);
  const back = phone.stack.length > 1 && !tabs;
  const icon = (file) => `data:image/png;base64,${fs.readFileSync(path.join(DEMO, file)).toString('base64')}`;
  const tabBar = tabs ? `<div class="tab-bar">${tabs.list.map((t, i) => {
    const on = t.pagePath === page.route;
    return `<div class="tab ${on ? 'on' : ''}"><img src="${icon(on ? t.selectedIconPath : t.iconPath)}">${escapeHtml(phone.tabTexts[i] || t.text)}</div>`;
  }).join('')}</div>` : '';
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(page.title)}</title>
<style>:root { --page-h: ${pageH}px; --nav-bg: ${win.navigationBarBackgroundColor || '#ededed'};
  --tab-bg: ${tabs ? tabs.backgroundColor : '#fff'}; --tab-color: ${tabs ? tabs.color : '#000'}; --tab-on: ${tabs ? tabs.selectedColor : '#000'}; }
${BUILTINS}</style>
<style>${css}</style></head>
<body>
<div class="status-bar"><span>9:41</span><span>WeChat ▪▪▪ 100%</span></div>
<div class="nav-bar">${back ? '<span class="nav-back">‹</span>' : ''}${escapeHtml(page.title)}<span class="capsule">•••<i></i>◉</span></div>
<page>${dom.outerHTML}</page>
${tabBar}
<script>document.querySelectorAll('wx-scroll-view').forEach(function (e) { e.scrollTop = e.scrollHeight; });</script>
</body></html>`;
}

function post(srv, route, body) {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(JSON.stringify(body));
    const req = http.request({ host: srv.host, port: srv.httpPort, path: `/v1/${route}`, method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': data.length } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const r = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (r.code !== 0) reject(new Error(`${route}: ${r.code} ${r.msg}`));
        else resolve(r.data);
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

// A little history so that the pictures show more than one conversation: carol writes to bob, and
// to a group of the three of them (over the server's HTTP API, before the phones start).
async function seed(srv) {
  const appKey = 'TSDKTEST00001';
  const jwt = await post(srv, 'auth/login', { appKey, auid: 'carol', token: 'carol' });
  const room = await post(srv, 'room/add', { jwt, name: '周末出游', members: ['alice', 'bob'] });
  await post(srv, 'message/send', { jwt, toTarget: String(room.rid), way: 'P2R', type: 'TEXT', body: { text: '周六 8:05 的火车票订好了' } });
  await post(srv, 'message/send', { jwt, toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: '你能带上帐篷吗？' } });
  return room;
}

// After the main scenario: alice looks at the group's members, then writes to bob, recalls a message
// sent by mistake, and sees bob's read receipt (bob reads on another device, through the HTTP API).
async function scene(srv, room, snapshot) {
  const { Phone } = require('../tests/demo/harness');
  const alice = new Phone('alice');
  try {
    await alice.launch();
    await alice.login(srv, 'alice', 'alice');
    await alice.navigateTo(`/pages/chat/chat?way=P2R&toTarget=${room.rid}`);
    await alice.waitFor(() => /（3）/.test(alice.text('#members') || ''), 'the members bar');
    await alice.tap('#members');
    await alice.waitFor(() => alice.all('.member').length === 3, 'the member list');
    await snapshot('members', alice);

    await alice.reLaunch('/pages/conversations/conversations');
    await alice.navigateTo('/pages/chat/chat?way=P2P&toTarget=bob');
    const send = async (text) => {
      await alice.type('#input', text);
      await alice.tap('#send');
      await alice.waitFor(() => !alice.all('.sending').length && alice.texts('.mine .bubble').includes(text), `"${text}" sent`);
    };
    await send('帐篷我带两顶');
    alice.actionSheetChoice = 0;
    await alice.longPress('.mine .bubble', alice.texts('.mine .bubble').indexOf('帐篷我带两顶'));
    await alice.waitFor(() => alice.all('.recall-line').length === 1, 'the recall');
    await send('帐篷我带一顶，睡袋各自带');
    const jwt = await post(srv, 'auth/login', { appKey: 'TSDKTEST00001', auid: 'bob', token: 'bob' });
    const last = alice.store.messages('P2P:bob').filter((m) => m.formUser === 'alice' && !m.recalled).pop();
    await post(srv, 'message/read', { jwt, mid: last.mid });
    await alice.waitFor(() => alice.texts('.receipt').pop() === '已读', 'the read receipt');
    await snapshot('receipts', alice);
  } finally {
    await alice.close();
  }
}

async function main() {
  const browser = chromium();
  for (const f of ['echatim-sdk.js', 'echatim-sdk.wasm.br']) {
    if (!fs.existsSync(path.join(DEMO, 'utils', f))) throw new Error(`miniprogram-demo/utils/${f} is missing: run bash toolchain/build.sh`);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'echat-render-'));
  const shots = [];
  const srv = await startDevserver({ users: ['alice:alice:Alice', 'bob:bob:Bob', 'carol:carol:Carol'] });
  const snapshot = async (name, phone) => {
    const file = path.join(tmp, `${name}.html`);
    fs.writeFileSync(file, await pageHtml(phone));
    shots.push({ name, file });
  };
  try {
    const room = await seed(srv);
    await runDemo(srv, { say: () => {}, snapshot });
    await scene(srv, room, snapshot);
  } finally {
    await srv.stop();
  }
  fs.mkdirSync(outDir, { recursive: true });
  for (const { name, file } of shots) {
    const png = path.join(outDir, `demo-${name}.png`);
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'echat-chromium-'));
    try {
      execFileSync(browser, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`,
        '--hide-scrollbars', '--force-device-scale-factor=1', `--window-size=${W},${H}`, `--screenshot=${png}`,
        `file://${file}`], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60000 });
    } finally {
      fs.rmSync(profile, { recursive: true, force: true });
    }
    console.log(`render-demo: ${path.relative(ROOT, png)} (${fs.statSync(png).size} bytes)`);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}

main().then(() => process.exit(0), (err) => {
  console.error(`render-demo: FAILED: ${(err && err.stack) || err}`);
  process.exit(1);
});
