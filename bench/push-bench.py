#!/usr/bin/env python3
"""Push benchmarks of claimd (not part of `meson test`; figures, no
assertions beyond "it worked"):

  1. fan-out: N event streams (GET /v1/conflicts/stream) and N parked long
     polls (GET /v1/conflicts?wait=60) at once; K new conflicts, one at a
     time: how long until every client has each one (from the POST's 201),
     /healthz latency meanwhile, claimd's RSS before, with the clients, and
     its peak (VmHWM);
  2. a stream client that stops reading: how much was sent before claimd
     dropped it, and claimd's RSS meanwhile;
  3. webhook delivery latency at a steady rate of new conflicts (default
     100/s for 10 s) to a receiver in this process: from each POST's 201 to
     the receiver having the conflict.

Usage: bench/push-bench.py BUILD/daemon/claimd [--clients 1000] [--conflicts 5]
                            [--rate 100] [--seconds 10] [--skip fanout,slow,webhook]
Python 3 standard library only.  Everything runs on loopback.
"""
import argparse
import asyncio
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HOST = '127.0.0.1'


def free_port():
        with socket.socket() as s:
                s.bind((HOST, 0))
                return s.getsockname()[1]


def article(n, source='bench.test'):
        return {'source': source, 'url': 'https://%s/dam/%d' % (source, n), 'title': 'Dam %d' % n,
                'text': ('The governor said the dam cost %d million dollars. Treasurer Bo Kim '
                         'denied that the dam cost %d million dollars.' % (n, n))}


def status_kb(pid, key):
        with open('/proc/%d/status' % pid) as f:
                for line in f:
                        if line.startswith(key + ':'):
                                return int(line.split()[1])
        return 0


def pct(xs, p):
        if not xs:
                return float('nan')
        xs = sorted(xs)
        return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def ms(x):
        return '%.1f ms' % (x * 1000)


class Claimd:
        def __init__(self, binary, conf_text=''):
                self.tmp = tempfile.TemporaryDirectory(prefix='claimd-push-bench-')
                self.port = free_port()
                conf = os.path.join(self.tmp.name, 'claimd.conf')
                with open(conf, 'w') as f:
                        f.write(conf_text)
                self.log = open(os.path.join(self.tmp.name, 'claimd.log'), 'wb')
                self.proc = subprocess.Popen([binary, '--config', conf, '--db', os.path.join(self.tmp.name, 'c.db'),
                                              '--listen', '%s:%d' % (HOST, self.port), '--log-target', 'stderr',
                                              '--log-level', 'warning'],
                                             stdout=self.log, stderr=self.log)
                for _ in range(400):
                        try:
                                with socket.create_connection((HOST, self.port), timeout=1):
                                        return
                        except OSError:
                                time.sleep(0.05)
                raise RuntimeError('claimd did not start')

        def rss(self):
                return status_kb(self.proc.pid, 'VmRSS'), status_kb(self.proc.pid, 'VmHWM')

        def close(self):
                self.proc.terminate()
                try:
                        self.proc.wait(30)
                except subprocess.TimeoutExpired:
                        self.proc.kill()
                self.log.close()
                self.tmp.cleanup()


async def request(port, method, path, doc=None, headers=None, conn=None):
        """One HTTP/1.1 request (on conn = (reader, writer) when given):
        (status, json, seconds)."""
        t0 = time.monotonic()
        own = conn is None
        if own:
                conn = await asyncio.open_connection(HOST, port)
        r, w = conn
        body = json.dumps(doc).encode() if doc is not None else b''
        h = 'Content-Type: application/json\r\n' if doc is not None else ''
        for k, v in (headers or {}).items():
                h += '%s: %s\r\n' % (k, v)
        w.write(('%s %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n%s%s\r\n'
                 % (method, path, len(body), h, 'Connection: close\r\n' if own else '')).encode() + body)
        await w.drain()
        head = await r.readuntil(b'\r\n\r\n')
        status = int(head.split(b' ', 2)[1])
        m = re.search(rb'(?i)content-length:\s*(\d+)', head)
        data = await r.readexactly(int(m.group(1))) if m else b''
        if own:
                w.close()
        try:
                j = json.loads(data)
        except ValueError:
                j = None
        return status, j, time.monotonic() - t0


