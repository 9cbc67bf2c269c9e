// Compile-only check of js-shim/echatim-sdk.d.ts (tests/types/typings.test.js runs tsc --noEmit).
import sdk = require('../../js-shim/echatim-sdk');
declare const console: { log(...args: unknown[]): void };  // the mini-program's console

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
