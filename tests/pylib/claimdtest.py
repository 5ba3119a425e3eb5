"""Shared helpers for claimd's integration, systemd and journal suites.

Python 3 standard library only.  A test file builds a list of cases with
@case, then calls run(); every case is one TAP line, so meson counts and
names them.  A case fails by raising (assert, AssertionError, anything);
a case may call skip("why") to be reported as skipped.

Daemon starts the real claimd binary on a free loopback port with a
temporary database and stops it afterwards; http() and raw() talk to it.
"""
import http.client
import json
import os
import random
import select
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

# The config file keys the tests use, in one place: (section, key).
CONFIG_KEYS = {
        'listen': ('server', 'listen'),
        'db': ('storage', 'database'),
        'max_body': ('server', 'max_body_bytes'),
        'max_header': ('server', 'max_header_bytes'),
        'request_timeout': ('server', 'request_timeout_sec'),
        'queue_size': ('server', 'queue_size'),
        'workers': ('server', 'workers'),
        'token_file': ('security', 'token_file'),
        'log_level': ('log', 'log_level'),
}


class Skip(Exception):
        pass


def skip(why):
        raise Skip(why)


def one_line(text):
        """text as one TAP line: newlines and other control characters
        escaped, so that a reason or a name can never break the stream."""
        return ''.join(c if c >= ' ' and c != '\x7f' else repr(c)[1:-1] for c in str(text))


def skip_all(why):
        """Skips the whole program: TAP plan 1..0 (meson reports SKIP)."""
        print('1..0 # SKIP ' + one_line(why))
        sys.stdout.flush()
        sys.exit(0)


_cases = []


def case(fn):
        """Decorator: registers fn as one TAP test case, named after it."""
        _cases.append(fn)
        return fn


def run(setup=None, teardown=None):
        """Runs every registered case; prints TAP; exits 1 if any failed."""
        only = os.environ.get('CLAIMD_TEST_ONLY')
        cases = [c for c in _cases if not only or only in c.__name__]
        print('1..%d' % len(cases))
        sys.stdout.flush()
        failed = 0
        ctx = None
        try:
                if setup:
                        ctx = setup()
        except Skip as e:
                for i, c in enumerate(cases, 1):
                        print('ok %d - %s # SKIP %s' % (i, c.__name__, one_line(e)))
                sys.exit(0)
        except Exception:
                for line in traceback.format_exc().splitlines():
                        print('# ' + line)
                print('Bail out! setup failed')
                sys.stdout.flush()
                sys.exit(1)
        try:
                for i, c in enumerate(cases, 1):
                        t0 = time.monotonic()
                        try:
                                c(ctx) if setup else c()
                        except Skip as e:
                                print('ok %d - %s # SKIP %s' % (i, c.__name__, one_line(e)))
                        except BaseException as e:
                                if isinstance(e, KeyboardInterrupt):
                                        raise
                                failed += 1
                                print('not ok %d - %s' % (i, c.__name__))
                                for line in traceback.format_exc().splitlines():
                                        print('# ' + line)
                                if isinstance(ctx, Daemon) and ctx.proc is not None and \
                                   ctx.proc.poll() is not None and not getattr(ctx, '_died_reported', False):
                                        ctx._died_reported = True
                                        print('# claimd exited with %s; its log ends:' % ctx.proc.returncode)
                                        for line in ctx.log()[-4000:].splitlines():
                                                print('#   ' + line)
                        else:
                                print('ok %d - %s # %.2fs' % (i, c.__name__, time.monotonic() - t0))
                        sys.stdout.flush()
        finally:
                if teardown:
                        teardown(ctx)
        sys.exit(1 if failed else 0)


def diag(msg):
        for line in str(msg).splitlines():
                print('# ' + line)
        sys.stdout.flush()


def free_port(family=socket.AF_INET, host='127.0.0.1'):
        """Returns a TCP port nobody listens on right now."""
        with socket.socket(family, socket.SOCK_STREAM) as s:
                s.bind((host, 0))
                return s.getsockname()[1]


def have_ipv6_loopback():
        try:
                with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
                        s.bind(('::1', 0))
                return True
        except OSError:
                return False


def claimd_path():
        """The daemon binary: argv[1] (meson passes it) or $CLAIMD."""
        p = sys.argv[1] if len(sys.argv) > 1 else os.environ.get('CLAIMD')
        if not p or not os.access(p, os.X_OK):
                print('Bail out! claimd binary not given (argv[1] or $CLAIMD): %r' % p)
                sys.exit(1)
        return p


