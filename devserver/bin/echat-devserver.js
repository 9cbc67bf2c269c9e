#!/usr/bin/env node
'use strict';
// Command line of the E聊-compatible reference server; `--help` lists the flags (lib/config.js).
// Prints exactly one JSON line to stdout when listening; everything else goes to stderr.

const { start } = require('../lib');
const { HELP, UsageError, parseCommandLine } = require('../lib/config');

async function main() {
  let options;
  try {
    options = parseCommandLine(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`echat-devserver: ${err.message}\n(see --help)\n`);
    process.exit(2);
  }
  if (options.help) {
    process.stdout.write(HELP);
    return;
  }
  // SIGTERM / SIGINT close the server (which removes its temporary upload directory) and exit 0. One
  // that comes while start() runs is acted on when start() is done; a second one then exits at once
  // (start() waiting for a database or Redis that does not answer).
  let server = null;
  let signalled = false;
  let stopping = null;
  const stop = () => {
    if (!server) {
      if (signalled) process.exit(1);
      signalled = true;
      return;
    }
    stopping = stopping || server.close().then(() => process.exit(0), (err) => {
      process.stderr.write(`echat-devserver: error while stopping: ${err && err.stack}\n`);
      process.exit(1);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  try {
    server = await start(options);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`echat-devserver: ${err.message}\n(see --help)\n`);
    process.exit(2);
  }
  if (signalled) {
    stop();
    return;
  }
  process.stdout.write(`${JSON.stringify({ event: 'listening', host: server.host, httpPort: server.httpPort, socketPort: server.socketPort })}\n`);
}

main().catch((err) => {
  process.stderr.write(`echat-devserver: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
