#!/usr/bin/env python3
"""The independent check of issue 19 (the analyst's desk), as its "Done
when" states it, against a claimd binary (a release build: see README.md
here).  Written apart from the integration suite, with texts of its own:

  review with the token, a bad status, an unknown field and an unknown id;
  the history after two reviews and a restart; the status filter; the
  event stream delivering a new conflict and replaying after Last-Event-ID;
  a webhook receiver that answers 500 once then 200 getting the conflict
  again with a valid signature and X-Claimd-Delivery; GET / rendered by
  headless Chromium showing both claims of a conflict (a screenshot is
  left in $QA_OUT, default /tmp/claimd-qa).

Prints TAP.  Usage: check-desk.py BUILD-REL/daemon/claimd
"""
import hashlib
import hmac
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'pylib'))
from claimdtest import Daemon, assert_error, case, diag, run, skip  # noqa: E402

TOKEN = 'qa-desk-token-7f3a9c'
AUTH = {'Authorization': 'Bearer ' + TOKEN}
SECRET = b'qa-desk-webhook-secret'
OUT = os.environ.get('QA_OUT', '/tmp/claimd-qa')
S = {}


# Two articles written for this check (fictional people and places): one
# outlet has the minister say the governor approved the budget, another
# has a spokeswoman deny it.  n makes each pair its own.
def pair(n):
        place = ['Varo', 'Tellin', 'Orsk', 'Maru', 'Pelle', 'Quist', 'Ranne', 'Sulo'][n % 8]
        gov = ['Ada Osk', 'Ivo Lind', 'Mae Sorn', 'Pia Holm', 'Ole Brun', 'Eva Nyl', 'Rui Tam', 'Lis Varg'][n % 8]
        claim = 'Governor %s approved the hospital budget of %s' % (gov, place)
        a = {'source': 'valley%d.test' % n, 'url': 'https://valley.test/%d/budget' % n,
             'title': 'Minister and governor meet in %s' % place, 'published_at': '2026-05-05T08:00:00Z',
             'text': '%s (Valley Times) Health Minister Tomas Rinn said %s. The two met for an hour on Tuesday.'
                     % (place.upper(), claim)}
        b = {'source': 'coast%d.test' % n, 'url': 'https://coast.test/%d/budget' % n,
             'title': 'Budget talks go on in %s' % place, 'published_at': '2026-05-05T10:00:00Z',
             'text': '%s (Coast Courier) A spokeswoman for the regional board denied that %s. She said talks '
                     'go on.' % (place.upper(), claim)}
        return a, b, claim


def raise_conflict(d, n, headers=AUTH):
        """Posts pair n; returns the id of the one conflict it raises."""
        a, b, _ = pair(n)
        ra = d.post('/v1/articles', a, headers=headers)
        rb = d.post('/v1/articles', b, headers=headers)
        assert ra.status == 201 and rb.status == 201, (ra, rb)
        got = ra.json['conflicts'] + rb.json['conflicts']
        assert len(got) == 1, ('pair %d raised %r' % (n, got), ra.json, rb.json)
        return got[0]


def token_daemon():
        if 'd' not in S:
                tmp = tempfile.mkdtemp(prefix='claimd-qa-desk-')
                with open(os.path.join(tmp, 'token'), 'w') as f:
                        f.write(TOKEN + '\n')
                cfg = os.path.join(tmp, 'claimd.conf')
                with open(cfg, 'w') as f:
                        f.write('[security]\ntoken_file = %s\n' % os.path.join(tmp, 'token'))
                S['d'] = Daemon(tmpdir=tmp, config=cfg, own_tmpdir=True)
        return S['d']


