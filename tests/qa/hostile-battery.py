#!/usr/bin/env python3
"""QA's hostile battery (issue 22, written apart from the integration
suite's hostile and hostile2 programs): request framing (RFC 9112 section
6.3 and what libevent 2.1.12 lets through), methods, pipelining,
slowloris, huge heads, chunked bodies, 1,000 parked long polls woken at
once, SIGHUP storms, a full disk, NDJSON edge cases, JSON nested 100,000
deep, every Unicode plane, the database deleted, old and far dates, file
descriptors exhausted, %00 -- each case checks the status, that claimd
keeps serving, and (at the end) that every article it acknowledged is
still there after a restart.

Runs its own daemons on loopback ports; the disk-full case mounts a small
tmpfs (root only, skipped otherwise).  A few minutes on a release build.
Prints TAP.  Usage: hostile-battery.py BUILD-REL/daemon/claimd
"""
import json
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'pylib'))
from claimdtest import (Daemon, assert_error, case, cpu_seconds, diag, run, skip, split_responses,  # noqa: E402
                        write_config)

S = {}
LEDGER = {}     # article id -> url, every article claimd acknowledged with 201 on the shared daemon


def d1():
        """The shared daemon: 1 MiB bodies, 5 s request timeout."""
        if 'd' not in S:
                t = tempfile.mkdtemp(prefix='claimd-qa-hostile-')
                conf = os.path.join(t, 'claimd.conf')
                write_config(conf, {'max_body': 1 << 20, 'request_timeout': 5})
                S['d'] = Daemon(config=conf, tmpdir=t, own_tmpdir=True)
        return S['d']


_n = [0]


def art(**kw):
        _n[0] += 1
        a = {'source': 'qa%d.test' % (_n[0] % 5), 'url': 'https://qa.test/hostile/%d/%d' % (os.getpid(), _n[0]),
             'text': 'Mayor Ines Tal said on Monday that the Orrin bridge would reopen in June. '
                     'The council set aside 3 million for the repairs.'}
        a.update(kw)
        return a


def post(d, a, **kw):
        """POSTs a; records a 201 in the ledger (shared daemon only)."""
        r = d.post('/v1/articles', a, **kw)
        if r.status == 201 and d is S.get('d'):
                LEDGER[r.json['id']] = a.get('url')
        return r


def count(d):
        return d.get('/healthz').json['articles']


# ---- raw HTTP ----

def exchange(d, data, wait=5.0, **kw):
        return d.exchange(data, wait=wait, **kw)


def responses(buf, methods=()):
        return split_responses(buf, methods)


def refused(d, data, status, words=(), code=None, **kw):
        """data gets exactly one JSON error with status and the connection
        is closed at once: nothing after it runs."""
        buf, closed, took = exchange(d, data, **kw)
        rs = responses(buf)
        assert len(rs) == 1, 'want one response, got %r' % (rs,)
        st, h, body = rs[0]
        assert st == status, 'status %r, want %d: %r' % (st, status, rs)
        assert h.get('content-type', '').startswith('application/json'), h
        e = json.loads(body)['error']
        assert code is None or e['code'] == code, e
        assert all(w.lower() in e['message'].lower() for w in words), e
        assert closed and took < 3, 'not closed at once: closed=%s after %.1fs' % (closed, took)
        return e


def inner_post(tag):
        """A whole POST /v1/articles, to hide in another request's body."""
        body = json.dumps(art(url='https://qa.test/smuggled/%s' % tag)).encode()
        return (b'POST /v1/articles HTTP/1.1\r\nHost: q\r\nContent-Type: application/json\r\n'
                b'Content-Length: %d\r\n\r\n' % len(body)) + body


def smuggled(d, tag):
        return any(u == 'https://qa.test/smuggled/%s' % tag for u in urls_stored(d))


def urls_stored(d):
        out = []
        n = count(d)
        for i in range(max(1, n - 40), n + 1):
                r = d.get('/v1/articles/%d' % i)
                if r.status == 200:
                        out.append(r.json['url'])
        return out


# ---- framing ----

@case
def framing_two_content_lengths():
        d = d1()
        inner = inner_post('cl2')
        outer = json.dumps(art()).encode()
        refused(d, b'POST /v1/articles HTTP/1.1\r\nHost: q\r\nContent-Type: application/json\r\nContent-Length: %d\r\n'
                b'Content-Length: %d\r\n\r\n' % (len(outer), len(outer) + len(inner)) + outer + inner,
                400, ['Content-Length'], 'invalid_request')
        # the same value twice is one length (RFC 9110 section 8.6): accepted
        a = art()
        body = json.dumps(a).encode()
        buf, _, _ = exchange(d, b'POST /v1/articles HTTP/1.1\r\nHost: q\r\nContent-Type: application/json\r\n'
                             b'Content-Length: %d\r\nContent-Length: %d\r\nConnection: close\r\n\r\n'
                             % (len(body), len(body)) + body, wait=30)
        rs = responses(buf)
        assert [r[0] for r in rs] == [201], rs
        LEDGER[json.loads(rs[0][2])['id']] = a['url']
        for v in (b'5, 5', b'5,6', b'+5', b'-1', b'0x5', b'5e0', b'5 5', b'', b'\xd9\xa5'):
                refused(d, b'POST /v1/articles HTTP/1.1\r\nHost: q\r\nContent-Length: ' + v + b'\r\n\r\nhello',
                        400, [], 'invalid_request')
        assert not smuggled(d, 'cl2')


