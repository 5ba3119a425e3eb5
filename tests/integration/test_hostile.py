#!/usr/bin/env python3
"""Hostile requests (issue 6): malformed, truncated, oversized, slow and
strange requests over raw sockets and HTTP.  Each case checks the status and
the JSON error, and afterwards that the daemon still serves others.
One daemon with a 1 MiB body limit and short timeouts serves all cases.
Usage: test_hostile.py CLAIMD
"""
import json
import os
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'pylib'))
import claimdtest  # noqa: E402
from claimdtest import (Daemon, assert_error, case, conflict_article, diag, skip, slow_factor,  # noqa: E402
                        write_config)

JSON = {'Content-Type': 'application/json'}
LIMIT = 1 << 20         # max body, bytes
TIMEOUT = 3             # request / idle timeout, seconds
D = {}


def setup():
        t = tempfile.mkdtemp(prefix='claimd-hostile-')
        conf = os.path.join(t, 'hostile.conf')
        write_config(conf, {'max_body': LIMIT, 'request_timeout': TIMEOUT})
        d = Daemon(config=conf, tmpdir=t, own_tmpdir=True)
        D['d'] = d
        D['watch'] = Watcher(d)
        return d


class Watcher(threading.Thread):
        """Asks /healthz every 200 ms for the whole run: the daemon must keep
        serving others while the hostile requests go on."""

        def __init__(self, d):
                super().__init__(daemon=True)
                self.d = d
                self.stop = threading.Event()
                self.n = 0
                self.failures = []
                self.worst = 0.0
                self.start()

        def run(self):
                while not self.stop.is_set():
                        t0 = time.monotonic()
                        try:
                                r = self.d.http('GET', '/healthz', timeout=10 * slow_factor())
                                if r.status != 200:
                                        self.failures.append(repr(r))
                        except OSError as e:
                                self.failures.append(repr(e))
                        took = time.monotonic() - t0
                        self.worst = max(self.worst, took)
                        self.n += 1
                        self.stop.wait(0.2)


def teardown(d):
        if d:
                d.stop()
                d.close()


def post_raw(d, body, ctype='application/json', path='/v1/articles'):
        hdr = {'Content-Type': ctype} if ctype is not None else {}
        return d.http('POST', path, body=body, headers=hdr)


def hostile(fn):
        """A case that must leave the daemon serving."""
        def wrapped(d):
                fn(d)
                d.assert_serving(fn.__name__)
        wrapped.__name__ = fn.__name__
        return case(wrapped)


A_OK = {'source': 'hostile.test', 'text': 'The mayor said the bridge would open in May.'}


def with_(**kw):
        x = dict(A_OK)
        x.update(kw)
        return json.dumps(x).encode()


# ---- malformed JSON ----
@hostile
def truncated_json(d):
        assert_error(post_raw(d, b'{"source": "hostile.test", "text": "The ma'), 400, 'invalid_json')


@hostile
def empty_body(d):
        assert_error(post_raw(d, b''), 400, 'invalid_json')


@hostile
def whitespace_body(d):
        assert_error(post_raw(d, b'  \r\n\t '), 400, 'invalid_json')


@hostile
def trailing_garbage(d):
        assert_error(post_raw(d, with_() + b' {}'), 400, 'invalid_json')


@hostile
def single_quotes(d):
        assert_error(post_raw(d, b"{'source': 'x', 'text': 'y'}"), 400, 'invalid_json')


@hostile
def deep_nesting_in_unknown_field(d):
        body = b'{"source":"hostile.test","text":"x","deep":' + b'[' * 5000 + b']' * 5000 + b'}'
        assert_error(post_raw(d, body), 400, ('invalid_json', 'invalid_field'))


@hostile
def deep_nesting_unbalanced(d):
        assert_error(post_raw(d, b'[' * 200000), 400, 'invalid_json')


@hostile
def deep_nesting_objects(d):
        assert_error(post_raw(d, b'{"a":' * 100000), 400, 'invalid_json')


