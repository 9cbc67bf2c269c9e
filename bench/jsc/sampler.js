// Loaded into jsc before harness.js by bench/jsc/profile.js: JavaScriptCore's sampling profiler on from
// the start; when the scenario quits, the samples are summed by the function on top of the stack (self),
// by every function on the stack (inclusive, each counted once per sample) and by tier (LLInt: JavaScript
// interpreted; IPInt: wasm interpreted; "Unknown Executable": native code such as JSON.parse), by the
// function on top with its caller and the caller's (who calls memcpy), and printed as one PROFILE line of JSON before the scenario's own exit.
/* global quit, print, startSamplingProfiler, samplingProfilerStackTraces */
'use strict';
(function () {
  var exit = quit;
  startSamplingProfiler();
  function add(map, key) { map[key] = (map[key] || 0) + 1; }
  globalThis.quit = function (code) {
    var traces = samplingProfilerStackTraces().traces;
    var self = {};
    var inclusive = {};
    var tiers = {};
    var callers = {};
    var n = 0;
    for (var i = 0; i < traces.length; i++) {
      var frames = traces[i].frames;
      if (!frames || frames.length === 0) continue;
      n++;
      add(self, (frames[0].name || '?') + ' [' + frames[0].category + ']');
      add(tiers, frames[0].category);
      var chain = frames[0].name || '?';  // the function on top, its caller and the caller's
      for (var c = 1; c < 3 && c < frames.length; c++) chain += '  <-  ' + (frames[c].name || '?');
      add(callers, chain);
      var seen = {};
      for (var j = 0; j < frames.length; j++) {
        var name = frames[j].name || '?';
        if (!seen[name]) add(inclusive, name);
        seen[name] = true;
      }
    }
    print('PROFILE ' + JSON.stringify({ samples: n, tiers: tiers, self: self, inclusive: inclusive, callers: callers }));
    exit(code);
  };
})();
