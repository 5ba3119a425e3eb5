#!/usr/bin/env python3
"""GET /v1/conflicts/stream (API.md, Push) against the real daemon: new
conflicts as they are committed, replay from since= and Last-Event-ID,
filters, review events, keep-alive comments, the open-stream limit, a
client that stops reading being dropped, and hostile parameters.
Usage: test_stream.py BUILD/daemon/claimd
"""
import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'pylib'))
from claimdtest import (Daemon, assert_error, case, conflict_article, run,  # noqa: E402
                        slow_factor)

S = {}


class Stream:
        """A minimal SSE client on a raw socket: the chunked body decoded,
        events parsed as the WHATWG format says."""

        def __init__(self, d, path, headers=None, rcvbuf=None):
                self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                if rcvbuf:
                        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
                self.sock.settimeout(10 * slow_factor())
                self.sock.connect((d.host, d.port))
                h = ''.join('%s: %s\r\n' % kv for kv in (headers or {}).items())
                self.sock.sendall(('GET %s HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n%s\r\n'
                                   % (path, h)).encode())
                self.raw = b''
                self.body = b''
                self.status = None
                self.headers = {}
                self.closed = False
                self.events = []
                self.comments = []
                self._pending = b''

        def _read(self, timeout):
                self.sock.settimeout(timeout)
                try:
                        data = self.sock.recv(65536)
                except socket.timeout:
                        return False
                except ConnectionResetError:
                        data = b''
                if not data:
                        self.closed = True
                        return False
                self.raw += data
                self._parse()
                return True

        def _parse(self):
                if self.status is None:
                        head, sep, rest = self.raw.partition(b'\r\n\r\n')
                        if not sep:
                                return
                        lines = head.decode('latin-1').split('\r\n')
                        self.status = int(lines[0].split()[1])
                        for l in lines[1:]:
                                k, _, v = l.partition(':')
                                self.headers[k.strip().lower()] = v.strip()
                        self.raw = rest
                        if 'chunked' not in self.headers.get('transfer-encoding', ''):
                                self.body += self.raw
                                self.raw = b''
                if 'chunked' in self.headers.get('transfer-encoding', ''):
                        while True:
                                line, sep, rest = self.raw.partition(b'\r\n')
                                if not sep:
                                        break
                                n = int(line.split(b';')[0], 16)
                                if len(rest) < n + 2:
                                        break
                                self.body += rest[:n]
                                self.raw = rest[n + 2:]
                                if n == 0:
                                        self.closed = True
                                        break
                elif self.raw:
                        self.body += self.raw
                        self.raw = b''
                self._events()

        def _events(self):
                buf = self._pending + self.body
                self.body = b''
                while b'\n\n' in buf:
                        block, buf = buf.split(b'\n\n', 1)
                        ev = {'event': 'message', 'data': [], 'id': None}
                        for line in block.decode('utf-8').split('\n'):
                                if line.startswith(':'):
                                        self.comments.append(line[1:].strip())
                                        continue
                                k, _, v = line.partition(':')
                                v = v[1:] if v.startswith(' ') else v
                                if k == 'data':
                                        ev['data'].append(v)
                                elif k in ('event', 'id', 'retry'):
                                        ev[k] = v
                        if ev['data']:
                                ev['json'] = json.loads('\n'.join(ev['data']))
                                self.events.append(ev)
                self._pending = buf

        def wait(self, pred, timeout=10):
                deadline = time.monotonic() + timeout * slow_factor()
                while not pred(self):
                        left = deadline - time.monotonic()
                        if left <= 0 or self.closed:
                                return pred(self)
                        self._read(min(left, 1))
                return True

        def conflicts(self):
                return [e['json']['id'] for e in self.events if e['event'] == 'conflict']

        def close(self):
                self.sock.close()


def setup():
        import tempfile
        tmp = tempfile.mkdtemp(prefix='claimd-stream-')
        cfg = os.path.join(tmp, 'claimd.conf')
        with open(cfg, 'w') as f:
                f.write('[server]\nmax_streams = 8\nstream_max_unsent_bytes = 64K\n')
        return Daemon(tmpdir=tmp, config=cfg, own_tmpdir=True)


def teardown(d):
        if d:
                d.close()


def post_conflict(d, n, source='south.test'):
        r = d.post('/v1/articles', conflict_article(n, source))
        assert r.status == 201 and len(r.json['conflicts']) == 1, r
        return r.json['conflicts'][0]


