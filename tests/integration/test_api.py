#!/usr/bin/env python3
"""Every endpoint of API.md against the real daemon over real HTTP.

One claimd on a free port with a temporary database serves all cases (they
run in order and build on each other's articles); cases needing their own
configuration start their own daemon.  Usage: test_api.py BUILD/daemon/claimd
"""
import json
import os
import re
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'pylib'))
from claimdtest import (ARTICLE_A, ARTICLE_B, CONFLICT2_A, CONFLICT2_B, CONFLICT_A, CONFLICT_B, Daemon,
                        assert_error, case, diag, run, skip, slow_factor)  # noqa: E402

JSON = {'Content-Type': 'application/json'}
S = {}          # state shared by cases: ids of what was posted


def setup():
        return Daemon()


def teardown(d):
        if d:
                d.close()


def healthz_counts(d):
        r = d.get('/healthz')
        assert r.status == 200, r
        return {k: r.json[k] for k in ('articles', 'claims', 'events', 'conflicts')}


@case
def healthz(d):
        r = d.get('/healthz')
        assert r.status == 200, r
        assert (r.header('Content-Type') or '').startswith('application/json'), r.headers
        j = r.json
        assert j['status'] == 'ok', j
        assert isinstance(j['version'], str) and re.match(r'^\d+\.\d+', j['version']), j
        for k in ('articles', 'claims', 'events', 'conflicts'):
                assert isinstance(j[k], int) and j[k] == 0, (k, j)


@case
def conflicts_feed_empty(d):
        r = d.get('/v1/conflicts')
        assert r.status == 200, r
        assert r.json == {'conflicts': [], 'next': 0} or (r.json['conflicts'] == [] and r.json['next'] == 0), r.json
        r = d.get('/v1/conflicts?since=42')
        assert r.status == 200 and r.json['conflicts'] == [] and r.json['next'] == 42, r


@case
def events_feed_empty(d):
        r = d.get('/v1/events')
        assert r.status == 200, r
        assert r.json['events'] == [] and r.json['next'] == 0, r.json


@case
def post_article_created(d):
        r = d.post('/v1/articles', ARTICLE_A)
        assert r.status == 201, r
        j = r.json
        assert isinstance(j['id'], int) and j['id'] > 0, j
        assert j['duplicate'] is False, j
        assert isinstance(j['claims'], int) and j['claims'] >= 1, ('attributed statements, no claim', j)
        assert isinstance(j['conflicts'], list), j
        assert j['event_id'] is None or isinstance(j['event_id'], int), j
        S['a'] = j
        c = healthz_counts(d)
        assert c['articles'] == 1 and c['claims'] == j['claims'], (c, j)


def check_claim(cl, art, aid):
        assert cl['article_id'] == aid, cl
        assert cl['field'] in ('title', 'text'), cl
        field = art[cl['field']]
        s, e = cl['span']
        assert 0 <= s < e <= len(field), ('span outside field', cl['span'], len(field))
        assert isinstance(cl['text'], str) and cl['text'], cl
        if cl.get('content_span') is not None:
                cs, ce = cl['content_span']
                assert field[cs:ce] == cl['text'], ('content_span does not slice text', field[cs:ce], cl['text'])
        if cl.get('speaker') is not None:
                sp = cl['speaker']
                if sp.get('span') is not None:
                        a, b = sp['span']
                        assert 0 <= a < b <= len(field), sp
        if cl.get('cue') is not None and cl['cue'].get('span') is not None:
                a, b = cl['cue']['span']
                assert field[a:b] == cl['cue']['text'], (field[a:b], cl['cue'])
        assert cl['stance'] in ('asserts', 'denies', 'questions'), cl
        assert isinstance(cl['negated'], bool) and isinstance(cl['hedged'], bool), cl
        assert isinstance(cl['entities'], list) and isinstance(cl['quantities'], list), cl