@case
def framing_whitespace_and_control_bytes_in_heads():
        d = d1()
        for name, val in ((b'Content-Length', b'%d'), (b'Transfer-Encoding', b'chunked')):
                for ws in (b' ', b'\t'):
                        inner = inner_post('ws')
                        v = val % len(inner) if b'%d' in val else val
                        refused(d, b'POST /v1/articles HTTP/1.1\r\nHost: q\r\n' + name + ws + b': ' + v + b'\r\n\r\n'
                                + inner, 400, ['whitespace'], 'invalid_request')
        for bad in (b'X-A: a\x00b', b'X-\x00A: b', b'X-A: a\rb', b'X-A: \x7f', b'X-A: a\x0bb',
                    b'X-A: a\r\n b', b'X-A: a\r\n\tb', b' X-A: a', b'X A: a', b'X-A'):
                refused(d, b'GET /healthz HTTP/1.1\r\nHost: q\r\n' + bad + b'\r\n\r\n', 400, [], 'invalid_request')
        # OWS around a value is not part of it (RFC 9110 section 5.5)
        a = art()
        body = json.dumps(a).encode()
        buf, _, _ = exchange(d, b'POST /v1/articles HTTP/1.1\r\nHost: q\r\nContent-Type:  application/json \r\n'
                             b'Content-Length: \t%d \r\nConnection: close\r\n\r\n' % len(body) + body, wait=30)
        rs = responses(buf)
        assert [r[0] for r in rs] == [201], rs
        LEDGER[json.loads(rs[0][2])['id']] = a['url']
        assert not smuggled(d, 'ws')
        d.assert_serving('control bytes')


@case
def framing_transfer_encodings():
        d = d1()
        for te in (b'xchunked', b'chunked, identity', b'identity', b'gzip, chunked', b'chunked, chunked',
                   b'"chunked"', b'chunked;q=1', b'chunke', b'\xe2\x80\x8bchunked'):
                refused(d, b'POST /v1/articles HTTP/1.1\r\nHost: q\r\nTransfer-Encoding: ' + te + b'\r\n\r\n'
                        + inner_post('te'), 400, [], 'invalid_request')
        refused(d, b'POST /v1/articles HTTP/1.1\r\nHost: q\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked'
                b'\r\n\r\n0\r\n\r\n', 400, [], 'invalid_request')
        refused(d, b'POST /v1/articles HTTP/1.1\r\nHost: q\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n'
                b'0\r\n\r\n' + inner_post('te-cl'), 400, ['Content-Length'], 'invalid_request')
        refused(d, b'POST /v1/articles HTTP/1.0\r\nHost: q\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
                400, ['HTTP/1.0'], 'invalid_request')
        assert not smuggled(d, 'te') and not smuggled(d, 'te-cl')