@hostile
def duplicate_keys(d):
        body = b'{"source":"hostile.test","text":"one","text":"two"}'
        assert_error(post_raw(d, body), 400, ('invalid_json', 'invalid_field'))


@hostile
def body_is_array(d):
        assert_error(post_raw(d, b'[' + with_() + b']'), 400, ('invalid_json', 'invalid_field'))


@hostile
def body_is_string(d):
        assert_error(post_raw(d, b'"hello"'), 400, ('invalid_json', 'invalid_field'))


@hostile
def body_is_null(d):
        assert_error(post_raw(d, b'null'), 400, ('invalid_json', 'invalid_field'))


@hostile
def body_is_number(d):
        assert_error(post_raw(d, b'1e999999'), 400, ('invalid_json', 'invalid_field'))


# ---- huge strings and arrays ----
@hostile
def huge_string_over_limit(d):
        body = with_(text='a' * (LIMIT + 10))
        assert_error(post_raw(d, body), 413, 'too_large')


@hostile
def huge_array_in_unknown_field(d):
        body = b'{"source":"hostile.test","text":"x","junk":[' + b','.join([b'1'] * 150000) + b']}'
        assert_error(post_raw(d, body), 400, 'invalid_field', 'junk')


@hostile
def huge_array_as_text(d):
        body = b'{"source":"hostile.test","text":[' + b','.join([b'"a"'] * 100000) + b']}'
        assert_error(post_raw(d, body), 400, 'invalid_field', 'text')


@hostile
def huge_number_of_keys(d):
        body = json.dumps(dict(A_OK, **{'k%d' % i: i for i in range(20000)})).encode()
        assert_error(post_raw(d, body), 400, 'invalid_field')


# ---- NUL, invalid UTF-8, surrogates ----
@hostile
def escaped_nul_in_string(d):
        body = b'{"source":"hostile.test","text":"before\\u0000after"}'
        assert_error(post_raw(d, body), 400, ('invalid_json', 'invalid_utf8', 'invalid_field'))


@hostile
def raw_nul_byte(d):
        body = b'{"source":"hostile.test","text":"before\x00after"}'
        assert_error(post_raw(d, body), 400, ('invalid_json', 'invalid_utf8'))


@hostile
def invalid_utf8_byte(d):
        assert_error(post_raw(d, b'{"source":"hostile.test","text":"bad \xff byte"}'), 400, 'invalid_utf8')


@hostile
def overlong_utf8(d):
        assert_error(post_raw(d, b'{"source":"hostile.test","text":"over\xc0\xaflong"}'), 400, 'invalid_utf8')


@hostile
def utf8_encoded_surrogate(d):
        assert_error(post_raw(d, b'{"source":"hostile.test","text":"sur\xed\xa0\x80rogate"}'), 400, 'invalid_utf8')


@hostile
def truncated_utf8_sequence(d):
        assert_error(post_raw(d, b'{"source":"hostile.test","text":"euro \xe2\x82"}'), 400, 'invalid_utf8')


@hostile
def invalid_utf8_in_key(d):
        assert_error(post_raw(d, b'{"source":"hostile.test","te\xffxt":"x"}'), 400, ('invalid_utf8', 'invalid_field'))


@hostile
def lone_high_surrogate_escape(d):
        body = b'{"source":"hostile.test","text":"lone \\ud800 high"}'
        assert_error(post_raw(d, body), 400, ('invalid_json', 'invalid_utf8', 'invalid_field'))


@hostile
def lone_low_surrogate_escape(d):
        body = b'{"source":"hostile.test","text":"lone \\udc00 low"}'
        assert_error(post_raw(d, body), 400, ('invalid_json', 'invalid_utf8', 'invalid_field'))


@hostile
def valid_surrogate_pair_accepted(d):
        body = b'{"source":"hostile.test","text":"A bridge \\ud83c\\udf09 opened in Port Alden on Monday."}'
        r = post_raw(d, body)
        assert r.status == 201, r
        g = d.get('/v1/articles/%d' % r.json['id'])
        assert g.json['text'] == 'A bridge \U0001f309 opened in Port Alden on Monday.', g.json['text']


