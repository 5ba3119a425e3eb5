#!/usr/bin/env python3
"""kill -9 at random moments during concurrent ingest, ROUNDS times (default
20, $CLAIMD_CRASH_ROUNDS): after each restart every acknowledged (201)
article is there with its content, and PRAGMA integrity_check is ok.
Usage: test_crash.py CLAIMD
"""
import os
import random
import signal
import sqlite3
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'pylib'))
from claimdtest import Daemon, case, diag, run, slow_factor  # noqa: E402

ROUNDS = int(os.environ.get('CLAIMD_CRASH_ROUNDS', '3' if os.environ.get('CLAIMD_WRAPPER') else '20'))
WRITERS = 4
SENTENCES = [
        'The council of Port Alden said on Monday that the new ferry would start in May.',
        'A spokesman for the harbor authority denied that the ferry had been delayed.',
        'Mayor Ines Kalt told reporters the project would cost 12 million euros.',
        'Opposition leader Tomas Weir said the cost had doubled since last year.',
        'About 300 residents attended the meeting in the town hall on Tuesday evening.',
]


def integrity(db):
        con = sqlite3.connect('file:%s?mode=ro' % db, uri=True, timeout=10)
        try:
                return con.execute('PRAGMA integrity_check').fetchone()[0]
        finally:
                con.close()


@case
def kill9_loses_no_acknowledged_article():
        rnd = random.Random(int(os.environ.get('CLAIMD_CRASH_SEED', time.time())))
        d = Daemon()
        acked = {}              # id -> (url, text)
        seq = [0]
        lock = threading.Lock()
        try:
                for rnd_no in range(ROUNDS):
                        stop = threading.Event()

                        def writer(w):
                                while not stop.is_set():
                                        with lock:
                                                seq[0] += 1
                                                n = seq[0]
                                        url = 'https://crash.test/%d/%d' % (rnd_no, n)
                                        text = ' '.join(rnd.sample(SENTENCES, 3)) + ' Item %d.' % n
                                        try:
                                                r = d.post('/v1/articles', {'source': 'crash%d.test' % w,
                                                                            'url': url, 'text': text},
                                                           timeout=10 * slow_factor())
                                        except OSError:
                                                return
                                        if r.status == 201:
                                                with lock:
                                                        acked[r.json['id']] = (url, text)
                        ths = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
                        for th in ths:
                                th.start()
                        time.sleep(rnd.uniform(0.1, 1.5) * slow_factor())
                        d.kill9()
                        stop.set()
                        for th in ths:
                                th.join(20)
                        res = integrity(d.db)
                        assert res == 'ok', 'round %d: integrity_check after kill -9: %s' % (rnd_no, res)
                        d.start()
                        n = d.get('/healthz').json['articles']
                        assert n >= len(acked), 'round %d: %d articles stored, %d acknowledged' % (rnd_no, n, len(acked))
                        sample = list(acked.items())
                        if len(sample) > 200:
                                sample = rnd.sample(sample, 200)
                        for aid, (url, text) in sample:
                                g = d.get('/v1/articles/%d' % aid)
                                assert g.status == 200, 'round %d: acknowledged article %d lost: %r' % (rnd_no, aid, g)
                                assert g.json['url'] == url and g.json['text'] == text, (aid, g.json['url'], url)
                for aid, (url, text) in acked.items():
                        g = d.get('/v1/articles/%d' % aid)
                        assert g.status == 200, 'acknowledged article %d lost: %r' % (aid, g)
                        assert g.json['url'] == url and g.json['text'] == text, (aid, g.json['url'], url)
                diag('%d rounds, %d acknowledged articles, all present' % (ROUNDS, len(acked)))
                assert acked, 'no article was ever acknowledged'
                assert d.stop() == 0
                assert integrity(d.db) == 'ok'
        finally:
                d.close()


if __name__ == '__main__':
        run()
