'use strict';
// The shipped artifact itself: what WeChat refuses (eval, new Function) is absent, the byte budget
// holds, and the bundle loads in the sandbox from the default wasm path.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const zlib = require('node:zlib');
const { SDK_JS, SDK_BR, DIST, openPage, within } = require('./helpers');
const path = require('node:path');

// bytes: echatim-sdk.js + echatim-sdk.wasm.br, what a page ships. 100,000 for the socket.io layer
// alone (issue 4); 120,000 with the E聊 session, sdk.im and sdk.apis (issue 5); raised to 132,000 on
// 2026-12-04 when three branches landed together: issue 11's session reliability (pipelined outbox, send
// states, fresh-install history, surrogate-tolerant parsing, config warnings: +4.3 KB), issue 10's
// socket.io hot path (plain exports, host-kept payloads, fast lane: +6.5 KB) and issue 12's logLevel /
// error codes (+1.2 KB). Issue 10's goal is 100,000: lower this as size is won back. Raised to 134,000 on 2026-12-05 for issue 15's
// socket.io-client API (Manager setters and getters, new Manager(opts), onAnyOutgoing, ackTimeout,
// timeout: 0, manager.engine): 131,738 -> 133,690 B (+1,952: js +1,675, wasm.br +277). Raised to 136,200
// on 2026-12-05 for issue 15's retry queue (`retries`, in the C++ core) and connection-state recovery:
// 133,690 -> 135,936 B (+2,246: js +636, wasm.br +1,610). Raised to 137,400 the same day for issue 10's
// cold start (the first WebSocket opens while the wasm loads: require() -> connected 1.44-1.86x weapp ->
// 0.90-1.08x with a 30 ms WebSocket open, docs/benchmarks.md): +1,396 B of js. Raised to 141,300 the same day
// for issue 15's long-polling transport (Engine.IO payloads, the polling session, the fallback, wx.request):
// 137,118 -> 141,050 B (+3,932: js +1,205, wasm.br +2,727); then the upgrade from polling to a WebSocket
// (the probe, `transports: ['polling', 'websocket']`), Manager.open() and the upstream suite fixes: 142,894 B;
// then 142,577 B once the IM's wx.request and the polling requests share one function. Raised to 143,000
// on 2026-12-05 for issue 10's socket.io fast lane compiled apart (-O2, inlined: src/socketio/fast_lane.cpp,
// toolchain/emscripten-flags.cmake): a pushed event on JSC without a JIT ~20 -> ~7 us, +339 B of wasm.br.
// Raised to 143,100 the same day: a received event goes from the fast lane straight to the socket (no
// batch tuple, no result object; js-shim/core-driver.js onEvent): ~7.5 -> ~6.4 us on JSC no-JIT, +166 B.
// Lowered to 127,800 the same day: core::Json (src/core/json.h) replaced nlohmann/json in the shipped core,
// wasm.br 89,231 -> 73,882 B (143,069 -> 127,720 shipped). Raised to 128,200 the same day for issue 13's
// named batch members (outputs are {k, tid, url, ...} objects read by name in js-shim, not tuples read
// by position): 127,720 -> 128,167 B (+447: js +221, wasm.br +226). Raised to 128,400 the same day for
// issue 13's single API catalogue (src/im/catalogue.json, read by the core through a generated table
// and by js-shim/apis.js): 128,101 -> 128,334 B (+233: js +182, wasm.br +51). Raised to 128,500 the same
// day: core::append_json_string's runs (-6 to -8 % IM CPU per message, +59 B) and the clean-ups of
// b53a7cd (one UTF-8 writer for core and socketio, the parser's shared loop helpers, +61 B): 128,454 B.
// Raised to 132,300 on 2026-12-05 (fifth session) for issue 10's IM delivery lane (a topic.message's object
// stays in JavaScript; the core gets its facts through echat_im_message and names it by handle), the
// conversation written as text, and the inline delivery ack: 128,424 -> 132,238 B (js +1,538, wasm.br
// +2,276). A received IM message on JSC without a JIT ~2,200 -> ~590 us, and its size no longer grows
// the receiver's wasm memory (docs/benchmarks.md). Raised to 132,400 the same day: a message over
// maxPayload refused before it is parsed and copied (the sender's wasm memory grows 1.6 times a 2 MiB
// message instead of 13.5 times), and the frame of a call written without an array tree: 132,341 B; a
// delivery with a space after its event name (python-socketio) also takes the IM lane: 132,364 B.
// Raised to 134,200 on 2026-12-05 (sixth session) for issue 10's in-order delivery handed over at once
// (src/im/delivery_lane.cpp and its export bindings/im_lane.cpp, -O2; no batch: the outputs' values in
// the shared region): 132,348 -> 134,131 B (js +729, wasm.br +1,054); a received IM message on JSC
// without a JIT ~570 -> ~100 us (docs/benchmarks.md). Raised to 134,500 the same day: the HTTP login's
// deadline in the Client's timer table, markRead's 'conversation' event and the IM driver's ordered
// delivery of events (js +198), the Manager's reconnection loop as one enum: 134,484 B. Raised to 135,700
// the same day: the IM's calls and outbox entries in deques, not vectors (finishing the oldest moved
// every later one, with its form: O(calls) per answer in a burst), +1,573 B: 135,679 B; 135,502 B after
// the review (one released handle in the lane's answer, one digit writer). Raised to 141,300 on
// 2026-12-05 (seventh session) for issue 10's send lane (a message/send form stays in JavaScript: the core
// gets its facts through echat_im_send and writes the envelope; an answer with code 0 is finished through
// echat_im_answer, its data parsed once in JavaScript; src/im/send_lane.cpp, bindings/im_send_lane.cpp,
// CoreDriver.sendForm/answered): 135,502 -> 141,200 B (js +2,951, wasm.br +2,747). A message sent one at a
// time on JSC without a JIT ~3.7 -> ~0.3 ms, and its size no longer grows the sender's wasm memory
// (docs/benchmarks.md). Raised to 141,500 the same day: the calls' counts and deadlines kept as calls
// change (im::Client::track; the lanes walked every call, O(queued) per message in a burst): 141,444 B;
// 141,480 B with the core's list of the fields it sets itself handed to the shim (one list, not two).
// Lowered to 140,420 on 2026-12-06 (eighth session): the call queue as a machine of its own (im::Calls:
// a list indexed by id and wire id instead of a deque walked per input): 140,401 B. Raised to 140,560 the
// same day: the login and the sync run as machines of their own (im::Login, im::SyncRun): 140,542 B
// (+14 and +127 B; no new code path, the same decisions laid out differently). Raised to 140,780 the same
// day: the send lane refuses a message over the server's maxPayload itself (Lane::Refused), before its
// text enters wasm (a 2 MiB message grew the sender's wasm memory by 3,342,336 B; now 0): 140,771 B.
// Raised to 141,480 the same day: the IM session's first WebSocket opens while the wasm loads
// (js-shim/im.js openImEarly; earlyUrl/openEarly/dropEarly shared with sdk.io in core-driver.js): js +734 B,
// 141,458 B. With WebSockets that take 100 ms to open, require() -> logged in went from 1.28-1.41x the raw
// weapp client's time to 0.98-1.04x on JSC (JIT off and on) and V8 (docs/benchmarks.md).
// Raised to 141,700 on 2026-12-06 (ninth session): the session's life and the fresh install's history as
// machines (im::Lifecycle, im::FreshHistory; wasm.br +47 B) and sdk.im's loader phase as one field
// (js +173 B): an init replaced while the wasm loaded used to attach both runs' cores (two sessions,
// the first one's socket left open; tests/js/im-early.test.js). 141,681 B. Lowered to 135,880 the same
// day: no embind (the boundary is plain C exports, bindings/boundary.h): js -4,167 B, wasm.br -1,648 B;
// 135,866 B. Lowered to 126,870 the same day: no Emscripten JS glue (a standalone wasm that
// js-shim/loader.js instantiates itself): js -9,406 B, wasm.br +391 B (the exports keep their names);
// 126,851 B. Lowered to 125,760 the same day: core::Json sorts an object's members with std::sort and a
// tie-break by position instead of std::stable_sort (its merge code): wasm.br -1,107 B, 125,744 B.
// 125,727 B after the input buffer's place moved from each driver to the core (js -17 B).
// Lowered to 112,700 on 2026-12-06 (tenth session, docs/benchmarks.md): the core without libm's pow,
// std::stoll's throw paths, std::deque, three std::sort instantiations, std::variant in core::Result and
// vector::insert in core::Json, and the IM half's containers and builders shared (wasm.br 79,060 ->
// 71,352 B); the bundle as one scope with the shim's internal members renamed (js 46,667 -> 41,332 B).
// 112,684 B.
// Lowered to 104,920 on 2026-12-06 (eleventh session, docs/benchmarks.md): the core compiled with
// -finline-functions (emcc's -fno-inline-functions had made every non-inline function uninlinable) and
// its hot lanes -Oz like the rest, one error builder, one JSON string and number reader, a merge sort,
// the IM half's refusals, URLs and records built once (wasm.br 71,352 -> 65,016 B); the shim's errors,
// loader and platform shared (js 41,332 -> 39,883 B). 104,914 B with the config's host check mended.
// Lowered to 99,420 on 2026-12-06 (twelfth session, docs/benchmarks.md), under goal 4's 100,000: binaryen
// once more after the link (--flatten --rereloop -Oz -Oz, twice), our own allocator (size classes) for
// emmalloc, a smaller memcpy and strlen, no std::map in the IM half, the socket.io manager's and the
// engine's errors and buffers built in one place each (wasm.br 65,031 -> 62,181 B); the shim's standard
// functions as local names, is.js's type tests, `void 0` as a local `undefined`, the app's calls listed at
// build time (js 39,883 -> 37,238 B). 99,419 B.
// Raised to 99,610 on 2026-12-06 (thirteenth session, docs/benchmarks.md), still under goal 4's 100,000:
// the inbox's out-of-order buffer moves slot numbers, not messages (a hostile server's reverse order was
// quadratic), the delivery and send lanes' texts written in place and the JWT escaped once (wasm.br
// 62,181 -> 62,302 B); sdk.im.init stopping when a listener closed the session, the send lane's texts
// sliced from one string (js 37,238 -> 37,307 B). 99,609 B.
// Raised to 99,925 on 2026-12-06 (fourteenth session, docs/benchmarks.md), still under goal 4's 100,000:
// the IM delivery lane takes the frame's header as its length and ack id, acks in the Manager's event lane,
// and is given way/formUser/toTarget only when they are not the last delivery's; the send lane's envelope
// in four appends, its timestamp digits and sender field kept, the outbox's last entry leaving without a
// temporary (wasm.br 62,302 -> 62,585 B); the shim's header no longer written as text, setByCore checked in
// a loop (js 37,307 -> 37,340 B). 99,925 B.
// Lowered to 99,834 on 2026-12-06 (fifteenth session, docs/benchmarks.md): a delivery handed over skips
// the session's run and writes its record and ack once, in the region; a call keeps no copies of constant
// texts nor a requestId string; memmove no longer copies byte by byte when dest lies above src
// (wasm.br 62,585 -> 62,471 B); handed() reads the region's views once (js 37,340 -> 37,363 B). 99,834 B.
// Raised to 99,984 on 2026-12-07 (sixteenth session, docs/benchmarks.md), still under goal 4's 100,000:
// memset 8 bytes per turn (Emscripten's -Oz one set a byte per loop turn), the Manager's close inputs
// before a due reconnection, a burst's sends past the window without the general settle, ack timers
// and outbox entries without walks or string compares, timer tables that keep their earliest deadline,
// the delivery lane's memo of its conversation (wasm.br 62,471 -> 62,621 B; js unchanged). 99,984 B.
// Lowered to 99,294 on 2026-12-07 (seventeenth session, docs/benchmarks.md): the core's integers written by
// its own digit writer (core::decimal) instead of libc++'s std::to_string, four instantiations over their
// own itoa code; two vector instantiations fewer (wasm.br 62,621 -> 61,931 B; js unchanged). 99,294 B.
// Raised to 99,446 the same day, still under goal 4's 100,000: the send lane writes the JWT's text into the
// first frame of each JWT only, the shim keeps it for the next ones (wasm.br 61,931 -> 62,004 B; js 37,363
// -> 37,442 B). 99,446 B. Then 99,477: the IM driver's ordered output queue taken by index, not shift()
// (js 37,442 -> 37,473 B). Then 99,564: a socket's pending acks in a core::Queue, the oldest answered
// without a shift of the rest (wasm.br 62,004 -> 62,091 B). Then 99,539: memmove's forward copy in
// itself, not a call to memcpy (wasm 158,225 -> 158,381 B; wasm.br 62,091 -> 62,066 B). Then 99,533: the
// output queue read through a local (js 37,473 -> 37,467 B). Then 99,540: core::decimal through the
// existing append_uint (wasm.br 62,066 -> 62,073 B).
// Lowered to 99,537 on 2026-12-07 (eighteenth session, docs/benchmarks.md), the net of: wasm-opt -aimfs=4
// (-114 B), a call made in place (-18), an outbox entry made in place (+28), copy()'s rest in steps and
// memset 32 bytes per turn (+46), the lane's texts in the answers' own buffers (-47, +55), U64Map's
// slot() and probe() inlined (+44), calls' deadline taken from the front (+3) (wasm.br 62,073 -> 62,070 B;
// js unchanged). Then 99,576: the emitter's lists of listeners replaced on on()/off(), never copied per
// emit (js 37,467 -> 37,506 B). Then 99,619: a message body's first character tells JSON text from
// plain text without a regex test unless it is a space or not ASCII (js 37,506 -> 37,549 B). Then 99,677:
// the IM driver hands a batch out from its own array, not copied into the queue and cut out again
// (js 37,549 -> 37,607 B). Then 99,630: the send lane's record-head buffer sized by kCmidMax, its bound
// written from that size instead of a second literal (wasm.br 62,070 -> 62,023 B: brotli's layout; no code
// was removed).
// Lowered to 99,621 on 2026-12-07 (twentieth session): a delivery's synced record and ack arguments
// written by the shim from the core's numbers, not by the core (wasm.br 62,023 -> 61,995 B; js 37,607 ->
// 37,626 B). Then 99,553: the ack's head "43<id>" written by the shim too, the core counting the id's
// digits instead of writing them (wasm.br 61,995 -> 61,955 B; js 37,626 -> 37,598 B).
// Raised to 99,580 on 2026-12-07 (twenty-first session): the send lane's record, fields and frame written by
// the shim from the core's numbers (wasm.br 61,955 -> 61,775 B; js 37,598 -> 37,805 B: the texts' templates),
// for a burst message 17 % fewer wasm instructions and 0.74x -> 0.84x the raw client on JSC without a JIT.
// Then 99,536: an answer leaves the ack timer where it is (it may fire early) instead of walking every ack
// in flight (wasm.br 61,775 -> 61,731 B). Then 99,668: the forms of calls and outbox entries kept as
// optionals (no empty core::Json made, moved and destroyed per message: a burst message 8,230 -> 7,621
// wasm instructions), the answer lane's check of another's clientMsgId by the send lane's `plain` (one
// predicate: wasm.br 61,731 -> 61,818 B), and the shim's views of the shared region re-made by the
// loader's count of memory growths, not by a getter per call (js 37,805 -> 37,850 B). Then 99,683: the
// answer lane left to the general path until im.js has given the driver the session's id prefix (js
// 37,850 -> 37,865 B). Then 99,694: the envelope's texts named once for the general path and the send
// lane's count of a frame's size (wasm.br 61,818 -> 61,834 B: brotli's layout), the loader's views of the
// memory re-made by the same count of growths as the shim's (js 37,865 -> 37,860 B).
// Raised to 99,890 on 2026-12-07 (twenty-second session), still under goal 4's 100,000: the send lane keeps a
// clientMsgId it made as its number, written as text by the shim and, for the general path's outputs, by
// the core (a burst message 7,617 -> 6,674 wasm instructions; wasm.br 61,834 -> 61,947 B; js 37,860 ->
// 37,943 B: the answer's ids from numbers, the shared region's 12 numbers). Then 99,939: the answer lane hands
// the Manager the ack id it read (Manager::ack_in_fast: not read twice), decimal_digits four digits a step
// (a burst message 6,748 -> 6,473 wasm instructions; wasm.br 61,947 -> 61,996 B). Then 99,949: core::Queue a
// ring whose slots hold a T only while live, not a vector with a moving front that made an empty T per
// slot taken and moved the live ones down (a burst message 6,473 -> 6,099; wasm.br 61,996 -> 62,006 B). Then
// 99,971: no sendState event object made when no listener wants it (three per message sent; js 37,943 ->
// 37,965 B). Then 99,932: the general path's envelope written whole each time, without the timestamp's
// digits kept between sends (the send lane writes most frames now, in the shim: wasm.br 62,006 -> 61,967 B).
// Then 99,903: an answer's ack id read by the shim (parseInt, as a delivery's) and checked by the core
// against the head's length, not copied into wasm and read there (wasm.br 61,967 -> 61,936 B; js 37,965 ->
// 37,967 B). Then 99,951: the lanes make no sendState output that no listener wants, read from the session's
// listeners at each step (and im.js no longer checks again: js 37,967 -> 38,015 B). Then 99,963: the delivery
// lane makes no conversation event that no listener wants either (js 38,015 -> 38,057 B), and
// Manager::on_event_fast reads the ack id's digits itself again, not through core::read_uint, whose
// call cost bytes there (wasm.br 61,936 -> 61,906 B). Then 99,962: an answer head's digit check in
// Manager::ack_in_fast beside event_ack_fast's (wasm.br 61,906 -> 61,905 B). Then 99,999: the wasm starts
// loading when the SDK is required (loader.js preload; a wasmPath given before anything asked for the
// core loads it again), paid in part by a shorter message for a missing WebAssembly (js 38,057 -> 38,094 B).
// Then 99,941: the shim calls the core's exports by their own names (Object.assign), not copies named
// `_<name>` made one by one (js 38,094 -> 38,036 B). Then 99,949: io() and sdk.im.init start loading the
// wasm first thing, before their own setting up (js 38,036 -> 38,044 B). Then 99,963: an error that quotes a
// frame whose payload the host keeps counts the whole frame's bytes (engineio::describe_frame; wasm.br
// 61,905 -> 61,919 B).
const BUDGET = 99963;