@case
def get_article(d):
        aid = S['a']['id']
        r = d.get('/v1/articles/%d' % aid)
        assert r.status == 200, r
        j = r.json
        assert j['id'] == aid, j
        for k in ('source', 'url', 'title', 'text'):
                assert j[k] == ARTICLE_A[k], (k, j[k])
        assert j['published_at'] == ARTICLE_A['published_at'], j['published_at']
        assert re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$', j['received_at']), j['received_at']
        assert j['event_id'] == S['a']['event_id'], j
        assert isinstance(j['claims'], list) and len(j['claims']) == S['a']['claims'], (len(j['claims']), S['a'])
        for cl in j['claims']:
                check_claim(cl, ARTICLE_A, aid)


@case
def unicode_text_kept_and_spans_in_code_points(d):
        text = ('Zürich — Mayor Léa Dupré said on Friday that the “new bridge” 🌉 would open in '
                'March. Officials in Zürich denied that the bridge would open in March.')
        art = {'source': 'alpenpost.test', 'text': text, 'title': 'Brücke öffnet 🌉'}
        r = d.post('/v1/articles', art)
        assert r.status == 201, r
        g = d.get('/v1/articles/%d' % r.json['id'])
        assert g.status == 200, g
        assert g.json['text'] == text and g.json['title'] == art['title'], g.json
        assert g.json['url'] is None, g.json
        for cl in g.json['claims']:
                check_claim(cl, art, r.json['id'])
        S['unicode'] = r.json['id']


@case
def duplicate_by_url(d):
        before = healthz_counts(d)
        again = dict(ARTICLE_A, text=ARTICLE_A['text'] + ' Updated.')
        r = d.post('/v1/articles', again)
        assert r.status == 200, r
        assert r.json['duplicate'] is True and r.json['id'] == S['a']['id'], r.json
        assert healthz_counts(d) == before


@case
def duplicate_by_source_and_content(d):
        art = {'source': 'plainwire.test', 'title': 'Rain expected',
               'text': 'Forecasters said heavy rain is expected in Port Alden on Thursday.'}
        r1 = d.post('/v1/articles', art)
        assert r1.status == 201, r1
        before = healthz_counts(d)
        r2 = d.post('/v1/articles', art)
        assert r2.status == 200 and r2.json['duplicate'] is True and r2.json['id'] == r1.json['id'], r2
        assert healthz_counts(d) == before
        r3 = d.post('/v1/articles', dict(art, source='otherwire.test'))
        assert r3.status == 201 and r3.json['duplicate'] is False and r3.json['id'] != r1.json['id'], r3


@case
def post_html_article(d):
        html = ('<html><head><title>t</title><style>p{color:red}</style>'
                '<script>var secretScript = 1;</script></head><body><nav>Menu Home</nav>'
                '<article><h1>Bridge vote delayed</h1><p>The council of Port Alden said on '
                'Wednesday that the bridge vote would be delayed by two weeks.</p>'
                '<p>Councillor Ana Ruiz said the delay was &quot;regrettable&quot;.</p></article>'
                '</body></html>')
        r = d.post('/v1/articles', {'source': 'htmlwire.test', 'html': html,
                                    'url': 'https://htmlwire.test/bridge'})
        assert r.status == 201, r
        g = d.get('/v1/articles/%d' % r.json['id'])
        assert g.status == 200, g
        t = g.json['text']
        assert 'bridge vote would be delayed' in t, t
        assert '<p>' not in t and 'secretScript' not in t and 'color:red' not in t, t
        assert '"regrettable"' in t or '“regrettable”' in t, t


@case
def post_title_only(d):
        r = d.post('/v1/articles', {'source': 'titles.test', 'title': 'Marsh to visit Port Alden next week'})
        assert r.status == 201, r


@case
def charset_parameter_accepted(d):
        r = d.http('POST', '/v1/articles', body=json.dumps({'source': 'cs.test', 'title': 'Charset test headline'}),
                   headers={'Content-Type': 'application/json; charset=utf-8'})
        assert r.status == 201, r