@case
def review_with_token_and_bad_requests():
        d = token_daemon()
        cid = S['c1'] = raise_conflict(d, 1)
        body = {'status': 'confirmed', 'note': 'both quotes found', 'reviewer': 'qa'}
        assert_error(d.http('PATCH', '/v1/conflicts/%d' % cid, json_body=body), 401, 'unauthorized')
        assert_error(d.http('PATCH', '/v1/conflicts/%d' % cid, json_body=body,
                            headers={'Authorization': 'Bearer ' + TOKEN + 'x'}), 401, 'unauthorized')
        assert d.get('/v1/conflicts/%d' % cid).json['status'] == 'open', 'a refused review changed the status'
        r = d.http('PATCH', '/v1/conflicts/%d' % cid, json_body=body, headers=AUTH)
        assert r.status == 200 and r.json['id'] == cid and r.json['status'] == 'confirmed', r
        rv = r.json['review']
        assert (rv['status'], rv['note'], rv['reviewer']) == ('confirmed', 'both quotes found', 'qa'), rv
        assert d.get('/v1/conflicts/%d' % cid).json['review'] == rv
        for bad, field in (({'status': 'closed'}, 'status'), ({'status': 'Confirmed'}, 'status'),
                           ({'status': True}, 'status'), ({'status': 'open', 'priority': 1}, 'priority'),
                           ({'status': 'open', 'Note': 'x'}, 'Note')):
                assert_error(d.http('PATCH', '/v1/conflicts/%d' % cid, json_body=bad, headers=AUTH),
                             400, 'invalid_field', field)
        for missing in (10 ** 9, 2 ** 63 - 1):
                assert_error(d.http('PATCH', '/v1/conflicts/%d' % missing, json_body={'status': 'open'},
                                    headers=AUTH), 404, 'not_found')
        for junk in ('2' * 30, '-1', '1x'):
                assert_error(d.http('PATCH', '/v1/conflicts/' + junk, json_body={'status': 'open'},
                                    headers=AUTH), 404, 'not_found')
        assert d.get('/v1/conflicts/%d' % cid).json['review'] == rv, 'a refused review changed the review'


@case
def history_after_two_reviews_and_a_restart():
        d = token_daemon()
        cid = S['c2'] = raise_conflict(d, 2)
        for st, note in (('dismissed', 'first look: same quote'), ('confirmed', 'second look\nit is real')):
                r = d.http('PATCH', '/v1/conflicts/%d' % cid, json_body={'status': st, 'note': note,
                                                                       'reviewer': 'qa-%s' % st}, headers=AUTH)
                assert r.status == 200, r
        assert d.stop() == 0, 'claimd did not exit 0 on SIGTERM'
        d.start()
        h = d.get('/v1/conflicts/%d/history' % cid)
        assert h.status == 200, h
        hist = h.json['history']
        assert [(x['status'], x['note'], x['reviewer']) for x in hist] == [
                ('dismissed', 'first look: same quote', 'qa-dismissed'),
                ('confirmed', 'second look\nit is real', 'qa-confirmed')], hist
        assert hist[0]['at'] <= hist[1]['at'] and all(x['at'].endswith('Z') for x in hist), hist
        c = d.get('/v1/conflicts/%d' % cid).json
        assert c['status'] == 'confirmed' and c['review']['note'] == 'second look\nit is real', c
        assert d.get('/v1/conflicts/%d/history' % S['c1']).json['history'][0]['reviewer'] == 'qa'
        assert_error(d.get('/v1/conflicts/%d/history' % (10 ** 9)), 404, 'not_found')


@case
def status_filter():
        d = token_daemon()
        c3 = raise_conflict(d, 3)
        c4 = raise_conflict(d, 4)
        assert d.http('PATCH', '/v1/conflicts/%d' % c3, json_body={'status': 'dismissed'}, headers=AUTH).status == 200

        def ids(q):
                r = d.get('/v1/conflicts?limit=1000&' + q)
                assert r.status == 200, r
                assert all(c['status'] == (q.split('=')[1] if q else c['status']) for c in r.json['conflicts']), r
                return sorted(c['id'] for c in r.json['conflicts'])
        assert ids('status=open') == [c4], ids('status=open')
        assert ids('status=dismissed') == [c3], ids('status=dismissed')
        assert ids('status=confirmed') == sorted([S['c1'], S['c2']]), ids('status=confirmed')
        assert ids('') == sorted([S['c1'], S['c2'], c3, c4]), ids('')
        assert_error(d.get('/v1/conflicts?status=reviewed'), 400, 'invalid_field', 'status')


