#!/usr/bin/env python3
"""claimctl against a real claimd: import (batches, rejected lines, resume,
split on 413, duplicates, the progress bar on a terminal), conflicts (lines,
filters, --json, --follow), review, events, stats, tokens, exit codes and
usage.  Retries of 503 are checked against a small fake server, since a real
claimd cannot be made to answer 503 on cue.
Usage: test_claimctl.py CLAIMD CLAIMCTL
"""
import http.server
import json
import os
import pty
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'pylib'))
from claimdtest import (ARTICLE_A, ARTICLE_B, CONFLICT2_A, CONFLICT2_B, CONFLICT_A, CONFLICT_B,  # noqa: E402
                        CONFLICT_SPEAKERS, Daemon, case, diag, free_port, run, slow_factor, write_config)

CLAIMCTL = os.path.abspath(sys.argv[2])
S = {}


def ctl(d, *args, url=None, timeout=60, stdin=None):
        """Runs claimctl against daemon d; returns (exit code, stdout, stderr)."""
        argv = [CLAIMCTL, '--url', url or 'http://127.0.0.1:%d' % d.port] + list(args)
        env = {k: v for k, v in os.environ.items() if k != 'CLAIMD_URL'}
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout * slow_factor(),
                           input=stdin, env=env)
        return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


def write_lines(path, lines):
        with open(path, 'w', encoding='utf-8') as f:
                for l in lines:
                        f.write((l if isinstance(l, str) else json.dumps(l)) + '\n')


def setup():
        S['tmp'] = tempfile.mkdtemp(prefix='claimd-claimctl-')
        return Daemon(tmpdir=S['tmp'], own_tmpdir=True)


def teardown(d):
        if d:
                d.close()


def counts(d):
        r = d.get('/healthz')
        assert r.status == 200, r
        return r.json


@case
def usage_and_exit_codes_for_bad_arguments(d):
        for args, what in (([], 'no command'), (['frobnicate'], 'unknown command'), (['stats', '--bogus'], 'unknown option'),
                           (['import'], 'no file'), (['import', 'a', 'b'], 'two files'), (['import', '--from', '0', 'f'], '--from 0'),
                           (['import', '--batch', '5000', 'f'], '--batch too large'), (['review', 'x', 'confirm'], 'bad id'),
                           (['review', '3', 'approve'], 'bad action'), (['review', '3'], 'no action'),
                           (['conflicts', 'extra'], 'an operand'), (['conflicts', '--status', 'maybe'], 'bad status'),
                           (['events', '--follow'], '--follow of events'), (['stats', '--note', 'x'], '--note of stats'),
                           (['conflicts', '--limit', 'many'], 'bad number')):
                rc, out, err = ctl(d, *args)
                assert rc == 2, (what, args, rc, err)
                assert 'Usage:' in err and 'claimctl' in err, (what, err)
        rc, out, err = ctl(d, '--help')
        assert rc == 0 and 'Usage:' in out and 'Exit status' in out, (rc, out)
        rc, out, err = ctl(d, 'import', '--help')
        assert rc == 0 and '--from N' in out and 'conflicts:' not in out, out
        rc, out, err = ctl(d, '--version')
        assert rc == 0 and out.startswith('claimctl '), out
        rc, out, err = ctl(d, 'stats', url='https://127.0.0.1:1')
        assert rc == 2 and 'plain http' in err, (rc, err)
        rc, out, err = ctl(d, 'stats', url='localhost:%d' % d.port)
        assert rc == 2 and 'give http://HOST:PORT' in err, (rc, err)


@case
def unreachable_is_exit_3(d):
        rc, out, err = ctl(d, 'stats', url='http://127.0.0.1:%d' % free_port())
        assert rc == 3 and 'is claimd running' in err, (rc, err)


@case
def import_reports_rejected_lines_and_counts(d):
        path = os.path.join(S['tmp'], 'articles.jsonl')
        write_lines(path, [ARTICLE_A, ARTICLE_B, '', '   ', {'source': 7}, CONFLICT_A, 'not json at all', CONFLICT_B])
        before = counts(d)['articles']
        rc, out, err = ctl(d, 'import', '--no-progress', path)
        diag(out + err)
        assert rc == 1, ('rejected lines make exit 1', rc)
        assert '%s:5: rejected: 400 invalid_field' % path in err, err
        assert '%s:7: rejected: 400 invalid_json' % path in err, err
        assert '6 articles: 4 new, 0 duplicates, 2 rejected' in out, out
        assert counts(d)['articles'] == before + 4
        S['articles_file'] = path
        # the same file again: everything a duplicate, nothing stored twice
        rc, out, err = ctl(d, 'import', '--no-progress', '--json', path)
        lines = [json.loads(l) for l in out.splitlines()]
        results, summary = lines[:-1], lines[-1]['summary']
        assert [r['line'] for r in results] == [1, 2, 5, 6, 7, 8], results
        assert [r['status'] for r in results] == [200, 200, 400, 200, 400, 200], results
        assert summary['duplicates'] == 4 and summary['created'] == 0 and summary['complete'] is True, summary
        assert summary['next_line'] == 9, summary
        assert counts(d)['articles'] == before + 4