@case
def stream_delivers_a_new_conflict(d):
        S['old'] = [post_conflict(d, 1), post_conflict(d, 2)]
        st = Stream(d, '/v1/conflicts/stream')
        assert st.wait(lambda s: s.status is not None and s.comments), st.raw
        assert st.status == 200 and st.headers['content-type'].startswith('text/event-stream'), st.headers
        assert st.headers.get('cache-control') == 'no-store', st.headers
        cid = post_conflict(d, 3)
        assert st.wait(lambda s: cid in s.conflicts()), (st.events, st.comments)
        ev = [e for e in st.events if e['event'] == 'conflict'][0]
        assert ev['id'] == str(cid) and ev['json']['id'] == cid and ev['json']['status'] == 'open', ev
        assert len(ev['json']['claims']) == 2 and ev['json']['claims'][0]['source'] == 'south.test', ev
        assert st.conflicts() == [cid], st.conflicts()  # no replay without since/Last-Event-ID
        S['c3'] = cid
        st.close()


@case
def replay_after_last_event_id(d):
        # a client that saw the first conflict reconnects: it gets the rest, in order, then live ones
        first = S['old'][0]
        st = Stream(d, '/v1/conflicts/stream', headers={'Last-Event-ID': str(first)})
        want = [S['old'][1], S['c3']]
        assert st.wait(lambda s: s.conflicts() == want), st.conflicts()
        cid = post_conflict(d, 4)
        assert st.wait(lambda s: s.conflicts() == want + [cid]), st.conflicts()
        st.close()
        # since= alike, and Last-Event-ID wins over the since= of the URL
        st = Stream(d, '/v1/conflicts/stream?since=0')
        assert st.wait(lambda s: s.conflicts() == S['old'] + [S['c3'], cid]), st.conflicts()
        st.close()
        st = Stream(d, '/v1/conflicts/stream?since=0', headers={'Last-Event-ID': str(S['c3'])})
        assert st.wait(lambda s: s.conflicts() == [cid]), st.conflicts()
        st.close()
        S['c4'] = cid


@case
def replay_of_a_long_backlog_then_live(d):
        ids = [post_conflict(d, 100 + i) for i in range(120)]
        st = Stream(d, '/v1/conflicts/stream?since=%d' % S['c4'])
        assert st.wait(lambda s: s.conflicts() == ids, timeout=30), (len(st.conflicts()), st.conflicts()[:5])
        cid = post_conflict(d, 400)
        assert st.wait(lambda s: s.conflicts() == ids + [cid]), st.conflicts()[-3:]
        assert len(set(st.conflicts())) == len(st.conflicts()), 'an event was sent twice'
        st.close()


@case
def filters_apply_to_the_stream(d):
        a = Stream(d, '/v1/conflicts/stream?source=north.test')
        b = Stream(d, '/v1/conflicts/stream?kind=numeric')
        c = Stream(d, '/v1/conflicts/stream?min_score=0.99&status=open')
        for s in (a, b, c):
                assert s.wait(lambda s: s.comments), s.raw
        other = post_conflict(d, 500, source='north.test')
        assert a.wait(lambda s: other in s.conflicts()), a.conflicts()
        mine = post_conflict(d, 501)
        time.sleep(0.5)
        for s in (a, b, c):
                s.wait(lambda s: False, timeout=0.5)
        assert a.conflicts() == [other], a.conflicts()
        assert mine not in b.conflicts() and mine not in c.conflicts(), (b.conflicts(), c.conflicts())
        for s in (a, b, c):
                s.close()


@case
def reviews_are_their_own_events(d):
        st = Stream(d, '/v1/conflicts/stream?status=open')
        assert st.wait(lambda s: s.comments), st.raw
        r = d.http('PATCH', '/v1/conflicts/%d' % S['c3'], json_body={'status': 'dismissed', 'note': 'dup'})
        assert r.status == 200, r
        assert st.wait(lambda s: any(e['event'] == 'review' for e in s.events)), st.events
        ev = [e for e in st.events if e['event'] == 'review'][0]
        assert ev['json']['id'] == S['c3'] and ev['json']['status'] == 'dismissed', ev
        assert ev['json']['review']['note'] == 'dup', ev
        assert ev['id'] is None, 'a review event must not move the client\'s Last-Event-ID'
        st.close()


