#!/usr/bin/env python3
"""sd_notify protocol through a test NOTIFY_SOCKET: READY=1 arrives only when
/healthz answers, STATUS= lines, RELOADING=1 (with MONOTONIC_USEC) then
READY=1 around SIGHUP, STOPPING=1 on SIGTERM (exit 0), WATCHDOG=1 pings when
WATCHDOG_USEC is set.  Usage: test_notify.py CLAIMD
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'pylib'))
from claimdtest import case, claimd_path, diag, free_port, http_call, run, slow_factor, wrap, write_config  # noqa: E402

BIN = claimd_path()


class Notify:
        """A datagram socket standing in for systemd's notification socket."""

        def __init__(self, tmp):
                self.path = os.path.join(tmp, 'notify.sock')
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                self.sock.bind(self.path)
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
                self.messages = []

        def wait_for(self, key, timeout, proc=None):
                """Returns (message dict, arrival time) of the first datagram
                carrying key; all datagrams are kept in self.messages."""
                deadline = time.monotonic() + timeout
                while time.monotonic() < deadline:
                        if proc is not None and proc.poll() is not None:
                                # drain what is left, then give up
                                self.sock.settimeout(0.2)
                        else:
                                self.sock.settimeout(max(0.01, min(0.5, deadline - time.monotonic())))
                        try:
                                data, anc, flags, addr = self.sock.recvmsg(65536, 1024)
                        except socket.timeout:
                                if proc is not None and proc.poll() is not None:
                                        break
                                continue
                        t = time.monotonic()
                        msg = {}
                        for line in data.decode('utf-8', 'replace').split('\n'):
                                if '=' in line:
                                        k, v = line.split('=', 1)
                                        msg[k] = v
                        self.messages.append((msg, t))
                        if key in msg:
                                return msg, t
                raise AssertionError('no %s within %ss; got %r' % (key, timeout, [m for m, _ in self.messages]))

        def close(self):
                self.sock.close()