@case
def import_from_line_and_stdin(d):
        path = os.path.join(S['tmp'], 'from.jsonl')
        arts = [{'source': 'fromwire.test', 'title': 'Harbor crane number %d repaired' % i,
                 'text': 'Workers said crane %d in Port Alden was repaired on Friday.' % i} for i in range(1, 8)]
        write_lines(path, arts)
        before = counts(d)['articles']
        rc, out, err = ctl(d, 'import', '--no-progress', '--from', '5', '--batch', '2', path)
        assert rc == 0 and '3 articles: 3 new' in out, (rc, out, err)
        assert counts(d)['articles'] == before + 3
        with open(path, 'rb') as f:
                rc, out, err = ctl(d, 'import', '--no-progress', '--batch', '3', '-', stdin=f.read())
        assert rc == 0 and '7 articles: 4 new, 3 duplicates, 0 rejected' in out, (rc, out, err)


@case
def import_refuses_a_json_array_with_a_hint(d):
        path = os.path.join(S['tmp'], 'array.json')
        with open(path, 'w') as f:
                json.dump([ARTICLE_A, ARTICLE_B], f, indent=1)
        before = counts(d)['articles']
        rc, out, err = ctl(d, 'import', '--no-progress', path)
        assert rc == 1 and 'holds a JSON array' in err and "jq -c '.[]'" in err, (rc, err)
        assert counts(d)['articles'] == before


@case
def import_without_the_token_stops_and_says_where_to_resume(d):
        with tempfile.TemporaryDirectory(prefix='claimd-claimctl-') as t:
                tok = os.path.join(t, 'token')
                with open(tok, 'w') as f:
                        f.write('ctl-secret-4f1e\n')
                conf = os.path.join(t, 'c.conf')
                write_config(conf, {'token_file': tok})
                d2 = Daemon(tmpdir=t, config=conf)
                try:
                        path = os.path.join(t, 'a.jsonl')
                        write_lines(path, [ARTICLE_A, ARTICLE_B])
                        rc, out, err = ctl(d2, 'import', '--no-progress', path)
                        assert rc == 4, (rc, err)
                        assert 'claimctl import --from 1 %s' % path in err and '--token-file' in err, err
                        bad = os.path.join(t, 'bad')
                        with open(bad, 'w') as f:
                                f.write('wrong-token\n')
                        rc, out, err = ctl(d2, '--token-file', bad, 'import', '--no-progress', path)
                        assert rc == 4, (rc, err)
                        rc, out, err = ctl(d2, '--token-file', tok, 'import', '--no-progress', '--from', '1', path)
                        assert rc == 0 and '2 new' in out, (rc, out, err)
                        rc, out, err = ctl(d2, '--token-file', os.path.join(t, 'missing'), 'stats')
                        assert rc == 1 and 'cannot read the token file' in err, (rc, err)
                finally:
                        d2.stop()
                        d2.close()


@case
def import_splits_a_batch_the_daemon_finds_too_large(d):
        with tempfile.TemporaryDirectory(prefix='claimd-claimctl-') as t:
                conf = os.path.join(t, 'c.conf')
                write_config(conf, {'max_body': '1K'})
                d2 = Daemon(tmpdir=t, config=conf)
                try:
                        arts = [{'source': 'splitwire.test', 'title': 'Split test %d' % i,
                                 'text': ('Officials in Port Alden said the ferry number %d would run again. ' % i) * 6}
                                for i in range(6)]
                        arts.append({'source': 'splitwire.test', 'title': 'Too long', 'text': 'x ' * 1000})
                        path = os.path.join(t, 'big.jsonl')
                        write_lines(path, arts)
                        rc, out, err = ctl(d2, 'import', '--no-progress', '--batch', '10', path)
                        diag(out + err)
                        assert rc == 1 and '7 articles: 6 new, 0 duplicates, 1 rejected' in out, (rc, out, err)
                        assert '%s:7: rejected: 413' % path in err, err
                        assert counts(d2)['articles'] == 6
                finally:
                        d2.stop()
                        d2.close()


