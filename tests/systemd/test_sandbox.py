#!/usr/bin/env python3
"""Would claimd work inside claimd.service's sandbox?  There is no systemd
manager to run the unit under in CI, so claimd runs a full workload (start,
ingest, conflicts, compare, long poll, metrics, SIGHUP, SIGTERM) under
strace, and what it did is checked against the unit's restrictions:

  SystemCallFilter=@system-service ~@privileged @resources
                           every system call made is allowed
  MemoryDenyWriteExecute=  no W+X mapping, no mprotect(PROT_EXEC)
  RestrictAddressFamilies= sockets only AF_INET, AF_INET6, AF_UNIX
  ProtectSystem=strict, ProtectHome=, PrivateDevices=, ProcSubset=pid
                           files written only in the state/tmp directories,
                           nothing under /home /root /run/user, only the
                           /dev nodes PrivateDevices= keeps, only /proc/<pid>

Usage: test_sandbox.py CLAIMD SRCDIR/systemd
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'pylib'))
from claimdtest import (ARTICLE_A, ARTICLE_B, CONFLICT_A, CONFLICT_B, case, diag, free_port, http_call, run, skip,
                        skip_all)  # noqa: E402

BIN = os.path.abspath(sys.argv[1])
UNIT = os.path.join(os.path.abspath(sys.argv[2]), 'claimd.service')
S = {}
PRIVATE_DEVICES = {'/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty',
                   '/dev/ptmx', '/dev/log', '/dev/stdin', '/dev/stdout', '/dev/stderr'}


def syscall_groups():
        """{'@group': set of members (syscalls or @groups)} from systemd-analyze."""
        out = subprocess.run(['systemd-analyze', 'syscall-filter'], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, timeout=60).stdout.decode()
        groups, cur = {}, None
        for line in out.splitlines():
                if line.startswith('@'):
                        cur = groups.setdefault(line.strip(), set())
                elif cur is not None and line.strip() and not line.strip().startswith('#'):
                        cur.add(line.strip())
        return groups


def expand(groups, name, seen=None):
        seen = seen or set()
        out = set()
        for m in groups.get(name, ()):
                if m.startswith('@'):
                        if m not in seen:
                                seen.add(m)
                                out |= expand(groups, m, seen)
                else:
                        out.add(m)
        return out


def unit_filter():
        """(allowed, denied) system calls from the unit's SystemCallFilter= lines."""
        groups = syscall_groups()
        allow, deny = set(), set()
        for line in open(UNIT):
                m = re.match(r'^SystemCallFilter=(~?)(.*)$', line.strip())
                if not m:
                        continue
                names = set()
                for item in m.group(2).split():
                        names |= expand(groups, item) if item.startswith('@') else {item}
                (deny if m.group(1) else allow).update(names)
        assert allow, 'no SystemCallFilter= allow list in the unit'
        # systemd always permits @default
        return allow | expand(groups, '@default'), deny


def reachable_by_others(path):
        """True when any user may read path: every directory above it is
        searchable (o+x) and the file itself readable (o+r) by others."""
        path = os.path.realpath(path)
        d = os.path.dirname(path)
        while True:
                if not os.stat(d).st_mode & 0o001:
                        return False
                if d == '/':
                        break
                d = os.path.dirname(d)
        return bool(os.stat(path).st_mode & 0o004)


