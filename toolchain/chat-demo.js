#!/usr/bin/env node
// The main job's demo driver (toolchain/run.sh): the demo mini-program (miniprogram-demo/) run
// headlessly on two "phones" that chat through an E聊-compatible server, driven like two users —
// they type into the login page and tap "Log in", add a friend, type a message and tap "Send", pick a
// picture — and the conversation is printed as the pages render it.
//
// Each phone is a mini-program sandbox (tests/sandbox: the WeChat logic layer, wx over real loopback
// sockets) running the demo's app.js, pages and the built SDK (miniprogram-demo/utils/echatim-sdk.js +
// .wasm.br via WXWebAssembly); the pages are rendered by miniprogram-simulate (WeChat's WXML compiler,
// WXSS, j-component) into a DOM, and everything printed is read from that DOM (tests/demo/harness.js).
//
// Usage: node toolchain/chat-demo.js [--host 127.0.0.1] [--http-port 58082] [--socket-port 59092]
//          (the server must be running, with users alice/alice and bob/bob in app TSDKTEST00001)
//        node toolchain/chat-demo.js --own-server   (starts its own devserver: free ports, in memory)
//        node toolchain/chat-demo.js --bot bob[:token]  [--host … --http-port … --socket-port …]
//          a headless user for trying the demo in WeChat DevTools: it logs in through the demo's login
//          page, and whenever its Chats page shows an unread badge it opens that conversation and
//          answers each new message through the chat page; runs until Ctrl-C
'use strict';
const fs = require('fs');
const path = require('path');
const { Phone, startDevserver, landscape, DEMO } = require('../tests/demo/harness');

function parseArgs(argv) {
  const o = { host: '127.0.0.1', httpPort: 58082, socketPort: 59092, ownServer: false, bot: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--host') o.host = argv[++i];
    else if (a === '--http-port') o.httpPort = Number(argv[++i]);
    else if (a === '--socket-port') o.socketPort = Number(argv[++i]);
    else if (a === '--own-server') o.ownServer = true;
    else if (a === '--bot') o.bot = argv[++i];
    else throw new Error(`unknown argument ${a} (see the usage at the top of toolchain/chat-demo.js)`);
  }
  return o;
}

