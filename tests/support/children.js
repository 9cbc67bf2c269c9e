'use strict';
// Servers a test file starts as child processes end with that file's process, however it ends: its
// tests done, an uncaught error, or stopped midway. node --test stops its files (a timeout, Ctrl-C, a
// runner killed) with SIGTERM, whose default action skips 'exit' hooks and leaves the children running
// (they once outlived the run, holding ports and temp directories); in a test file's process
// (NODE_TEST_CONTEXT set) SIGTERM exits through process.exit here, so the hooks run.
//
//   ownChild(child[, kill])  kill(child) at exit while it runs (default: SIGKILL)
//   atExit(fn) -> cancel()   fn() at exit unless cancelled (synchronous work only: an 'exit' hook)

const hooks = new Set();
process.on('exit', () => {
  for (const fn of hooks) {
    try { fn(); } catch (_) { /* already gone */ }
  }
});
if (process.env.NODE_TEST_CONTEXT) process.once('SIGTERM', () => process.exit(143));

function atExit(fn) {
  hooks.add(fn);
  return () => hooks.delete(fn);
}

function ownChild(child, kill = (c) => c.kill('SIGKILL')) {
  const cancel = atExit(() => {
    if (child.exitCode === null && child.signalCode === null) kill(child);
  });
  child.once('exit', cancel);
  return child;
}

module.exports = { ownChild, atExit };
