#!/usr/bin/env python3
"""Webhooks (API.md, Push) against the real daemon and receivers written
here: the headers and the HMAC-SHA256 signature, a receiver that answers
500 once then 200 getting the conflict again, receivers that send garbage
or never answer (ingestion goes on), kill -9 with deliveries pending (all
delivered after the restart, none twice), https with a CA file, the
metrics, and bad [webhook] configurations.
Usage: test_webhook.py BUILD/daemon/claimd
"""
import hashlib
import hmac
import http.server
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'pylib'))
from claimdtest import (Daemon, case, claimd_path, conflict_article, free_port, run,  # noqa: E402
                        skip, slow_factor)

SECRET = b'webhook-test-secret-99'


class Receiver:
        """An HTTP receiver on a free port: records every POST; answers
        with self.plan (a list of statuses used up one per request, then
        200)."""

        def __init__(self, plan=(), tls=None, port=None):
                self.got = []
                self.plan = list(plan)
                self.lock = threading.Lock()
                rec = self

                class H(http.server.BaseHTTPRequestHandler):
                        protocol_version = 'HTTP/1.1'

                        def do_POST(self):
                                n = int(self.headers.get('Content-Length') or 0)
                                body = self.rfile.read(n)
                                with rec.lock:
                                        status = rec.plan.pop(0) if rec.plan else 200
                                        rec.got.append({'headers': dict(self.headers), 'body': body,
                                                        'path': self.path, 'status': status})
                                self.send_response(status)
                                self.send_header('Content-Length', '2')
                                self.end_headers()
                                self.wfile.write(b'ok')

                        def log_message(self, *a):
                                pass

                self.port = port or free_port()
                http.server.ThreadingHTTPServer.allow_reuse_address = True
                self.server = http.server.ThreadingHTTPServer(('127.0.0.1', self.port), H)
                if tls:
                        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                        ctx.load_cert_chain(*tls)
                        self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
                self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
                self.thread.start()

        def ids(self, status=None):
                with self.lock:
                        return [int(g['headers']['X-Claimd-Delivery']) for g in self.got
                                if status is None or g['status'] == status]

        def close(self):
                self.server.shutdown()
                self.server.server_close()


class RawReceiver:
        """A TCP server that answers garbage, or nothing at all (hang)."""

        def __init__(self, mode):
                self.mode = mode
                self.sock = socket.socket()
                self.sock.bind(('127.0.0.1', 0))
                self.sock.listen(64)
                self.port = self.sock.getsockname()[1]
                self.conns = []
                self.accepted = 0
                self.stop = False
                threading.Thread(target=self.loop, daemon=True).start()

        def loop(self):
                while not self.stop:
                        try:
                                c, _ = self.sock.accept()
                        except OSError:
                                return
                        self.accepted += 1
                        if self.mode == 'garbage':
                                try:
                                        c.recv(65536)
                                        c.sendall(b'\x00\xffNOT HTTP AT ALL\r\n\r\n' + os.urandom(512))
                                except OSError:
                                        pass
                                c.close()
                        else:
                                self.conns.append(c)     # read nothing, answer nothing

        def close(self):
                self.stop = True
                self.sock.close()
                for c in self.conns:
                        c.close()


def config(tmp, urls, extra=''):
        path = os.path.join(tmp, 'claimd.conf')
        with open(os.path.join(tmp, 'secret'), 'wb') as f:
                f.write(SECRET + b'\n')
        with open(path, 'w') as f:
                f.write('[webhook]\n')
                for u in urls:
                        f.write('url = %s\n' % u)
                f.write('secret_file = %s\nretry_initial_sec = 1\nretry_max_sec = 2\ntimeout_sec = 2\n%s'
                        % (os.path.join(tmp, 'secret'), extra))
        return path


def daemon_with(urls, extra='', db=None):
        tmp = tempfile.mkdtemp(prefix='claimd-webhook-')
        return Daemon(tmpdir=tmp, config=config(tmp, urls, extra), own_tmpdir=True, db=db)


def wait(pred, timeout=20, what='condition'):
        deadline = time.monotonic() + timeout * slow_factor()
        while time.monotonic() < deadline:
                v = pred()
                if v:
                        return v
                time.sleep(0.05)
        raise AssertionError('timed out waiting for ' + what)


