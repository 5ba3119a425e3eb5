#!/usr/bin/env python3
"""Socket activation: claimd serves on sockets passed by LISTEN_FDS (IPv4 and
IPv6, as claimd.socket passes them), binds nothing else then, and works
under systemd-socket-activate.  Usage: test_socket.py CLAIMD
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'pylib'))
from claimdtest import (case, claimd_path, diag, free_port, have_ipv6_loopback, http_call, run,
                        skip, slow_factor, wrap)  # noqa: E402

BIN = claimd_path()


def listening_inodes_of(pid):
        """The socket inodes the process holds."""
        inodes = set()
        fd_dir = '/proc/%d/fd' % pid
        for fd in os.listdir(fd_dir):
                try:
                        t = os.readlink(os.path.join(fd_dir, fd))
                except OSError:
                        continue
                if t.startswith('socket:['):
                        inodes.add(t[8:-1])
        return inodes


def listening_ports(pid):
        """(family, port) of every TCP socket in LISTEN state the process holds."""
        inodes = listening_inodes_of(pid)
        out = set()
        for fam, f in (('4', '/proc/net/tcp'), ('6', '/proc/net/tcp6')):
                try:
                        lines = open(f).read().splitlines()[1:]
                except OSError:
                        continue
                for l in lines:
                        parts = l.split()
                        if parts[3] == '0A' and parts[9] in inodes:
                                out.add((fam, int(parts[1].split(':')[1], 16)))
        return out


def wait_healthz(host, port, proc, timeout=None):
        timeout = timeout or 30 * slow_factor()
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
                if proc.poll() is not None:
                        raise AssertionError('claimd exited with %d' % proc.returncode)
                try:
                        r = http_call(host, port, 'GET', '/healthz', timeout=5)
                        if r.status == 200:
                                return r
                        last = r
                except OSError as e:
                        last = e
                time.sleep(0.05)
        raise AssertionError('no /healthz on %s:%d: %r' % (host, port, last))


@case
def listen_fds_ipv4_and_ipv6():
        with tempfile.TemporaryDirectory(prefix='claimd-sock-') as tmp:
                s4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s4.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s4.bind(('127.0.0.1', 0))
                s4.listen(64)
                socks = [s4]
                if have_ipv6_loopback():
                        s6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
                        s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                        s6.bind(('::1', 0))
                        s6.listen(64)
                        socks.append(s6)
                n = len(socks)
                fds = [s.fileno() for s in socks]

                env = dict(os.environ)
                for k in ('NOTIFY_SOCKET', 'JOURNAL_STREAM'):
                        env.pop(k, None)
                # A tiny exec wrapper moves the listeners to fds 3.. as
                # sd_listen_fds() expects and sets LISTEN_PID to its own pid,
                # which execv() hands on to claimd.
                wrapper = ('import fcntl, os, sys\n'
                           'fds = [int(x) for x in sys.argv[1].split(",")]\n'
                           'tmp = [fcntl.fcntl(f, fcntl.F_DUPFD, 100) for f in fds]\n'
                           'for f in fds:\n'
                           '    os.close(f)\n'
                           'for i, f in enumerate(tmp):\n'
                           '    os.dup2(f, 3 + i)\n'
                           '    os.close(f)\n'
                           'os.environ["LISTEN_PID"] = str(os.getpid())\n'
                           'os.environ["LISTEN_FDS"] = str(len(fds))\n'
                           'os.environ["LISTEN_FDNAMES"] = ":".join(["claimd.socket"] * len(fds))\n'
                           'os.execv(sys.argv[2], sys.argv[2:])\n')
                argv = [sys.executable, '-c', wrapper, ','.join(str(f) for f in fds)] + \
                        wrap([BIN, '--db', os.path.join(tmp, 's.db'), '--log-target', 'stderr'])
                log = open(os.path.join(tmp, 'log'), 'wb')
                p = subprocess.Popen(argv, env=env, pass_fds=tuple(fds), stdout=log, stderr=log,
                                     stdin=subprocess.DEVNULL)
                try:
                        port4 = s4.getsockname()[1]
                        r = wait_healthz('127.0.0.1', port4, p)
                        assert r.json['status'] == 'ok', r
                        if n == 2:
                                port6 = socks[1].getsockname()[1]
                                r6 = wait_healthz('::1', port6, p)
                                assert r6.status == 200
                        got = listening_ports(p.pid)
                        want = {('4', port4)} | ({('6', socks[1].getsockname()[1])} if n == 2 else set())
                        diag('listening: %s' % sorted(got))
                        assert got == want, 'claimd listens on %s; passed only %s' % (got, want)
                        p.send_signal(signal.SIGTERM)
                        assert p.wait(20) == 0
                finally:
                        if p.poll() is None:
                                p.kill()
                                p.wait()
                        log.close()
                        for s in socks:
                                s.close()
                        if p.returncode not in (0, None):
                                diag(open(os.path.join(tmp, 'log'), errors='replace').read()[-2000:])


@case
def systemd_socket_activate():
        ssa = shutil.which('systemd-socket-activate')
        if not ssa:
                skip('systemd-socket-activate not installed: apt-get install systemd (tests/install-deps.sh --test does)')
        with tempfile.TemporaryDirectory(prefix='claimd-sock-') as tmp:
                port = free_port()
                log = open(os.path.join(tmp, 'log'), 'wb')
                env = dict(os.environ)
                for k in ('NOTIFY_SOCKET', 'JOURNAL_STREAM', 'LISTEN_FDS', 'LISTEN_PID'):
                        env.pop(k, None)
                p = subprocess.Popen([ssa, '-l', '127.0.0.1:%d' % port] +
                                     wrap([BIN, '--db', os.path.join(tmp, 'a.db'), '--log-target', 'stderr']), env=env, stdout=log, stderr=log,
                                     stdin=subprocess.DEVNULL)
                try:
                        # systemd-socket-activate binds first, then execs claimd on the first connection.
                        deadline = time.monotonic() + 10
                        while True:
                                try:
                                        socket.create_connection(('127.0.0.1', port), timeout=1).close()
                                        break
                                except OSError:
                                        if time.monotonic() > deadline or p.poll() is not None:
                                                raise AssertionError('systemd-socket-activate did not listen')
                                        time.sleep(0.05)
                        r = wait_healthz('127.0.0.1', port, p)
                        assert r.json['status'] == 'ok', r
                        r = http_call('127.0.0.1', port, 'POST', '/v1/articles',
                                      json_body={'source': 'sa.test', 'title': 'Socket activation works'})
                        assert r.status == 201, r
                        got = listening_ports(p.pid)
                        assert got == {('4', port)}, got
                        p.send_signal(signal.SIGTERM)
                        assert p.wait(20) == 0, p.returncode
                finally:
                        if p.poll() is None:
                                p.kill()
                                p.wait()
                        log.close()
                        if p.returncode not in (0, None):
                                diag(open(os.path.join(tmp, 'log'), errors='replace').read()[-2000:])


if __name__ == '__main__':
        run()
