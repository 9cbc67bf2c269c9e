// The cold-start scenario of bench/jsc/startup.js (after harness.js): require() -> 'connect', then quit.
// Prints RESULT {connectMs, stamps[, wasmMs]}.
/* global H */
'use strict';
H.start(function () { H.done({ connectMs: H.tConnected - H.t0 }); });