def shared_libraries(binary):
        """{soname: path} of the libraries the dynamic loader picks for binary."""
        p = subprocess.run(['ldd', binary], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        libs = {}
        for line in p.stdout.decode('utf-8', 'replace').splitlines():
                m = re.match(r'^\s*(\S+) => (/\S+)', line)
                if m:
                        libs[m.group(1)] = m.group(2)
        return libs


def binary_for_dropped_user(tmp):
        """A copy of claimd in tmp (which the dropped user owns), so that it
        runs wherever the checkout is: a root user's checkout under /root
        (0700) cannot be read by uid 65534.  Libraries the loader would take
        from a place that user cannot read are copied beside it.  Returns
        (binary, extra environment)."""
        bindir = os.path.join(tmp, 'bin')
        os.mkdir(bindir)
        copy = os.path.join(bindir, 'claimd')
        shutil.copy2(BIN, copy)
        os.chmod(copy, 0o755)
        env = {}
        hidden = {name: path for name, path in shared_libraries(BIN).items() if not reachable_by_others(path)}
        if hidden:
                libdir = os.path.join(tmp, 'lib')
                os.mkdir(libdir)
                for name, path in hidden.items():
                        shutil.copy2(path, os.path.join(libdir, name))
                        os.chmod(os.path.join(libdir, name), 0o755)
                env['LD_LIBRARY_PATH'] = libdir
                diag('libraries copied for the dropped user: %s' % sorted(hidden))
        return copy, env


def temp_dir_for_dropped_user():
        """A fresh temporary directory under a parent uid 65534 can search:
        $TMPDIR when it qualifies, else /tmp, else /var/tmp; skips the whole
        program (saying what to change) when none does."""
        for parent in (tempfile.gettempdir(), '/tmp', '/var/tmp'):
                if os.path.isdir(parent) and reachable_by_others(parent):
                        return tempfile.mkdtemp(prefix='claimd-sandbox-', dir=parent)
        skip_all('no temporary directory that uid 65534 can reach (%s, /tmp and /var/tmp are not '
                 'searchable by others): make /tmp mode 1777 or set TMPDIR to such a directory'
                 % tempfile.gettempdir())


def setup():
        for tool, package in (('strace', 'strace'), ('systemd-analyze', 'systemd')):
                if not shutil.which(tool):
                        skip_all('%s not installed: apt-get install %s (tests/install-deps.sh --test does)'
                                 % (tool, package))
        with open(BIN, 'rb') as f:
                image = f.read()
        if b'__asan_init' in image or b'__ubsan_handle' in image:
                # sanitizer runtimes make system calls (setrlimit, ...) the
                # production binary does not: check the normal build only
                skip_all('sanitizer build: the sandbox check runs on the normal build')
        drop = os.geteuid() == 0 and shutil.which('setpriv')
        tmp = temp_dir_for_dropped_user() if drop else tempfile.mkdtemp(prefix='claimd-sandbox-')
        binary, binary_env = binary_for_dropped_user(tmp) if drop else (BIN, {})
        state = os.path.join(tmp, 'state')
        os.mkdir(state)
        trace = os.path.join(tmp, 'strace.out')
        port = free_port()
        env = {k: v for k, v in os.environ.items()
               if k not in ('NOTIFY_SOCKET', 'LISTEN_FDS', 'JOURNAL_STREAM', 'CREDENTIALS_DIRECTORY')}
        env.update(binary_env)
        env['STATE_DIRECTORY'] = state
        # sd_notify over AF_UNIX too, as under Type=notify
        nsock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        npath = os.path.join(tmp, 'notify')
        nsock.bind(npath)
        os.chmod(npath, 0o777)
        env['NOTIFY_SOCKET'] = npath
        S['notify'] = nsock
        conf = os.path.join(tmp, 'claimd.conf')
        with open(conf, 'w') as f:
                f.write('[log]\nlog_level = info\n')
        argv = ['strace', '-f', '-qq', '-s', '256', '-o', trace, binary, '--config', conf,
                '--listen', '127.0.0.1:%d' % port, '--log-target', 'stderr']
        if drop:
                # Not root, as under DynamicUser= (SQLite, for one, fchown()s
                # its -wal/-shm files only when running as root).
                for path in (tmp, state, os.path.join(tmp, 'bin')):
                        os.chown(path, 65534, 65534)
                os.chmod(conf, 0o644)
                argv = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all'] + argv
                S['user'] = 'nobody'
        else:
                S['user'] = 'uid %d' % os.geteuid()
        log = open(os.path.join(tmp, 'log'), 'wb')
        p = subprocess.Popen(argv, env=env, stdout=log, stderr=log, stdin=subprocess.DEVNULL, cwd='/')
        try:
                deadline = time.monotonic() + 60
                while True:
                        try:
                                if http_call('127.0.0.1', port, 'GET', '/healthz', timeout=5).status == 200:
                                        break
                        except OSError:
                                pass
                        assert p.poll() is None, 'claimd exited under strace: %s' % open(os.path.join(tmp, 'log')).read()
                        assert time.monotonic() < deadline, 'claimd not ready under strace'
                        time.sleep(0.1)
                raised = []
                for art in (ARTICLE_A, ARTICLE_B, CONFLICT_A, CONFLICT_B):
                        r = http_call('127.0.0.1', port, 'POST', '/v1/articles', json_body=art, timeout=60)
                        assert r.status == 201, r
                        raised += r.json['conflicts']
                # the conflict path (detection, its journal line) runs under strace too
                assert raised, 'the conflicting pair raised no conflict under strace'
                html = dict(ARTICLE_A, url=ARTICLE_A['url'] + '/html', text=None)
                del html['text']
                html['html'] = '<html><body><p>' + ARTICLE_A['text'] + '</p></body></html>'
                assert http_call('127.0.0.1', port, 'POST', '/v1/articles', json_body=html, timeout=60).status == 201
                r = http_call('127.0.0.1', port, 'POST', '/v1/compare',
                              json_body={'a': {'text': ARTICLE_A['text']}, 'b': {'text': ARTICLE_B['text']}}, timeout=60)
                assert r.status == 200, r
                for path in ('/v1/conflicts?since=0&wait=1', '/v1/conflicts?since=100000&wait=1', '/v1/events',
                             '/metrics', '/v1/articles/1', '/v1/conflicts/%d' % raised[0], '/v1/events/1', '/healthz'):
                        r = http_call('127.0.0.1', port, 'GET', path, timeout=30)
                        assert r.status == 200, (path, r)
                http_call('127.0.0.1', port, 'POST', '/v1/articles', body=b'{bad', headers={'Content-Type': 'application/json'})
                # signals go to claimd itself, strace's child
                kids = open('/proc/%d/task/%d/children' % (p.pid, p.pid)).read().split()
                assert len(kids) == 1, kids
                pid = int(kids[0])
                S['uid'] = [l.split()[1] for l in open('/proc/%d/status' % pid) if l.startswith('Uid:')][0]
                os.kill(pid, signal.SIGHUP)
                time.sleep(1)
                assert http_call('127.0.0.1', port, 'GET', '/healthz', timeout=10).status == 200
                os.kill(pid, signal.SIGTERM)
                rc = p.wait(60)
                assert rc == 0, 'exit status %d under strace' % rc
        finally:
                if p.poll() is None:
                        p.kill()
                        p.wait()
                log.close()
        S['tmp'], S['state'] = tmp, state
        S['lines'] = open(trace, errors='replace').read().splitlines()
        diag('%d strace lines' % len(S['lines']))
        return S


def teardown(ctx):
        if S.get('tmp'):
                shutil.rmtree(S['tmp'], ignore_errors=True)


def calls(name):
        """The argument text of every call to name in the trace."""
        rx = re.compile(r'^\d+\s+' + name + r'\((.*)$')
        return [m.group(1) for m in (rx.match(l) for l in S['lines']) if m]


@case
def system_calls_allowed(ctx):
        allow, deny = unit_filter()
        used = set()
        for l in S['lines']:
                m = re.match(r'^\d+\s+(\w+)\(', l)
                if m:
                        used.add(m.group(1))
        diag('%d distinct system calls as %s: %s' % (len(used), S['user'], ' '.join(sorted(used))))
        assert 'openat' in used and ('accept4' in used or 'accept' in used), 'trace looks empty'
        ok = allow - deny
        assert 'openat' in ok and 'accept4' in ok, 'filter parse failed'
        assert 'reboot' not in ok and 'fchown' not in ok and 'setrlimit' not in ok, 'filter parse failed'
        blocked = sorted(c for c in used if c not in ok)
        assert not blocked, 'system calls SystemCallFilter= would refuse (EPERM): %s' % blocked


@case
def no_writable_executable_memory(ctx):
        bad = []
        for args in calls('mmap') + calls('mmap2'):
                if 'PROT_WRITE' in args and 'PROT_EXEC' in args:
                        bad.append('mmap(' + args)
        for args in calls('mprotect') + calls('pkey_mprotect'):
                if 'PROT_EXEC' in args:
                        bad.append('mprotect(' + args)
        assert not bad, 'MemoryDenyWriteExecute= would refuse: %s' % bad[:5]


@case
def socket_families_allowed(ctx):
        fams = set()
        for args in calls('socket'):
                fams.add(args.split(',')[0].strip())
        diag('socket families: %s' % sorted(fams))
        assert 'AF_UNIX' in fams, 'sd_notify not seen in the trace: %s' % fams
        S['notify'].settimeout(0)
        msgs = []
        try:
                while True:
                        msgs.append(S['notify'].recv(4096))
        except (BlockingIOError, socket.timeout):
                pass
        assert any(b'READY=1' in m for m in msgs), msgs
        assert fams <= {'AF_INET', 'AF_INET6', 'AF_UNIX'}, fams


# Files outside /proc/PID that a library only probes: under ProcSubset=pid the
# open fails and it goes on.  jemalloc (claimd's allocator) reads whether the
# kernel overcommits once at start-up, and without the answer returns freed
# memory with mmap(PROT_NONE) instead of leaving it committed.
PROC_PROBES = {'/proc/sys/vm/overcommit_memory'}


def opened():
        """(path, flags) of every successful open/openat/creat."""
        out = []
        for l in S['lines']:
                m = re.match(r'^\d+\s+(openat|open|creat)\((?:AT_FDCWD, |\d+, )?"([^"]*)", ([A-Z_|]+).*\) = (\d+)', l)
                if m:
                        out.append((m.group(2), m.group(3)))
        return out


@case
def files_within_the_sandbox(ctx):
        files = opened()
        assert files, 'no open() in the trace'
        state = os.path.realpath(S['state'])
        problems = []
        for path, flags in files:
                writes = any(f in flags for f in ('O_WRONLY', 'O_RDWR', 'O_CREAT', 'O_TRUNC'))
                real = os.path.realpath(path) if os.path.isabs(path) else path
                if writes and not (real.startswith(state + '/') or real.startswith('/tmp/') or real.startswith('/dev/')):
                        problems.append('ProtectSystem=strict: writes %s (%s)' % (path, flags))
                if re.match(r'^/(home|root|run/user)(/|$)', path):
                        problems.append('ProtectHome=yes: opens %s' % path)
                if path.startswith('/dev/') and path not in PRIVATE_DEVICES and not path.startswith(('/dev/shm/', '/dev/pts/')):
                        problems.append('PrivateDevices=yes: opens %s' % path)
                if path.startswith('/proc/') and not re.match(r'^/proc/(self|thread-self|\d+)(/|$)', path) and \
                   path not in PROC_PROBES:
                        problems.append('ProcSubset=pid: opens %s' % path)
        diag('%d files opened; database files: %s' % (len(files), sorted({p for p, f in files if p.startswith(state)})))
        assert any(p.startswith(state) for p, f in files), 'the database is not in $STATE_DIRECTORY'
        assert not problems, sorted(set(problems))


if __name__ == '__main__':
        run(setup, teardown)