def start(tmp, notify, extra_env=None, config=None, watchdog_usec=None):
        port = free_port()
        env = dict(os.environ)
        for k in ('LISTEN_FDS', 'LISTEN_PID', 'JOURNAL_STREAM', 'WATCHDOG_USEC', 'WATCHDOG_PID'):
                env.pop(k, None)
        env['NOTIFY_SOCKET'] = notify.path
        env.update(extra_env or {})
        argv = [BIN, '--listen', '127.0.0.1:%d' % port, '--db', os.path.join(tmp, 'n.db'),
                '--log-target', 'stderr']
        if config:
                argv = [BIN, '--config', config] + argv[1:]
        argv = wrap(argv)
        if watchdog_usec:
                # WATCHDOG_PID must be the daemon's own pid: let a shell export it, then exec.
                env['WATCHDOG_USEC'] = str(watchdog_usec)
                argv = ['/bin/sh', '-c', 'WATCHDOG_PID=$$; export WATCHDOG_PID; exec "$@"', 'sh'] + argv
        log = open(os.path.join(tmp, 'claimd.log'), 'ab')
        p = subprocess.Popen(argv, env=env, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        return p, port


def tail(tmp):
        try:
                return open(os.path.join(tmp, 'claimd.log'), errors='replace').read()[-3000:]
        except OSError:
                return ''


@case
def ready_reload_stopping():
        with tempfile.TemporaryDirectory(prefix='claimd-notify-') as tmp:
                n = Notify(tmp)
                conf = os.path.join(tmp, 'c.conf')
                write_config(conf, {'log_level': 'info'})
                p, port = start(tmp, n, config=conf)
                try:
                        msg, t = n.wait_for('READY', 30 * slow_factor(), p)
                        assert msg['READY'] == '1', msg
                        # At the moment READY=1 arrives, requests are answered: no retry.
                        r = http_call('127.0.0.1', port, 'GET', '/healthz', timeout=5)
                        assert r.status == 200 and r.json['status'] == 'ok', r
                        diag('READY=1 after start; healthz answered %.3fs later' % (time.monotonic() - t))
                        assert any('STATUS' in m for m, _ in n.messages), 'no STATUS= line: %r' % n.messages
                        if 'MAINPID' in msg:
                                assert int(msg['MAINPID']) == p.pid, msg

                        t0 = time.monotonic()
                        p.send_signal(signal.SIGHUP)
                        msg, _ = n.wait_for('RELOADING', 10, p)
                        assert msg['RELOADING'] == '1', msg
                        mono = int(msg.get('MONOTONIC_USEC', '0'))
                        now = time.clock_gettime(time.CLOCK_MONOTONIC) * 1e6
                        assert mono > 0 and abs(now - mono) < 10e6, ('MONOTONIC_USEC', mono, now)
                        msg, _ = n.wait_for('READY', 10, p)
                        assert msg['READY'] == '1', msg
                        diag('reload signalled in %.3fs' % (time.monotonic() - t0))
                        r = http_call('127.0.0.1', port, 'GET', '/healthz', timeout=5)
                        assert r.status == 200, r

                        p.send_signal(signal.SIGTERM)
                        msg, _ = n.wait_for('STOPPING', 10, p)
                        assert msg['STOPPING'] == '1', msg
                        rc = p.wait(20)
                        assert rc == 0, 'exit status %d after SIGTERM' % rc
                except AssertionError:
                        diag(tail(tmp))
                        raise
                finally:
                        if p.poll() is None:
                                p.kill()
                                p.wait()
                        n.close()


@case
def ready_not_before_listening_under_load():
        # READY=1 must follow the database open and the listeners: repeat the
        # start a few times to catch a race.
        with tempfile.TemporaryDirectory(prefix='claimd-notify-') as tmp:
                for i in range(5):
                        n = Notify(tmp) if i == 0 else n
                        p, port = start(tmp, n)
                        try:
                                n.wait_for('READY', 30 * slow_factor(), p)
                                r = http_call('127.0.0.1', port, 'GET', '/healthz', timeout=5)
                                assert r.status == 200, (i, r)
                                assert r.json['status'] == 'ok' and r.json['articles'] == 0, (i, r.json)
                        finally:
                                p.send_signal(signal.SIGTERM)
                                try:
                                        n.wait_for('STOPPING', 10, p)
                                finally:
                                        p.wait(20)
                        assert p.returncode == 0, p.returncode
                        n.messages.clear()
                n.close()


@case
def watchdog_pings():
        with tempfile.TemporaryDirectory(prefix='claimd-notify-') as tmp:
                n = Notify(tmp)
                p, port = start(tmp, n, watchdog_usec=1000000)
                try:
                        n.wait_for('READY', 30 * slow_factor(), p)
                        t0 = time.monotonic()
                        pings = 0
                        while time.monotonic() - t0 < 3.0:
                                n.wait_for('WATCHDOG', 1.5, p)
                                pings += 1
                        diag('%d WATCHDOG=1 pings in 3s with WatchdogSec=1s' % pings)
                        assert pings >= 2, pings
                except AssertionError:
                        diag(tail(tmp))
                        raise
                finally:
                        p.send_signal(signal.SIGTERM)
                        p.wait(20)
                        n.close()


@case
def no_notify_socket_is_fine():
        with tempfile.TemporaryDirectory(prefix='claimd-notify-') as tmp:
                port = free_port()
                env = dict(os.environ)
                env.pop('NOTIFY_SOCKET', None)
                p = subprocess.Popen(wrap([BIN, '--listen', '127.0.0.1:%d' % port, '--db', os.path.join(tmp, 'x.db'),
                                           '--log-target', 'stderr']), env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                try:
                        deadline = time.monotonic() + 30
                        ok = False
                        while time.monotonic() < deadline and p.poll() is None:
                                try:
                                        ok = http_call('127.0.0.1', port, 'GET', '/healthz', timeout=2).status == 200
                                except OSError:
                                        pass
                                if ok:
                                        break
                                time.sleep(0.05)
                        assert ok, 'not serving without NOTIFY_SOCKET'
                finally:
                        p.send_signal(signal.SIGTERM)
                        assert p.wait(20) == 0


if __name__ == '__main__':
        run()
