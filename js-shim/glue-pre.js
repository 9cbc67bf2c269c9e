// --pre-js of the Emscripten build: runs inside the glue's factory, before the glue. Routes every
// `WebAssembly` reference of the glue to the API js-shim/loader.js picked (WXWebAssembly in a
// mini-program, where no global WebAssembly exists), so that the glue's checks and abort() work there.
var WebAssembly = Module['wasmApi'];
// The glue's clock (emscripten_get_now: the debug build times every heap growth) is the shells'
// `dateNow` if there is one, else `performance.now()`, which a mini-program does not have: a heap
// growth in the debug build threw "performance is not defined". Date.now is enough for that timing.
var dateNow = Date.now;