// Runs the scenario against srv ({host, httpPort, socketPort}).
//   say(line)                the printout (console.log)
//   snapshot(name, phone)    called at the moments worth a picture (toolchain/render-demo.js)
// Resolves {messages, images} once both phones are closed; rejects if a step does not happen.
async function runDemo(srv, { say = console.log, snapshot = async () => {} } = {}) {
  const start = Date.now();
  const stamp = () => `[${((Date.now() - start) / 1000).toFixed(2).padStart(5)}s]`;
  const out = (who, text) => say(`${stamp()} ${who.padEnd(5)} ${text}`);
  const alice = new Phone('alice', { log: (t) => say(`${stamp()} ${t}`) });
  const bob = new Phone('bob', { log: (t) => say(`${stamp()} ${t}`) });
  const names = { alice: 'Alice', bob: 'Bob' };
  const count = { messages: 0, images: 0 };

  // What the pages show, read from the rendered DOM.
  const row = (phone, name) => {
    const i = phone.texts('.conversation .name').indexOf(name);
    if (i < 0) return null;
    const el = phone.all('.conversation')[i];
    const q = (c) => { const e = el.querySelector(`.conversations--${c}`); return e ? e.textContent.trim() : ''; };
    return { preview: q('preview'), time: q('time'), badge: q('badge') };
  };
  const rowText = (phone, name) => {
    const r = row(phone, name);
    return r ? `${name} · "${r.preview}" · ${r.time} · ${r.badge ? `unread badge ${r.badge}` : 'no unread badge'}` : `(no row for ${name})`;
  };
  const bubbles = (phone) => phone.all('.message').map((e) => {
    const text = e.querySelector('.chat--text');
    const img = e.querySelector('wx-image');
    const mine = e.classList.contains('chat--mine');
    return {
      who: mine ? names[phone.name] : names[phone.name === 'alice' ? 'bob' : 'alice'],
      side: mine ? 'right' : 'left',
      text: text ? `"${text.textContent.trim()}"` : `[image ${img ? img.getAttribute('src') : ''}]`,
    };
  });
  const showNew = async (phone, before, what) => {
    await phone.waitFor(() => bubbles(phone).length > before, what);
    for (const b of bubbles(phone).slice(before)) out(phone.name, `chat page shows, on the ${b.side}: ${b.who}: ${b.text}`);
  };
  const send = async (phone, text) => {
    await phone.type('#input', text);
    await phone.tap('#send');
    await phone.waitFor(() => !phone.all('.sending').length, `"${text}" sent`);
    if (phone.all('.failed').length) throw new Error(`${phone.name}: not sent: ${phone.text('.error')}`);
    out(phone.name, `types "${text}", taps Send → sent`);
    count.messages++;
  };

  try {
    // ---- both open the app and log in through the login page
    for (const p of [alice, bob]) {
      await p.launch();
      const v = (sel) => p.el(sel).getAttribute('value');
      out(p.name, `opens the app: login page, defaults from config.js: ${v('#host')} HTTP ${v('#httpPort')} socket ${v('#socketPort')} key ${v('#key')} user ${v('#auid')}`);
      if (p === alice) await snapshot('login', p);
      await p.login(srv, p.name, p.name);
      out(p.name, `types ${srv.host} ${srv.httpPort} ${srv.socketPort}, user "${p.name}", token, taps "Log in" → Chats page, logged in as ${p.text('.me-name')} (sdk.im state: ${p.sdk.im.getState()})`);
    }

    // ---- alice: Contacts → add bob (unless an earlier run did) → tap Bob → chat page
    await alice.tapTab('Contacts');
    await alice.waitFor(() => alice.all('.friend').length || alice.text('.none'), 'the contacts page');
    if (!alice.texts('.friend .name').some((n) => n.startsWith('Bob'))) {
      await alice.type('#friend-input', 'bob');
      await alice.tap('#add-friend');
      await alice.waitFor(() => alice.text('.notice'), 'the answer to "Add"');
      out('alice', `Contacts tab: types "bob", taps Add → "${alice.text('.notice')}"`);
    } else {
      out('alice', 'Contacts tab: Bob is a friend already (an earlier run added him)');
    }
    await alice.tap('.friend', alice.texts('.friend .name').findIndex((n) => n.startsWith('Bob')));
    await alice.waitRoute('pages/chat/chat');
    const earlier = bubbles(alice).length;
    out('alice', `taps Bob → chat page "${alice.page.title}"${earlier ? ` (${earlier} messages of earlier runs loaded from the server)` : ''}`);

    // ---- alice writes twice; bob, on his Chats page, sees the row and its unread badge grow
    for (const text of ['Hi Bob! This is the demo mini-program, running headless.', 'Real WXML pages, real wasm SDK, real server.']) {
      const last = rowText(bob, 'Alice');
      await send(alice, text);
      await bob.waitFor(() => rowText(bob, 'Alice') !== last && (row(bob, 'Alice') || {}).preview === text, 'bob\'s conversation row');
      out('bob', `Chats page: ${rowText(bob, 'Alice')}`);
    }
    await snapshot('conversations', bob);

    // ---- bob opens the conversation: the messages in order, the badge goes
    await bob.tap('.conversation', bob.texts('.conversation .name').indexOf('Alice'));
    await bob.waitRoute('pages/chat/chat');
    await bob.waitFor(() => bubbles(bob).length >= 2, 'bob\'s chat page');
    out('bob', `taps the Alice row → chat page "${bob.page.title}"; the last two messages:`);
    for (const b of bubbles(bob).slice(-2)) out('bob', `  on the ${b.side}: ${b.who}: ${b.text}`);

    // ---- the conversation
    let before = bubbles(alice).length;
    await send(bob, 'Hi Alice! Got both, in order, exactly once.');
    await showNew(alice, before, 'bob\'s reply');

    before = bubbles(bob).length;
    alice.pickImage('photo.png', landscape(240, 160), { width: 240, height: 160 });
    await alice.tap('#image');
    await alice.waitFor(() => !alice.all('.sending').length && alice.all('.mine .image').length > 0, 'the image sent');
    if (alice.all('.failed').length) throw new Error(`alice: image not sent: ${alice.text('.error')}`);
    out('alice', 'taps ＋, picks photo.png (240×160) from the album (wx.chooseMedia) → sdk.apis.file.upload → IMAGE message sent');
    count.images++;
    await showNew(bob, before, 'the image on bob\'s chat page');

    before = bubbles(alice).length;
    await send(bob, 'Nice picture. See you in WeChat DevTools!');
    await showNew(alice, before, 'bob\'s last message');
    await snapshot('chat', alice);

    // ---- back to the lists: nothing unread on either side (the server agrees: pull-down refresh)
    await bob.back();
    await bob.pullDown();
    out('bob', `back, pulls down to refresh → Chats page: ${rowText(bob, 'Alice')}`);
    await alice.back();
    await alice.tapTab('Chats');
    await alice.pullDown();
    out('alice', `back, Chats tab, pulls down to refresh → ${rowText(alice, 'Bob')}`);
    if (row(bob, 'Alice').badge || row(alice, 'Bob').badge) throw new Error('an unread badge stayed after reading');

    // ---- a picture of the contacts page while creating a group (not created: runs keep no groups)
    await alice.tapTab('Contacts');
    await alice.tap('#new-group');
    await alice.type('#group-name', 'Book club');
    await alice.tap('.friend', 0);
    await snapshot('contacts', alice);
    await alice.tap('#new-group');

    const errors = [...alice.errors(), ...bob.errors()];
    if (errors.length) throw new Error(`page errors: ${errors.join('\n')}`);
    return count;
  } finally {
    await alice.close();
    await bob.close();
  }
}