class SSE:
        """A reader of text/event-stream over a raw socket (chunked body)."""

        def __init__(self, d, path, headers=()):
                self.s = socket.create_connection((d.host, d.port), timeout=30)
                h = ''.join('%s: %s\r\n' % kv for kv in headers)
                self.s.sendall(('GET %s HTTP/1.1\r\nHost: qa\r\nAccept: text/event-stream\r\n%s\r\n'
                                % (path, h)).encode())
                self.buf, self.body, self.head, self.events, self.comments = b'', b'', None, [], []

        def pump(self, until, timeout=30):
                deadline = time.monotonic() + timeout
                while not until(self) and time.monotonic() < deadline:
                        self.s.settimeout(max(0.05, deadline - time.monotonic()))
                        try:
                                data = self.s.recv(65536)
                        except socket.timeout:
                                break
                        if not data:
                                break
                        self.buf += data
                        self._parse()
                return until(self)

        def _parse(self):
                if self.head is None:
                        if b'\r\n\r\n' not in self.buf:
                                return
                        self.head, self.buf = self.buf.split(b'\r\n\r\n', 1)
                        assert b'chunked' in self.head.lower(), self.head
                while b'\r\n' in self.buf:
                        size, rest = self.buf.split(b'\r\n', 1)
                        n = int(size.split(b';')[0], 16)
                        if len(rest) < n + 2:
                                return
                        self.body += rest[:n]
                        self.buf = rest[n + 2:]
                while b'\n\n' in self.body:
                        block, self.body = self.body.split(b'\n\n', 1)
                        ev = {'event': 'message', 'id': None, 'data': []}
                        for line in block.decode().split('\n'):
                                if line.startswith(':'):
                                        self.comments.append(line[1:].strip())
                                        continue
                                if not line:
                                        continue
                                k, _, v = line.partition(':')
                                v = v[1:] if v.startswith(' ') else v
                                if k == 'data':
                                        ev['data'].append(v)
                                else:
                                        ev[k] = v
                        if ev['data']:
                                ev['json'] = json.loads('\n'.join(ev['data']))
                                self.events.append(ev)

        def conflict_ids(self):
                return [int(e['id']) for e in self.events if e['event'] == 'conflict']

        def close(self):
                self.s.close()


@case
def stream_delivers_a_new_conflict_and_replays_after_last_event_id():
        d = token_daemon()
        st = SSE(d, '/v1/conflicts/stream')
        # the first comment comes once the stream is registered: what follows is live, not a replay
        assert st.pump(lambda s: s.comments), (st.head, st.body)
        assert st.head.split(b'\r\n')[0].split()[1] == b'200', st.head
        assert b'text/event-stream' in st.head.lower(), st.head
        c5 = raise_conflict(d, 5)
        assert st.pump(lambda s: c5 in s.conflict_ids()), (st.events, st.body)
        ev = [e for e in st.events if e['event'] == 'conflict'][-1]
        assert ev['json']['id'] == c5 and len(ev['json']['claims']) == 2, ev
        assert {c['source'] for c in ev['json']['claims']} == {'valley5.test', 'coast5.test'}, ev
        c6 = raise_conflict(d, 6)
        assert st.pump(lambda s: c6 in s.conflict_ids()), st.conflict_ids()
        st.close()
        # a client that saw everything up to c1 reconnects: the rest, in order, nothing twice
        every = sorted(c['id'] for c in d.get('/v1/conflicts?limit=1000').json['conflicts'])
        st = SSE(d, '/v1/conflicts/stream', headers=[('Last-Event-ID', str(S['c1']))])
        want = [i for i in every if i > S['c1']]
        assert st.pump(lambda s: s.conflict_ids() == want), (st.conflict_ids(), want)
        c7 = raise_conflict(d, 7)
        assert st.pump(lambda s: s.conflict_ids() == want + [c7]), st.conflict_ids()
        st.close()
        assert_error(d.get('/v1/conflicts/stream', headers={'Last-Event-ID': 'x7'}), 400, 'invalid_field',
                     'Last-Event-ID')


class Receiver(http.server.ThreadingHTTPServer):
        """Answers 500 to the first POST, 200 to the rest; keeps each."""
        daemon_threads = True

        def __init__(self):
                self.got, self.lock = [], threading.Lock()
                rec = self

                class H(http.server.BaseHTTPRequestHandler):
                        protocol_version = 'HTTP/1.1'

                        def do_POST(self):
                                body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
                                with rec.lock:
                                        status = 500 if not rec.got else 200
                                        rec.got.append((dict(self.headers), body, status))
                                self.send_response(status)
                                self.send_header('Content-Length', '0')
                                self.end_headers()

                        def log_message(self, *a):
                                pass
                super().__init__(('127.0.0.1', 0), H)
                threading.Thread(target=self.serve_forever, daemon=True).start()