@case
def conflicting_articles(d):
        r = d.post('/v1/articles', ARTICLE_B)
        assert r.status == 201, r
        S['b'] = r.json
        diag('A: %s  B: %s' % (S['a'], S['b']))
        # and a pair that conflicts, so that the conflict cases below have
        # one to check whatever the pipeline makes of A and B
        ra = d.post('/v1/articles', CONFLICT_A)
        rb = d.post('/v1/articles', CONFLICT_B)
        assert ra.status == 201 and rb.status == 201, (ra, rb)
        S['pair'] = ra.json['conflicts'] + rb.json['conflicts']
        assert S['pair'], ('the conflicting pair raised no conflict', ra.json, rb.json)
        c = healthz_counts(d)
        assert c['conflicts'] >= len(S['b']['conflicts']) + len(S['pair']), c


@case
def conflicts_feed_and_one(d):
        r = d.get('/v1/conflicts?limit=1000')
        assert r.status == 200, r
        lst = r.json['conflicts']
        total = healthz_counts(d)['conflicts']
        assert len(lst) == min(total, 1000), (len(lst), total)
        ids = [c['id'] for c in lst]
        assert ids == sorted(ids) and len(set(ids)) == len(ids), ids
        assert r.json['next'] == (ids[-1] if ids else 0), r.json['next']
        for cid in S['b']['conflicts'] + S['pair']:
                assert cid in ids, (cid, ids)
        for c in lst:
                assert isinstance(c['kind'], str) and c['kind'], c
                assert 0.0 <= c['score'] <= 1.0, c
                assert c['status'] == 'open', c
                assert isinstance(c['explanation'], str) and c['explanation'], c
                assert len(c['claims']) == 2, c
                for cl in c['claims']:
                        for k in ('source', 'article_id', 'span', 'text', 'stance'):
                                assert k in cl, (k, cl)
        one = d.get('/v1/conflicts/%d' % ids[0])
        assert one.status == 200 and one.json['id'] == ids[0], one
        assert one.json['kind'] == lst[0]['kind'], one.json
        # paging: since + limit
        p = d.get('/v1/conflicts?since=%d&limit=1' % ids[0])
        assert p.status == 200 and [c['id'] for c in p.json['conflicts']] == ids[1:2], p
        # filters narrow, never widen
        c0 = lst[0]
        for q, pred in (('event=%d' % c0['event_id'], lambda c: c['event_id'] == c0['event_id']),
                        ('kind=%s' % c0['kind'], lambda c: c['kind'] == c0['kind']),
                        ('min_score=%g' % c0['score'], lambda c: c['score'] >= c0['score'] - 1e-9),
                        ('source=%s' % c0['claims'][0]['source'],
                         lambda c: any(cl['source'] == c0['claims'][0]['source'] for cl in c['claims']))):
                f = d.get('/v1/conflicts?limit=1000&' + q)
                assert f.status == 200, (q, f)
                fid = [c['id'] for c in f.json['conflicts']]
                assert c0['id'] in fid, (q, fid)
                assert fid == [c['id'] for c in lst if pred(c)], (q, fid)
        f = d.get('/v1/conflicts?min_score=1.01')
        if f.status == 400:
                assert_error(f, 400, 'invalid_field', 'min_score')
        else:
                assert f.status == 200 and f.json['conflicts'] == [], f
        f = d.get('/v1/conflicts?source=nobody.invalid')
        assert f.status == 200 and f.json['conflicts'] == [], f


@case
def conflicts_bad_parameters(d):
        for q, field in (('since=abc', 'since'), ('limit=abc', 'limit'), ('limit=-1', 'limit'),
                         ('wait=abc', 'wait'), ('event=x', 'event'), ('min_score=abc', 'min_score'),
                         ('kind=no_such_kind', 'kind')):
                r = d.get('/v1/conflicts?' + q)
                assert_error(r, 400, 'invalid_field', field)