@case
def framing_request_lines():
        d = d1()
        for line in (b'GET  /healthz HTTP/1.1', b'GET /healthz  HTTP/1.1', b'GET\t/healthz HTTP/1.1',
                     b'GET /healthz HTTP/1.2', b'GET /healthz HTTP/2.0', b'GET /healthz http/1.1',
                     b'GET /healthz', b'GET /health z HTTP/1.1', b'GET /h\x00 HTTP/1.1', b'GET /\xff HTTP/1.1',
                     b'\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03', b'GET /healthz HTTP/1.1 x'):
                refused(d, line + b'\r\nHost: q\r\n\r\n', 400, [], 'invalid_request')
        refused(d, b'GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 400, ['Host'], 'invalid_request')
        # HTTP/1.0 and bare LF line ends are HTTP
        for data in (b'GET /healthz HTTP/1.0\r\n\r\n', b'GET /healthz HTTP/1.1\nHost: q\nConnection: close\n\n',
                     b'\r\n\r\nGET /healthz HTTP/1.1\r\nHost: q\r\nConnection: close\r\n\r\n'):
                buf, closed, _ = exchange(d, data)
                assert [r[0] for r in responses(buf)] == [200] and closed, (data, buf[:300])
        # a URI over 8 KiB
        buf, _, _ = exchange(d, b'GET /healthz?' + b'a' * 9000 + b' HTTP/1.1\r\nHost: q\r\n\r\n')
        rs = responses(buf)
        assert rs and rs[0][0] == 414 and json.loads(rs[0][2])['error']['code'] == 'too_large', rs


@case
def methods_head_connect_options_trace():
        d = d1()
        # HEAD: the GET's headers, no body, the next reply right after
        buf, closed, _ = exchange(d, b'HEAD /healthz HTTP/1.1\r\nHost: q\r\n\r\nHEAD /v1/conflicts HTTP/1.1\r\nHost: q\r\n'
                                  b'\r\nGET /healthz HTTP/1.1\r\nHost: q\r\nConnection: close\r\n\r\n')
        rs = responses(buf, ['HEAD', 'HEAD', 'GET'])
        assert [r[0] for r in rs] == [200, 200, 200] and closed, rs
        assert int(rs[0][1]['content-length']) == len(rs[2][2]) and json.loads(rs[2][2])['status'] == 'ok', rs
        # HEAD with a body: refused, the body never runs
        refused(d, b'HEAD /healthz HTTP/1.1\r\nHost: q\r\nContent-Length: %d\r\n\r\n' % len(inner_post('head'))
                + inner_post('head'), 400, ['body'], 'invalid_request')
        assert not smuggled(d, 'head')
        e = refused(d, b'CONNECT qa.test:443 HTTP/1.1\r\nHost: qa.test:443\r\n\r\n', 405, [], 'method_not_allowed')
        diag('CONNECT: ' + e['message'])
        for m in (b'OPTIONS', b'TRACE', b'DELETE', b'PUT', b'PROPFIND', b'BREW'):
                buf, _, _ = exchange(d, m + b' /v1/articles HTTP/1.1\r\nHost: q\r\nX-Secret: s3cret\r\n'
                                     b'Connection: close\r\n\r\n')
                rs = responses(buf)
                assert len(rs) == 1 and rs[0][0] == 405, (m, rs)
                assert b's3cret' not in buf, 'TRACE echoed the request: %r' % buf
                assert 'POST' in rs[0][1].get('allow', ''), (m, rs[0][1])
                assert json.loads(rs[0][2])['error']['code'] == 'method_not_allowed', rs
        d.assert_serving('methods')


@case
def pipelining_in_order():
        d = d1()
        n = 50
        ids = sorted(LEDGER)[:3] or [post(d, art()).json['id']]
        reqs = b''.join(b'GET /v1/articles/%d HTTP/1.1\r\nHost: q\r\n\r\n' % ids[i % len(ids)] for i in range(n))
        a, b = art(), art()
        ba, bb = json.dumps(a).encode(), json.dumps(b).encode()
        reqs += (b'POST /v1/articles HTTP/1.1\r\nHost: q\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n'
                 % len(ba) + ba + b'HEAD /healthz HTTP/1.1\r\nHost: q\r\n\r\n'
                 + b'POST /v1/articles HTTP/1.1\r\nHost: q\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n'
                 % len(bb) + bb + b'GET /healthz HTTP/1.1\r\nHost: q\r\nConnection: close\r\n\r\n')
        buf, closed, _ = exchange(d, reqs, wait=60)
        rs = responses(buf, ['GET'] * n + ['POST', 'HEAD', 'POST', 'GET'])
        assert len(rs) == n + 4 and closed, (len(rs), rs[-3:])
        for i in range(n):
                assert rs[i][0] == 200 and json.loads(rs[i][2])['id'] == ids[i % len(ids)], (i, rs[i])
        assert [r[0] for r in rs[n:]] == [201, 200, 201, 200], rs[n:]
        for r, x in ((rs[n], a), (rs[n + 2], b)):
                LEDGER[json.loads(r[2])['id']] = x['url']
        # the same, one byte at a time
        buf, closed, _ = exchange(d, None, wait=30, chunks=[bytes([c]) for c in
                                  b'GET /healthz HTTP/1.1\r\nHost: q\r\n\r\nGET /healthz HTTP/1.1\r\nHost: q\r\n'
                                  b'Connection: close\r\n\r\n'])
        assert [r[0] for r in responses(buf)] == [200, 200], buf[:400]


def chunked(body, sizes, ext=b''):
        out, i = b'', 0
        for n in sizes:
                out += b'%x%s\r\n' % (n, ext) + body[i:i + n] + b'\r\n'
                i += n
        assert i == len(body)
        return out + b'0\r\n\r\n'


CHUNKED_HEAD = (b'POST /v1/articles HTTP/1.1\r\nHost: q\r\nContent-Type: application/json\r\n'
                b'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n')


@case
def chunk_edge_cases():
        d = d1()
        good = []
        a = art()
        body = json.dumps(a).encode()
        good.append((a, chunked(body, [1] * len(body))))                        # one byte a chunk
        a = art()
        body = json.dumps(a).encode()
        good.append((a, chunked(body, [len(body)], ext=b';ext="a;b" ; n=v')))   # extensions
        a = art()
        body = json.dumps(a).encode()
        good.append((a, b'%08X\r\n' % len(body) + body + b'\r\n0000\r\nX-Trailer: yes\r\n\r\n'))  # zeros, upper, trailer
        for a, data in good:
                buf, _, _ = exchange(d, CHUNKED_HEAD + data, wait=30)
                rs = responses(buf)
                assert [r[0] for r in rs] == [201], (data[:80], rs)
                LEDGER[json.loads(rs[0][2])['id']] = a['url']
        # sent slowly across packets, the size line split
        a = art()
        body = json.dumps(a).encode()
        data = CHUNKED_HEAD + chunked(body, [len(body)])
        buf, _, _ = exchange(d, None, chunks=[data[i:i + 7] for i in range(0, len(data), 7)], gap=0.002, wait=30)
        rs = responses(buf)
        assert [r[0] for r in rs] == [201], rs
        LEDGER[json.loads(rs[0][2])['id']] = a['url']
        for bad, status in ((b'zz\r\n', 400), (b'-5\r\n', 400), (b'0x5\r\nhello\r\n0\r\n\r\n', 400),
                            (b'5\r\nhelloX\r\n0\r\n\r\n', 400), (b'5\nhello\r\n0\r\n\r\n', 400),
                            (b'5\r\nhello\n0\r\n\r\n', 400), (b' 5\r\nhello\r\n0\r\n\r\n', 400),
                            (b'5;\r\nhello\r\n0\r\n\r\n', 400), (b'fffffffffffffffffff\r\n', 413),
                            (b'100001\r\n', 413), (b'0\r\nX : y\r\n\r\n', 400), (b'5\r\nhel\x00o\r\n0\r\nA\r\n\r\n', 400)):
                refused(d, CHUNKED_HEAD + bad, status, [], 'too_large' if status == 413 else 'invalid_request')
        # two chunks that add up past the limit
        refused(d, CHUNKED_HEAD + b'80000\r\n' + b'x' * 0x80000 + b'\r\n80001\r\n', 413, [], 'too_large', wait=10)
        # an empty chunked body is an empty JSON body
        buf, _, _ = exchange(d, CHUNKED_HEAD + b'0\r\n\r\n')
        rs = responses(buf)
        assert len(rs) == 1 and rs[0][0] == 400 and json.loads(rs[0][2])['error']['code'] == 'invalid_json', rs


@case
def announced_length_over_the_limit_and_short_bodies():
        d = d1()
        e = refused(d, b'POST /v1/articles HTTP/1.1\r\nHost: q\r\nContent-Type: application/json\r\n'
                    b'Content-Length: 1073741824\r\n\r\n0123456789', 413, [], 'too_large')
        diag('1 GiB announced: ' + e['message'])
        refused(d, b'POST /v1/articles HTTP/1.1\r\nHost: q\r\nContent-Length: 99999999999999999999999999\r\n\r\n',
                413, [], 'too_large')
        # a body shorter than announced: the connection waits, then times out (5 s) without an answer or a store
        n = count(d)
        buf, closed, took = exchange(d, b'POST /v1/articles HTTP/1.1\r\nHost: q\r\nContent-Type: application/json\r\n'
                                     b'Content-Length: 500\r\n\r\n{"source": "short.test", "title": "x"}', wait=15)
        assert closed and took < 12, (closed, took, buf[:200])
        assert count(d) == n


@case
def percent_zero_and_bad_escapes():
        d = d1()
        for q in ('source=qa1.test%00.evil', 'min_score=0.5%00', 'kind=denial%00', 'since=1%00',
                  'source=a%0ab', 'source=%7f'):
                assert_error(d.get('/v1/conflicts?' + q), 400, 'invalid_field')
        for path in ('/v1/articles/1%00', '/v1/articles/%00', '/v1/conflicts/1%00/history', '/v1/articles/%31'):
                r = d.get(path)
                assert r.status in (400, 404) and r.json and 'error' in r.json, (path, r)
        for path in ('/%2e%2e/app.js', '/app.js%00.html', '/..%2fapp.js', '//app.js'):
                r = d.get(path)
                assert r.status in (400, 404) and r.json and 'error' in r.json, (path, r)
        r = d.get('/v1/conflicts?source=%zz')
        assert r.status in (200, 400) and r.json is not None, r
        diag('source=%%zz: %d %s' % (r.status, r.body[:120]))
        d.assert_serving('%00')


# ---- exhaustion of time and size ----

@case
def slowloris_heads_and_bodies():
        d = d1()
        socks = []
        for i in range(150):
                s = socket.create_connection((d.host, d.port))
                s.sendall(b'GET /healthz HTTP/1.1\r\nHost: q\r\n' if i % 2 else
                          b'POST /v1/articles HTTP/1.1\r\nHost: q\r\nContent-Type: application/json\r\n'
                          b'Content-Length: 1000\r\n\r\n{')
                socks.append(s)
        t0 = time.monotonic()
        closed = set()
        while time.monotonic() - t0 < 12 and len(closed) < len(socks):
                for i, s in enumerate(socks):
                        if i in closed:
                                continue
                        try:
                                s.send(b'X' if i % 2 else b' ')
                        except OSError:
                                closed.add(i)
                                continue
                        s.setblocking(False)
                        try:
                                if s.recv(4096) == b'':
                                        closed.add(i)
                        except BlockingIOError:
                                pass
                        except OSError:
                                closed.add(i)
                if time.monotonic() - t0 > 1:
                        h0 = time.monotonic()
                        assert d.get('/healthz', timeout=5).status == 200
                        assert time.monotonic() - h0 < 2, 'healthz took %.1fs beside slow clients' % (time.monotonic() - h0)
                time.sleep(0.5)
        took = time.monotonic() - t0
        for s in socks:
                s.close()
        # request_timeout_sec is 5: each trickling client is cut after about that
        assert len(closed) == len(socks), '%d of %d slow clients still open after %.0fs' % (
                len(socks) - len(closed), len(socks), took)
        diag('150 slow clients all closed within %.1fs' % took)


@case
def huge_heads():
        d = d1()
        # max_header_bytes 16K: beyond it 431, beyond 16 times that a 431 at once on the raw bytes
        for data, status in ((b'GET /healthz HTTP/1.1\r\nHost: q\r\nX-Big: ' + b'a' * 17000 + b'\r\n\r\n', 431),
                             (b'GET /healthz HTTP/1.1\r\nHost: q\r\n' + b'X-A: b\r\n' * 4000 + b'\r\n', 431),
                             (b'GET /healthz HTTP/1.1\r\nHost: q\r\nX-Big: ' + b'a' * 400000 + b'\r\n\r\n', 431)):
                buf, closed, _ = exchange(d, data, wait=10)
                rs = responses(buf)
                assert rs and rs[0][0] == status and json.loads(rs[0][2])['error']['code'] == 'too_large', rs[:1]
        # just under the limit passes
        buf, _, _ = exchange(d, b'GET /healthz HTTP/1.1\r\nHost: q\r\nX-Big: ' + b'a' * 15000 +
                             b'\r\nConnection: close\r\n\r\n')
        assert [r[0] for r in responses(buf)] == [200], buf[:200]
        # a head that never ends: refused once it passes 16 times the limit, and closed
        s = socket.create_connection((d.host, d.port), timeout=10)
        t0 = time.monotonic()
        sent, err = 0, None
        try:
                s.sendall(b'GET /healthz HTTP/1.1\r\nX: ')
                while time.monotonic() - t0 < 15:
                        s.sendall(b'a' * 65536)
                        sent += 65536
                        time.sleep(0.005)
        except OSError as e:
                err = e
        finally:
                s.close()
        assert err is not None, 'a header line of %d bytes was still read after %.0fs' % (sent, time.monotonic() - t0)
        diag('an endless header line: closed after %d bytes, %.2fs' % (sent, time.monotonic() - t0))
        d.assert_serving('huge heads')


# ---- bodies ----

NDJSON = {'Content-Type': 'application/x-ndjson'}


def ndjson(d, body):
        r = d.http('POST', '/v1/articles', body=body, headers=NDJSON, timeout=120)
        lines = [json.loads(l) for l in r.body.decode().splitlines() if l.strip()] if r.status == 200 else None
        return r, lines


@case
def ndjson_edge_cases():
        d = d1()
        a, b, c = art(), art(), art()
        r, lines = ndjson(d, (json.dumps(a) + '\r\n\r\n   \n' + '{"source": 5}\n' + '[1]\n' + '{bad\n'
                              + json.dumps(b) + '\n' + json.dumps(b) + '\n' + json.dumps(c)).encode())
        assert r.status == 200 and r.header('Content-Type').startswith('application/x-ndjson'), r
        st = [l.get('status') for l in lines]
        diag('ndjson statuses: %s' % st)
        assert len(lines) == 7, lines
        assert st[0] == 201 and st[6] == 201 and sorted(st[4:6]) == [200, 201], lines
        assert all(400 <= s < 500 for s in st[1:4]), lines
        # the same article twice: stored once; which line is "new" follows the workers, not the lines
        assert lines[4]['id'] == lines[5]['id'] and {lines[4]['duplicate'], lines[5]['duplicate']} == {True, False}
        if st[4] != 201:
                diag('FINDING: of two identical lines of one batch the second was stored, the first called its '
                     'duplicate (batch lines reach the writer in the order their pipelines finish)')
        for l, x in ((lines[0], a), (lines[4], b), (lines[6], c)):
                LEDGER[l['id']] = x['url']
        for body in (b'', b'\n\n', b'\xef\xbb\xbf' + json.dumps(art()).encode()):
                r = d.http('POST', '/v1/articles', body=body, headers=NDJSON)
                assert r.status in (200, 400) and r.json is not None or r.body, (body[:20], r)
                diag('ndjson %r: %d %s' % (body[:8], r.status, r.body[:100]))
        many = b'\n'.join(json.dumps(art(text='Short line %d said Ana Moor.' % i)).encode() for i in range(1001))
        r = d.http('POST', '/v1/articles', body=many, headers=NDJSON, timeout=120)
        assert r.status in (400, 413) and r.json and 'error' in r.json, (r.status, r.body[:200])
        d.assert_serving('ndjson')


@case
def json_nested_100000_deep():
        d = d1()
        for body in (b'[' * 100000 + b']' * 100000, b'{"a":' * 100000 + b'1' + b'}' * 100000,
                     b'{"source": "x", "text": ' + b'[' * 100000 + b']' * 100000 + b'}', b'[' * 500000):
                t0 = time.monotonic()
                r = d.http('POST', '/v1/articles', body=body, headers={'Content-Type': 'application/json'})
                assert r.status == 400 and r.json['error']['code'] in ('invalid_json', 'invalid_field'), r
                diag('%d bytes nested: %d in %.2fs' % (len(body), r.status, time.monotonic() - t0))
        r = d.http('POST', '/v1/compare', body=b'{"a":' * 100000, headers={'Content-Type': 'application/json'})
        assert r.status == 400, r
        r = d.http('PATCH', '/v1/conflicts/1', body=b'[' * 100000, headers={'Content-Type': 'application/json'})
        assert r.status in (400, 404), r
        d.assert_serving('deep JSON')


PLANES = ['A', '\u00e9', '\u4e2d', '\U0001F600', '\U00020000', '\U00030000', '\U00040001', '\U00050001',
          '\U00060001', '\U00070001', '\U00080001', '\U00090001', '\U000A0001', '\U000B0001', '\U000C0001',
          '\U000D0001', '\U000E0001', '\U000F0001', '\U0010FFFD', '\uFFFD', '\uFEFF', '\u200D', '\u202E',
          '\U0001F469\u200D\U0001F52C', 'e\u0301', '\uFFFE', '\U0010FFFF']


@case
def every_unicode_plane():
        d = d1()
        junk = ''.join(PLANES)
        text = (junk + ' Mayor Ines Tal said the Orrin bridge ' + junk + ' would reopen in June. ' + junk
                + ' The council approved 3 million ' + '\U0001F309' * 3 + '.')
        a = art(text=text, title='Bridge ' + junk)
        r = post(d, a)
        assert r.status == 201, r
        got = d.get('/v1/articles/%d' % r.json['id']).json
        assert got['text'] == text and got['title'] == a['title'], 'text not stored as sent'
        for c in got['claims']:
                field = got[c['field']]
                if c.get('content_span'):
                        s, e = c['content_span']
                        assert field[s:e] == c['text'], (c['text'], field[s:e])
                if c.get('speaker') and c['speaker'].get('span'):
                        s, e = c['speaker']['span']
                        assert field[s:e] == c['speaker']['name'], (c['speaker'], field[s:e])
                if c.get('cue') and c['cue'].get('span'):
                        s, e = c['cue']['span']
                        assert field[s:e] == c['cue']['text'], (c['cue'], field[s:e])
        assert any(c.get('speaker') and c['speaker']['name'].endswith('Ines Tal') for c in got['claims']), got['claims']
        # invalid UTF-8 and lone surrogates: 400, never stored
        for raw in (b'\xc0\x80', b'\xed\xa0\x80', b'\xf4\x90\x80\x80', b'\xf5\x80\x80\x80', b'\xe2\x82', b'\xff',
                    b'\xe0\x80\xaf'):
                body = b'{"source": "utf8.test", "text": "Mayor Ines Tal said ' + raw + b' it."}'
                r = d.http('POST', '/v1/articles', body=body, headers={'Content-Type': 'application/json'})
                assert r.status == 400 and r.json['error']['code'] in ('invalid_utf8', 'invalid_json'), (raw, r)
        for esc in (b'\\ud800', b'\\udfff', b'\\ud800\\u0041', b'\\u0000'):
                body = b'{"source": "utf8.test", "text": "Mayor Ines Tal said ' + esc + b' it."}'
                r = d.http('POST', '/v1/articles', body=body, headers={'Content-Type': 'application/json'})
                assert r.status == 400 and 'error' in r.json, (esc, r)
        d.assert_serving('unicode')


DATES_OK = ['0001-01-01T00:00:00Z', '1900-01-01T00:00:00Z', '1969-07-20T20:17:40Z', '1970-01-01T00:00:00Z',
            '1969-12-31T23:59:59Z', '2000-02-29T12:00:00Z', '9999-12-31T23:59:59Z', '2017-07-07T20:00:00.123456Z',
            '2017-07-07T22:00:00+02:00', '0001-01-01T23:59:59+23:59', '2017-07-07t20:00:00z']
DATES_BAD = ['10000-01-01T00:00:00Z', '9999-12-31T23:59:59-23:59', '0000-12-31T00:00:00Z', '2017-02-29T00:00:00Z',
             '2017-13-01T00:00:00Z', '2017-07-07T24:00:01Z', '2017-07-07', '2017-07-07T20:00:00', '-0001-01-01T00:00:00Z',
             '2017-07-07T20:00:00+24:00', '1e9', '', '2017-07-07T20:00:00Z\u0000', '+2017-07-07T20:00:00Z']


@case
def old_and_far_dates():
        d = d1()
        ids = {}
        for i, when in enumerate(DATES_OK):
                a = art(published_at=when, text='Archivist Mara Tull said the Orrin ledger of %d was found. '
                        'It lists 40 ships.' % i)
                r = post(d, a)
                assert r.status == 201, (when, r)
                got = d.get('/v1/articles/%d' % r.json['id']).json['published_at']
                assert re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$', got), (when, got)
                ids[when] = got
        diag('stored as: %s' % ids)
        assert ids['0001-01-01T23:59:59+23:59'] == '0001-01-01T00:00:59Z', ids
        assert ids['2017-07-07T22:00:00+02:00'] == ids['2017-07-07t20:00:00z'] == '2017-07-07T20:00:00Z', ids
        assert ids['1969-07-20T20:17:40Z'] == '1969-07-20T20:17:40Z' and ids['9999-12-31T23:59:59Z'] == \
                '9999-12-31T23:59:59Z', ids
        for when in DATES_BAD:
                r = d.post('/v1/articles', art(published_at=when))
                assert_error(r, 400, ('invalid_field', 'invalid_utf8'), 'published_at')
        r = d.post('/v1/articles', art(published_at=1499457600))
        assert_error(r, 400, 'invalid_field', 'published_at')
        # two reports of one 1969 happening are grouped together
        x = post(d, art(published_at='1969-07-20T21:00:00Z', source='lunar-a.test',
                        text='Astronaut Neil Orr said the lander touched down in the Sea of Calm on Sunday.'))
        y = post(d, art(published_at='1969-07-20T23:00:00Z', source='lunar-b.test',
                        text='Astronaut Neil Orr said the lander touched down in the Sea of Calm on Sunday evening.'))
        assert x.status == 201 and y.status == 201 and x.json['event_id'] == y.json['event_id'], (x.json, y.json)
        d.assert_serving('dates')


# ---- signals, long polls, descriptors ----

@case
def sighup_storm_while_ingesting():
        d = d1()
        errors = []
        done = threading.Event()

        def ingest():
                for _ in range(300):
                        a = art()
                        try:
                                r = post(d, a, timeout=60)
                                if r.status != 201:
                                        errors.append(r)
                        except OSError as e:
                                errors.append(e)
                done.set()
        th = threading.Thread(target=ingest)
        th.start()
        sent = 0
        while not done.is_set() and sent < 2000:
                d.send_signal(signal.SIGHUP)
                sent += 1
                time.sleep(0.002)
        th.join(120)
        assert not errors, errors[:3]
        d.assert_serving('%d SIGHUPs' % sent)
        assert 'reload' in d.log().lower(), d.log()[-500:]
        diag('%d SIGHUPs during 300 ingests' % sent)


def raise_nofile(n):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < n:
                try:
                        resource.setrlimit(resource.RLIMIT_NOFILE, (min(n, hard), hard))
                except (ValueError, OSError):
                        pass
        return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def conflict_pair(n):
        return ({'source': 'lp-a.test', 'url': 'https://lp-a.test/%d' % n, 'title': 'Dam talks %d' % n,
                 'text': 'Minister Rolf Amsel said the Kerran dam cost %d million dollars.' % (100 + n)},
                {'source': 'lp-b.test', 'url': 'https://lp-b.test/%d' % n, 'title': 'Dam cost disputed %d' % n,
                 'text': 'Auditor Lina Prak denied that the Kerran dam cost %d million dollars.' % (100 + n)})


@case
def a_thousand_long_polls_woken_at_once():
        if raise_nofile(4096) < 2200:
                skip('cannot raise the open-file limit to hold 1,000 connections')
        d = Daemon()
        socks = []
        try:
                since = d.get('/v1/conflicts?limit=1000').json['next']
                for i in range(1000):
                        s = socket.create_connection((d.host, d.port), timeout=60)
                        s.sendall(b'GET /v1/conflicts?since=%d&wait=50 HTTP/1.1\r\nHost: q\r\nConnection: close\r\n\r\n'
                                  % since)
                        socks.append(s)
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                        m = d.get('/metrics').body.decode()
                        parked = [l for l in m.splitlines() if l.startswith('claimd_long_polls ')]
                        if parked and float(parked[0].split()[1]) >= 1000:
                                break
                        time.sleep(0.1)
                diag('parked: %s' % parked)
                h0 = time.monotonic()
                assert d.get('/healthz', timeout=5).status == 200
                diag('healthz beside 1,000 polls: %.3fs' % (time.monotonic() - h0))
                a, b = conflict_pair(1)
                assert d.post('/v1/articles', a).status == 201
                t0 = time.monotonic()
                rb = d.post('/v1/articles', b)
                assert rb.status == 201 and rb.json['conflicts'], rb
                cid = rb.json['conflicts'][0]
                got, bad = 0, []
                last = 0
                for s in socks:
                        buf = b''
                        s.settimeout(30)
                        try:
                                while True:
                                        x = s.recv(65536)
                                        if not x:
                                                break
                                        buf += x
                        except OSError as e:
                                bad.append(repr(e))
                                continue
                        last = time.monotonic() - t0
                        rs = responses(buf)
                        if rs and rs[0][0] == 200 and cid in [c['id'] for c in json.loads(rs[0][2])['conflicts']]:
                                got += 1
                        else:
                                bad.append(buf[:200])
                assert got == 1000, (got, bad[:3])
                diag('1,000 long polls answered with the conflict within %.2fs of its post' % last)
        finally:
                for s in socks:
                        s.close()
                d.close()


@case
def file_descriptors_exhausted():
        t = tempfile.mkdtemp(prefix='claimd-qa-emfile-')
        lim = 256

        class Limited(Daemon):
                def start(self, wait_ready=True, timeout=None):
                        import subprocess as sp
                        real = sp.Popen

                        def popen(*a, **kw):
                                kw['preexec_fn'] = lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (lim, lim))
                                return real(*a, **kw)
                        sp.Popen = popen
                        try:
                                super().start(wait_ready, timeout)
                        finally:
                                sp.Popen = real
        raise_nofile(4096)
        d = Limited(tmpdir=t, own_tmpdir=True)
        socks = []
        try:
                for _ in range(lim + 200):
                        try:
                                socks.append(socket.create_connection((d.host, d.port), timeout=5))
                        except OSError:
                                break
                time.sleep(1)
                log0 = len(d.log())
                cpu0 = cpu_seconds(d.proc.pid)
                answers = []
                for _ in range(5):
                        t0 = time.monotonic()
                        try:
                                r = d.get('/healthz', timeout=10)
                                answers.append((r.status, round(time.monotonic() - t0, 2)))
                        except OSError as e:
                                answers.append((repr(e), round(time.monotonic() - t0, 2)))
                        time.sleep(0.5)
                time.sleep(2)
                cpu = cpu_seconds(d.proc.pid) - cpu0
                grew = len(d.log()) - log0
                diag('healthz with %d idle connections at limit %d: %s; %.2f CPU s in ~5 s; log +%d bytes'
                     % (len(socks), lim, answers, cpu, grew))
                assert 'Too many open files' in d.log(), 'descriptors never ran out: %s' % d.log()[-1000:]
                assert all(a[0] in (200, 503) for a in answers), answers
                assert sum(1 for a in answers if a[0] == 200) >= 3, answers
                assert cpu < 2.5, 'claimd spun: %.2f CPU seconds' % cpu
                assert grew < 20000, 'the log grew %d bytes' % grew
                for s in socks:
                        s.close()
                socks = []
                time.sleep(1)
                r = d.post('/v1/articles', art())
                assert r.status == 201, r
        finally:
                for s in socks:
                        s.close()
                d.close()