# ---- wrong types, out-of-range values, unknown fields ----
@hostile
def wrong_type_source(d):
        assert_error(post_raw(d, with_(source=12)), 400, 'invalid_field', 'source')


@hostile
def wrong_type_text_object(d):
        assert_error(post_raw(d, with_(text={'p': 'x'})), 400, 'invalid_field', 'text')


@hostile
def wrong_type_published_number(d):
        assert_error(post_raw(d, with_(published_at=1e300)), 400, 'invalid_field', 'published_at')


@hostile
def published_at_out_of_range(d):
        assert_error(post_raw(d, with_(published_at='99999-01-01T00:00:00Z')), 400, 'invalid_field', 'published_at')


@hostile
def empty_source(d):
        assert_error(post_raw(d, with_(source='')), 400, ('invalid_field', 'missing_field'), 'source')


@hostile
def unknown_field(d):
        assert_error(post_raw(d, with_(id=5)), 400, 'invalid_field', 'id')


@hostile
def huge_source_string(d):
        r = post_raw(d, with_(source='s' * 500000))
        assert r.status in (201, 400), r
        if r.status == 400:
                assert_error(r, 400, 'invalid_field', 'source')


# ---- content types ----
@hostile
def content_type_text_plain(d):
        assert_error(post_raw(d, with_(), ctype='text/plain'), 415, 'unsupported_media_type')


@hostile
def content_type_missing(d):
        assert_error(post_raw(d, with_(), ctype=None), 415, 'unsupported_media_type')


@hostile
def content_type_empty(d):
        assert_error(post_raw(d, with_(), ctype=''), 415, 'unsupported_media_type')


@hostile
def content_type_form(d):
        assert_error(post_raw(d, b'source=x&text=y', ctype='application/x-www-form-urlencoded'),
                     415, 'unsupported_media_type')


@hostile
def content_type_json_prefix_trick(d):
        assert_error(post_raw(d, with_(), ctype='application/jsonx'), 415, 'unsupported_media_type')


# ---- chunked bodies, headers, slow and idle clients (raw sockets) ----
def send_chunked(d, total, terminate):
        """Sends a chunked POST of total bytes; returns the parsed response."""
        s = socket.create_connection((d.host, d.port), timeout=15)
        try:
                s.sendall(b'POST /v1/articles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
                          b'Transfer-Encoding: chunked\r\n\r\n')
                chunk = b'a' * 65536
                sent = 0
                try:
                        while sent < total:
                                s.sendall(b'%x\r\n' % len(chunk) + chunk + b'\r\n')
                                sent += len(chunk)
                        if terminate:
                                s.sendall(b'0\r\n\r\n')
                except (BrokenPipeError, ConnectionResetError):
                        pass
                buf = b''
                try:
                        while True:
                                x = s.recv(65536)
                                if not x:
                                        break
                                buf += x
                except (socket.timeout, ConnectionResetError):
                        pass
                return claimdtest.parse_raw_response(buf)
        finally:
                s.close()


@hostile
def chunked_body_over_limit(d):
        # Twice the limit, properly terminated: claimd's own JSON 413.
        assert_error(send_chunked(d, LIMIT * 2, True), 413, 'too_large')


@hostile
def chunked_body_endless(d):
        # Chunks without end, far past the limit: cut off with a JSON 413.
        assert_error(send_chunked(d, LIMIT * 16, False), 413, 'too_large')


@hostile
def chunked_body_small_ok(d):
        body = with_(url='https://hostile.test/chunked')
        req = (b'POST /v1/articles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
               b'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n')
        half = len(body) // 2
        for part in (body[:half], body[half:]):
                req += b'%x\r\n' % len(part) + part + b'\r\n'
        req += b'0\r\n\r\n'
        r, _ = d.raw(req)
        assert r is not None and r.status == 201, r


@hostile
def content_length_over_limit(d):
        body = b'{"source":"hostile.test","text":"' + b'b' * LIMIT + b'"}'
        r, _ = d.raw(b'POST /v1/articles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
                     b'Content-Length: %d\r\n\r\n' % len(body) + body, timeout=30)
        assert_error(r, 413, 'too_large')