// The headless answering user (--bot). Runs until `until` (a Promise) settles; onReady() once logged in.
async function runBot(srv, auid, token, { say = console.log, until, onReady = () => {} } = {}) {
  const out = (text) => say(`[${new Date().toTimeString().slice(0, 8)}] ${auid}: ${text}`);
  const phone = new Phone(auid, { log: out });
  let stopping = false;
  const stopped = Promise.resolve(until).then(() => { stopping = true; });
  try {
    await phone.launch();
    await phone.login(srv, auid, token);
    out(`logged in to ${srv.host}:${srv.socketPort} through the login page; waiting for messages (Ctrl-C to stop)`);
    onReady(phone);
    while (!stopping) {
      const i = phone.all('.conversation').findIndex((e) => e.querySelector('.conversations--badge'));
      if (i < 0) {
        await Promise.race([stopped, new Promise((r) => setTimeout(r, 200))]);
        continue;
      }
      const name = phone.texts('.conversation .name')[i];
      const unread = Number(phone.all('.conversation')[i].querySelector('.conversations--badge').textContent) || 1;
      await phone.tap('.conversation', i);
      await phone.waitRoute('pages/chat/chat');
      await phone.waitFor(() => phone.all('.theirs').length >= Math.min(unread, 30), 'the new messages');
      // answer the new ones, and those that arrive while this chat is open (they are read at once)
      let handled = Math.max(0, phone.all('.theirs').length - unread);
      for (;;) {
        const theirs = phone.all('.theirs');
        for (const m of theirs.slice(handled)) {
          const text = m.querySelector('.chat--text');
          const img = m.querySelector('wx-image');
          out(`${name} says ${text ? `"${text.textContent.trim()}"` : `an image (${img ? img.getAttribute('src') : '?'})`}`);
          const reply = text ? `Got "${text.textContent.trim()}" (${auid}, a headless demo phone)` : 'Got your picture!';
          await phone.type('#input', reply);
          await phone.tap('#send');
          await phone.waitFor(() => !phone.all('.sending').length, 'the reply sent');
          out(`answers ${name}: "${reply}"`);
        }
        handled = theirs.length;
        await new Promise((r) => setTimeout(r, 300));
        if (phone.all('.theirs').length === handled || stopping) break;
      }
      await phone.back();
    }
  } finally {
    await phone.close();
  }
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.bot) {
    const [auid, token] = o.bot.split(':');
    const until = new Promise((resolve) => process.once('SIGINT', resolve));
    await runBot({ host: o.host, httpPort: o.httpPort, socketPort: o.socketPort }, auid, token || auid, { until });
    return;
  }
  let srv = { host: o.host, httpPort: o.httpPort, socketPort: o.socketPort };
  let own = null;
  if (o.ownServer) {
    own = await startDevserver({ users: ['alice:alice:Alice', 'bob:bob:Bob'] });
    srv = own;
  }
  const sizes = ['echatim-sdk.js', 'echatim-sdk.wasm.br'].map((f) => {
    const p = path.join(DEMO, 'utils', f);
    if (!fs.existsSync(p)) throw new Error(`${p} is missing: run bash toolchain/build.sh`);
    return `${f} ${fs.statSync(p).size} B`;
  });
  console.log(`chat-demo: two phones, each a mini-program sandbox running miniprogram-demo/ with its SDK (${sizes.join(', ')});`);
  console.log(`chat-demo: pages rendered by miniprogram-simulate; the server: http://${srv.host}:${srv.httpPort} + socket.io ${srv.socketPort}`);
  console.log('');
  const t0 = Date.now();
  try {
    const count = await runDemo(srv);
    console.log('');
    console.log(`chat-demo: ok — ${count.messages} text messages and ${count.images} image delivered in ${((Date.now() - t0) / 1000).toFixed(1)} s, in order, nothing left unread`);
  } finally {
    if (own) await own.stop();
  }
}

if (require.main === module) {
  main().then(() => process.exit(0), (err) => {
    console.error(`chat-demo: FAILED: ${(err && err.stack) || err}`);
    process.exit(1);
  });
}

module.exports = { runDemo, runBot, parseArgs };