def wrap(argv):
        """Prefixes argv with $CLAIMD_WRAPPER (e.g. valgrind, set by the
        'valgrind' test setup through tests/valgrind-wrap.sh)."""
        import shutil
        w = shlex.split(os.environ.get('CLAIMD_WRAPPER', ''))
        if w:
                w[0] = shutil.which(w[0]) or w[0]
        return w + list(argv)


def slow_factor():
        """How much slower the daemon runs under the wrapper/sanitizers."""
        if os.environ.get('CLAIMD_WRAPPER'):
                return 20.0
        return float(os.environ.get('CLAIMD_SLOW', '1'))


def write_config(path, values, extra=''):
        """Writes an INI config from {abstract name: value}, see CONFIG_KEYS."""
        sections = {}
        for name, value in values.items():
                sec, key = CONFIG_KEYS[name]
                vals = value if isinstance(value, list) else [value]
                for v in vals:
                        sections.setdefault(sec, []).append('%s = %s' % (key, v))
        with open(path, 'w') as f:
                f.write('# written by claimd tests\n')
                for sec, lines in sections.items():
                        f.write('[%s]\n' % sec)
                        for line in lines:
                                f.write(line + '\n')
                f.write(extra)


class Response:
        def __init__(self, status, headers, body):
                self.status = status
                self.headers = headers
                self.body = body
                self.json = None
                try:
                        self.json = json.loads(body.decode('utf-8')) if body else None
                except (ValueError, UnicodeDecodeError):
                        pass

        def header(self, name):
                for k, v in self.headers:
                        if k.lower() == name.lower():
                                return v
                return None

        def __repr__(self):
                return '<HTTP %d %r>' % (self.status, self.body[:300])