@case
def keep_alive_comments(d):
        st = Stream(d, '/v1/conflicts/stream')
        assert st.wait(lambda s: s.comments), st.raw
        n = len(st.comments)
        assert st.wait(lambda s: 'keep-alive' in s.comments[n:], timeout=16), st.comments
        st.close()


@case
def hostile_stream_requests(d):
        for h in ('abc', '-1', '1.5', '99999999999999999999', '1 2', '0x10', ''):
                r = d.get('/v1/conflicts/stream', headers={'Last-Event-ID': h})
                assert_error(r, 400, 'invalid_field', 'Last-Event-ID')
        for q in ('since=-1', 'since=abc', 'kind=rumor', 'min_score=2', 'status=closed', 'event=0',
                  'wait=10', 'since=1&since=2', 'source=' + 'x' * 300):
                r = d.get('/v1/conflicts/stream?' + q)
                assert_error(r, 400, 'invalid_field')
        r = d.http('POST', '/v1/conflicts/stream', body='{}', headers={'Content-Type': 'application/json'})
        assert_error(r, 405, 'method_not_allowed')
        r = d.http('HEAD', '/v1/conflicts/stream')
        assert r.status == 200 and r.body == b'', r
        # a client that sends garbage after its request is not read without bound
        st = Stream(d, '/v1/conflicts/stream')
        assert st.wait(lambda s: s.comments), st.raw
        try:
                for _ in range(16):
                        st.sock.sendall(b'x' * 65536)
        except OSError:
                pass
        st.close()
        d.assert_serving('hostile streams')


@case
def streams_beyond_the_limit_get_503(d):
        deadline = time.monotonic() + 30 * slow_factor()   # keep-alive writes find the last ones
        while 'claimd_event_streams 0' not in d.get('/metrics').body.decode():
                assert time.monotonic() < deadline, 'streams of earlier cases are still open'
                time.sleep(0.1)
        streams = [Stream(d, '/v1/conflicts/stream') for _ in range(8)]
        for s in streams:
                assert s.wait(lambda s: s.status is not None), s.raw
        assert all(s.status == 200 for s in streams), [s.status for s in streams]
        r = d.get('/v1/conflicts/stream')
        assert_error(r, 503, 'overloaded')
        assert r.header('Retry-After'), r.headers
        m = d.get('/metrics').body.decode()
        assert 'claimd_event_streams 8' in m, [l for l in m.splitlines() if 'stream' in l]
        streams[0].close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
                m = d.get('/metrics').body.decode()
                if 'claimd_event_streams 7' in m:
                        break
                time.sleep(0.1)
        assert 'claimd_event_streams 7' in m, 'a closed stream was not noticed'
        s9 = Stream(d, '/v1/conflicts/stream')
        assert s9.wait(lambda s: s.status is not None) and s9.status == 200, s9.raw
        for s in streams[1:] + [s9]:
                s.close()


@case
def a_client_that_stops_reading_is_dropped(d):
        time.sleep(0.5)
        slow = Stream(d, '/v1/conflicts/stream', rcvbuf=2048)
        good = Stream(d, '/v1/conflicts/stream')
        assert slow.wait(lambda s: s.comments) and good.wait(lambda s: s.comments)
        cid = S['old'][0]
        n = 0
        dropped = False
        for i in range(400):
                r = d.http('PATCH', '/v1/conflicts/%d' % cid,
                           json_body={'status': 'open', 'note': 'n' * 1500 + str(i)})
                assert r.status == 200, r
                n += 1
                good.wait(lambda s: False, timeout=0.001)
                if i % 20 == 19 and 'claimd_event_streams_dropped_total 1' in d.get('/metrics').body.decode():
                        dropped = True
                        break
        assert dropped, 'the stream that reads nothing was not dropped after %d events' % n
        # the slow client finds its connection closed once it reads what got through
        slow.sock.settimeout(5)
        got = 0
        try:
                while True:
                        b = slow.sock.recv(1 << 20)
                        if not b:
                                break
                        got += len(b)
        except (socket.timeout, ConnectionResetError):
                pass
        assert got < 64 * 1024 * 100, got
        assert good.wait(lambda s: len([e for e in s.events if e['event'] == 'review']) == n, timeout=20), \
                (len(good.events), n)
        good.close()
        slow.close()
        d.assert_serving('slow reader')


if __name__ == '__main__':
        run(setup, teardown)