@case
def events_feed_and_one(d):
        r = d.get('/v1/events?limit=1000')
        assert r.status == 200, r
        evs = r.json['events']
        c = healthz_counts(d)
        assert len(evs) == c['events'], (len(evs), c)
        ids = [e['id'] for e in evs]
        assert ids == sorted(ids), ids
        assert r.json['next'] == (ids[-1] if ids else 0), r.json
        for e in evs:
                for k in ('id', 'label', 'articles', 'sources', 'conflicts', 'first_seen', 'last_seen'):
                        assert k in e, (k, e)
                assert isinstance(e['articles'], int) and e['articles'] >= 1, e
        # the conflicting pair's conflict is listed by its event, beside both articles
        c = d.get('/v1/conflicts/%d' % S['pair'][0])
        assert c.status == 200, c
        ev = d.get('/v1/events/%d' % c.json['event_id'])
        assert ev.status == 200 and S['pair'][0] in ev.json['conflict_ids'], (c.json['event_id'], ev)
        assert {cl['article_id'] for cl in c.json['claims']} <= set(ev.json['article_ids']), (c.json, ev.json)
        if S['a']['event_id'] is None:
                diag('article A has no event: event details not checked')
                assert_error(d.get('/v1/events/1'), 404, 'not_found') if not evs else None
                return
        one = d.get('/v1/events/%d' % S['a']['event_id'])
        assert one.status == 200, one
        assert S['a']['id'] in one.json['article_ids'], one.json
        assert isinstance(one.json['conflict_ids'], list), one.json
        for cid in S['b']['conflicts']:
                if S['b']['event_id'] == S['a']['event_id']:
                        assert cid in one.json['conflict_ids'], (cid, one.json)
        p = d.get('/v1/events?since=%d&limit=1' % ids[0])
        assert p.status == 200 and [e['id'] for e in p.json['events']] == ids[1:2], p


@case
def compare_stores_nothing(d):
        before = healthz_counts(d)
        a = {k: ARTICLE_A[k] for k in ('title', 'text')}
        b = {k: ARTICLE_B[k] for k in ('title', 'text', 'source')}
        r = d.post('/v1/compare', {'a': a, 'b': b})
        assert r.status == 200, r
        j = r.json
        assert isinstance(j['related'], bool), j
        assert isinstance(j['similarity'], (int, float)) and 0.0 <= j['similarity'] <= 1.0, j
        assert isinstance(j['conflicts'], list), j
        for c in j['conflicts']:
                assert 'id' not in c and 'event_id' not in c and 'status' not in c, c
                assert sorted(cl['article'] for cl in c['claims']) == ['a', 'b'], c
        assert healthz_counts(d) == before
        un = d.post('/v1/compare', {'a': {'text': 'The recipe needs two eggs and a cup of flour.'},
                                    'b': {'text': 'The satellite reached orbit on its third attempt.'}})
        assert un.status == 200, un
        assert un.json['similarity'] <= j['similarity'], (un.json, j)
        diag('compare A/B: related=%s similarity=%s conflicts=%d; unrelated similarity=%s'
             % (j['related'], j['similarity'], len(j['conflicts']), un.json['similarity']))


@case
def compare_errors(d):
        assert_error(d.post('/v1/compare', {'a': {'text': 'x y z'}}), 400, 'missing_field', 'b')
        assert_error(d.post('/v1/compare', {'a': 'text', 'b': {'text': 'x'}}), 400, 'invalid_field', 'a')
        assert_error(d.post('/v1/compare', {'a': {'text': 'x'}, 'b': {'text': 'y'}, 'c': 1}),
                     400, 'invalid_field', 'c')
        r = d.post('/v1/compare', {'a': {'text': 'x', 'bogus': 1}, 'b': {'text': 'y'}})
        assert_error(r, 400, 'invalid_field')
        assert_error(d.post('/v1/compare', {'a': {'text': 'x', 'html': '<p>y</p>'}, 'b': {'text': 'y'}}),
                     400, 'invalid_field')