class Daemon:
        """One claimd process on a free port with a temporary database."""

        def __init__(self, binary=None, tmpdir=None, config=None, args=(), env=None,
                     db=None, port=None, listen=None, log_target='stderr', wait_ready=True,
                     stdout=None, log_path=None, own_tmpdir=False):
                """own_tmpdir: tmpdir was made by the caller for this daemon
                alone (to hold its config or credentials first); close()
                removes it, as it removes the directory it makes itself."""
                self.binary = binary or claimd_path()
                self._tmp = None
                self._own_tmpdir = own_tmpdir and tmpdir is not None
                if tmpdir is None:
                        self._tmp = tempfile.TemporaryDirectory(prefix='claimd-test-')
                        tmpdir = self._tmp.name
                self.tmpdir = tmpdir
                self.port = port or free_port()
                self.host = '127.0.0.1'
                self.db = db if db is not None else os.path.join(tmpdir, 'claimd.db')
                self.config = config
                self.args = list(args)
                self.env = dict(os.environ)
                self.env.pop('NOTIFY_SOCKET', None)
                self.env.pop('LISTEN_FDS', None)
                self.env.pop('JOURNAL_STREAM', None)
                self.env.pop('CREDENTIALS_DIRECTORY', None)
                if env:
                        self.env.update(env)
                self.listen = listen if listen is not None else ['127.0.0.1:%d' % self.port]
                self.log_target = log_target
                self.proc = None
                self.log_path = log_path or os.path.join(tmpdir, 'claimd-%d.log' % random.randrange(1 << 30))
                self._log = None
                self.stdout = stdout
                self.start(wait_ready)

        def argv(self):
                a = wrap([self.binary])
                if self.config:
                        a += ['--config', self.config]
                for l in self.listen:
                        a += ['--listen', l]
                if self.db:
                        a += ['--db', self.db]
                if self.log_target:
                        a += ['--log-target', self.log_target]
                return a + self.args

        def start(self, wait_ready=True, timeout=None):
                timeout = timeout or 30 * slow_factor()
                self._log = open(self.log_path, 'ab')
                self.proc = subprocess.Popen(self.argv(), env=self.env, stdin=subprocess.DEVNULL,
                                             stdout=self.stdout or self._log, stderr=self._log)
                if wait_ready:
                        self.wait_ready(timeout)

        def wait_ready(self, timeout=None):
                timeout = timeout or 30 * slow_factor()
                """Polls /healthz until 200; fails if the process exits first."""
                deadline = time.monotonic() + timeout
                last = None
                while time.monotonic() < deadline:
                        if self.proc.poll() is not None:
                                raise AssertionError('claimd exited with %s before it served /healthz; log:\n%s'
                                                     % (self.proc.returncode, self.log()[-3000:]))
                        try:
                                r = self.http('GET', '/healthz', timeout=2)
                                if r.status == 200:
                                        return
                                last = r
                        except OSError as e:
                                last = e
                        time.sleep(0.05)
                raise AssertionError('claimd not ready after %ss (last: %r); log:\n%s'
                                     % (timeout, last, self.log()[-3000:]))

        def log(self):
                try:
                        with open(self.log_path, 'rb') as f:
                                return f.read().decode('utf-8', 'replace')
                except OSError:
                        return ''

        def alive(self):
                return self.proc is not None and self.proc.poll() is None

        def send_signal(self, sig):
                self.proc.send_signal(sig)

        def stop(self, sig=signal.SIGTERM, timeout=20):
                """Sends sig and waits; returns the exit status (kills on timeout)."""
                timeout *= slow_factor()
                if self.proc is None:
                        return None
                if self.proc.poll() is None:
                        self.proc.send_signal(sig)
                        try:
                                self.proc.wait(timeout)
                        except subprocess.TimeoutExpired:
                                self.proc.kill()
                                self.proc.wait()
                                raise AssertionError('claimd did not exit within %ss of signal %d' % (timeout, sig))
                rc = self.proc.returncode
                if self._log:
                        self._log.close()
                        self._log = None
                return rc

        def kill9(self):
                self.proc.kill()
                self.proc.wait()
                if self._log:
                        self._log.close()
                        self._log = None

        def restart(self, wait_ready=True):
                self.stop()
                self.start(wait_ready)

        def close(self):
                try:
                        if self.proc and self.proc.poll() is None:
                                self.proc.kill()
                                self.proc.wait()
                finally:
                        if self._log:
                                self._log.close()
                        if self._tmp:
                                self._tmp.cleanup()
                        if self._own_tmpdir:
                                shutil.rmtree(self.tmpdir, ignore_errors=True)

        def http(self, method, path, body=None, headers=None, timeout=30, json_body=None):
                return http_call(self.host, self.port, method, path, body, headers, timeout, json_body)

        def post(self, path, doc, headers=None, timeout=60):
                return self.http('POST', path, json_body=doc, headers=headers, timeout=timeout)

        def get(self, path, timeout=30, headers=None):
                return self.http('GET', path, timeout=timeout, headers=headers)

        def raw(self, data, timeout=10, read=True):
                return raw_request(self.host, self.port, data, timeout, read)

        def exchange(self, data, **kw):
                return exchange(self.host, self.port, data, **kw)

        def assert_serving(self, what=''):
                """Fails unless the process lives and /healthz answers 200 within 5s."""
                assert self.alive(), 'claimd died (%s): rc=%s; log:\n%s' % (
                        what, self.proc.returncode, self.log()[-3000:])
                r = self.http('GET', '/healthz', timeout=5 * slow_factor())
                assert r.status == 200, 'healthz after %s: %r' % (what, r)


def http_call(host, port, method, path, body=None, headers=None, timeout=30, json_body=None):
        """One request on a fresh connection; returns a Response."""
        hdrs = dict(headers or {})
        if json_body is not None:
                body = json.dumps(json_body).encode('utf-8')
                hdrs.setdefault('Content-Type', 'application/json')
        if isinstance(body, str):
                body = body.encode('utf-8')
        c = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
                c.request(method, path, body=body, headers=hdrs)
                r = c.getresponse()
                data = r.read()
                return Response(r.status, r.getheaders(), data)
        finally:
                c.close()


def parse_raw_response(data):
        """Parses the first HTTP response in data: (status, headers, body) or None."""
        if not data:
                return None
        head, sep, rest = data.partition(b'\r\n\r\n')
        if not sep:
                return None
        lines = head.split(b'\r\n')
        parts = lines[0].split(b' ', 2)
        try:
                status = int(parts[1])
        except (IndexError, ValueError):
                return None
        headers = []
        for l in lines[1:]:
                k, _, v = l.partition(b':')
                headers.append((k.strip().decode('latin-1'), v.strip().decode('latin-1')))
        clen = None
        for k, v in headers:
                if k.lower() == 'content-length':
                        try:
                                clen = int(v)
                        except ValueError:
                                pass
        body = rest[:clen] if clen is not None else rest
        return Response(status, headers, body)