test('dist/echatim-sdk.js contains no eval( and no new Function(', () => {
  const js = fs.readFileSync(SDK_JS, 'utf8');
  const evals = js.match(/(^|[^A-Za-z0-9_$.])eval\s*\(/g) || [];
  assert.deepEqual(evals, [], 'eval( calls');
  const fns = js.match(/new\s+Function\s*\(/g) || [];
  assert.deepEqual(fns, [], 'new Function( calls');
  // nor the indirect spellings
  assert.equal(/\bFunction\s*\(\s*["'`]/.test(js), false, 'Function("...") call');
  assert.equal(/\bsetTimeout\s*\(\s*["'`]/.test(js), false, 'setTimeout with a string');
});

// The budget is the release build's: the debug build (toolchain/build.sh --debug, ECHAT_WASM_DEBUG=1)
// keeps its names and checks and is ~1.6 MB.
const DEBUG_BUILD = process.env.ECHAT_WASM_DEBUG === '1';
test(`size budget: echatim-sdk.js + echatim-sdk.wasm.br <= ${BUDGET} bytes`, { skip: DEBUG_BUILD && 'the debug build' }, (t) => {
  const js = fs.statSync(SDK_JS).size;
  const br = fs.statSync(SDK_BR).size;
  const wasmPath = path.join(DIST, 'echatim-sdk.wasm');
  const wasm = fs.existsSync(wasmPath) ? fs.statSync(wasmPath).size : null;
  const total = js + br;
  t.diagnostic(`echatim-sdk.js        ${js} bytes`);
  t.diagnostic(`echatim-sdk.wasm.br   ${br} bytes`);
  if (wasm !== null) t.diagnostic(`echatim-sdk.wasm      ${wasm} bytes (not shipped: WXWebAssembly loads the .br)`);
  t.diagnostic(`shipped total         ${total} bytes of ${BUDGET} (${BUDGET - total} to spare)`);
  assert.ok(total <= BUDGET, `${js} + ${br} = ${total} bytes > ${BUDGET}`);
});

test('the browser build defines no global but echatim, and runs in strict mode', () => {
  const vm = require('node:vm');
  const code = fs.readFileSync(path.join(DIST, 'browser', 'echatim-sdk.js'), 'utf8');
  // its first statement opens the function whose "use strict" is a directive (after a `var` at the top
  // of a script it was not, and the whole build ran in sloppy mode)
  assert.match(code.replace(/^\/\*[^]*?\*\/\s*/, ''), /^\(\(\)=>\{"use strict";/);
  const context = vm.createContext({});
  const global = vm.runInContext('globalThis', context);
  const before = new Set(Object.getOwnPropertyNames(global));
  vm.runInContext(code, context);
  assert.deepEqual(Object.getOwnPropertyNames(global).filter((k) => !before.has(k)), ['echatim']);
  assert.equal(typeof vm.runInContext('echatim.io', context), 'function');
});

test('the .wasm.br is brotli of the .wasm (the file WeChat decompresses is the one that was built)', () => {
  const wasmPath = path.join(DIST, 'echatim-sdk.wasm');
  const unpacked = zlib.brotliDecompressSync(fs.readFileSync(SDK_BR));
  assert.deepEqual(unpacked.subarray(0, 4), Buffer.from([0x00, 0x61, 0x73, 0x6d]), 'wasm magic');
  if (fs.existsSync(wasmPath)) assert.ok(unpacked.equals(fs.readFileSync(wasmPath)));
});

test('loads in the sandbox (no WebAssembly, no eval) from the default path /utils/echatim-sdk.wasm.br', async (t) => {
  const page = openPage(t);
  assert.equal(typeof page.sdk.io, 'function');
  assert.equal(typeof page.sdk.version, 'string');
  assert.equal(page.sb.runScript('typeof WebAssembly'), 'undefined');
  await within(page.sdk.ready(), 'sdk.ready()');
  assert.equal(page.probe.count(), 1, 'WXWebAssembly.instantiate was used once');
  assert.ok(page.heapBytes() > 0, 'the wasm memory is reachable');
  assert.equal(page.sb.stats().wasmInstantiate, 1);
  page.assertNoErrors();
});