@case
def import_progress_bar_on_a_terminal(d):
        path = os.path.join(S['tmp'], 'tty.jsonl')
        write_lines(path, [{'source': 'ttywire.test', 'title': 'Terminal test %d' % i, 'text': 'A line %d.' % i}
                           for i in range(40)])
        master, slave = pty.openpty()
        p = subprocess.Popen([CLAIMCTL, '--url', 'http://127.0.0.1:%d' % d.port, 'import', '--batch', '5', path],
                             stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL)
        os.close(slave)
        shown = b''
        deadline = time.monotonic() + 60 * slow_factor()
        while time.monotonic() < deadline:
                r, _, _ = select.select([master], [], [], 0.5)
                if r:
                        try:
                                chunk = os.read(master, 4096)
                        except OSError:
                                break
                        if not chunk:
                                break
                        shown += chunk
                elif p.poll() is not None:
                        break
        os.close(master)
        out = p.stdout.read().decode()
        assert p.wait(30) == 0, (p.returncode, out, shown)
        text = shown.decode('utf-8', 'replace')
        diag(repr(text[-300:]))
        assert '\r' in text and '100%' in text and '[' in text and '/s' in text, text
        assert '40 articles: 40 new' in out, out


class FakeClaimd(http.server.BaseHTTPRequestHandler):
        """Answers NDJSON batches 503 (Retry-After: 0) `busy` times, then 201 a line."""
        protocol_version = 'HTTP/1.1'  # keep-alive, as claimd
        busy = 0
        posts = []

        def do_POST(self):
                body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
                FakeClaimd.posts.append(body)
                if FakeClaimd.busy:
                        FakeClaimd.busy -= 1
                        data = b'{"error": {"code": "overloaded", "message": "busy"}}'
                        self.send_response(503)
                        self.send_header('Retry-After', '0')
                else:
                        n = len([l for l in body.split(b'\n') if l.strip()])
                        data = b''.join(b'{"id": %d, "duplicate": false, "status": 201}\n' % (i + 1) for i in range(n))
                        self.send_response(200)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        def log_message(self, *a):
                pass


def fake_server():
        srv = http.server.HTTPServer(('127.0.0.1', 0), FakeClaimd)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        return srv


@case
def import_retries_503_and_stops_when_it_lasts(d):
        srv = fake_server()
        url = 'http://127.0.0.1:%d' % srv.server_address[1]
        path = os.path.join(S['tmp'], 'retry.jsonl')
        write_lines(path, [ARTICLE_A, ARTICLE_B, CONFLICT_A])
        try:
                FakeClaimd.busy, FakeClaimd.posts = 2, []
                rc, out, err = ctl(d, 'import', '--no-progress', '--batch', '2', path, url=url)
                assert rc == 0 and '3 articles: 3 new' in out, (rc, out, err)
                assert len(FakeClaimd.posts) == 4, len(FakeClaimd.posts)     # 503, 503, 200, then the last line
                FakeClaimd.busy, FakeClaimd.posts = 1000, []
                rc, out, err = ctl(d, 'import', '--no-progress', '--batch', '2', path, url=url)
                assert rc == 6, (rc, err)
                assert 'claimctl import --from 1 %s' % path in err, err
                assert len(FakeClaimd.posts) >= 3, len(FakeClaimd.posts)
        finally:
                srv.shutdown()
                srv.server_close()


def post_pair(d, a, b):
        ra, rb = d.post('/v1/articles', a), d.post('/v1/articles', b)
        assert ra.status in (200, 201) and rb.status in (200, 201), (ra, rb)
        return ra.json['conflicts'] + rb.json['conflicts']


@case
def conflicts_one_line_each_with_both_speakers(d):
        rc, out, err = ctl(d, 'conflicts')
        assert rc == 0, (rc, err)
        feed = d.get('/v1/conflicts?limit=1000').json['conflicts']
        lines = out.splitlines()
        assert feed and len(lines) == len(feed), (len(lines), len(feed), out)
        for line, c in zip(lines, feed):
                assert line.startswith('#%d %s ' % (c['id'], c['kind'])), (line, c['id'])
                for cl in c['claims']:
                        assert cl['source'] in line, (cl['source'], line)
                        if cl.get('speaker'):
                                assert cl['speaker']['name'] in line, (cl['speaker'], line)
        assert any(all(s in l for s in CONFLICT_SPEAKERS) and ' denies "' in l for l in lines), out
        rc, out, err = ctl(d, 'conflicts', '--json', '--kind', feed[0]['kind'], '--limit', '1')
        got = [json.loads(l) for l in out.splitlines()]
        assert rc == 0 and len(got) == 1 and got[0]['id'] == feed[0]['id'], (rc, out)
        rc, out, err = ctl(d, 'conflicts', '--since', str(feed[-1]['id']))
        assert rc == 0 and out == '', (rc, out)
        rc, out, err = ctl(d, 'conflicts', '--kind', 'no_such_kind')
        assert rc == 1 and 'invalid_field' in err, (rc, err)
        rc, out, err = ctl(d, 'conflicts', '--source', 'nobody.invalid')
        assert rc == 0 and out == '', (rc, out)


