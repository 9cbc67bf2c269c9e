#!/usr/bin/env python3
"""Machine instructions per item of a client in jsc without a JIT, counted by valgrind (callgrind).

JavaScriptCore's interpreters (LLInt for JavaScript, IPInt for wasm: WeChat on iOS) do the same work
for the same input, so the instructions the jsc process executes are a measure of a client's cost that
does not move with the machine's load, unlike time (bench/jsc/run.js, cpu_ab.py). Each measurement runs
the scenario twice under callgrind, a short and a long workload, and takes the difference per extra
item: start-up, loading and warm-up cancel out. One run per client is enough (the count varies by
well under 1 % between runs); --rounds repeats it.

  python3 bench/jsc/instr.py [--mode im|send|serial|sio] [--rounds 1] [--no-gc] [--branches] DIST [DIST...] [--weapp]
    im      E聊 deliveries received (bench/jsc/im.js), 200 vs 1,200
    send    message.send, all at once (bench/jsc/im.js), 100 vs 600
    serial  message.send one at a time, each after the last is confirmed, 100 vs 600
    sio     socket.io events pushed (bench/jsc/bench.js), 500 vs 3,000
  DIST: a dist/ folder of echatim-sdk (echatim-sdk.js and the uncompressed .wasm); --weapp adds the raw
  E聊 client over weapp.socket.io 3.0.0 (node_modules), the peer of bench/jsc/run.js.

--no-gc runs jsc with JSC_useGC=0: the counts then repeat to within ~50 instructions, where a full GC
that jsc starts on a clock adds ~4k per delivery to some runs and not others; but the collector's own
work is then left out (a change that allocates more looks free): check such a change with GC on.

--branches runs cachegrind's branch simulation instead and adds, per item, the indirect branches (an
interpreter dispatches every wasm instruction and JavaScript bytecode through one: the number of
interpreted steps, give or take the native code's own) and the mispredicted branches, conditional and
indirect. Those explain time where instructions do not (measured 2026-12-07, a burst of sends: the SDK
0.94x the raw client's instructions but 1.41x its indirect branches and 1.74x its mispredicted branches, and
1.7x its time): interpreted wasm executes few x86 instructions per step, and a mispredicted dispatch
costs more than the instructions. Cachegrind's predictor is a simple model, not this CPU's.

Needs valgrind (Debian package `valgrind`). The counts are x86-64 instructions of this machine's jsc
build: compare within one table, not across machines. Instructions are not time: the interpreted wasm
costs more time per instruction than the interpreted JavaScript around it (measured 2026-12-06: an SDK
delivery 1.74x the raw client's instructions, 2.7x its time). Use this for A/B of builds of the SDK on a
busy machine; for ratios against the peer, time (bench/jsc/run.js) is the benchmark of record.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SIZES = {'im': (200, 1200), 'send': (100, 600), 'serial': (100, 600), 'sio': (500, 3000)}


def instructions(params, scenario, gc=True, branches=False):
    """Instructions executed (an int); with branches, a dict of cachegrind's events (Ir, Bc, Bcm, Bi, Bim)."""
    out_file = '/tmp/echat-instr-%d.cg' % os.getpid()
    tool = (['--tool=cachegrind', '--cache-sim=no', '--branch-sim=yes', '--cachegrind-out-file=' + out_file]
            if branches else ['--tool=callgrind', '--callgrind-out-file=/dev/null'])
    cmd = ['valgrind'] + tool + [
           'jsc', '-e', 'var P = %s;' % json.dumps(params), os.path.join(HERE, 'harness.js'), scenario]
    env = dict(os.environ, JSC_useJIT='0')
    if not gc:
        env['JSC_useGC'] = '0'
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1800)
    if 'RESULT ' not in out.stdout:
        sys.exit('no RESULT from jsc under valgrind:\n%s%s' % (out.stdout, out.stderr[-3000:]))
    if branches:
        events = totals = None
        with open(out_file) as f:
            for line in f:
                if line.startswith('events:'):
                    events = line.split()[1:]
                elif line.startswith('summary:'):
                    totals = [int(v) for v in line.split()[1:]]
        os.unlink(out_file)
        if not events or not totals:
            sys.exit('no summary in cachegrind output %s' % out_file)
        return dict(zip(events, totals))
    m = re.search(r'refs:\s+([\d,]+)', out.stderr)
    if not m:
        sys.exit('no instruction count in valgrind output:\n%s' % out.stderr[-3000:])
    return int(m.group(1).replace(',', ''))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('dists', nargs='*')
    ap.add_argument('--mode', choices=sorted(SIZES), default='im')
    ap.add_argument('--rounds', type=int, default=1)
    ap.add_argument('--weapp', action='store_true')
    ap.add_argument('--no-gc', action='store_true')
    ap.add_argument('--branches', action='store_true')
    o = ap.parse_args()
    clients = [(d, {'client': 'sdk', 'sdk': os.path.join(d, 'echatim-sdk.js'),
                    'wasm': os.path.join(d, 'echatim-sdk.wasm')}) for d in o.dists]
    if o.weapp:
        clients.append(('weapp.socket.io 3.0.0 (raw client)', {
            'client': 'weapp', 'weapp': os.path.join(ROOT, 'node_modules', 'weapp.socket.io', 'lib', 'weapp.socket.io.js')}))
    if not clients:
        sys.exit('nothing to measure: give a dist folder or --weapp')
    scenario = os.path.join(HERE, 'bench.js' if o.mode == 'sio' else 'im.js')
    lo, hi = SIZES[o.mode]

    def per_item(base):
        def run(n):
            p = dict(base, events=n, acks=10, messages=n, connectMs=0, convs=1,
                     sends=n if o.mode in ('send', 'serial') else 0, serial=o.mode == 'serial')
            return instructions(p, scenario, gc=not o.no_gc, branches=o.branches)
        a, b = run(lo), run(hi)
        if o.branches:
            return {k: (b[k] - a[k]) / (hi - lo) for k in ('Ir', 'Bi', 'Bim', 'Bcm')}
        return (b - a) / (hi - lo)

    got = {name: [] for name, _ in clients}
    for _ in range(o.rounds):
        for name, base in clients:
            got[name].append(per_item(base))
    print('jsc, JIT off%s, %s: per item under %s (%d vs %d items; median of %d)'
          % (', GC off' if o.no_gc else '', o.mode, 'cachegrind --branch-sim=yes' if o.branches else
             'callgrind, x86 instructions', lo, hi, o.rounds))
    if o.branches:
        cols = (('Ir', 'instructions'), ('Bi', 'indirect branches'), ('Bim', 'indirect mispredicted'),
                ('Bcm', 'conditional mispredicted'))
        print('%-40s %s' % ('', ''.join('%26s' % c for _, c in cols)))
        ref = got[clients[-1][0]] if o.weapp else None
        for name, _ in clients:
            cells = []
            for k, _ in cols:
                med = statistics.median(r[k] for r in got[name])
                ratio = ' (%.2fx)' % (med / statistics.median(r[k] for r in ref)) if ref else ''
                cells.append('%26s' % ('%.0f%s' % (med, ratio)))
            print('%-40s %s' % (name, ''.join(cells)))
        if ref:
            print('(x: against the raw client, the last row)')
        return
    ref = statistics.median(got[clients[-1][0]]) if o.weapp else None
    for name, _ in clients:
        med = statistics.median(got[name])
        ratio = '   %.2fx the raw client\'s instructions' % (med / ref) if ref else ''
        print('%-40s %10.0f%s' % (name, med, ratio))


if __name__ == '__main__':
    main()