def metric(d, name):
        for line in d.get('/metrics').body.decode().splitlines():
                if line.startswith(name + ' '):
                        return float(line.split()[1])
        return None


def post_conflict(d, n):
        r = d.post('/v1/articles', conflict_article(n))
        assert r.status == 201 and len(r.json['conflicts']) == 1, r
        return r.json['conflicts'][0]


@case
def fails_once_then_delivers_with_a_valid_signature():
        rec = Receiver(plan=[500])
        d = daemon_with(['http://127.0.0.1:%d/hooks/claimd?team=desk' % rec.port])
        try:
                cid = post_conflict(d, 1)
                wait(lambda: rec.ids(200) == [cid], what='the second attempt')
                assert rec.ids() == [cid, cid], rec.ids()
                conflict = d.get('/v1/conflicts/%d' % cid).json
                for i, g in enumerate(rec.got):
                        h = g['headers']
                        assert g['path'] == '/hooks/claimd?team=desk', g['path']
                        assert h['Content-Type'] == 'application/json', h
                        assert h['X-Claimd-Event'] == 'conflict', h
                        assert h['X-Claimd-Delivery'] == str(cid), h
                        assert h['X-Claimd-Attempt'] == str(i + 1), h
                        want = 'sha256=' + hmac.new(SECRET, g['body'], hashlib.sha256).hexdigest()
                        assert h['X-Claimd-Signature'] == want, (h['X-Claimd-Signature'], want)
                        body = json.loads(g['body'])
                        assert body['id'] == cid and body['claims'] == conflict['claims'], body
                # the receiver logs a request before claimd has read its answer
                wait(lambda: metric(d, 'claimd_webhook_deliveries_total') == 1, what='the delivery counted')
                assert metric(d, 'claimd_webhook_failures_total') == 1
                assert wait(lambda: metric(d, 'claimd_webhook_backlog') == 0 or None) is not None
                assert 'MESSAGE_ID' in d.log() or 'delivering conflict %d failed' % cid in d.log(), d.log()[-500:]
        finally:
                d.close()
                rec.close()


@case
def garbage_and_silent_receivers_do_not_stop_ingestion():
        garbage, silent, good = RawReceiver('garbage'), RawReceiver('hang'), Receiver()
        d = daemon_with(['http://127.0.0.1:%d/' % garbage.port, 'http://127.0.0.1:%d/' % silent.port,
                         'http://127.0.0.1:%d/' % good.port], extra='max_in_flight = 2\n')
        try:
                ids = [post_conflict(d, 10 + i) for i in range(12)]
                wait(lambda: sorted(good.ids()) == ids, what='the good receiver')
                wait(lambda: (metric(d, 'claimd_webhook_failures_total') or 0) >= 4, what='failures')
                assert garbage.accepted >= 2 and silent.accepted >= 1, (garbage.accepted, silent.accepted)
                # the two bad receivers hold 36 deliveries minus what is in flight
                wait(lambda: (metric(d, 'claimd_webhook_backlog') or 0) >= 20, what='the bad receivers\' backlog')
                d.assert_serving('bad receivers')
        finally:
                d.close()
                for r in (garbage, silent, good):
                        r.close()


@case
def kill9_with_pending_deliveries_delivers_all_once_after_restart():
        port = free_port()      # nobody listens yet: every attempt fails
        d = daemon_with(['http://127.0.0.1:%d/in' % port])
        rec = None
        try:
                ids = [post_conflict(d, 100 + i) for i in range(25)]
                wait(lambda: (metric(d, 'claimd_webhook_failures_total') or 0) >= 25, what='failed attempts')
                # the failures are recorded a few milliseconds later (or once the writer lets go)
                wait(lambda: metric(d, 'claimd_webhook_backlog') == 25, what='25 pending rows')
                d.kill9()
                rec = Receiver(port=port)
                d.start()
                wait(lambda: sorted(set(rec.ids())) == ids, timeout=30, what='all 25 after the restart')
                time.sleep(2.5)         # longer than a retry: nothing more comes
                counts = {i: rec.ids().count(i) for i in ids}
                assert all(c == 1 for c in counts.values()), counts
                assert metric(d, 'claimd_webhook_backlog') == 0
                cid = post_conflict(d, 200)
                wait(lambda: cid in rec.ids(), what='a new conflict after the restart')
        finally:
                d.close()
                if rec:
                        rec.close()