# ---- lost data ----

class Tmpfs:
        def __init__(self, size):
                if os.geteuid() != 0:
                        skip('mounting a tmpfs needs root')
                self.dir = tempfile.mkdtemp(prefix='claimd-qa-full-')
                p = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=%s' % size, 'tmpfs', self.dir],
                                   capture_output=True, text=True)
                if p.returncode != 0:
                        os.rmdir(self.dir)
                        skip('cannot mount a tmpfs here: %s' % p.stderr.strip())

        def resize(self, size):
                subprocess.run(['mount', '-o', 'remount,size=%s' % size, self.dir], check=True)

        def close(self):
                subprocess.run(['umount', '-l', self.dir])
                os.rmdir(self.dir)


@case
def disk_full_then_space_again():
        fs = Tmpfs('3m')
        d = None
        try:
                d = Daemon(tmpdir=fs.dir, db=os.path.join(fs.dir, 'claimd.db'))
                acked, full = {}, None
                big = ' '.join('Councillor Aron Beck said the Orrin pier %d needs %d new piles.' % (i, i * 7)
                               for i in range(60))
                for i in range(400):
                        a = art(text=big + ' Run %d.' % i)
                        r = d.post('/v1/articles', a, timeout=60)
                        if r.status == 201:
                                acked[r.json['id']] = a['url']
                                continue
                        full = r
                        break
                assert full is not None, 'the disk never filled (%d articles)' % len(acked)
                assert_error(full, 503, ('store_unavailable', 'overloaded'))
                diag('full after %d articles: %s' % (len(acked), full.json['error']['message']))
                assert d.alive() and d.get('/v1/articles/1').status == 200, 'reads must go on'
                h = d.get('/healthz')
                diag('healthz when full: %d' % h.status)
                for _ in range(3):
                        assert d.post('/v1/articles', art(text=big)).status == 503
                fs.resize('64m')
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                        a = art()
                        r = d.post('/v1/articles', a)
                        if r.status == 201:
                                acked[r.json['id']] = a['url']
                                break
                        time.sleep(0.5)
                assert r.status == 201, 'writes did not resume: %r' % r
                assert d.stop() == 0
                d.start()
                for i, url in acked.items():
                        g = d.get('/v1/articles/%d' % i)
                        assert g.status == 200 and g.json['url'] == url, (i, g)
                diag('all %d acknowledged articles there after the restart' % len(acked))
        finally:
                if d:
                        d.close()
                fs.close()


