'use strict';
// The browser route (issue 12), in a real headless Chromium (Debian's `chromium`, driven by npm
// puppeteer-core): the devserver serves the web chat page at /demo/, which loads the browser build
// with <script src="echatim-sdk.js"> (the global `echatim`, its wasm fetched from beside the script).
// Two pages, in two browser contexts (two people), log in as alice and bob and chat both ways; a
// message sent while the server is down waits in the outbox (localStorage), survives the page being
// left and opened again, and is delivered once the server is back; the consoles show no error.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const H = require('../js/fixtures/im-harness');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const DIST = path.join(__dirname, '..', '..', 'dist', 'browser', 'echatim-sdk.js');
const WAIT = 20000;

const missing = !fs.existsSync(DIST) ? 'dist/browser/ is missing: run bash toolchain/build.sh'
  : !fs.existsSync(CHROMIUM) ? `${CHROMIUM} is missing: run bash toolchain/setup.sh (Debian package chromium)` : null;

// What Chromium itself reports while the server is down (not the page's or the SDK's doing).
const CONNECTION_REFUSED = /ERR_CONNECTION_REFUSED|WebSocket connection to '[^']+' failed/;

async function openChat(browser, url, who) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const log = { errors: [], refused: [], all: [] };
  page.on('console', (m) => {
    const text = `${m.type()}: ${m.text()}`;
    log.all.push(text);
    if (m.type() !== 'error') return;
    (CONNECTION_REFUSED.test(m.text()) || CONNECTION_REFUSED.test(String(m.location() && m.location().url)) ? log.refused : log.errors).push(text);
  });
  page.on('pageerror', (e) => log.errors.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => log.refused.push(`requestfailed: ${r.url()} ${r.failure() && r.failure().errorText}`));
  await page.goto(url);
  await page.type('#auid', who.auid);
  await page.type('#token', who.token);
  await page.click('#login button');
  await waitConnected(page);
  return { page, context, log };
}

const waitConnected = (page) => page.waitForFunction(() => document.getElementById('state').textContent === 'connected', { timeout: WAIT });
const messages = (page) => page.$$eval('#messages li', (lis) => lis.map((li) => li.textContent));
const waitMessage = (page, text) => page.waitForFunction((t) => Array.from(document.querySelectorAll('#messages li')).some((li) => li.textContent === t), { timeout: WAIT }, text);

async function send(page, to, text) {
  await page.$eval('#peer', (el, v) => { el.value = v; }, to);
  await page.type('#text', text);
  await page.click('#compose button');
}

test('browser: two pages chat both ways; the outbox survives leaving the page; no console error', { skip: missing || false, timeout: 120000 }, async (t) => {
  const puppeteer = require('puppeteer-core');
  const srv = await H.startDevserver(t, { db: H.tmpDb(t), users: ['alice:pa', 'bob:pb'] });
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // --no-sandbox: the suite runs as root in CI containers, where Chromium's sandbox cannot start
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  t.after(() => browser.close());
  const url = `http://127.0.0.1:${srv.httpPort}/demo/`;

  const a = await openChat(browser, url, { auid: 'alice', token: 'pa' });
  const b = await openChat(browser, url, { auid: 'bob', token: 'pb' });
  // the global API of the browser build
  assert.deepEqual(await a.page.evaluate(() => ['im', 'apis', 'io'].map((k) => typeof window.echatim[k])), ['object', 'object', 'function']);

  await send(a.page, 'bob', 'hello bob');
  await waitMessage(b.page, 'alice: hello bob');
  await send(b.page, 'alice', 'hi alice');
  await waitMessage(a.page, 'bob: hi alice');
  assert.deepEqual(await messages(a.page), ['hello bob', 'bob: hi alice']);
  assert.deepEqual(await messages(b.page), ['alice: hello bob', 'hi alice']);
  assert.deepEqual([...a.log.errors, ...a.log.refused, ...b.log.errors, ...b.log.refused], [], 'no console error while the server is up');

  // The server goes down; alice sends; the message waits in the outbox, in localStorage.
  await srv.stop('SIGTERM');
  await a.page.waitForFunction(() => document.getElementById('state').textContent !== 'connected', { timeout: WAIT });
  await send(a.page, 'bob', 'sent while the server was down');
  await a.page.waitForFunction(() => Object.keys(localStorage).some((k) => k.startsWith('echatim:TSDKTEST00001:alice:outbox') &&
    localStorage.getItem(k).includes('sent while the server was down')), { timeout: WAIT });
  // alice leaves the page (the SDK is gone with it), the server comes back, alice opens the page again
  await a.page.goto('about:blank');
  await srv.start();
  await a.page.goto(url);
  await waitConnected(a.page);  // signed in again from sessionStorage
  await waitMessage(b.page, 'alice: sent while the server was down');
  await a.page.waitForFunction(() => !Object.keys(localStorage).some((k) => k.startsWith('echatim:TSDKTEST00001:alice:outbox:') && localStorage.getItem(k)),
    { timeout: WAIT });
  assert.deepEqual((await messages(b.page)).filter((m) => m === 'alice: sent while the server was down').length, 1, 'delivered once');

  // The pages and the SDK reported no error; only Chromium's own connection-refused lines while the
  // server was down.
  assert.deepEqual([...a.log.errors, ...b.log.errors], [], 'no page or SDK error in either console');
  for (const line of [...a.log.refused, ...b.log.refused]) assert.match(line, /ERR_CONNECTION_REFUSED|WebSocket connection to|net::ERR_ABORTED/);
  await a.context.close();
  await b.context.close();
});