@hostile
def content_length_far_over_limit(d):
        # Far beyond the limit: the body is drained (lingering close) and a
        # JSON 413 follows.
        body = b'{"source":"hostile.test","text":"' + b'c' * (LIMIT * 6) + b'"}'
        r, _ = d.raw(b'POST /v1/articles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
                     b'Content-Length: %d\r\n\r\n' % len(body) + body, timeout=30)
        assert_error(r, 413, 'too_large')


@hostile
def content_length_huge_never_sent(d):
        # 1 GiB announced, a few bytes sent: answered (413) or dropped within
        # the request timeout, never held forever.
        t0 = time.monotonic()
        r, _ = d.raw(b'POST /v1/articles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
                     b'Content-Length: 1073741824\r\n\r\n{"source":', timeout=TIMEOUT + 10)
        took = time.monotonic() - t0
        assert took < TIMEOUT + 8, 'connection held %.1fs' % took
        assert r is None or r.status == 413, r


@hostile
def content_length_not_a_number(d):
        r, buf = d.raw(b'POST /v1/articles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
                       b'Content-Length: abc\r\n\r\n{}', timeout=TIMEOUT + 5)
        assert_error(r, 400, ('invalid_request', 'invalid_field'))


@hostile
def content_length_negative(d):
        r, buf = d.raw(b'POST /v1/articles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
                       b'Content-Length: -5\r\n\r\n{}', timeout=TIMEOUT + 5)
        assert_error(r, 400, ('invalid_request', 'invalid_field'))


@hostile
def header_over_limit(d):
        r, buf = d.raw(b'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ' + b'h' * 200000 + b'\r\n\r\n',
                       timeout=TIMEOUT + 5)
        assert_error(r, 431, 'too_large')


@hostile
def header_between_limits_gets_json(d):
        # Over max_header_bytes (16 KiB by default) but under libevent's outer
        # cap: claimd answers itself, with a JSON error.
        r, buf = d.raw(b'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ' + b'h' * 30000 + b'\r\n\r\n',
                       timeout=TIMEOUT + 5)
        assert r is not None and r.status in (413, 431), (r, buf[:200])
        assert_error(r, (413, 431), 'too_large')


@hostile
def too_many_headers(d):
        hs = b''.join(b'X-H%d: v\r\n' % i for i in range(20000))
        r, buf = d.raw(b'GET /healthz HTTP/1.1\r\nHost: x\r\n' + hs + b'\r\n', timeout=TIMEOUT + 5)
        assert_error(r, 431, 'too_large')


@hostile
def slow_client_never_finishes_headers(d):
        s = socket.create_connection((d.host, d.port), timeout=TIMEOUT + 10)
        try:
                s.sendall(b'GET /healthz HTTP/1.1\r\nHost: x\r\n')
                t0 = time.monotonic()
                d.assert_serving('while a slow client holds a connection')
                try:
                        data = s.recv(4096)
                except ConnectionResetError:
                        data = b''
                waited = time.monotonic() - t0
                assert waited < TIMEOUT + 8, 'slow client kept for %.1fs' % waited
                assert data == b'' or data.startswith(b'HTTP/1.1 408') or data.startswith(b'HTTP/1.'), data[:100]
        finally:
                s.close()


@hostile
def slow_client_never_finishes_body(d):
        s = socket.create_connection((d.host, d.port), timeout=TIMEOUT + 10)
        try:
                s.sendall(b'POST /v1/articles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
                          b'Content-Length: 1000\r\n\r\n{"source": "slow.test", ')
                t0 = time.monotonic()
                d.assert_serving('while a slow body is pending')
                try:
                        data = s.recv(4096)
                except ConnectionResetError:
                        data = b''
                assert time.monotonic() - t0 < TIMEOUT + 8, 'slow body kept too long'
        finally:
                s.close()