@case
def database_deleted_while_running():
        t = tempfile.mkdtemp(prefix='claimd-qa-lost-')
        d = Daemon(tmpdir=t, own_tmpdir=True)
        try:
                acked = {}
                for _ in range(3):
                        a = art()
                        r = d.post('/v1/articles', a)
                        assert r.status == 201, r
                        acked[r.json['id']] = a['url']
                for suffix in ('', '-wal', '-shm'):
                        if os.path.exists(d.db + suffix):
                                os.unlink(d.db + suffix)
                r = d.post('/v1/articles', art())
                assert_error(r, 503, 'store_unavailable')
                assert d.get('/healthz').status == 503
                assert d.alive() and d.get('/v1/articles/1').status == 200
                d.stop()
                orphans = [f for f in os.listdir(t) if f.startswith('claimd.db.orphan-')]
                assert len(orphans) == 1, os.listdir(t)
                import sqlite3
                con = sqlite3.connect(os.path.join(t, orphans[0]))
                try:
                        kept = dict(con.execute('SELECT id, url FROM articles').fetchall())
                finally:
                        con.close()
                assert all(kept.get(i) == u for i, u in acked.items()), (kept, acked)
        finally:
                d.close()


# ---- heavy articles, half-closed polls, shutdown ----

def heavy_text(kb):
        one = 'Clara Voss said the Orrin toll of %d was fair. '
        out, n, i = [], 0, 0
        while n < kb * 1024:
                out.append(one % i)
                n += len(out[-1])
                i += 1
        return ''.join(out)


