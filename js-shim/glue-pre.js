// --pre-js of the Emscripten build: runs inside the glue's factory, before the glue. Routes every
// `WebAssembly` reference of the glue to the API js-shim/loader.js picked (WXWebAssembly in a
// mini-program, where no global WebAssembly exists), so that the glue's checks and abort() work there.
var WebAssembly = Module['wasmApi'];
