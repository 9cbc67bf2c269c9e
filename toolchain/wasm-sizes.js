#!/usr/bin/env node
// Where the wasm's bytes are: code bytes per function (by its demangled name), grouped by class or
// namespace, the data section's size, and each section's brotli-compressed size (what ships).
// Function names need a build that keeps them:
//   source toolchain/env.sh
//   emcmake cmake -S . -B /tmp/szb -DCMAKE_BUILD_TYPE=Release -DECHAT_WASM_DEBUG=OFF \
//     -DCMAKE_EXE_LINKER_FLAGS=--profiling-funcs && cmake --build /tmp/szb --target echatim_core
//   node toolchain/wasm-sizes.js /tmp/szb/echatim_core.wasm [name regex] [rows]
// (--profiling-funcs changes only the name section; dist/echatim-sdk.wasm has none, so on it the tool
// prints section sizes and unnamed functions.)
'use strict';
const fs = require('fs');
const zlib = require('zlib');

const [file, pattern, rowsArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node toolchain/wasm-sizes.js <file.wasm> [name regex] [rows]');
  process.exit(2);
}
const bytes = fs.readFileSync(file);
const rows = Number(rowsArg) || 40;
const br = (b) => zlib.brotliCompressSync(b, {
  params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: b.length },
}).length;

let p = 8;
const leb = () => {
  let r = 0;
  let shift = 0;
  let x;
  do {
    x = bytes[p++];
    r += (x & 0x7f) * 2 ** shift;
    shift += 7;
  } while (x & 0x80);
  return r;
};
const skipName = () => { const n = leb(); p += n; };

const SECTIONS = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start',
  'element', 'code', 'data', 'datacount'];
const sections = [];
let importedFunctions = 0;
const bodies = [];
const names = new Map();
while (p < bytes.length) {
  const id = bytes[p++];
  const len = leb();
  const start = p;
  const end = p + len;
  let label = SECTIONS[id] || `section ${id}`;
  if (id === 2) {  // imports: count the functions, whose indices come first
    for (let n = leb(); n > 0; n--) {
      skipName();
      skipName();
      const kind = bytes[p++];
      if (kind === 0) { leb(); importedFunctions++; } else if (kind === 1) { p++; if (leb() & 1) leb(); leb(); } else if (kind === 2) { if (leb() & 1) leb(); leb(); } else if (kind === 3) { p += 2; }
    }
  } else if (id === 10) {
    for (let n = leb(); n > 0; n--) {
      const size = leb();
      bodies.push(size);
      p += size;
    }
  } else if (id === 0) {
    const n = leb();
    label = `custom "${bytes.slice(p, p + n).toString()}"`;
    if (label === 'custom "name"') {
      p += n;
      while (p < end) {
        const sub = bytes[p++];
        const subLen = leb();
        const subEnd = p + subLen;
        if (sub === 1) {
          for (let k = leb(); k > 0; k--) {
            const index = leb();
            const l = leb();
            names.set(index, bytes.slice(p, p + l).toString());
            p += l;
          }
        }
        p = subEnd;
      }
    }
  }
  sections.push({ label, size: len, br: br(bytes.subarray(start, end)) });
  p = end;
}

const short = (name) => name.replace(/std::__2::/g, '')
  .replace(/basic_string_view<char, char_traits<char> >/g, 'string_view')
  .replace(/basic_string<char, char_traits<char>, allocator<char> >/g, 'string')
  .replace(/echat::/g, '');
// A function's group: its class or namespace (echat::socketio::Manager, std::vector, ...), else its name.
const group = (name) => {
  const m = name.match(/(echat::[a-z]+::[A-Za-z_]+|std::__2::[a-z_]+)/);
  return m ? short(m[1]) : short(name).replace(/\(.*$/, '');
};

const functions = bodies.map((size, i) => ({ size, name: names.get(i + importedFunctions) || `f${i + importedFunctions}` }));
const code = functions.reduce((a, f) => a + f.size, 0);
console.log(`${file}: ${bytes.length} bytes, brotli ${br(bytes)}; ${functions.length} functions, ${code} bytes of code`);
console.log('\nsection                  bytes   brotli');
for (const s of sections) console.log(`${s.label.padEnd(22)} ${String(s.size).padStart(7)} ${String(s.br).padStart(8)}`);

if (pattern) {
  const re = new RegExp(pattern);
  const hits = functions.filter((f) => re.test(f.name)).sort((a, b) => b.size - a.size);
  console.log(`\nfunctions matching /${pattern}/: ${hits.length}, ${hits.reduce((a, f) => a + f.size, 0)} bytes`);
  for (const f of hits.slice(0, rows)) console.log(`${String(f.size).padStart(7)}  ${short(f.name).slice(0, 160)}`);
} else {
  const groups = new Map();
  for (const f of functions) groups.set(group(f.name), (groups.get(group(f.name)) || 0) + f.size);
  console.log('\ngroup (class or namespace)                      code bytes');
  for (const [g, size] of [...groups].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
    console.log(`${g.slice(0, 48).padEnd(48)} ${String(size).padStart(7)}`);
  }
  console.log('\nlargest functions');
  for (const f of [...functions].sort((a, b) => b.size - a.size).slice(0, rows)) {
    console.log(`${String(f.size).padStart(7)}  ${short(f.name).slice(0, 160)}`);
  }
}