@case
def heavy_articles_do_not_starve_light_ones():
        t = tempfile.mkdtemp(prefix='claimd-qa-heavy-')
        conf = os.path.join(t, 'claimd.conf')
        write_config(conf, {'max_body': 4 << 20, 'workers': 2})
        d = Daemon(config=conf, tmpdir=t, own_tmpdir=True)
        try:
                out = {}

                def heavy(i):
                        t0 = time.monotonic()
                        r = d.post('/v1/articles', art(text=heavy_text(1500)), timeout=300)
                        out[i] = (r.status, time.monotonic() - t0)
                ths = [threading.Thread(target=heavy, args=(i,)) for i in range(2)]
                for th in ths:
                        th.start()
                time.sleep(0.5)
                lat = []
                for _ in range(5):
                        t0 = time.monotonic()
                        r = d.post('/v1/articles', art(), timeout=300)
                        assert r.status == 201, r
                        lat.append(round(time.monotonic() - t0, 3))
                for th in ths:
                        th.join(300)
                diag('two 1.5 MB articles: %s; five light ones meanwhile: %s s' % (out, lat))
                assert all(v[0] in (201, 422) for v in out.values()), out
                assert max(lat) < 5, 'a light article waited %.1fs behind heavy ones' % max(lat)
                d.assert_serving('heavy articles')
        finally:
                d.close()