@hostile
def slowloris_trickle(d):
        s = socket.create_connection((d.host, d.port), timeout=2)
        t0 = time.monotonic()
        closed = False
        try:
                s.sendall(b'GET /healthz HTTP/1.1\r\n')
                # one header byte a second, for up to TIMEOUT + 8 seconds
                while time.monotonic() - t0 < TIMEOUT + 8:
                        try:
                                s.sendall(b'X')
                        except (BrokenPipeError, ConnectionResetError):
                                closed = True
                                break
                        try:
                                if s.recv(4096) == b'':
                                        closed = True
                                        break
                        except socket.timeout:
                                pass
                        except ConnectionResetError:
                                closed = True
                                break
                assert closed, 'a byte-a-second client kept its connection for %.0fs' % (time.monotonic() - t0)
        finally:
                s.close()


@hostile
def many_idle_connections(d):
        socks = []
        try:
                for _ in range(300):
                        socks.append(socket.create_connection((d.host, d.port), timeout=5))
                t0 = time.monotonic()
                d.assert_serving('with 300 idle connections')
                assert time.monotonic() - t0 < 2 * slow_factor(), 'healthz slow with idle connections'
                time.sleep(TIMEOUT + 3)
                closed = 0
                for s in socks:
                        s.settimeout(0.2)
                        try:
                                if s.recv(1) == b'':
                                        closed += 1
                        except ConnectionResetError:
                                closed += 1
                        except socket.timeout:
                                pass
                assert closed == len(socks), 'only %d of %d idle connections closed after the timeout' % (
                        closed, len(socks))
        finally:
                for s in socks:
                        s.close()


@hostile
def garbage_bytes(d):
        r, buf = d.raw(bytes(range(256)) * 4 + b'\r\n\r\n', timeout=TIMEOUT + 5)
        assert_error(r, 400, 'invalid_request')


@hostile
def http09_request(d):
        r, buf = d.raw(b'GET /healthz\r\n\r\n', timeout=TIMEOUT + 5)
        assert_error(r, (400, 505), 'invalid_request')


@hostile
def pipelined_requests(d):
        s = socket.create_connection((d.host, d.port), timeout=10)
        try:
                s.sendall(b'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/articles/0 HTTP/1.1\r\nHost: x\r\n'
                          b'Connection: close\r\n\r\n')
                buf = b''
                while True:
                        x = s.recv(65536)
                        if not x:
                                break
                        buf += x
        finally:
                s.close()
        assert buf.startswith(b'HTTP/1.1 200'), buf[:200]
        assert b'HTTP/1.1 404' in buf[20:], buf[:600]


# ---- ids, URLs, query strings, methods ----
@hostile
def id_non_numeric(d):
        assert_error(d.get('/v1/articles/abc'), (400, 404), ('invalid_field', 'not_found'))


@hostile
def id_huge(d):
        assert_error(d.get('/v1/articles/99999999999999999999999999'), (400, 404), ('invalid_field', 'not_found'))


@hostile
def id_negative(d):
        assert_error(d.get('/v1/conflicts/-1'), (400, 404), ('invalid_field', 'not_found'))


@hostile
def id_trailing_junk(d):
        assert_error(d.get('/v1/events/1abc'), (400, 404), ('invalid_field', 'not_found'))


@hostile
def id_zero(d):
        assert_error(d.get('/v1/articles/0'), 404, 'not_found')


@hostile
def id_with_extra_segment(d):
        assert_error(d.get('/v1/articles/1/claims/x'), 404, 'not_found')


@hostile
def path_traversal(d):
        assert_error(d.get('/v1/../../etc/passwd'), (400, 404), ('not_found', 'invalid_field'))


@hostile
def percent_encoded_nul_in_path(d):
        assert_error(d.get('/v1/articles/1%00'), (400, 404), ('not_found', 'invalid_field'))


@hostile
def query_since_huge(d):
        assert_error(d.get('/v1/conflicts?since=999999999999999999999999'), 400, 'invalid_field', 'since')


@hostile
def query_limit_huge(d):
        r = d.get('/v1/conflicts?limit=99999999999999999999')
        assert_error(r, 400, 'invalid_field', 'limit')