@case
def conflicts_follow_prints_new_conflicts(d):
        lines, err = follow_until(d, [], (CONFLICT2_A, CONFLICT2_B))
        diag(''.join(lines))
        assert 'Ines Kappel' in ''.join(lines), lines
        assert 'long polls' not in err, ('claimd has the event stream: claimctl should read it', err)


def follow_until(d, argv, pair, want_stderr=None):
        """Runs claimctl conflicts --follow ARGV against d, posts pair, and
        returns (the lines printed for its conflicts, stderr); SIGINT ends it with 130."""
        since = d.get('/v1/conflicts?limit=1000').json['next']
        p = subprocess.Popen([CLAIMCTL, '--url', 'http://127.0.0.1:%d' % d.port, 'conflicts', '--follow', '--since',
                              str(since)] + argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
                time.sleep(1.0)
                raised = post_pair(d, *pair)
                assert raised, 'the pair raised no conflict'
                lines = []
                deadline = time.monotonic() + 40 * slow_factor()
                while len(lines) < len(raised) and time.monotonic() < deadline:
                        r, _, _ = select.select([p.stdout], [], [], 1.0)
                        if r:
                                lines.append(p.stdout.readline().decode())
                assert [int(l.split()[0][1:]) for l in lines] == sorted(raised), (lines, raised)
        finally:
                p.send_signal(signal.SIGINT)
                rc = p.wait(10)
        err = p.stderr.read().decode()
        assert rc == 130, ('SIGINT ends --follow with 130', rc, err)
        if want_stderr:
                assert want_stderr in err, err
        return lines, err


@case
def conflicts_follow_by_long_polls_without_a_stream(d):
        with tempfile.TemporaryDirectory(prefix='claimd-claimctl-') as t:
                conf = os.path.join(t, 'c.conf')
                write_config(conf, {}, extra='[server]\nmax_streams = 0\n')
                d2 = Daemon(tmpdir=t, config=conf)
                try:
                        lines, err = follow_until(d2, [], (CONFLICT_A, CONFLICT_B),
                                             want_stderr='no room for another stream (503): following by long polls')
                        assert all(s in ''.join(lines) for s in CONFLICT_SPEAKERS), lines
                finally:
                        d2.stop()
                        d2.close()


@case
def review_confirm_and_dismiss(d):
        cid = d.get('/v1/conflicts?limit=1000').json['conflicts'][0]['id']
        rc, out, err = ctl(d, 'review', str(cid), 'dismiss', '--note', 'the same claim, reworded', '--reviewer', 'ana')
        assert rc == 0, (rc, err)
        assert out.startswith('#%d ' % cid) and 'dismissed' in out and 'by ana: the same claim, reworded' in out, out
        c = d.get('/v1/conflicts/%d' % cid).json
        assert c['status'] == 'dismissed' and c['review']['note'] == 'the same claim, reworded', c
        rc, out, err = ctl(d, 'conflicts', '--status', 'dismissed')
        assert rc == 0 and out.startswith('#%d ' % cid) and len(out.splitlines()) == 1, out
        rc, out, err = ctl(d, '--json', 'review', str(cid), 'reopen')
        assert rc == 0 and json.loads(out)['status'] == 'open', (rc, out)
        rc, out, err = ctl(d, 'review', '999999', 'confirm')
        assert rc == 5 and 'not_found' in err, (rc, err)


@case
def events_lines_and_json(d):
        feed = d.get('/v1/events?limit=1000').json['events']
        rc, out, err = ctl(d, 'events')
        assert rc == 0 and len(out.splitlines()) == len(feed) > 0, (rc, out, feed)
        assert out.splitlines()[0].startswith('#%d "' % feed[0]['id']), out
        rc, out, err = ctl(d, 'events', '--json', '--limit', '1')
        assert rc == 0 and [json.loads(l)['id'] for l in out.splitlines()] == [feed[0]['id']], out


@case
def stats_shows_the_counts(d):
        h = counts(d)
        rc, out, err = ctl(d, 'stats')
        assert rc == 0, (rc, err)
        assert 'articles %d, claims %d, events %d, conflicts %d' % (h['articles'], h['claims'], h['events'],
                                                                    h['conflicts']) in out, (out, h)
        assert ': ok' in out.splitlines()[0] and 'latency' in out, out
        rc, out, err = ctl(d, 'stats', '--json')
        j = json.loads(out)
        assert j['healthz']['articles'] == h['articles'] and j['metrics']['claimd_database_bytes'] > 0, j


if __name__ == '__main__':
        run(setup, teardown)
