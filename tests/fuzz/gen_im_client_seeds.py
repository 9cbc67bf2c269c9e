# Seed scripts for fuzz_im_client (format: tests/fuzz/fuzz_im_client.cpp header).
import os, sys
out = sys.argv[1]
def op(code, dt=0, *args): return bytes([code, dt, *args])
ACCEPT = lambda: op(0)
CONNECT = lambda: op(1, 0, 1)
ANS_SOCK = lambda sel=0, d=1: op(2, 0, sel, d)   # code kCodes[sel>>4], d = data byte
ANS_HTTP = lambda sel=0, d=1: op(7, 0, sel, d)
PUSH = lambda s: op(4, 0, s)
SEND = lambda s=0: op(10, 0, s)
REQ = lambda s: op(11, 0, s)
READ = lambda s=5: op(12, 0, s)
CLOSE = lambda: op(13)
TIMER_NEXT = lambda: op(20)
PING = lambda: op(17)
CUT = lambda: op(15, 0, 0)
RESTART = lambda clean=1: op(21, 0, clean)
NOTIFY = lambda s: op(6, 0, s)
seeds = {
 # socket transport: login, conversation/list + sync answered, pushes in order / repeated / ahead
 'socket_session': bytes([1, 0]) + ACCEPT() + CONNECT() + ANS_SOCK(0, 1) + ANS_SOCK(0, 0) + ANS_SOCK(0, 0)
    + PUSH(2) + PUSH(2) + PUSH(4) + PUSH(3) + SEND(0) + ANS_SOCK(0, 5) + READ() + PING() + NOTIFY(1) + CLOSE(),
 # HTTP transport: socket login, API calls over HTTP, sync pages with a hole
 'http_session': bytes([0, 3]) + ACCEPT() + CONNECT() + ANS_SOCK(0, 1) + ANS_HTTP(0, 0) + ANS_HTTP(0, 3 | 32)
    + ANS_HTTP(0, 7) + SEND(1) + ANS_HTTP(0, 9) + REQ(0) + ANS_HTTP(0x50, 0) + TIMER_NEXT() + CLOSE(),
 # a send while offline, the link cut and restored, an app restart from storage
 'outbox_restart': bytes([5, 0]) + SEND(0) + SEND(2) + ACCEPT() + CONNECT() + ANS_SOCK(0, 1) + CUT()
    + TIMER_NEXT() + ACCEPT() + CONNECT() + ANS_SOCK(0, 1) + PUSH(2) + RESTART(0) + ACCEPT() + CONNECT()
    + ANS_SOCK(0, 1) + ANS_SOCK(0, 2) + ANS_SOCK(0, 3) + ANS_SOCK(0, 4),
 # refused login, 419 / 429 answers, timeouts
 'errors': bytes([1 | 4, 0]) + ACCEPT() + CONNECT() + ANS_SOCK(0x30, 0) + TIMER_NEXT() + ACCEPT() + CONNECT()
    + ANS_SOCK(0x40, 0) + ANS_SOCK(0, 1) + REQ(0) + ANS_SOCK(0x50, 0) + TIMER_NEXT() + TIMER_NEXT() + op(9, 0, 0),
 # kicked
 'kicked': bytes([1, 0]) + ACCEPT() + CONNECT() + ANS_SOCK(0, 1) + SEND(0) + NOTIFY(2) + SEND(0),
 # single-record outbox (legacy list) restored after an unclean restart
 'legacy_outbox_restart': bytes([1 | 2, 0]) + SEND(0) + SEND(2) + RESTART(0) + ACCEPT() + CONNECT() + ANS_SOCK(0, 1)
    + ANS_SOCK(0, 0) + ANS_SOCK(0, 0) + ANS_SOCK(0, 5) + ANS_SOCK(0, 6),
 # an expired JWT (419) renewed by a new login, the call repeated
 'token_expired': bytes([1, 0]) + ACCEPT() + CONNECT() + ANS_SOCK(0, 1) + ANS_SOCK(0, 0) + ANS_SOCK(0, 0) + REQ(0)
    + ANS_SOCK(0x40, 0) + ANS_SOCK(0, 0) + ANS_SOCK(0, 0),
 # the link drops with a call out: repeated after the next login if idempotent
 'lost_call': bytes([1, 0]) + ACCEPT() + CONNECT() + ANS_SOCK(0, 1) + REQ(0) + REQ(1) + CUT() + TIMER_NEXT() + ACCEPT()
    + CONNECT() + ANS_SOCK(0, 1) + ANS_SOCK(0, 0) + ANS_SOCK(0, 0),
 # raw frames
 'raw_frames': bytes([1, 0]) + ACCEPT() + CONNECT() + op(16, 0, 2, 8) + b'["topic.m' + op(16, 0, 0, 3) + b'451' + op(16, 0, 1, 2) + b'\x04\x01',
}
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    open(os.path.join(out, name), 'wb').write(data)
