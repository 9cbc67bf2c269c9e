'use strict';
// js-shim/emitter.js: the SDK's events (socket.io-client's names). An emit walks the list of listeners it
// found: on() and off() replace the list, never change it in place, so a listener that adds or removes
// listeners changes what the next emit calls, not this one.
const test = require('node:test');
const assert = require('node:assert/strict');
const { Emitter } = require('../../js-shim/emitter.js');

test('emitter: listeners run in the order they were added, with every argument', () => {
  const e = new Emitter();
  const seen = [];
  e.on('x', (a, b) => seen.push(['first', a, b]));
  e.on('x', (a, b) => seen.push(['second', a, b]));
  assert.equal(e.emitReserved('x', 1, 'two'), true);
  assert.deepEqual(seen, [['first', 1, 'two'], ['second', 1, 'two']]);
  assert.equal(e.emitReserved('nobody'), false);
});

test('emitter: a listener added by a listener runs from the next emit on', () => {
  const e = new Emitter();
  const seen = [];
  const late = () => seen.push('late');
  e.on('x', () => {
    seen.push('adder');
    if (!e.listeners('x').includes(late)) e.on('x', late);
  });
  e.emitReserved('x');
  assert.deepEqual(seen, ['adder']);
  e.emitReserved('x');
  assert.deepEqual(seen, ['adder', 'adder', 'late']);
});

test('emitter: a listener removed by an earlier one still runs in that emit, not after', () => {
  const e = new Emitter();
  const seen = [];
  const second = () => seen.push('second');
  e.on('x', () => {
    seen.push('first');
    e.off('x', second);
  });
  e.on('x', second);
  e.emitReserved('x');
  assert.deepEqual(seen, ['first', 'second']);
  e.emitReserved('x');
  assert.deepEqual(seen, ['first', 'second', 'first']);
  assert.equal(e.listeners('x').length, 1);
});

test('emitter: once() runs once, off() of a once listener by its function, off() of an unknown one changes nothing', () => {
  const e = new Emitter();
  const seen = [];
  const fn = (v) => seen.push(v);
  e.once('x', fn);
  e.emitReserved('x', 1);
  e.emitReserved('x', 2);
  assert.deepEqual(seen, [1]);
  e.once('y', fn);
  e.off('y', fn);
  assert.equal(e.hasListeners('y'), false);
  e.on('z', fn);
  e.off('z', () => {});
  assert.equal(e.listeners('z').length, 1);
  e.off('z');
  assert.equal(e.hasListeners('z'), false);
});

test('emitter: a listener that throws does not stop the others; listeners() is a copy', () => {
  const e = new Emitter();
  const seen = [];
  const reported = [];
  const saved = Emitter.onListenerError;
  Emitter.onListenerError = (err, event) => reported.push([err.message, event]);
  try {
    e.on('x', () => { throw new Error('page bug'); });
    e.on('x', () => seen.push('after'));
    e.emitReserved('x');
  } finally {
    Emitter.onListenerError = saved;
  }
  assert.deepEqual(seen, ['after']);
  assert.deepEqual(reported, [['page bug', 'x']]);
  const copy = e.listeners('x');
  copy.pop();
  assert.equal(e.listeners('x').length, 2);
});
