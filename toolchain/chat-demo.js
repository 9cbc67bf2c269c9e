#!/usr/bin/env node
// The main job until the demo mini-program lands: two "phones" (two mini-program sandboxes, each
// running the shipped dist/echatim-sdk.js with its wasm, exactly as a page would) chat through the local
// E聊-compatible devserver. They speak the E聊 socket protocol (docs/protocol.md) over sdk.io: login
// with topic.connection, send with topic.message, receive deliveries on topic.message and ack them.
// Usage: node toolchain/chat-demo.js <socketPort>   (the devserver must be running on 127.0.0.1)
'use strict';
const fs = require('fs');
const path = require('path');
const { createSandbox, createPackageRoot } = require('../tests/sandbox');

const socketPort = Number(process.argv[2] || 59092);
const root = path.resolve(__dirname, '..');
const APP_KEY = 'TSDKTEST00001';

function phone(auid, token, pkgRoot) {
  const sb = createSandbox({ packageRoot: pkgRoot });
  const sdk = sb.require('/utils/echatim-sdk.js');
  const socket = sdk.io(`http://127.0.0.1:${socketPort}`, { protocol: 'auto' });
  let n = 0;
  const request = (topic, method, fields) => new Promise((resolve, reject) => {
    socket.timeout(10000).emit(topic, { requestId: `${auid}-${++n}`, timestamp: Date.now(), method, ...fields }, (err, ack) => {
      if (err) return reject(err);
      if (ack.response.code !== 0) return reject(new Error(`${topic}/${method}: ${ack.response.code} ${ack.response.msg}`));
      return resolve(ack.response.data);
    });
  });
  const received = [];
  socket.on('topic.message', (msg, ack) => {
    if (typeof ack === 'function') ack({ seq: msg.seq });
    if (msg.formUser === auid) return;  // our own delivery (multi-device sync)
    received.push(msg);
    console.log(`  ${auid} <- ${msg.formUser}: ${msg.body.text}   (mid ${msg.mid}, ${auid}'s seq ${msg.seq})`);
  });
  const connected = new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return {
    auid, sdk, socket, received,
    async login() {
      await connected;
      await request('topic.connection', 'authority/request', { appKey: APP_KEY, auid, token });
      console.log(`${auid}: connected (socket ${socket.id}) and logged in`);
    },
    async send(to, text, i) {
      const data = await request('topic.message', 'send', {
        toTarget: to, way: 'P2P', type: 'TEXT', body: { text }, clientMsgId: `${auid}-demo-${i}`,
      });
      console.log(`  ${auid} -> ${to}: ${text}   (stored as mid ${data.mid})`);
    },
    close: async () => { socket.disconnect(); await sb.dispose(); },
  };
}

async function waitFor(cond, ms) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for messages');
    await new Promise((r) => setTimeout(r, 20));
  }
}

(async () => {
  const files = {};
  for (const f of ['echatim-sdk.js', 'echatim-sdk.wasm.br']) files[`utils/${f}`] = fs.readFileSync(path.join(root, 'dist', f));
  const pkg = createPackageRoot(files);
  const alice = phone('alice', 'alice', pkg.root);
  const bob = phone('bob', 'bob', pkg.root);
  try {
    await alice.login();
    await bob.login();
    const lines = [
      [alice, bob, 'Hi Bob! This message went through the C++ core compiled to wasm.'],
      [bob, alice, 'Hi Alice, received: exactly once, in order.'],
      [alice, bob, 'Same SDK file a mini-program page would require().'],
      [bob, alice, 'See you in WeChat DevTools.'],
    ];
    let i = 0;
    for (const [from, to, text] of lines) {
      const before = to.received.length;
      await from.send(to.auid, text, ++i);
      await waitFor(() => to.received.length > before, 10000);
    }
    console.log(`\nchat-demo: ok — ${alice.received.length + bob.received.length} messages delivered`);
  } finally {
    await alice.close();
    await bob.close();
    pkg.cleanup();
  }
})().catch((err) => {
  console.error(`chat-demo: FAILED: ${err && err.stack || err}`);
  process.exit(1);
});
