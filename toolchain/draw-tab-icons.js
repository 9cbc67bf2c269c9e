#!/usr/bin/env node
// Draws the demo's tab-bar icons: miniprogram-demo/images/tab-{chats,contacts}[-active].png, 81×81 px
// (WeChat's recommended size), transparent, grey (#7a7e83, app.json tabBar.color) and green (#07c160,
// selectedColor). Each icon is an SVG below, rendered by headless Chromium (Debian's chromium) with a
// transparent background. The PNGs are committed; run this again only to change them.
// Usage: node toolchain/draw-tab-icons.js
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

const OUT = path.join(__dirname, '..', 'miniprogram-demo', 'images');
const SIZE = 81;
const GREY = '#7a7e83';
const GREEN = '#07c160';

// 24×24 viewBox drawings: outlined when idle, filled when selected (as WeChat's own tab bar does).
const ICONS = {
  chats: (c, on) => `
    <path d="M12 3.2c-5 0-9 3.4-9 7.7 0 2.4 1.3 4.6 3.3 6l-.8 3.3 3.7-2c.9.3 1.8.4 2.8.4 5 0 9-3.4 9-7.7S17 3.2 12 3.2z"
      fill="${on ? c : 'none'}" stroke="${c}" stroke-width="1.7" stroke-linejoin="round"/>
    <circle cx="8.2" cy="11" r="1.25" fill="${on ? '#fff' : c}"/>
    <circle cx="12" cy="11" r="1.25" fill="${on ? '#fff' : c}"/>
    <circle cx="15.8" cy="11" r="1.25" fill="${on ? '#fff' : c}"/>`,
  contacts: (c, on) => `
    <circle cx="12" cy="8" r="4.2" fill="${on ? c : 'none'}" stroke="${c}" stroke-width="1.7"/>
    <path d="M3.8 20.6c.6-4 4-6.6 8.2-6.6s7.6 2.6 8.2 6.6z" fill="${on ? c : 'none'}" stroke="${c}" stroke-width="1.7" stroke-linejoin="round"/>`,
};

function main() {
  fs.mkdirSync(OUT, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'echat-icons-'));
  try {
    for (const [name, draw] of Object.entries(ICONS)) {
      for (const on of [false, true]) {
        const file = path.join(tmp, `${name}-${on}.html`);
        fs.writeFileSync(file, `<!doctype html><html><head><style>html,body{margin:0;background:transparent}svg{display:block}</style></head>
<body><svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 24 24">${draw(on ? GREEN : GREY, on)}</svg></body></html>`);
        const png = path.join(OUT, `tab-${name}${on ? '-active' : ''}.png`);
        const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'echat-chromium-'));
        try {
          execFileSync('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
            '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--hide-scrollbars',
            '--force-device-scale-factor=1', '--default-background-color=00000000', `--window-size=${SIZE},${SIZE}`,
            `--screenshot=${png}`, `file://${file}`], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60000 });
        } finally {
          fs.rmSync(profile, { recursive: true, force: true });
        }
        console.log(`draw-tab-icons: ${path.relative(path.join(__dirname, '..'), png)} (${fs.statSync(png).size} bytes)`);
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main();
