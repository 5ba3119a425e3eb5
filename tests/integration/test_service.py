#!/usr/bin/env python3
"""claimd as a program: command line, config file, --check-config, SIGHUP
reload, API token (401), body limit (413), bounded queue (503), IPv4+IPv6
listeners.  Each case starts its own daemon.  Usage: test_service.py CLAIMD
"""
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'pylib'))
from claimdtest import (ARTICLE_A, Daemon, assert_error, case, claimd_path, diag, free_port,
                        have_ipv6_loopback, run, skip, slow_factor, wrap, write_config)  # noqa: E402

BIN = claimd_path()


def tmpdir():
        return tempfile.TemporaryDirectory(prefix='claimd-svc-')


def check_config(path, *extra):
        p = subprocess.run(wrap([BIN, '--config', path, '--check-config'] + list(extra)),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        return p.returncode, (p.stdout + p.stderr).decode('utf-8', 'replace')


@case
def version_and_help():
        p = subprocess.run(wrap([BIN, '--version']), stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        assert p.returncode == 0, p
        assert re.search(rb'\d+\.\d+\.\d+', p.stdout), p.stdout
        p = subprocess.run(wrap([BIN, '--help']), stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        assert p.returncode == 0, p
        for opt in (b'--config', b'--listen', b'--db', b'--log-target', b'--log-level', b'--check-config'):
                assert opt in p.stdout, (opt, p.stdout)
        p = subprocess.run(wrap([BIN, '--no-such-option']), stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        assert p.returncode != 0, p


@case
def start_failure_after_workers_exits_cleanly():
        """A start-up step that fails after the worker threads run (the
        listen address is taken) ends with exit status 1, promptly: the one
        teardown path joins the threads instead of leaving them running."""
        import socket
        with tmpdir() as t:
                taken = socket.socket()
                taken.bind(('127.0.0.1', 0))
                taken.listen()
                port = taken.getsockname()[1]
                try:
                        t0 = time.time()
                        p = subprocess.run(wrap([BIN, '--listen', '127.0.0.1:%d' % port, '--db', os.path.join(t, 'c.db'),
                                                 '--log-target', 'stderr']),
                                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60 * slow_factor())
                finally:
                        taken.close()
                assert p.returncode == 1, (p.returncode, p.stderr)
                assert b'Address already in use' in p.stderr, p.stderr
                assert b'serving on' not in p.stderr, p.stderr
                diag('exit 1 after %.2f s' % (time.time() - t0))


@case
def shipped_config_is_valid():
        conf = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'conf', 'claimd.conf')
        assert os.path.getsize(conf) > 0, 'conf/claimd.conf is empty'
        rc, out = check_config(conf)
        assert rc == 0, (rc, out)
        text = open(conf).read()
        for sec, key in (('server', 'listen'),):
                assert re.search(r'^#?\s*%s\s*=' % key, text, re.M), ('option not documented', key)


@case
def check_config_reports_file_and_line():
        with tmpdir() as t:
                good = os.path.join(t, 'good.conf')
                write_config(good, {'listen': '127.0.0.1:%d' % free_port(), 'log_level': 'info'})
                rc, out = check_config(good)
                assert rc == 0, (rc, out)
                bad = os.path.join(t, 'unknown-key.conf')
                with open(bad, 'w') as f:
                        f.write('# a comment\n[server]\nno_such_key = 1\n')
                rc, out = check_config(bad)
                assert rc != 0, (rc, out)
                assert '%s:3' % bad in out, out
                bad2 = os.path.join(t, 'bad-value.conf')
                sec, key = 'log', 'log_level'
                with open(bad2, 'w') as f:
                        f.write('[server]\n\n# x\n[%s]\n%s = loudest\n' % (sec, key))
                rc, out = check_config(bad2)
                assert rc != 0, (rc, out)
                assert '%s:5' % bad2 in out, out
                bad3 = os.path.join(t, 'garbage.conf')
                with open(bad3, 'w') as f:
                        f.write('[server\n')
                rc, out = check_config(bad3)
                assert rc != 0 and '%s:1' % bad3 in out, (rc, out)
                rc, out = check_config(os.path.join(t, 'missing.conf'))
                assert rc != 0, (rc, out)


@case
def config_file_sets_listen_and_db():
        with tmpdir() as t:
                port = free_port()
                conf = os.path.join(t, 'c.conf')
                db = os.path.join(t, 'from-config.db')
                write_config(conf, {'listen': '127.0.0.1:%d' % port, 'db': db})
                d = Daemon(config=conf, listen=[], db='', port=port, tmpdir=t)
                try:
                        d.assert_serving('config listen')
                        assert os.path.exists(db), 'database not created at the configured path'
                finally:
                        d.stop()
                        d.close()


@case
def sighup_broken_config_keeps_serving():
        with tmpdir() as t:
                port = free_port()
                conf = os.path.join(t, 'c.conf')
                write_config(conf, {'listen': '127.0.0.1:%d' % port, 'log_level': 'info'})
                d = Daemon(config=conf, listen=[], port=port, tmpdir=t)
                try:
                        r = d.post('/v1/articles', ARTICLE_A)
                        assert r.status == 201, r
                        with open(conf, 'w') as f:
                                f.write('[server]\nlisten = 127.0.0.1:%d\nthis is not ini\n' % port)
                        d.send_signal(signal.SIGHUP)
                        time.sleep(1)
                        d.assert_serving('SIGHUP with a broken config')
                        assert '%s:3' % conf in d.log(), 'broken config not reported with file:line:\n' + d.log()[-2000:]
                        g = d.get('/v1/articles/%d' % r.json['id'])
                        assert g.status == 200, g
                        write_config(conf, {'listen': '127.0.0.1:%d' % port, 'log_level': 'debug'})
                        d.send_signal(signal.SIGHUP)
                        time.sleep(1)
                        d.assert_serving('SIGHUP with a good config')
                        assert d.stop() == 0
                finally:
                        d.close()


@case
def sighup_applies_changeable_settings():
        with tmpdir() as t:
                port = free_port()
                conf = os.path.join(t, 'c.conf')
                write_config(conf, {'listen': '127.0.0.1:%d' % port, 'log_level': 'warning'})
                d = Daemon(config=conf, listen=[], port=port, tmpdir=t)
                try:
                        mid = {'source': 'reload.test', 'text': 'The mayor said the pier would reopen. ' * 2500}
                        r = d.post('/v1/articles', mid)
                        assert r.status == 201, r
                        assert not [l for l in d.log().splitlines() if l.startswith('<6>')], 'info logged at warning level'
                        write_config(conf, {'listen': '127.0.0.1:%d' % port, 'log_level': 'info', 'max_body': 65536})
                        d.send_signal(signal.SIGHUP)
                        time.sleep(1)
                        assert_error(d.post('/v1/articles', dict(mid, source='reload2.test')), 413, 'too_large')
                        r = d.post('/v1/articles', {'source': 'reload.test', 'title': 'Small article after reload'})
                        assert r.status == 201, r
                        time.sleep(0.3)
                        assert [l for l in d.log().splitlines() if l.startswith('<6>')], 'log_level=info not applied'
                        assert d.stop() == 0
                finally:
                        d.close()


@case
def ipv4_and_ipv6_listeners():
        if not have_ipv6_loopback():
                skip('no IPv6 loopback: [::1] cannot be bound here (IPv6 off? sysctl -w net.ipv6.conf.lo.disable_ipv6=0 turns it on)')
        import http.client
        with tmpdir() as t:
                p4, p6 = free_port(), free_port()
                d = Daemon(listen=['127.0.0.1:%d' % p4, '[::1]:%d' % p6], port=p4, tmpdir=t)
                try:
                        d.assert_serving('v4')
                        c = http.client.HTTPConnection('::1', p6, timeout=5)
                        c.request('GET', '/healthz')
                        r = c.getresponse()
                        assert r.status == 200 and json.loads(r.read())['status'] == 'ok'
                        c.close()
                finally:
                        d.stop()
                        d.close()


def token_daemon(t, token_content):
        creds = os.path.join(t, 'creds')
        os.mkdir(creds, 0o700)
        with open(os.path.join(creds, 'api-token'), 'w') as f:
                f.write(token_content)
        return Daemon(tmpdir=t, env={'CREDENTIALS_DIRECTORY': creds})


@case
def token_required_for_writes():
        token = 'tok-5f1e9c2b7d3a48e6a0c4b9d2e7f6a1b3'
        with tmpdir() as t:
                d = token_daemon(t, token + '\n')
                try:
                        art = dict(ARTICLE_A)
                        r = d.post('/v1/articles', art)
                        e = assert_error(r, 401, 'unauthorized')
                        assert (r.header('WWW-Authenticate') or '').lower().startswith('bearer'), r.headers
                        for h in ('Bearer wrong-token', 'Bearer ' + token[:-1], 'Bearer ' + token + 'x',
                                  'Basic ' + token, token, 'Bearer', 'bearer  '):
                                r = d.post('/v1/articles', art, headers={'Authorization': h})
                                assert_error(r, 401, 'unauthorized')
                        assert d.get('/healthz').json['articles'] == 0
                        r = d.post('/v1/articles', art, headers={'Authorization': 'Bearer ' + token})
                        assert r.status == 201, r
                        assert d.get('/v1/articles/%d' % r.json['id']).status == 200
                        assert token not in d.log(), 'the token appears in the log'
                finally:
                        d.stop()
                        d.close()


@case
def token_for_reads_when_configured():
        token = 'tok-reads-0b1c2d3e4f5a6b7c8d9e'
        with tmpdir() as t:
                creds = os.path.join(t, 'creds')
                os.mkdir(creds, 0o700)
                with open(os.path.join(creds, 'api-token'), 'w') as f:
                        f.write(token + '\n')
                conf = os.path.join(t, 'c.conf')
                write_config(conf, {}, extra='[security]\nrequire_token_for_reads = true\n')
                d = Daemon(tmpdir=t, config=conf, env={'CREDENTIALS_DIRECTORY': creds})
                try:
                        for p in ('/v1/conflicts', '/v1/events', '/v1/articles/1'):
                                assert_error(d.get(p), 401, 'unauthorized')
                        auth = {'Authorization': 'Bearer ' + token}
                        assert d.get('/v1/conflicts', headers=auth).status == 200
                        assert d.get('/v1/events', headers=auth).status == 200
                finally:
                        d.stop()
                        d.close()


@case
def remote_listen_needs_token():
        # Loopback only by default: a non-loopback listener without a token
        # is a configuration error.
        p = subprocess.run(wrap([BIN, '--listen', '0.0.0.0:%d' % free_port(), '--check-config']),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60,
                           env={k: v for k, v in os.environ.items() if k != 'CREDENTIALS_DIRECTORY'})
        assert p.returncode != 0, p
        with tmpdir() as t:
                d = Daemon(tmpdir=t, listen=['0.0.0.0:%d' % free_port()], wait_ready=False)
                try:
                        rc = d.proc.wait(30)
                        assert rc != 0, 'claimd served 0.0.0.0 without a token'
                finally:
                        d.close()


@case
def published_at_defaults_to_received():
        with tmpdir() as t:
                d = Daemon(tmpdir=t)
                try:
                        r = d.post('/v1/articles', {'source': 'when.test', 'title': 'No date given here'})
                        assert r.status == 201, r
                        a = d.get('/v1/articles/%d' % r.json['id']).json
                        assert a['published_at'] == a['received_at'], (a['published_at'], a['received_at'])
                        now = time.strftime('%Y-%m-%dT%H', time.gmtime())
                        assert a['received_at'][:10] == now[:10], (a['received_at'], now)
                finally:
                        d.stop()
                        d.close()


@case
def empty_token_credential_means_no_token():
        # The unit's SetCredential=api-token:\n fallback: no token configured.
        with tmpdir() as t:
                d = token_daemon(t, '\n')
                try:
                        r = d.post('/v1/articles', ARTICLE_A)
                        assert r.status == 201, r
                        r = d.post('/v1/articles', dict(ARTICLE_A, url=ARTICLE_A['url'] + '2'),
                                   headers={'Authorization': 'Bearer '})
                        assert r.status == 201, r
                finally:
                        d.stop()
                        d.close()


@case
def too_large_body_with_small_limit():
        with tmpdir() as t:
                conf = os.path.join(t, 'c.conf')
                write_config(conf, {'max_body': 65536})
                d = Daemon(config=conf, tmpdir=t)
                try:
                        big = {'source': 'big.test', 'text': 'word ' * 20000}
                        r = d.post('/v1/articles', big)
                        assert_error(r, 413, 'too_large')
                        r = d.post('/v1/compare', {'a': big, 'b': {'text': 'x'}})
                        assert_error(r, 413, 'too_large')
                        ok = d.post('/v1/articles', {'source': 'big.test', 'text': 'word ' * 2000})
                        assert ok.status == 201, ok
                        d.assert_serving('413')
                finally:
                        d.stop()
                        d.close()


@case
def overloaded_with_tiny_queue():
        with tmpdir() as t:
                conf = os.path.join(t, 'c.conf')
                write_config(conf, {'queue_size': 1, 'workers': 1})
                d = Daemon(config=conf, tmpdir=t)
                try:
                        results = []
                        lock = threading.Lock()
                        sent = ('Officials in Port Alden said the harbor would reopen on Monday after '
                                'repairs costing 4 million dollars, a spokesman for the port told reporters. ')

                        def post(i):
                                r = d.post('/v1/articles', {'source': 's%d.test' % i, 'text': sent * 150 + str(i)},
                                           timeout=120)
                                with lock:
                                        results.append(r)
                        ths = [threading.Thread(target=post, args=(i,)) for i in range(24)]
                        for th in ths:
                                th.start()
                        for th in ths:
                                th.join(180)
                        st = sorted(r.status for r in results)
                        diag('statuses: %s' % st)
                        assert len(results) == 24 and set(st) <= {201, 503}, st
                        assert 201 in st, st
                        busy = [r for r in results if r.status == 503]
                        assert busy, 'queue_size=1 with 24 concurrent posts: never overloaded'
                        for r in busy:
                                assert_error(r, 503, 'overloaded')
                        assert d.get('/healthz').json['articles'] == st.count(201)
                        d.assert_serving('overload')
                finally:
                        d.stop()
                        d.close()


@case
def sigterm_with_requests_in_flight():
        with tmpdir() as t:
                d = Daemon(tmpdir=t)
                try:
                        out = {}
                        acked, statuses = [], []
                        stop = threading.Event()
                        lock = threading.Lock()

                        def poll():
                                t0 = time.monotonic()
                                try:
                                        out['poll'] = d.get('/v1/conflicts?since=1000000&wait=30', timeout=60)
                                except OSError as e:
                                        out['poll'] = e
                                out['poll_t'] = time.monotonic()

                        def writer(w):
                                i = 0
                                while not stop.is_set():
                                        i += 1
                                        try:
                                                r = d.post('/v1/articles', {'source': 'term%d.test' % w,
                                                                            'url': 'https://term.test/%d/%d' % (w, i),
                                                                            'text': 'The mayor said item %d was late.' % i},
                                                           timeout=60)
                                        except OSError:
                                                return
                                        with lock:
                                                statuses.append(r.status)
                                                if r.status == 201:
                                                        acked.append(r.json['id'])
                                                elif r.status == 503:
                                                        assert_error(r, 503, ('shutting_down', 'overloaded'))
                        ths = [threading.Thread(target=poll)] + [threading.Thread(target=writer, args=(w,))
                                                                 for w in range(3)]
                        for th in ths:
                                th.start()
                        time.sleep(1.0)
                        t_term = time.monotonic()
                        d.send_signal(signal.SIGTERM)
                        rc = d.proc.wait(30)
                        took = time.monotonic() - t_term
                        stop.set()
                        for th in ths:
                                th.join(60)
                        diag('exit %d %.2fs after SIGTERM; %d posts answered (%s)' % (
                                rc, took, len(statuses), sorted(set(statuses))))
                        assert rc == 0, 'exit status %d; log:\n%s' % (rc, d.log()[-2000:])
                        assert took < 10, 'took %.1fs to stop' % took
                        assert set(statuses) <= {201, 503}, statuses
                        # stopped cleanly, the database file alone holds every
                        # acknowledged article (the WAL was folded in): a copy
                        # of claimd.db is a whole backup
                        wal = d.db + '-wal'
                        assert not os.path.exists(wal) or os.path.getsize(wal) == 0, \
                                'WAL left with %d bytes' % os.path.getsize(wal)
                        with sqlite3.connect('file:%s?immutable=1' % d.db, uri=True) as db:
                                ids = {row[0] for row in db.execute('SELECT id FROM articles')}
                        assert set(acked) <= ids, 'missing from claimd.db: %s' % sorted(set(acked) - ids)[:10]
                        p = out['poll']
                        assert not isinstance(p, Exception) and p.status in (200, 503), p
                        assert out['poll_t'] - t_term < 10, 'long poll held %.1fs after SIGTERM' % (out['poll_t'] - t_term)
                        d.stop()
                        d.start()
                        for aid in acked:
                                assert d.get('/v1/articles/%d' % aid).status == 200, aid
                        assert d.stop() == 0
                finally:
                        d.close()


def vm(pid, key):
        for line in open('/proc/%d/status' % pid):
                if line.startswith(key + ':'):
                        return int(line.split()[1])
        return -1


@case
def overload_memory_stays_bounded():
        # ~160 MiB of 250 KiB articles offered by 32 clients at once to one
        # worker with a 4-slot queue: most get 503, and the daemon's peak RSS
        # stays far below what keeping them all would take.
        if os.environ.get('CLAIMD_WRAPPER'):
                skip('too slow under %s' % os.environ['CLAIMD_WRAPPER'].split()[0])
        with tmpdir() as t:
                conf = os.path.join(t, 'c.conf')
                write_config(conf, {'queue_size': 4, 'workers': 1})
                d = Daemon(config=conf, tmpdir=t)
                try:
                        sent = ('Officials in Port Alden said the harbor would reopen on Monday after repairs, '
                                'a spokesman told reporters. ')
                        text = sent * 2400
                        statuses = []
                        lock = threading.Lock()

                        def client(k):
                                for i in range(20):
                                        r = d.post('/v1/articles', {'source': 'mem.test', 'url': 'https://mem.test/%d/%d' % (k, i),
                                                                    'text': text}, timeout=300)
                                        with lock:
                                                statuses.append(r.status)
                                        if r.status == 503:
                                                assert_error(r, 503, 'overloaded')
                        ths = [threading.Thread(target=client, args=(k,)) for k in range(32)]
                        for th in ths:
                                th.start()
                        for th in ths:
                                th.join(600)
                        offered = len(statuses) * len(text) / 1048576.0
                        peak = vm(d.proc.pid, 'VmHWM') / 1024.0
                        diag('offered %.0f MiB in %d posts (%d stored, %d overloaded); peak RSS %.0f MiB' % (
                                offered, len(statuses), statuses.count(201), statuses.count(503), peak))
                        assert len(statuses) == 640 and set(statuses) <= {201, 503}, sorted(set(statuses))
                        d.assert_serving('after the overload')
                        if slow_factor() == 1:
                                assert peak < 120, 'peak RSS %.0f MiB' % peak
                        assert d.stop() == 0
                finally:
                        d.close()


@case
def db_in_state_directory():
        # Under systemd, without --db: $STATE_DIRECTORY/claimd.db
        with tmpdir() as t:
                state = os.path.join(t, 'state')
                os.mkdir(state)
                d = Daemon(tmpdir=t, db='', env={'STATE_DIRECTORY': state})
                try:
                        d.assert_serving('state dir')
                        assert os.path.exists(os.path.join(state, 'claimd.db')), os.listdir(state)
                finally:
                        d.stop()
                        d.close()


if __name__ == '__main__':
        run()