async def metrics(port):
        r, w = await asyncio.open_connection(HOST, port)
        w.write(b'GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
        data = await r.read()
        w.close()
        out = {}
        for line in data.decode().splitlines():
                if line and not line.startswith('#') and ' ' in line:
                        k, v = line.rsplit(' ', 1)
                        try:
                                out[k] = float(v)
                        except ValueError:
                                pass
        return out


# ---- 1. fan-out ---------------------------------------------------------

async def stream_client(port, arrivals, opened):
        r, w = await asyncio.open_connection(HOST, port)
        w.write(b'GET /v1/conflicts/stream HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n')
        await w.drain()
        buf = b''
        first = True
        while True:
                data = await r.read(65536)
                if not data:
                        return
                if first:
                        opened.append(1)
                        first = False
                buf += data
                last = 0
                for m in re.finditer(rb'id: (\d+)\n', buf):
                        arrivals.setdefault(int(m.group(1)), []).append(time.monotonic())
                        last = m.end()
                buf = buf[last:] if last else buf[-64:]


async def poll_client(port, since, arrivals, stop):
        conn = await asyncio.open_connection(HOST, port)
        while not stop.is_set():
                st, j, _ = await request(port, 'GET', '/v1/conflicts?since=%d&wait=60' % since, conn=conn)
                if st != 200 or not j:
                        await asyncio.sleep(0.5)
                        continue
                now = time.monotonic()
                for c in j['conflicts']:
                        arrivals.setdefault(c['id'], []).append(now)
                since = j['next']
        conn[1].close()


PROBE = r"""
import http.client, sys, time
port, stop_at = int(sys.argv[1]), float(sys.argv[2])
while time.time() < stop_at:
        t0 = time.monotonic()
        try:
                c = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
                c.request('GET', '/healthz')
                ok = c.getresponse().status == 200
                c.close()
        except OSError:
                ok = False
        print('%.6f' % (time.monotonic() - t0) if ok else 'fail', flush=True)
        time.sleep(0.1)
"""


def healthz_probe(port, seconds):
        """/healthz every 100 ms from a process of its own, so that the
        figures are claimd's, not this busy client's."""
        return subprocess.Popen([sys.executable, '-c', PROBE, str(port), str(time.time() + seconds)],
                                stdout=subprocess.PIPE, text=True)


def cpu_seconds(pid):
        with open('/proc/%d/stat' % pid) as f:
                fields = f.read().rsplit(')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


async def fanout(binary, n, k):
        d = Claimd(binary, '[server]\nmax_streams = %d\n' % (n + 16))
        try:
                rss0 = d.rss()
                st, j, _ = await request(d.port, 'POST', '/v1/articles', article(1))
                since = j['conflicts'][0]
                sa, pa, opened = {}, {}, []
                stop = asyncio.Event()
                tasks = []
                for i in range(n):
                        tasks.append(asyncio.create_task(stream_client(d.port, sa, opened)))
                        tasks.append(asyncio.create_task(poll_client(d.port, since, pa, stop)))
                        if i % 100 == 99:
                                await asyncio.sleep(0.05)
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                        m = await metrics(d.port)
                        if m.get('claimd_event_streams', 0) >= n and m.get('claimd_long_polls', 0) >= n:
                                break
                        await asyncio.sleep(0.2)
                m = await metrics(d.port)
                rss1 = d.rss()
                print('   connected: %d streams, %d parked long polls; claimd RSS %.1f MB (was %.1f MB idle)'
                      % (m.get('claimd_event_streams', 0), m.get('claimd_long_polls', 0), rss1[0] / 1024, rss0[0] / 1024))
                probe = healthz_probe(d.port, k * 2.5 + 5)
                cpu0 = cpu_seconds(d.proc.pid)
                s_lat, p_lat, complete = [], [], 0
                for i in range(k):
                        st, j, _ = await request(d.port, 'POST', '/v1/articles', article(100 + i))
                        t_ack = time.monotonic()
                        cid = j['conflicts'][0]
                        deadline = time.monotonic() + 30
                        while time.monotonic() < deadline and (len(sa.get(cid, [])) < n or len(pa.get(cid, [])) < n):
                                await asyncio.sleep(0.01)
                        ss, ps = sa.get(cid, []), pa.get(cid, [])
                        s_lat += [t - t_ack for t in ss]
                        p_lat += [t - t_ack for t in ps]
                        complete += len(ss) == n and len(ps) == n
                        print('   conflict %d: %d/%d streams in %s (last), %d/%d long polls in %s (last)'
                              % (cid, len(ss), n, ms(max(ss) - t_ack) if ss else '-', len(ps), n,
                                 ms(max(ps) - t_ack) if ps else '-'))
                        await asyncio.sleep(1)
                cpu = cpu_seconds(d.proc.pid) - cpu0
                stop.set()
                await asyncio.sleep(0.3)
                rss2 = d.rss()
                out, _ = await asyncio.get_running_loop().run_in_executor(None, probe.communicate)
                hz = [float(x) if x != 'fail' else float('inf') for x in out.split()]
                ok = [x for x in hz if x != float('inf')]
                print('   every client got every conflict: %s (%d of %d conflicts)' % ('yes' if complete == k else 'NO', complete, k))
                print('   stream delivery after the 201: p50 %s, p99 %s, max %s' % (ms(pct(s_lat, 50)), ms(pct(s_lat, 99)), ms(max(s_lat))))
                print('   long-poll answer after the 201: p50 %s, p99 %s, max %s' % (ms(pct(p_lat, 50)), ms(pct(p_lat, 99)), ms(max(p_lat))))
                print('   /healthz meanwhile (another process): %d probes, %d failed, p50 %s, p99 %s, max %s'
                      % (len(hz), len(hz) - len(ok), ms(pct(ok, 50)), ms(pct(ok, 99)), ms(max(ok)) if ok else '-'))
                print('   claimd CPU time over the %d conflicts (ingest, fan-out, reconnecting polls): %.2f s'
                      % (k, cpu))
                print('   claimd RSS at the end %.1f MB, peak (VmHWM) %.1f MB' % (rss2[0] / 1024, rss2[1] / 1024))
                for t in tasks:
                        t.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
        finally:
                d.close()


# ---- 2. a client that stops reading ------------------------------------

async def slow_reader(binary):
        d = Claimd(binary)
        try:
                st, j, _ = await request(d.port, 'POST', '/v1/articles', article(1))
                cid = j['conflicts'][0]
                s = socket.socket()
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                s.connect((HOST, d.port))
                s.sendall(b'GET /v1/conflicts/stream HTTP/1.1\r\nHost: x\r\n\r\n')
                rss0 = d.rss()
                conn = await asyncio.open_connection(HOST, d.port)
                note = 'x' * 1900
                sent = 0
                t0 = time.monotonic()
                peak = rss0[0]
                for i in range(5000):
                        st, j, _ = await request(d.port, 'PATCH', '/v1/conflicts/%d' % cid,
                                                 {'status': 'open', 'note': note + str(i)}, conn=conn)
                        sent += 1
                        if i % 25 == 0:
                                m = await metrics(d.port)
                                peak = max(peak, d.rss()[0])
                                if m.get('claimd_event_streams_dropped_total', 0) >= 1:
                                        break
                frame = len(json.dumps(j)) + 30
                print('   dropped after %d review events (~%.0f KB of frames) in %.1f s; stream_max_unsent_bytes 1 MiB'
                      % (sent, sent * frame / 1024, time.monotonic() - t0))
                print('   claimd RSS %.1f MB before, at most %.1f MB meanwhile' % (rss0[0] / 1024, peak / 1024))
                got = 0
                s.settimeout(5)
                try:
                        while True:
                                b = s.recv(1 << 20)
                                if not b:
                                        break
                                got += len(b)
                except (socket.timeout, ConnectionResetError):
                        pass
                print('   the client then read %.0f KB and found the connection closed' % (got / 1024))
                s.close()
                conn[1].close()
        finally:
                d.close()


# ---- 3. webhook latency ---------------------------------------------------

async def webhook_latency(binary, rate, seconds):
        arrivals = {}

        async def handle(r, w):
                try:
                        while True:
                                head = await r.readuntil(b'\r\n\r\n')
                                m = re.search(rb'(?i)content-length:\s*(\d+)', head)
                                await r.readexactly(int(m.group(1)) if m else 0)
                                d_id = re.search(rb'(?i)x-claimd-delivery:\s*(\d+)', head)
                                if d_id:
                                        arrivals.setdefault(int(d_id.group(1)), time.monotonic())
                                w.write(b'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')
                                await w.drain()
                except (asyncio.IncompleteReadError, ConnectionError):
                        pass
                w.close()

        server = await asyncio.start_server(handle, HOST, 0)
        port = server.sockets[0].getsockname()[1]
        d = Claimd(binary, '[webhook]\nurl = http://%s:%d/hook\n' % (HOST, port))
        try:
                acks = {}
                total = int(rate * seconds)
                start = time.monotonic()
                lat_post = []

                async def poster(worker, nworkers):
                        conn = await asyncio.open_connection(HOST, d.port)
                        for i in range(worker, total, nworkers):
                                due = start + i / rate
                                delay = due - time.monotonic()
                                if delay > 0:
                                        await asyncio.sleep(delay)
                                st, j, dt = await request(d.port, 'POST', '/v1/articles', article(1000 + i), conn=conn)
                                lat_post.append(dt)
                                if st == 201:
                                        for c in j['conflicts']:
                                                acks[c] = time.monotonic()
                        conn[1].close()

                await asyncio.gather(*(poster(w, 16) for w in range(16)))
                elapsed = time.monotonic() - start
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline and not all(c in arrivals for c in acks):
                        await asyncio.sleep(0.05)
                lat = [arrivals[c] - t for c, t in acks.items() if c in arrivals]
                m = await metrics(d.port)
                print('   %d conflicts in %.1f s (%.0f/s asked, %.0f/s achieved); POST p50 %s p99 %s'
                      % (len(acks), elapsed, rate, len(acks) / elapsed, ms(pct(lat_post, 50)), ms(pct(lat_post, 99))))
                print('   delivered %d of %d; from the 201 to the receiver: p50 %s, p90 %s, p99 %s, max %s'
                      % (len(lat), len(acks), ms(pct(lat, 50)), ms(pct(lat, 90)), ms(pct(lat, 99)), ms(max(lat)) if lat else '-'))
                print('   metrics: delivered %d, failed %d, backlog %d'
                      % (m.get('claimd_webhook_deliveries_total', 0), m.get('claimd_webhook_failures_total', 0),
                         m.get('claimd_webhook_backlog', 0)))
        finally:
                d.close()
                server.close()


async def main():
        ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
        ap.add_argument('claimd')
        ap.add_argument('--clients', type=int, default=1000)
        ap.add_argument('--conflicts', type=int, default=5)
        ap.add_argument('--rate', type=float, default=100)
        ap.add_argument('--seconds', type=float, default=10)
        ap.add_argument('--skip', default='')
        a = ap.parse_args()
        skip = set(a.skip.split(','))
        print('== claimd push benchmark: %s, %d CPUs, load %s'
              % (time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()), os.cpu_count(), open('/proc/loadavg').read().split()[:3]))
        if 'fanout' not in skip:
                print('1. %d event streams + %d parked long polls, %d new conflicts' % (a.clients, a.clients, a.conflicts))
                await fanout(a.claimd, a.clients, a.conflicts)
        if 'slow' not in skip:
                print('2. a stream client that stops reading')
                await slow_reader(a.claimd)
        if 'webhook' not in skip:
                print('3. webhook delivery latency at %.0f conflicts/s for %.0f s' % (a.rate, a.seconds))
                await webhook_latency(a.claimd, a.rate, a.seconds)


if __name__ == '__main__':
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        asyncio.run(main())