@case
def sigterm_with_a_heavy_article_in_the_pipeline():
        t = tempfile.mkdtemp(prefix='claimd-qa-term-')
        conf = os.path.join(t, 'claimd.conf')
        write_config(conf, {'max_body': 4 << 20})
        d = Daemon(config=conf, tmpdir=t, own_tmpdir=True)
        try:
                a = art(text=heavy_text(3000))
                out = {}

                def heavy():
                        try:
                                out['r'] = d.post('/v1/articles', a, timeout=120)
                        except OSError as e:
                                out['r'] = e
                th = threading.Thread(target=heavy)
                th.start()
                time.sleep(0.3)
                t0 = time.monotonic()
                rc = d.stop(timeout=40)
                took = time.monotonic() - t0
                th.join(60)
                r = out.get('r')
                diag('SIGTERM with a 3 MB article in work: exit %s after %.1fs; the article got %r' % (rc, took, r))
                assert rc == 0 and took < 25, (rc, took)
                d.start()
                stored = d.get('/healthz').json['articles']
                if isinstance(r, Exception) or r.status != 201:
                        assert stored == 0, 'a cut article was stored (%d articles)' % stored
                else:
                        assert stored == 1
        finally:
                d.close()


@case
def half_closed_long_poll_waits_and_next_is_since():
        d = d1()
        since = d.get('/v1/conflicts?limit=1000').json['next'] + 1000
        buf, closed, took = exchange(d, b'GET /v1/conflicts?since=%d&wait=2 HTTP/1.1\r\nHost: q\r\n'
                                     b'Connection: close\r\n\r\n' % since, wait=10, half_close=True)
        rs = responses(buf)
        assert rs and rs[0][0] == 200, buf[:300]
        body = json.loads(rs[0][2])
        assert body == {'conflicts': [], 'next': since}, body
        assert took >= 1.9, 'a half-closed poll was answered after %.2fs, not its wait' % took


@case
def nothing_acknowledged_is_lost():
        d = d1()
        assert d.alive(), 'the shared daemon died: %s' % d.log()[-2000:]
        assert d.stop() == 0, 'exit status after SIGTERM'
        d.start()
        missing = []
        for i, url in LEDGER.items():
                g = d.get('/v1/articles/%d' % i)
                if g.status != 200 or g.json['url'] != url:
                        missing.append((i, url, g.status))
        assert not missing, missing[:5]
        diag('%d acknowledged articles, all there after a restart' % len(LEDGER))


def teardown(_):
        if 'd' in S:
                S['d'].close()


if __name__ == '__main__':
        run(teardown=teardown)