@case
def webhook_500_once_then_200_gets_it_again_signed():
        rec = Receiver()
        tmp = tempfile.mkdtemp(prefix='claimd-qa-hook-')
        with open(os.path.join(tmp, 'secret'), 'wb') as f:
                f.write(SECRET + b'\n')
        cfg = os.path.join(tmp, 'claimd.conf')
        with open(cfg, 'w') as f:
                f.write('[webhook]\nurl = http://127.0.0.1:%d/qa/hook\nsecret_file = %s\nretry_initial_sec = 1\n'
                        'retry_max_sec = 4\n' % (rec.server_address[1], os.path.join(tmp, 'secret')))
        d = Daemon(tmpdir=tmp, config=cfg, own_tmpdir=True)
        try:
                cid = raise_conflict(d, 8, headers={})
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline and not any(g[2] == 200 for g in rec.got):
                        time.sleep(0.05)
                with rec.lock:
                        got = list(rec.got)
                assert [g[2] for g in got][:2] == [500, 200], [g[2] for g in got]
                stored = d.get('/v1/conflicts/%d' % cid).json
                for headers, body, _ in got[:2]:
                        h = {k.lower(): v for k, v in headers.items()}
                        assert h['x-claimd-delivery'] == str(cid), h
                        assert h['x-claimd-event'] == 'conflict' and h['content-type'] == 'application/json', h
                        sig = 'sha256=' + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
                        assert hmac.compare_digest(h['x-claimd-signature'], sig), (h['x-claimd-signature'], sig)
                        doc = json.loads(body)
                        assert doc['id'] == cid and doc['claims'] == stored['claims'], doc
                assert [g[0].get('X-Claimd-Attempt') for g in got[:2]] == ['1', '2'], [g[0] for g in got]
                # acknowledged: nothing more comes
                time.sleep(5)
                assert len(rec.got) == 2, [g[2] for g in rec.got]
                m = d.get('/metrics').body.decode()
                diag([l for l in m.splitlines() if l.startswith('claimd_webhook')])
        finally:
                d.close()
                rec.shutdown()
                rec.server_close()


@case
def dashboard_in_headless_chromium_shows_both_claims():
        chromium = os.environ.get('CHROMIUM') or shutil.which('chromium') or shutil.which('chromium-browser')
        if not chromium:
                skip('no chromium (apt-get install chromium)')
        d = Daemon()    # no token: the page loads the queue without asking
        try:
                a, b, claim = pair(9)
                cid = raise_conflict(d, 9, headers={})
                url = 'http://127.0.0.1:%d/' % d.port
                os.makedirs(OUT, exist_ok=True)
                prof = tempfile.mkdtemp(prefix='claimd-qa-chromium-')
                base = [chromium, '--headless', '--no-sandbox', '--disable-gpu', '--user-data-dir=' + prof,
                        '--virtual-time-budget=10000', '--window-size=1400,900']
                try:
                        dom = subprocess.run(base + ['--dump-dom', url], capture_output=True, timeout=120).stdout.decode()
                        shot = os.path.join(OUT, 'desk-dashboard.png')
                        subprocess.run(base + ['--screenshot=' + shot, url], capture_output=True, timeout=120)
                finally:
                        shutil.rmtree(prof, ignore_errors=True)
                card = dom[dom.find('data-id="%d"' % cid):]
                assert 'data-id="%d"' % cid in dom, dom[:2000]
                card = card[:card.find('</li>')]
                for speaker in ('Health Minister Tomas Rinn', 'A spokeswoman for the regional board'):
                        assert '<span class="hl-speaker">%s</span>' % speaker in card, (speaker, card)
                assert card.count('<span class="hl-content">%s</span>' % claim) == 2, card
                assert '<span class="hl-cue">said</span>' in card and '<span class="hl-cue">denied</span>' in card, card
                for art in (a, b):
                        assert art['url'] in card, (art['url'], card)
                diag('screenshot: %s (%d bytes)' % (shot, os.path.getsize(shot) if os.path.exists(shot) else 0))
        finally:
                d.close()


def teardown(_):
        if 'd' in S:
                S['d'].close()


if __name__ == '__main__':
        run(teardown=teardown)
