'use strict';
// The IM driver's ordered hand-out (js-shim/core-driver.js CoreDriver.deliver, `ordered`): outputs reach
// the sink in the order the core made them; what a listener's call into the core adds while others are
// handed out comes after them; a sink that throws leaves what follows for the next delivery. Driven
// directly on a driver's state (the method reads only `ordered`, `queue`, `draining` and `sink`).
const test = require('node:test');
const assert = require('node:assert/strict');
const { CoreDriver } = require('../../js-shim/core-driver.js');

function driver(sink) {
  const d = { ordered: true, queue: [], draining: false, sink: null };
  d.sink = (o) => sink(o, d);
  d.deliver = (outs) => CoreDriver.prototype.deliver.call(d, outs);
  return d;
}

test('deliver: outputs a listener causes come after the rest of the batch, in order, however deep', () => {
  const seen = [];
  const d = driver((o, self) => {
    seen.push(o);
    if (o === 'a') self.deliver(['a1', 'a2']);  // a listener's call: its outputs wait for b and c
    if (o === 'a1') self.deliver(['a1x']);
  });
  d.deliver(['a', 'b', 'c']);
  assert.deepEqual(seen, ['a', 'b', 'c', 'a1', 'a2', 'a1x']);
  assert.equal(d.draining, false);
  assert.equal(d.queue.length, 0);
  d.deliver(['d']);
  assert.deepEqual(seen.slice(6), ['d']);
});

test('deliver: a sink that throws leaves what follows for the next delivery, before its outputs', () => {
  const seen = [];
  let fail = true;
  const d = driver((o, self) => {
    if (o === 'b' && fail) {
      fail = false;
      self.deliver(['b1']);  // queued behind c before the throw
      throw new Error('sink');
    }
    seen.push(o);
  });
  assert.throws(() => d.deliver(['a', 'b', 'c']), /sink/);
  assert.deepEqual(seen, ['a']);
  assert.equal(d.draining, false);
  assert.deepEqual(d.queue, ['c', 'b1']);
  d.deliver(['d']);
  assert.deepEqual(seen, ['a', 'c', 'b1', 'd']);
  assert.equal(d.queue.length, 0);
});

test('deliver: a long drain stays linear (taken by index, 20,000 outputs queued by a listener)', () => {
  let n = 0;
  const d = driver((o, self) => {
    n++;
    if (o === 'first') self.deliver(Array.from({ length: 20000 }, (_, i) => i));
  });
  d.deliver(['first']);
  assert.equal(n, 20001);
  assert.equal(d.queue.length, 0);
});