def make_cert(tmp):
        if not shutil.which('openssl'):
                skip('no openssl command to make a test certificate: apt-get install openssl (tests/install-deps.sh --test does)')
        key, crt = os.path.join(tmp, 'key.pem'), os.path.join(tmp, 'cert.pem')
        subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
                        '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
                        '-keyout', key, '-out', crt], check=True, capture_output=True)
        return crt, key


@case
def https_with_a_ca_file():
        tmp = tempfile.mkdtemp(prefix='claimd-webhook-tls-')
        try:
                crt, key = make_cert(tmp)
                rec = Receiver(tls=(crt, key))
                d = daemon_with(['https://127.0.0.1:%d/tls' % rec.port, 'https://localhost:%d/name' % rec.port],
                                extra='ca_file = %s\n' % crt)
                try:
                        cid = post_conflict(d, 300)
                        wait(lambda: sorted(rec.ids()) == [cid, cid], what='both https deliveries')
                        wait(lambda: metric(d, 'claimd_webhook_deliveries_total') == 2, what='both counted')
                        assert {g['path'] for g in rec.got} == {'/tls', '/name'}, rec.got
                        g = rec.got[0]
                        want = 'sha256=' + hmac.new(SECRET, g['body'], hashlib.sha256).hexdigest()
                        assert g['headers']['X-Claimd-Signature'] == want
                finally:
                        d.close()
                        rec.close()
                # the same receiver without the CA: the certificate is refused, nothing is sent
                rec = Receiver(tls=(crt, key))
                d = daemon_with(['https://127.0.0.1:%d/untrusted' % rec.port])
                try:
                        post_conflict(d, 301)
                        wait(lambda: (metric(d, 'claimd_webhook_failures_total') or 0) >= 1, what='a TLS failure')
                        assert rec.ids() == [] and metric(d, 'claimd_webhook_deliveries_total') == 0, rec.ids()
                finally:
                        d.close()
                        rec.close()
        finally:
                shutil.rmtree(tmp, ignore_errors=True)


@case
def bad_webhook_configuration_is_refused():
        tmp = tempfile.mkdtemp(prefix='claimd-webhook-cfg-')
        try:
                for bad, msg in (('url = ftp://example.test/x', 'http or https'),
                                 ('url = http://user:pw@example.test/', 'user info'),
                                 ('url = http:///nohost', 'host'),
                                 ('url = not a url', 'URL'),
                                 ('url = http://a.test/\nurl = http://a.test/', 'twice'),
                                 ('timeout_sec = 0', 'out of range'),
                                 ('retry_initial_sec = 10\nretry_max_sec = 5', 'retry_initial_sec'),
                                 ('colour = blue', 'unknown key')):
                        path = os.path.join(tmp, 'bad.conf')
                        with open(path, 'w') as f:
                                f.write('[webhook]\n%s\n' % bad)
                        p = subprocess.run([claimd_path(), '--config', path, '--check-config'],
                                           capture_output=True, text=True)
                        assert p.returncode != 0 and msg in p.stderr, (bad, p.returncode, p.stderr)
                path = os.path.join(tmp, 'good.conf')
                with open(path, 'w') as f:
                        f.write('[webhook]\nurl = http://127.0.0.1:9/a\nurl = https://[::1]:8443/b\n')
                p = subprocess.run([claimd_path(), '--config', path, '--check-config'], capture_output=True, text=True)
                assert p.returncode == 0, p.stderr
                # a missing secret or CA file: --check-config says so, and the start stops
                for key in ('ca_file', 'secret_file'):
                        bad = os.path.join(tmp, 'bad-%s.conf' % key)
                        with open(bad, 'w') as f:
                                f.write('[webhook]\nurl = http://127.0.0.1:9/a\n%s = %s\n'
                                        % (key, os.path.join(tmp, 'missing')))
                        p = subprocess.run([claimd_path(), '--config', bad, '--check-config'],
                                           capture_output=True, text=True)
                        assert p.returncode != 0 and key in p.stderr, (key, p.returncode, p.stderr)
                with open(path, 'a') as f:
                        f.write('secret_file = %s\n' % os.path.join(tmp, 'missing'))
                d = Daemon(tmpdir=tmp, config=path, wait_ready=False)
                try:
                        assert d.proc.wait(20) != 0 and 'secret_file' in d.log(), d.log()[-800:]
                finally:
                        d.close()
        finally:
                shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
        run()
