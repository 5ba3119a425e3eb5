#!/usr/bin/env python3
"""The analyst's review (API.md, Review) against the real daemon: PATCH
/v1/conflicts/{id} with and without the token, every bad request, the
history across a restart, the status filter, dismissed pairs staying
dismissed, and the journal record of each review (on stderr here).
Usage: test_review.py BUILD/daemon/claimd
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'pylib'))
from claimdtest import (Daemon, assert_error, case, conflict_article, run,  # noqa: E402
                        write_config)

TOKEN = 'review-test-token-0123456789'
AUTH = {'Authorization': 'Bearer ' + TOKEN}
S = {}


def setup():
        import tempfile
        tmp = tempfile.mkdtemp(prefix='claimd-review-')
        with open(os.path.join(tmp, 'token'), 'w') as f:
                f.write(TOKEN + '\n')
        cfg = os.path.join(tmp, 'claimd.conf')
        write_config(cfg, {'token_file': os.path.join(tmp, 'token')})
        return Daemon(tmpdir=tmp, config=cfg, own_tmpdir=True)


def teardown(d):
        if d:
                d.close()


def patch(d, cid, doc, headers=AUTH, raw=None):
        h = dict(headers or {})
        if raw is not None:
                h.setdefault('Content-Type', 'application/json')
                return d.http('PATCH', '/v1/conflicts/%s' % cid, body=raw, headers=h)
        return d.http('PATCH', '/v1/conflicts/%s' % cid, json_body=doc, headers=h)


def new_conflict(d, n):
        r = d.post('/v1/articles', conflict_article(n), headers=AUTH)
        assert r.status == 201 and len(r.json['conflicts']) == 1, r
        return r.json['conflicts'][0]


@case
def conflicts_carry_open_status_and_no_review(d):
        S['c1'] = new_conflict(d, 101)
        S['c2'] = new_conflict(d, 102)
        r = d.get('/v1/conflicts/%d' % S['c1'])
        assert r.status == 200 and r.json['status'] == 'open' and r.json['review'] is None, r.json
        lst = d.get('/v1/conflicts').json['conflicts']
        assert all(c['status'] == 'open' and 'review' in c for c in lst), lst


@case
def review_needs_the_token(d):
        r = patch(d, S['c1'], {'status': 'confirmed'}, headers={})
        assert_error(r, 401, 'unauthorized')
        r = patch(d, S['c1'], {'status': 'confirmed'}, headers={'Authorization': 'Bearer wrong'})
        assert_error(r, 401, 'unauthorized')
        assert d.get('/v1/conflicts/%d' % S['c1']).json['status'] == 'open'


@case
def review_confirms(d):
        r = patch(d, S['c1'], {'status': 'confirmed', 'note': 'both quotes checked \U0001F50E',
                               'reviewer': 'Ana Ruiz'})
        assert r.status == 200, r
        c = r.json
        assert c['id'] == S['c1'] and c['status'] == 'confirmed', c
        rv = c['review']
        assert rv['status'] == 'confirmed' and rv['note'] == 'both quotes checked \U0001F50E' and \
                rv['reviewer'] == 'Ana Ruiz' and rv['reviewed_at'].endswith('Z'), rv
        assert len(c['claims']) == 2, c
        g = d.get('/v1/conflicts/%d' % S['c1']).json
        assert g['status'] == 'confirmed' and g['review'] == rv, g


@case
def bad_reviews_get_json_errors(d):
        cid = S['c2']
        assert_error(patch(d, cid, {'status': 'maybe'}), 400, 'invalid_field', 'status')
        assert_error(patch(d, cid, {'status': 7}), 400, 'invalid_field', 'status')
        assert_error(patch(d, cid, {'status': 'OPEN'}), 400, 'invalid_field', 'status')
        assert_error(patch(d, cid, {'note': 'no status'}), 400, 'missing_field', 'status')
        assert_error(patch(d, cid, {'status': 'open', 'verdict': 'x'}), 400, 'invalid_field', 'verdict')
        assert_error(patch(d, cid, {'status': 'open', 'note': 5}), 400, 'invalid_field', 'note')
        assert_error(patch(d, cid, {'status': 'open', 'reviewer': ['a']}), 400, 'invalid_field', 'reviewer')
        assert_error(patch(d, cid, {'status': 'open', 'reviewer': 'a\nb'}), 400, 'invalid_field', 'reviewer')
        assert_error(patch(d, cid, {'status': 'open', 'note': 'x' * 2001}), 400, 'invalid_field', 'note')
        assert_error(patch(d, cid, {'status': 'open', 'reviewer': 'r' * 101}), 400, 'invalid_field', 'reviewer')
        # characters, not bytes: 2,000 four-byte characters are fine
        r = patch(d, cid, {'status': 'open', 'note': '\U0001F600' * 2000, 'reviewer': '\u00e9' * 100})
        assert r.status == 200 and len(r.json['review']['note']) == 2000, r
        assert_error(patch(d, cid, {'status': 'open', 'note': 'x' * 3000000}), 413, 'too_large')
        assert_error(patch(d, cid, None, raw='{"status": "open"'), 400, 'invalid_json')
        assert_error(patch(d, cid, None, raw='["open"]'), 400, 'invalid_json')
        assert_error(patch(d, cid, None, raw='{"status": "open", "status": "dismissed"}'), 400, 'invalid_json')
        assert_error(patch(d, cid, None, raw=b'{"status": "open", "note": "\xff"}'), 400, 'invalid_utf8')
        r = d.http('PATCH', '/v1/conflicts/%d' % cid, body='{"status": "open"}',
                   headers=dict(AUTH, **{'Content-Type': 'text/plain'}))
        assert_error(r, 415, 'unsupported_media_type')
        assert_error(patch(d, 999999, {'status': 'open'}), 404, 'not_found')
        assert_error(patch(d, 'abc', {'status': 'open'}), 404, 'not_found', 'id')
        assert_error(patch(d, '0', {'status': 'open'}), 404, 'not_found', 'id')
        r = d.http('DELETE', '/v1/conflicts/%d' % cid, headers=AUTH)
        assert_error(r, 405, 'method_not_allowed')
        assert 'PATCH' in (r.header('Allow') or ''), r.headers
        assert_error(d.http('PATCH', '/v1/conflicts', json_body={'status': 'open'}, headers=AUTH),
                     405, 'method_not_allowed')
        d.assert_serving('bad reviews')


@case
def history_keeps_every_change_across_a_restart(d):
        cid = S['c2']
        before = d.get('/v1/conflicts/%d/history' % cid).json['history']
        assert patch(d, cid, {'status': 'dismissed', 'note': 'same claim twice', 'reviewer': 'Ben'}).status == 200
        assert patch(d, cid, {'status': 'confirmed', 'note': None}).status == 200
        d.restart()
        h = d.get('/v1/conflicts/%d/history' % cid)
        assert h.status == 200, h
        hist = h.json['history']
        assert hist[:len(before)] == before, (before, hist)
        new = hist[len(before):]
        assert [x['status'] for x in new] == ['dismissed', 'confirmed'], hist
        assert new[0]['note'] == 'same claim twice' and new[0]['reviewer'] == 'Ben', new
        assert new[1]['note'] is None and new[1]['reviewer'] is None, new
        assert all(x['at'].endswith('Z') for x in hist), hist
        c = d.get('/v1/conflicts/%d' % cid).json
        assert c['status'] == 'confirmed' and c['review']['status'] == 'confirmed', c
        assert d.get('/v1/conflicts/%d/history' % S['c1']).json['history'][0]['reviewer'] == 'Ana Ruiz'
        assert_error(d.get('/v1/conflicts/999999/history'), 404, 'not_found')
        assert_error(d.get('/v1/conflicts/x1/history'), 404, 'not_found', 'id')


@case
def status_filter(d):
        c3 = new_conflict(d, 103)
        assert patch(d, c3, {'status': 'dismissed'}).status == 200
        c4 = new_conflict(d, 104)
        ids = lambda q: [c['id'] for c in d.get('/v1/conflicts?limit=1000&' + q).json['conflicts']]
        assert c4 in ids('status=open') and c3 not in ids('status=open'), ids('status=open')
        assert ids('status=dismissed') == [c3], ids('status=dismissed')
        assert set(ids('status=confirmed')) == {S['c1'], S['c2']}, ids('status=confirmed')
        assert ids('status=dismissed&kind=denial&min_score=0.1') == [c3]
        assert ids('status=dismissed&source=nobody.test') == []
        assert ids('status=open&since=%d' % c4) == []
        for bad in ('status=', 'status=closed', 'status=open&status=open'):
                assert_error(d.get('/v1/conflicts?' + bad), 400, 'invalid_field', 'status')
        # before=: newest first, paging back in time, with the filters
        newest = lambda q: d.get('/v1/conflicts?' + q).json
        allids = ids('')
        page = newest('before=9223372036854775807&limit=2')
        assert [c['id'] for c in page['conflicts']] == sorted(allids, reverse=True)[:2], (page, allids)
        assert page['next'] == sorted(allids, reverse=True)[1], page
        page2 = newest('before=%d&limit=1000' % page['next'])
        assert [c['id'] for c in page2['conflicts']] == sorted(allids, reverse=True)[2:], page2
        assert newest('before=%d&status=dismissed' % (c4 + 1))['conflicts'][0]['id'] == c3
        assert newest('before=1') == {'conflicts': [], 'next': 1}, newest('before=1')
        for bad in ('before=0', 'before=x', 'before=5&since=1', 'before=5&wait=1'):
                assert_error(d.get('/v1/conflicts?' + bad), 400, 'invalid_field', 'before')
        assert_error(d.get('/v1/conflicts/stream?before=5'), 400, 'invalid_field', 'before')
        S['c3'] = c3


@case
def a_dismissed_pair_stays_dismissed(d):
        # the same two statements again (a copy under another url): no new open conflict
        again = conflict_article(103)
        again['url'] = 'https://south.test/copy/103'
        r = d.post('/v1/articles', again, headers=AUTH)
        assert r.status == 201 and r.json['conflicts'] == [], r
        # a confirmed pair is not suppressed, nor one whose statements differ
        again = conflict_article(101)
        again['url'] = 'https://south.test/copy/101'
        r = d.post('/v1/articles', again, headers=AUTH)
        assert r.status == 201 and len(r.json['conflicts']) == 1, r
        # reopened: the pair may be raised again
        assert patch(d, S['c3'], {'status': 'open'}).status == 200
        again = conflict_article(103)
        again['url'] = 'https://south.test/copy2/103'
        r = d.post('/v1/articles', again, headers=AUTH)
        assert r.status == 201 and len(r.json['conflicts']) >= 1, r


@case
def the_dashboard_is_served_without_the_token(d):
        h = d.get('/healthz').json
        assert h['token_required'] == {'writes': True, 'reads': False}, h
        r = d.get('/')
        assert r.status == 200 and r.header('Content-Type').startswith('text/html'), r
        csp = r.header('Content-Security-Policy') or ''
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and 'unsafe' not in csp, csp
        assert r.header('X-Content-Type-Options') == 'nosniff', r.headers
        assert b'/app.js' in r.body and b'http://' not in r.body and b'https://' not in r.body, r.body[:200]
        for path, ctype in (('/app.js', 'text/javascript'), ('/app.css', 'text/css'), ('/favicon.svg', 'image/svg+xml')):
                a = d.get(path)
                assert a.status == 200 and a.header('Content-Type').startswith(ctype) and a.body, (path, a)
        etag = r.header('ETag')
        again = d.get('/', headers={'If-None-Match': etag})
        assert again.status == 304 and again.body == b'', again
        assert d.http('HEAD', '/').status == 200
        assert_error(d.http('POST', '/', body='{}', headers={'Content-Type': 'application/json'}),
                     405, 'method_not_allowed')
        assert_error(d.get('/index.html'), 404, 'not_found')
        assert_error(d.get('/app.js/../app.js'), 404, 'not_found')


@case
def each_review_has_a_journal_record(d):
        log = d.log()
        lines = [l for l in log.splitlines() if 'reviewed:' in l]
        assert any('conflict %d reviewed: confirmed by Ana Ruiz' % S['c1'] in l for l in lines), lines
        assert len(lines) >= 6, lines


if __name__ == '__main__':
        run(setup, teardown)
