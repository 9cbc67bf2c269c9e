// Compile-only check of js-shim/echatim-sdk.d.ts (tests/types/typings.test.js runs tsc --strict --noEmit);
// `wx` and `console` are WeChat's (npm miniprogram-api-typings). im-usage.ts covers every documented
// field of sdk.im / sdk.apis, page.ts a page's lifecycle.
import sdk = require('../../js-shim/echatim-sdk');

sdk.configure({ wasmPath: '/utils/echatim-sdk.wasm.br' });
const v: string = sdk.version;
void v;
void sdk.ready().then(() => undefined);

const socket = sdk.io('http://127.0.0.1:3000/chat', { auth: { token: 'abc' }, protocol: 'auto', reconnectionDelay: 500 });
socket.on('connect', () => {
  socket.emit('hello', { a: 1 }, new Uint8Array([1, 2]), (reply: unknown) => console.log(reply));
  socket.timeout(1000).emit('slow', (err: Error | null, answer: unknown) => console.log(err, answer));
  socket.volatile.emit('tick', Date.now());
});
socket.on('connect_error', (err) => console.log(err.message, err.data, err.kind));
socket.on('disconnect', (reason) => {
  const r: sdk.DisconnectReason = reason;
  void r;
});
socket.io.on('reconnect_attempt', (n) => console.log(n + 1));
async function ask(): Promise<void> {
  const answer = await socket.timeout(500).emitWithAck('question', 42);
  console.log(answer, socket.id, socket.connected);
}
void ask();
socket.disconnect();

// @ts-expect-error protocol must be 3, 4 or 'auto'
sdk.io('http://127.0.0.1:3000', { protocol: 5 });

// The E聊 session, as the E聊 sample page uses it.
if (sdk.im === undefined) throw new Error('no sdk.im');
void sdk.im.init({
  host: '127.0.0.1', httpPort: 58082, socketPort: 59092, key: 'TSDKTEST00001', secret: '', apiTransport: 'HTTP',
  loginAuid: 'admin', loginToken: 'admin',
  fileServerConfig: { use: 'local', client: 'plupload', baseUrl: 'http://127.0.0.1:58082', version: 'v1' },
}, (s) => { if (s) console.log(s.version, s.im.getState()); });
sdk.im.on('message', (m) => console.log(m.formUser, m.body, m.seq + 1));
sdk.im.on('state', ({ state }) => { const st: sdk.ImState = state; void st; });
async function chat(): Promise<void> {
  const sent = await sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: 'hi' } });
  console.log(sent.mid, sent.data.seq, sent.clientMsgId);
  const friends = await sdk.apis.friend.list();
  console.log(friends.data, friends.requestId);
  const up = await sdk.apis.file.upload({ filePath: 'wxfile://tmp_1.jpg', onProgress: (p) => console.log(p.progress) });
  await sdk.apis.message.send({ toTarget: '12', way: 'P2R', type: 'IMAGE', body: { url: up.url } });
  const convs = await sdk.im.getConversations();
  if (convs[0]) await sdk.im.markRead({ way: convs[0].way, toTarget: convs[0].toTarget });
  sdk.im.close();
}
void chat().catch((err: sdk.ApiError) => console.log(err.code, err.msg, err.requestId));
// @ts-expect-error way must be P2P or P2R
void sdk.apis.message.send({ toTarget: 'bob', way: 'P2X', type: 'TEXT', body: {} });