def raw_request(host, port, data, timeout=10, read=True):
        """Sends raw bytes, half-closes nothing, reads until close or timeout.
        Returns (Response or None, all bytes read)."""
        s = socket.create_connection((host, port), timeout=timeout)
        try:
                try:
                        s.sendall(data)
                except (BrokenPipeError, ConnectionResetError):
                        pass
                if not read:
                        return None, b''
                buf = b''
                deadline = time.monotonic() + timeout
                while time.monotonic() < deadline:
                        try:
                                chunk = s.recv(65536)
                        except socket.timeout:
                                break
                        except ConnectionResetError:
                                break
                        if not chunk:
                                break
                        buf += chunk
                        r = parse_raw_response(buf)
                        if r is not None and len(r.body) >= _clen(r):
                                break
                return parse_raw_response(buf), buf
        finally:
                s.close()


def exchange(host, port, data, wait=3.0, half_close=False, chunks=None, gap=0.0):
        """Sends raw bytes on a new connection (each of chunks instead of
        data, gap seconds apart; then shuts down the sending side if
        half_close) and reads until the server closes it or wait seconds
        pass: (the bytes read, closed, seconds)."""
        s = socket.create_connection((host, port), timeout=wait)
        t0 = time.monotonic()
        buf, closed = b'', False
        try:
                try:
                        for c in (chunks if chunks is not None else [data]):
                                s.sendall(c)
                                if gap:
                                        time.sleep(gap)
                        if half_close:
                                s.shutdown(socket.SHUT_WR)
                except (BrokenPipeError, ConnectionResetError):
                        pass
                deadline = t0 + wait
                while time.monotonic() < deadline:
                        s.settimeout(max(0.01, deadline - time.monotonic()))
                        try:
                                chunk = s.recv(65536)
                        except socket.timeout:
                                break
                        except ConnectionResetError:
                                closed = True
                                break
                        if not chunk:
                                closed = True
                                break
                        buf += chunk
        finally:
                s.close()
        return buf, closed, time.monotonic() - t0


def split_responses(buf, methods=()):
        """Cuts a byte stream into responses by their Content-Length:
        [(status, {header: value}, body)]; what cannot be framed ends it.
        The i-th response answers methods[i] when given: a HEAD reply (and
        a 204 or 304) has no body whatever its Content-Length says."""
        out = []
        i = 0
        while buf:
                head, sep, rest = buf.partition(b'\r\n\r\n')
                if not sep:
                        out.append((None, {}, buf))
                        break
                lines = head.split(b'\r\n')
                try:
                        status = int(lines[0].split(b' ')[1])
                except (IndexError, ValueError):
                        out.append((None, {}, buf))
                        break
                hdrs = {}
                for l in lines[1:]:
                        k, _, v = l.partition(b':')
                        hdrs[k.strip().decode('latin-1').lower()] = v.strip().decode('latin-1')
                bodyless = (i < len(methods) and methods[i] == 'HEAD') or status in (204, 304)
                n = 0 if bodyless else int(hdrs.get('content-length', len(rest)))
                out.append((status, hdrs, rest[:n]))
                buf = rest[n:]
                i += 1
        return out


def cpu_seconds(pid):
        """User plus system CPU time process pid has used, in seconds."""
        with open('/proc/%d/stat' % pid) as f:
                v = f.read().rsplit(')', 1)[1].split()
        return (int(v[11]) + int(v[12])) / os.sysconf('SC_CLK_TCK')


def _clen(r):
        v = r.header('Content-Length')
        try:
                return int(v) if v is not None else 1 << 62
        except ValueError:
                return 1 << 62


def assert_error(r, status, codes, field=None):
        """Asserts r is an API error: the status (int or set), a JSON body
        {"error": {"code", "message"}} with code in codes, and field if given."""
        statuses = status if isinstance(status, (set, tuple, list)) else (status,)
        codes = codes if isinstance(codes, (set, tuple, list)) else (codes,)
        assert r is not None, 'no HTTP response at all'
        assert r.status in statuses, 'status %d, want %s: %r' % (r.status, statuses, r)
        ct = r.header('Content-Type') or ''
        assert ct.startswith('application/json'), 'error Content-Type %r: %r' % (ct, r)
        assert isinstance(r.json, dict) and isinstance(r.json.get('error'), dict), \
                'error body is not {"error": {...}}: %r' % (r,)
        e = r.json['error']
        assert e.get('code') in codes, 'error code %r, want %s: %r' % (e.get('code'), codes, r)
        assert isinstance(e.get('message'), str) and e['message'], 'error without message: %r' % (r,)
        if field is not None:
                assert e.get('field') == field, 'error field %r, want %r: %r' % (e.get('field'), field, r)
        return e


