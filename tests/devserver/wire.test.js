'use strict';
// The exact frames on the wire (docs/protocol.md 4 and 11.4), spoken with a raw WebSocket, for
// Engine.IO 4 and Engine.IO 3: what an SDK that implements the protocol itself must send and expect.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const WebSocket = require('ws');
const h = require('./helpers');

/** A raw Engine.IO WebSocket that queues incoming text frames. */
class RawSocket {
  constructor(server, eio) {
    this.ws = new WebSocket(`ws://127.0.0.1:${server.socketPort}/socket.io/?EIO=${eio}&transport=websocket`);
    this.frames = [];
    this.waiters = [];
    this.ws.on('message', (data) => {
      this.frames.push(String(data));
      this.waiters = this.waiters.filter((w) => !w());
    });
  }

  /** The next frame matching `re` (frames before it that do not match are skipped). */
  next(re) {
    return h.deadline(new Promise((resolve) => {
      const probe = () => {
        const i = this.frames.findIndex((f) => re.test(f));
        if (i < 0) return false;
        resolve(this.frames.splice(0, i + 1).pop());
        return true;
      };
      if (!probe()) this.waiters.push(probe);
    }), `frame ${re}`);
  }

  send(frame) { this.ws.send(frame); }
  close() { this.ws.close(); }
}

const LOGIN = (auid) => JSON.stringify(['topic.connection', { requestId: 'w1', timestamp: 1, method: 'authority/request', appKey: h.APP, auid, token: `tk-${auid}` }]);

describe('wire frames', () => {
  let server;
  before(async () => {
    server = await h.startServer({ pingInterval: 200, pingTimeout: 5000 });
    await h.addUsers(server, ['w4', 'w3', 'sender']);
  });
  after(() => server.close());

  async function loginAndReceive(raw, auid) {
    raw.send(`420${LOGIN(auid)}`);
    const ack = JSON.parse((await raw.next(/^430/)).slice(3));
    assert.equal(ack.length, 1);
    assert.equal(ack[0].requestId, 'w1');
    assert.equal(ack[0].response.code, 0);
    assert.equal(typeof ack[0].response.data, 'string');

    const sender = await h.apiClient(server, 'http', 'sender');
    const sent = h.ok(await sender.call('message', 'send', { ...h.text('sender', auid, 'raw'), clientMsgId: `raw-${auid}` }));
    const frame = await raw.next(/^42\d+\["topic\.message"/);
    const [, ackId, json] = /^42(\d+)(\[.*)$/.exec(frame);
    const [event, message] = JSON.parse(json);
    assert.equal(event, 'topic.message');
    assert.equal(message.mid, sent.mid);
    assert.equal(message.seq, 1);
    assert.deepEqual(message.body, { text: 'raw' });
    raw.send(`43${ackId}${JSON.stringify([{ seq: message.seq }])}`);
    // The ack reached the server first (same connection): the legacy clientack finds nothing left.
    raw.send(`421${JSON.stringify(['topic.clientack', { requestId: 'w2', seq: message.seq }])}`);
    assert.deepEqual(JSON.parse((await raw.next(/^431/)).slice(3)), [{ requestId: 'w2', response: { code: 0, msg: 'ok', data: { acked: 0 } } }]);
  }

  test('EIO4: open, CONNECT, login ack, topic.message with an ack id, server-initiated ping', async () => {
    const raw = new RawSocket(server, 4);
    const open = JSON.parse((await raw.next(/^0/)).slice(1));
    assert.equal(open.pingInterval, 200);
    assert.equal(typeof open.sid, 'string');
    raw.send('40');
    assert.match(await raw.next(/^40/), /^40\{"sid":"[^"]+"\}$/);
    await loginAndReceive(raw, 'w4');
    assert.equal(await raw.next(/^2$/), '2'); // EIO4: the server pings
    raw.send('3');
    raw.close();
  });

  test('EIO3: open, implicit CONNECT, client-initiated ping, login ack, topic.message with an ack id', async () => {
    const raw = new RawSocket(server, 3);
    const open = JSON.parse((await raw.next(/^0/)).slice(1));
    assert.equal(open.pingInterval, 200);
    assert.equal(await raw.next(/^40/), '40'); // socket.io protocol 4: the server connects "/" itself
    raw.send('2');
    assert.equal(await raw.next(/^3/), '3'); // EIO3: the client pings, the server pongs
    await loginAndReceive(raw, 'w3');
    raw.close();
  });

  test('garbage frames and bytes close at most that connection; the server keeps serving', async () => {
    const garbage = ['x', '4', '42', '42[', '42{"a":1}', '42[1,2', '43', '99', '4-1["a"]', '45-["a"]', '42["topic.user",' + '['.repeat(5000)];
    for (const eio of [3, 4]) {
      for (const frame of garbage) {
        const raw = new RawSocket(server, eio);
        await raw.next(/^0/);
        if (eio === 4) raw.send('40');
        raw.send(frame);
        raw.ws.send(Buffer.from([0xff, 0x00, 0x13]));
        raw.close();
      }
    }
    // Valid JSON nested too deeply to re-serialise is refused with 400, not a crash.
    const raw = new RawSocket(server, 4);
    await raw.next(/^0/);
    raw.send('40');
    const deep = '['.repeat(200000) + ']'.repeat(200000);
    raw.send(`420["topic.user",{"requestId":"deep","method":"update","ext":${deep}}]`);
    const answer = JSON.parse((await raw.next(/^430/)).slice(3));
    assert.equal(answer[0].requestId, 'deep');
    h.fails(answer[0].response, 400);
    raw.close();
    const httpDeep = await h.httpRequest(server, '/v1/user/update', { raw: Buffer.from(`{"appKey":"${h.APP}","auid":"w3","ext":${deep}}`) });
    h.fails(httpDeep.body, 400, "'ext'");
    // Junk on both HTTP ports.
    for (const port of [server.httpPort, server.socketPort]) {
      await new Promise((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => s.end('GARBAGE / HTTP/9\r\n\x00\x01\r\n\r\n'));
        s.on('data', () => {});
        s.on('close', resolve);
        s.on('error', resolve);
      });
    }
    const c = new h.SocketClient(server, { eio: 3 });
    h.ok(await c.login('w3'));
    c.close();
    h.ok(await h.httpCall(server, 'auth', 'login', { appKey: h.APP, auid: 'w4', token: 'tk-w4' }));
    assert.deepEqual(server.errors, []);
  });
});
