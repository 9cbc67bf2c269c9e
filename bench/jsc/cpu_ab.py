#!/usr/bin/env python3
"""CPU per item of the SDK in jsc (or V8's shell) for two builds, robust to a shared machine's load.

Each measurement runs the scenario twice in fresh processes, with a short and a long workload, and takes
the difference of the processes' CPU time (user + sys, from getrusage) per extra item: start-up,
loading and warm-up cancel out, and time spent waiting for the CPU does not count. Rounds alternate the
builds. Wall-clock figures (bench/jsc/run.js) are the benchmark of record; this is for A/B comparisons of
a change on a busy machine.

  python3 bench/jsc/cpu_ab.py DIST_A DIST_B [--rounds 5] [--mode im|send|burst|sio] [--convs K] [--jit] [--v8]
    im    E聊 deliveries received (bench/jsc/im.js), 1,000 vs 9,000
    send  message.send one at a time (bench/jsc/im.js --serial), 300 vs 2,300
    burst message.send all at once, 300 vs 2,300
    sio   socket.io events pushed (bench/jsc/bench.js), 1,000 vs 9,000
  A DIST named `weapp` is the raw E聊 client over weapp.socket.io 3.0.0 (node_modules; bench/jsc/run.js's
  peer): `cpu_ab.py dist weapp` compares the SDK with it, the same way.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('a')
    ap.add_argument('b')
    ap.add_argument('--rounds', type=int, default=5)
    ap.add_argument('--mode', choices=['im', 'send', 'burst', 'sio'], default='im')
    ap.add_argument('--convs', type=int, default=1)
    ap.add_argument('--jit', action='store_true', help='jsc with its JITs (default: JSC_useJIT=0)')
    ap.add_argument('--v8', action='store_true', help="V8 through bench/jsc/v8-shell.js instead of jsc")
    o = ap.parse_args()
    scenario = os.path.join(HERE, 'bench.js' if o.mode == 'sio' else 'im.js')
    harness = os.path.join(HERE, 'harness.js')
    sends = o.mode in ('send', 'burst')
    lo, hi = (300, 2300) if sends else (1000, 9000)

    def cpu(dist, n):
        client = ({'client': 'weapp', 'weapp': os.path.join(ROOT, 'node_modules', 'weapp.socket.io', 'lib', 'weapp.socket.io.js')}
                  if dist == 'weapp' else
                  {'client': 'sdk', 'sdk': os.path.join(dist, 'echatim-sdk.js'), 'wasm': os.path.join(dist, 'echatim-sdk.wasm')})
        p = dict(client, events=n, acks=10, messages=n, sends=n if sends else 0, serial=o.mode == 'send', connectMs=0,
                 convs=o.convs)
        env = dict(os.environ)
        if not o.jit:
            env['JSC_useJIT'] = '0'
        cmd = (['node', os.path.join(HERE, 'v8-shell.js'), json.dumps(p), harness, scenario] if o.v8
               else ['jsc', '-e', 'var P = %s;' % json.dumps(p), harness, scenario])
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if 'RESULT ' not in out.stdout:
            sys.exit('no RESULT from %s:\n%s%s' % (' '.join(cmd[:2]), out.stdout, out.stderr))
        return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

    got = {o.a: [], o.b: []}
    for r in range(o.rounds):
        for dist in ([o.a, o.b] if r % 2 == 0 else [o.b, o.a]):
            got[dist].append((cpu(dist, hi) - cpu(dist, lo)) * 1e6 / (hi - lo))
    engine = 'V8' if o.v8 else 'jsc, JIT on' if o.jit else 'jsc, JIT off'
    print('%s, %s, %d rounds: CPU us per item (median; each round)' % (engine, o.mode, o.rounds))
    for dist in (o.a, o.b):
        print('%-30s %8.2f   %s' % (dist, statistics.median(got[dist]), ' '.join('%.1f' % x for x in got[dist])))


if __name__ == '__main__':
    main()