@hostile
def query_wait_negative(d):
        assert_error(d.get('/v1/conflicts?wait=-3'), 400, 'invalid_field', 'wait')


@hostile
def query_min_score_nan(d):
        assert_error(d.get('/v1/conflicts?min_score=nan'), 400, 'invalid_field', 'min_score')


@hostile
def query_bad_percent_encoding(d):
        r = d.get('/v1/conflicts?source=%zz%')
        assert r.status in (200, 400), r
        if r.status == 400:
                assert_error(r, 400, 'invalid_field')


@hostile
def very_long_url(d):
        r = d.get('/v1/articles/' + '1' * 20000)
        assert_error(r, (400, 404, 414), ('invalid_field', 'not_found', 'too_large', 'uri_too_long'))


@hostile
def very_long_query_string(d):
        r = d.get('/v1/conflicts?source=' + 'x' * 30000)
        assert r.status in (200, 400, 414), r
        if r.status != 200:
                assert_error(r, (400, 414), ('invalid_field', 'too_large', 'uri_too_long'))


@hostile
def enormous_url(d):
        r, buf = d.raw(b'GET /' + b'a' * 2000000 + b' HTTP/1.1\r\nHost: x\r\n\r\n', timeout=TIMEOUT + 5)
        assert_error(r, (414, 431, 400), ('too_large', 'invalid_request'))


@hostile
def method_patch(d):
        assert_error(d.http('PATCH', '/v1/articles/1', body=b'{}', headers=JSON), 405, 'method_not_allowed')


@hostile
def method_options(d):
        r = d.http('OPTIONS', '/v1/articles')
        assert r.status in (200, 204, 405), r
        if r.status == 405:
                assert_error(r, 405, 'method_not_allowed')


@hostile
def method_trace(d):
        assert_error(d.http('TRACE', '/healthz'), 405, 'method_not_allowed')


@hostile
def method_unknown(d):
        r, buf = d.raw(b'BREW /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', timeout=TIMEOUT + 5)
        assert_error(r, (405, 501), 'method_not_allowed')


@hostile
def compare_hostile_nested(d):
        body = b'{"a":{"text":"x"},"b":' + b'[' * 10000 + b']' * 10000 + b'}'
        assert_error(post_raw(d, body, path='/v1/compare'), 400, ('invalid_json', 'invalid_field'))


# ---- strange but valid content is accepted ----
@hostile
def strange_unicode_accepted(d):
        text = ('\u202eRTL override\u202c and zero\u200bwidth, combining e\u0301\u0301\u0301, '
                '\ufeffBOM, emoji \U0001f600\U0001f44d\U0001f3fd, CJK \u4e2d\u6587 said the mayor. '
                '\U00010348 Gothic. Tabs\tand\nnewlines.')
        r = post_raw(d, json.dumps({'source': 'hostile.test', 'text': text}).encode())
        assert r.status == 201, r
        g = d.get('/v1/articles/%d' % r.json['id'])
        assert g.json['text'] == text
        for cl in g.json['claims']:
                s, e = cl['span']
                assert 0 <= s < e <= len(text), cl


@hostile
def html_bomb(d):
        html = '<div>' * 50000 + 'The mayor said the bridge would open.' + '</div>' * 50000
        r = post_raw(d, json.dumps({'source': 'hostile.test', 'html': html}).encode())
        assert r.status in (201, 400, 413), r
        if r.status != 201:
                assert_error(r, (400, 413), ('invalid_field', 'too_large'))


@hostile
def malformed_html(d):
        html = '<p>The <b>mayor <i>said</b> the bridge</i> would <script>x("</p>")</script> open<p'
        r = post_raw(d, json.dumps({'source': 'hostile.test', 'html': html}).encode())
        assert r.status == 201, r


@hostile
def one_long_word(d):
        r = post_raw(d, json.dumps({'source': 'hostile.test', 'text': 'x' * 500000}).encode())
        assert r.status == 201, r