def codepoints(s):
        return len(s)


# Articles written for these tests (fictional people and places).
ARTICLE_A = {
        'source': 'northwire.test',
        'url': 'https://northwire.test/2026/11/harbor-talks',
        'title': 'Ministers meet in Port Alden over harbor dispute',
        'published_at': '2026-11-20T09:00:00Z',
        'text': ('PORT ALDEN (Northwire) Foreign Minister Clara Voss said on Tuesday that '
                 'President Daniel Marsh accepted the assurances of Chancellor Otto Brenn that '
                 'there was no interference in the harbor vote. "We had a long and frank talk," '
                 'Voss told reporters after the meeting, which lasted more than three hours. '
                 'About 1,200 dock workers marched through the old town on Monday.'),
}
ARTICLE_B = {
        'source': 'eastgazette.test',
        'url': 'https://eastgazette.test/news/harbor-vote-denial',
        'title': 'Official denies Marsh accepted Brenn assurances',
        'published_at': '2026-11-20T11:30:00Z',
        'text': ('PORT ALDEN (East Gazette) A senior official in the Marsh administration denied '
                 'that President Daniel Marsh accepted the assurances of Chancellor Otto Brenn '
                 'that there was no interference in the harbor vote. The official said Marsh '
                 'pressed Brenn repeatedly during the meeting in Port Alden. Police said about '
                 '400 dock workers marched through the old town on Monday.'),
}

# A pair of articles (fictional) that conflict: one outlet reports that the
# foreign minister says Marsh accepted Brenn's assurances, another that a
# senior official denies it; the pattern of the README's example.  Tests
# that need a conflict to exist post these two, in this order.
CONFLICT_A = {
        'source': 'northwire.test',
        'url': 'https://northwire.test/2026/11/marsh-brenn-talks',
        'title': 'Marsh and Brenn meet in Port Alden',
        'published_at': '2026-11-20T09:00:00Z',
        'text': ('PORT ALDEN (Northwire) Foreign Minister Clara Voss said President Daniel Marsh '
                 'accepted the assurances of Chancellor Otto Brenn. The two leaders met for more '
                 'than three hours in Port Alden on Tuesday.'),
}
CONFLICT_B = {
        'source': 'eastgazette.test',
        'url': 'https://eastgazette.test/news/marsh-brenn-denial',
        'title': 'Marsh presses Brenn in Port Alden talks',
        'published_at': '2026-11-20T11:30:00Z',
        'text': ('PORT ALDEN (East Gazette) A senior official in the Marsh administration denied '
                 'that President Daniel Marsh accepted the assurances of Chancellor Otto Brenn. '
                 'The official said Marsh pressed Brenn repeatedly during the meeting in Port '
                 'Alden on Tuesday.'),
}
# who says what in the pair, as the conflict names them
CONFLICT_SPEAKERS = ('Clara Voss', 'A senior official in the Marsh administration')
# A second, unrelated pair that conflicts (another event, other outlets),
# for tests that need a new conflict after the first pair was posted.
CONFLICT2_A = {
        'source': 'westpost.test',
        'url': 'https://westpost.test/lake-mira/water-deal',
        'title': 'Amsel and river council sign water deal',
        'published_at': '2026-11-21T08:00:00Z',
        'text': ('LAKE MIRA (Westpost) Trade Minister Ines Kappel said Governor Ruth Amsel signed the '
                 'water agreement with the river council. Kappel spoke to reporters at the harbour '
                 'office on Friday.'),
}
CONFLICT2_B = {
        'source': 'southherald.test',
        'url': 'https://southherald.test/2026/water-deal-denied',
        'title': 'River council says no water deal yet',
        'published_at': '2026-11-21T10:00:00Z',
        'text': ('LAKE MIRA (South Herald) A spokesman for the river council denied that Governor '
                 'Ruth Amsel signed the water agreement with the river council. Talks will resume '
                 'next month, the spokesman said.'),
}

def conflict_article(n, source='south.test', url=True):
        """An article (written for these tests) whose two speakers
        contradict each other: posting it raises one denial conflict.  n
        makes each one's claims different, so no two are duplicates."""
        a = {'source': source,
             'title': 'Dam budget dispute %d' % n,
             'text': ('The governor said the dam cost %d million dollars. Treasurer Bo Kim '
                      'denied that the dam cost %d million dollars.' % (n, n))}
        if url:
                a['url'] = 'https://%s/dam/%d' % (source, n)
        return a