@case
def metrics(d):
        r = d.get('/metrics')
        assert r.status == 200, r
        assert (r.header('Content-Type') or '').startswith('text/plain'), r.headers
        t = r.body.decode('utf-8')
        lines = [l for l in t.splitlines() if l and not l.startswith('#')]
        assert any('# TYPE' in l for l in t.splitlines()), t[:500]
        for l in lines:
                assert re.match(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? [-+0-9.eEInfNa]+( \d+)?$', l), l
        # request counts by route and status: a counter with a healthz label and a 200 label
        assert any('healthz' in l and '200' in l.rsplit(' ', 1)[0] for l in lines), t[:2000]
        assert any('_bucket{' in l and 'le="+Inf"' in l for l in lines), 'no histogram'
        assert any(re.search(r'article', l.rsplit(' ', 1)[0]) for l in lines), 'no article total'
        assert any(re.search(r'conflict', l.rsplit(' ', 1)[0]) for l in lines), 'no conflict total'
        assert any(re.search(r'(db|database).*bytes|bytes.*(db|database)', l.rsplit(' ', 1)[0]) for l in lines), \
                'no database size'

        # counting is exact: three more GET /healthz add three to its counter
        def healthz_count():
                t = d.get('/metrics').body.decode('utf-8')
                vals = [float(l.rsplit(' ', 1)[1]) for l in t.splitlines()
                        if not l.startswith('#') and 'healthz' in l and '"200"' in l and '_bucket' not in l]
                assert len(vals) == 1, vals
                return vals[0]
        before = healthz_count()
        for _ in range(3):
                d.get('/healthz')
        assert healthz_count() == before + 3, (before, healthz_count())


@case
def error_invalid_json(d):
        for body in (b'{', b'{"source": "x", "text": "y"', b'nope', b'{"source": "x"} trailing'):
                r = d.http('POST', '/v1/articles', body=body, headers=JSON)
                assert_error(r, 400, 'invalid_json')


@case
def error_missing_field(d):
        assert_error(d.post('/v1/articles', {'text': 'Something happened.'}), 400, 'missing_field', 'source')
        r = d.post('/v1/articles', {'source': 'x.test'})
        assert_error(r, 400, ('missing_field', 'invalid_field'))
        r = d.post('/v1/articles', {'source': 'x.test', 'title': '', 'text': ''})
        assert_error(r, 400, ('missing_field', 'invalid_field'))


@case
def error_invalid_field(d):
        base = {'source': 'x.test', 'text': 'Something happened in Port Alden.'}
        assert_error(d.post('/v1/articles', dict(base, html='<p>x</p>')), 400, 'invalid_field')
        assert_error(d.post('/v1/articles', dict(base, author='me')), 400, 'invalid_field', 'author')
        for k, v in (('source', 5), ('text', ['a']), ('title', {'a': 1}), ('url', True),
                     ('published_at', 1499457600), ('published_at', 'yesterday'),
                     ('published_at', '2017-13-45T99:00:00Z'), ('lang', 3)):
                r = d.post('/v1/articles', dict(base, **{k: v}))
                assert_error(r, 400, 'invalid_field', k)
        # null is as good as absent: a required field that is null is missing
        assert_error(d.post('/v1/articles', dict(base, source=None)), 400, ('missing_field', 'invalid_field'), 'source')
        assert_error(d.post('/v1/articles', [base]), 400, ('invalid_json', 'invalid_field'))


@case
def error_invalid_utf8(d):
        r = d.http('POST', '/v1/articles', body=b'{"source": "x.test", "text": "caf\xe9 au lait"}', headers=JSON)
        assert_error(r, 400, 'invalid_utf8')


@case
def error_unsupported_media_type(d):
        body = json.dumps({'source': 'x.test', 'text': 'y'})
        r = d.http('POST', '/v1/articles', body=body, headers={'Content-Type': 'text/plain'})
        assert_error(r, 415, 'unsupported_media_type')
        r = d.http('POST', '/v1/articles', body=body)
        assert_error(r, 415, 'unsupported_media_type')


@case
def error_too_large(d):
        # Over the default 2 MiB body limit, the whole body sent: a JSON 413.
        body = b'{"source": "big.test", "text": "' + b'a' * (3 << 20) + b'"}'
        r, _ = d.raw(b'POST /v1/articles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
                     b'Content-Length: %d\r\n\r\n' % len(body) + body, timeout=30)
        assert_error(r, 413, 'too_large')
        d.assert_serving('3 MiB body')


@case
def error_not_found(d):
        for p in ('/v1/articles/999999', '/v1/conflicts/999999', '/v1/events/999999', '/nope', '/v1/nope',
                  '/v2/articles'):
                assert_error(d.get(p), 404, 'not_found')


@case
def error_method_not_allowed(d):
        for m, p in (('DELETE', '/v1/articles/1'), ('PUT', '/v1/articles'), ('GET', '/v1/compare'),
                     ('POST', '/healthz'), ('POST', '/v1/conflicts'), ('DELETE', '/v1/events/1'),
                     ('PATCH', '/metrics')):
                r = d.http(m, p, body=b'{}' if m != 'GET' else None, headers=JSON)
                assert_error(r, 405, 'method_not_allowed')
                assert r.header('Allow'), ('405 without Allow header', m, p, r.headers)


@case
def head_healthz(d):
        r = d.http('HEAD', '/healthz')
        assert r.status == 200 and r.body == b'', r


@case
def long_poll_times_out_and_others_served(d):
        since = d.get('/v1/conflicts?limit=1000').json['next']
        out = {}

        def poll():
                t0 = time.monotonic()
                out['r'] = d.get('/v1/conflicts?since=%d&wait=2' % since, timeout=30)
                out['t'] = time.monotonic() - t0
        th = threading.Thread(target=poll)
        th.start()
        time.sleep(0.3)
        t0 = time.monotonic()
        h = d.get('/healthz', timeout=5)
        assert h.status == 200 and time.monotonic() - t0 < 1.0 * slow_factor(), 'healthz blocked by a long poll'
        th.join(30)
        assert out['r'].status == 200 and out['r'].json['conflicts'] == [], out['r']
        assert out['r'].json['next'] == since, out['r'].json
        assert 1.8 <= out['t'] < 5 * slow_factor(), 'wait=2 returned after %.2fs' % out['t']


@case
def long_poll_wakes_on_conflict(d):
        since = d.get('/v1/conflicts?limit=1000').json['next']
        out = {}

        def poll():
                t0 = time.monotonic()
                out['r'] = d.get('/v1/conflicts?since=%d&wait=10' % since, timeout=30)
                out['t'] = time.monotonic()
        th = threading.Thread(target=poll)
        th.start()
        time.sleep(0.5)
        t_post = time.monotonic()
        ra = d.post('/v1/articles', CONFLICT2_A)
        rb = d.post('/v1/articles', CONFLICT2_B)
        assert ra.status == 201 and rb.status == 201, (ra, rb)
        raised = ra.json['conflicts'] + rb.json['conflicts']
        assert raised, ('the second conflicting pair raised no conflict', ra.json, rb.json)
        th.join(30)
        r = out['r']
        assert r.status == 200, r
        assert out['t'] - t_post < 3.0 * slow_factor(), 'poller woke %.2fs after the post' % (out['t'] - t_post)
        got = [c['id'] for c in r.json['conflicts']]
        assert got and got[0] == min(raised), (got, raised)


@case
def stderr_log_has_priority_prefix(d):
        lines = [l for l in d.log().splitlines() if l.strip()]
        assert lines, 'nothing logged on stderr'
        bad = [l for l in lines if not re.match(r'^<[0-7]>', l)]
        assert not bad, bad[:5]


@case
def sigterm_exits_zero_and_restart_keeps_data(d):
        before = healthz_counts(d)
        art = d.get('/v1/articles/%d' % S['a']['id']).json
        rc = d.stop()
        assert rc == 0, 'SIGTERM exit status %r; log:\n%s' % (rc, d.log()[-2000:])
        d.start()
        assert healthz_counts(d) == before
        again = d.get('/v1/articles/%d' % S['a']['id'])
        assert again.status == 200 and again.json == art, again
        r = d.post('/v1/articles', ARTICLE_A)
        assert r.status == 200 and r.json['duplicate'] and r.json['id'] == S['a']['id'], r


if __name__ == '__main__':
        run(setup, teardown)