@hostile
def many_tiny_sentences(d):
        r = post_raw(d, json.dumps({'source': 'hostile.test', 'text': 'A. ' * 100000}).encode())
        assert r.status == 201, r


@hostile
def client_gone_during_ingest(d):
        if os.environ.get('CLAIMD_WRAPPER'):
                skip('minutes of pipeline work under valgrind')
        # Clients that hang up while their article is still in the pipeline:
        # the reply must go nowhere, not into freed memory.
        body = json.dumps({'source': 'gone.test', 'text': 'The mayor said the ferry would be late. ' * 1500})
        socks = []
        for i in range(20):
                s = socket.create_connection((d.host, d.port), timeout=5)
                b = body.replace('gone.test', 'gone%d.test' % i).encode()
                s.sendall(b'POST /v1/articles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
                          b'Content-Length: %d\r\n\r\n' % len(b) + b)
                socks.append(s)
        for s in socks:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b'\x01\x00\x00\x00\x00\x00\x00\x00')
                s.close()
        time.sleep(3)
        d.assert_serving('clients gone mid-ingest')
        r = d.post('/v1/articles', {'source': 'after-gone.test', 'text': 'The mayor said the ferry was on time.'})
        assert r.status == 201, r


@hostile
def client_gone_during_long_poll(d):
        socks = []
        for i in range(100):
                s = socket.create_connection((d.host, d.port), timeout=5)
                s.sendall(b'GET /v1/conflicts?since=1000000000&wait=30 HTTP/1.1\r\nHost: x\r\n\r\n')
                socks.append(s)
        time.sleep(0.5)
        for s in socks:
                s.close()
        time.sleep(0.5)
        d.assert_serving('pollers gone')
        # a new conflict now must not touch the departed pollers
        a = {'source': 'gone-a.test', 'text': 'Minister Clara Voss said the harbor vote was fair.'}
        b = {'source': 'gone-b.test', 'text': 'A senior official denied that the harbor vote was fair.'}
        assert d.post('/v1/articles', a).status == 201
        assert d.post('/v1/articles', b).status == 201
        r = d.get('/v1/conflicts?since=0&wait=1')
        assert r.status == 200, r


@hostile
def many_pollers_all_answered(d):
        if os.environ.get('CLAIMD_WRAPPER'):
                skip('200 connections at once under valgrind')
        since = d.get('/v1/conflicts?limit=1000').json['next']
        results = []
        lock = threading.Lock()

        def poll():
                try:
                        r = d.get('/v1/conflicts?since=%d&wait=4' % since, timeout=30)
                        with lock:
                                results.append(r.status)
                except OSError as e:
                        with lock:
                                results.append(repr(e))
        ths = [threading.Thread(target=poll) for _ in range(200)]
        for t in ths:
                t.start()
        for t in ths:
                t.join(60)
        assert results.count(200) == 200, sorted(set(map(str, results)))


@hostile
def concurrent_bad_and_good(d):
        if os.environ.get('CLAIMD_WRAPPER'):
                skip('timing-bound under valgrind')
        errs = []

        def bad():
                try:
                        for _ in range(20):
                                r = post_raw(d, b'{"source":')
                                if r.status != 400:
                                        errs.append(r)
                except Exception as e:
                        errs.append(e)
        ths = [threading.Thread(target=bad) for _ in range(4)]
        for t in ths:
                t.start()
        for i in range(10):
                r = d.post('/v1/articles', {'source': 'good.test', 'text': 'Good article number %d said the mayor.' % i})
                assert r.status == 201, r
        for t in ths:
                t.join(60)
        assert not errs, errs[:3]


