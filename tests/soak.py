#!/usr/bin/env python3
"""Soak: mixed ingest and polling at a steady rate for a while; prints the
daemon's RSS at start and end, request counts and the error count.  Not part
of CI (it takes minutes).  Python 3 standard library only.

  tests/soak.py build/daemon/claimd                 # 10 minutes, own temp database
  tests/soak.py build/daemon/claimd --minutes 2 --rate 20 --pollers 4

Exit status: 0 when no request failed and RSS grew by less than --max-growth MiB.
"""
import argparse
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'pylib'))
from claimdtest import Daemon  # noqa: E402

PEOPLE = ['Mayor Ines Kalt', 'Councillor Ana Ruiz', 'Minister Clara Voss', 'a police spokesman',
          'Opposition leader Tomas Weir', 'a senior official']
VERBS = ['said', 'told reporters', 'denied', 'claimed', 'insisted']
FACTS = ['the ferry would start in May', 'the bridge cost 12 million euros', 'about 300 people attended',
         'the harbor vote was fair', 'the port would close on Friday', 'the budget had doubled since 2024']


def rss_kib(pid):
        with open('/proc/%d/status' % pid) as f:
                for line in f:
                        if line.startswith('VmRSS:'):
                                return int(line.split()[1])
        return -1


def make_article(rnd, i):
        sents = []
        for _ in range(rnd.randint(3, 12)):
                who, verb, fact = rnd.choice(PEOPLE), rnd.choice(VERBS), rnd.choice(FACTS)
                sents.append('%s %s that %s.' % (who[0].upper() + who[1:], verb, fact))
        return {'source': 'soak%d.test' % rnd.randint(1, 12), 'url': 'https://soak.test/%d' % i,
                'title': 'Soak article %d' % i, 'text': ' '.join(sents)}


def main():
        ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        ap.add_argument('claimd')
        ap.add_argument('--minutes', type=float, default=10)
        ap.add_argument('--rate', type=float, default=10, help='articles per second')
        ap.add_argument('--pollers', type=int, default=4, help='long-polling clients')
        ap.add_argument('--max-growth', type=float, default=64, help='MiB of RSS growth allowed')
        a = ap.parse_args()

        d = Daemon(a.claimd)
        stop = threading.Event()
        counts = {'posted': 0, 'polls': 0, 'reads': 0, 'errors': 0}
        errors = []
        lock = threading.Lock()

        def bump(k, err=None):
                with lock:
                        counts[k] += 1
                        if err is not None:
                                counts['errors'] += 1
                                if len(errors) < 20:
                                        errors.append(err)

        def poller(n):
                since = 0
                while not stop.is_set():
                        try:
                                r = d.get('/v1/conflicts?since=%d&wait=5&limit=100' % since, timeout=30)
                                if r.status != 200:
                                        bump('polls', repr(r))
                                        continue
                                since = r.json['next']
                                bump('polls')
                        except OSError as e:
                                bump('polls', repr(e))

        def reader():
                rnd = random.Random(7)
                while not stop.is_set():
                        try:
                                path = rnd.choice(['/healthz', '/metrics', '/v1/events?limit=50',
                                                   '/v1/articles/%d' % rnd.randint(1, max(1, counts['posted']))])
                                r = d.get(path, timeout=30)
                                bump('reads', None if r.status in (200, 404) else repr(r))
                        except OSError as e:
                                bump('reads', repr(e))
                        stop.wait(0.2)

        ths = [threading.Thread(target=poller, args=(n,), daemon=True) for n in range(a.pollers)]
        ths.append(threading.Thread(target=reader, daemon=True))
        for t in ths:
                t.start()
        rss0 = rss_kib(d.proc.pid)
        print('soak: %.1f min at %.1f articles/s, %d pollers; RSS at start %d KiB' % (
                a.minutes, a.rate, a.pollers, rss0), flush=True)
        rnd = random.Random(1)
        t0 = time.monotonic()
        i = 0
        next_report = t0 + 60
        while time.monotonic() - t0 < a.minutes * 60:
                i += 1
                try:
                        r = d.post('/v1/articles', make_article(rnd, i), timeout=60)
                        bump('posted', None if r.status in (200, 201) else repr(r))
                except OSError as e:
                        bump('posted', repr(e))
                sleep = t0 + i / a.rate - time.monotonic()
                if sleep > 0:
                        time.sleep(sleep)
                if time.monotonic() > next_report:
                        next_report += 60
                        print('soak: %3.0fs %s RSS %d KiB' % (time.monotonic() - t0, counts, rss_kib(d.proc.pid)),
                              flush=True)
        rss1 = rss_kib(d.proc.pid)
        stop.set()
        for t in ths:
                t.join(40)
        rc = d.stop()
        d.close()
        growth = (rss1 - rss0) / 1024.0
        print('soak: RSS at start %d KiB, at end %d KiB (%+.1f MiB)' % (rss0, rss1, growth))
        print('soak: %d articles posted, %d polls, %d reads, %d errors; exit status %s' % (
                counts['posted'], counts['polls'], counts['reads'], counts['errors'], rc))
        for e in errors:
                print('soak: error: ' + e)
        ok = counts['errors'] == 0 and rc == 0 and growth < a.max_growth
        print('RESULT soak ok=%s errors=%d rss_start_kib=%d rss_end_kib=%d' % (ok, counts['errors'], rss0, rss1))
        return 0 if ok else 1


if __name__ == '__main__':
        sys.exit(main())