@hostile
def review_hostile_bodies(d):
        # the analyst's desk: PATCH /v1/conflicts/{id} bodies (a conflict to aim at first)
        r = d.post('/v1/articles', conflict_article(7001))
        assert r.status == 201 and r.json['conflicts'], r
        path = '/v1/conflicts/%d' % r.json['conflicts'][0]
        for body, status, code in (
                        (b'{"status": ' + b'[' * 5000 + b']' * 5000 + b'}', 400, ('invalid_json', 'invalid_field')),
                        (b'{"status": "open", "note": "a\u0000b"}', 400, 'invalid_field'),
                        (b'{"status": "open", "reviewer": "\u001b[31mred"}', 400, 'invalid_field'),
                        (b'{"status": "open\u0000"}', 400, 'invalid_field'),
                        (b'{"status": "open", "note": "' + b'n' * (LIMIT - 64) + b'"}', 400, 'invalid_field'),
                        (b'{"status": "open", "note": "' + b'n' * (LIMIT + 10) + b'"}', 413, 'too_large'),
                        (b'{"status": 1e999}', 400, ('invalid_json', 'invalid_field')),
                        (b'{"status": "open"}\x00', 400, ('invalid_json', 'invalid_utf8')),
                        (b'', 400, 'invalid_json'),
                        (b'null', 400, 'invalid_json')):
                r = d.http('PATCH', path, body=body, headers=JSON, timeout=TIMEOUT + 10)
                assert_error(r, status, code)
        for bad in ('/v1/conflicts/1%00', '/v1/conflicts/-1', '/v1/conflicts/99999999999999999999',
                    '/v1/conflicts/1/history/x', '/v1/conflicts//history'):
                assert_error(d.http('PATCH', bad, body=b'{"status": "open"}', headers=JSON), (400, 404, 405),
                             ('not_found', 'invalid_request', 'method_not_allowed'))
        assert d.http('PATCH', path, body=b'{"status": "open"}', headers=JSON).status == 200


@hostile
def stream_hostile_clients(d):
        # many streams opened and dropped at once, one that pipelines more
        # requests behind its own, an HTTP/1.0 one, and a huge Last-Event-ID
        socks = []
        for i in range(50):
                s = socket.create_connection((d.host, d.port), timeout=5)
                s.sendall(b'GET /v1/conflicts/stream?since=0 HTTP/1.1\r\nHost: x\r\n\r\n')
                socks.append(s)
        for s in socks:
                s.close()
        s = socket.create_connection((d.host, d.port), timeout=5)
        s.sendall(b'GET /v1/conflicts/stream HTTP/1.1\r\nHost: x\r\n\r\n' +
                  b'POST /v1/articles HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}' * 50)
        time.sleep(0.3)
        s.close()
        r, buf = d.raw(b'GET /v1/conflicts/stream HTTP/1.0\r\n\r\n', timeout=1.5)
        assert buf.startswith(b'HTTP/1.') and b' 200 ' in buf.split(b'\r\n')[0], buf[:200]
        r = d.get('/v1/conflicts/stream', headers={'Last-Event-ID': '9' * 9000})
        assert_error(r, (400, 431), ('invalid_field', 'too_large'))
        for bad in ('/%2e%2e/app.js', '/app.js%00', '/app.js/', '//', '/.git/config'):
                assert_error(d.get(bad), (400, 404), ('not_found', 'invalid_request'))
        time.sleep(1.5)
        d.assert_serving('hostile streams')
        m = d.get('/metrics').body.decode()
        assert 'claimd_event_streams 0' in m, [l for l in m.splitlines() if 'event_streams' in l]


@case
def served_others_throughout(d):
        w = D['watch']
        w.stop.set()
        w.join(15)
        diag('%d health checks during the run, worst %.3fs' % (w.n, w.worst))
        assert w.n > 20, w.n
        assert not w.failures, w.failures[:5]
        assert w.worst < 2.0 * slow_factor(), 'a health check took %.2fs' % w.worst


@case
def no_sanitizer_report_and_clean_exit(d):
        d.assert_serving('the end')
        rc = d.stop()
        log = d.log()
        for marker in ('AddressSanitizer', 'runtime error:', 'LeakSanitizer', 'Segmentation'):
                assert marker not in log, 'daemon log has %r:\n%s' % (marker, log[-3000:])
        assert rc == 0, 'exit status %r after SIGTERM' % rc


if __name__ == '__main__':
        claimdtest.run(setup, teardown)
