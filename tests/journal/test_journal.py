#!/usr/bin/env python3
"""claimd's journal records against a real systemd-journald, read back with
`journalctl -o json`: every record carries PRIORITY and CODE_FILE/LINE/FUNC;
ingest, rejected-request, conflict and lifecycle records carry their fixed
MESSAGE_IDs and CLAIMD_* fields; the API token never appears.

journald is started from /lib/systemd/systemd-journald when nothing listens
on /run/systemd/journal/socket (needs root), and stopped afterwards.  As root
the program first re-runs itself in a mount namespace of its own, with empty
tmpfs over journald's sockets and journal directories, so that its journald
is its own: runs of this suite by others on the same machine start and stop
theirs, which took records away mid-run.
Usage: test_journal.py CLAIMD
"""
import json
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
from claimdtest import (ARTICLE_A, ARTICLE_B, CONFLICT_A, CONFLICT_B, CONFLICT_SPEAKERS, Daemon, case,
                        claimd_path, diag, run, skip, skip_all, write_config)  # noqa: E402

LOG_H = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'daemon', 'log.h')
JOURNAL_SOCKET = '/run/systemd/journal/socket'
JOURNALD = '/lib/systemd/systemd-journald'
S = {}


PRIVATE_ENV = 'CLAIMD_JOURNAL_PRIVATE'
PRIVATE_DIRS = ('/run/systemd/journal', '/run/log/journal', '/var/log/journal')


def private_journal():
        """Re-runs this program under `unshare --mount` (as root, where the
        kernel allows it) and, once inside, mounts an empty tmpfs on each of
        PRIVATE_DIRS that exists.  Returns without a namespace when one cannot
        be had: the suite then uses the machine's journald, as before."""
        if os.geteuid() != 0 or not shutil.which('unshare') or not shutil.which('mount'):
                return
        if os.environ.get(PRIVATE_ENV) == 'inside':
                for d in PRIVATE_DIRS:
                        if os.path.isdir(d):
                                subprocess.run(['mount', '-t', 'tmpfs', '-o', 'mode=0755,size=64m', 'claimd-journal', d],
                                               check=True)
                return
        probe = subprocess.run(['unshare', '--mount', '--propagation', 'private', 'true'],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if probe.returncode != 0:
                return
        for d in PRIVATE_DIRS[:2]:
                os.makedirs(d, exist_ok=True)
        sys.stdout.flush()
        os.execvpe('unshare', ['unshare', '--mount', '--propagation', 'private', sys.executable] + sys.argv,
                   dict(os.environ, **{PRIVATE_ENV: 'inside'}))


def journald_listening():
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
                s.connect(JOURNAL_SOCKET)
                return True
        except OSError:
                return False
        finally:
                s.close()


def ensure_journald():
        """Returns the journald Popen we started, or None if one was running."""
        if journald_listening():
                return None
        if os.geteuid() != 0:
                skip_all('no systemd-journald listening on %s, and only root can start one: run the suite as root, '
                         'or on a system whose journald runs' % JOURNAL_SOCKET)
        if not os.access(JOURNALD, os.X_OK):
                skip_all('%s not installed: apt-get install systemd (tests/install-deps.sh --test does)' % JOURNALD)
        if not shutil.which('journalctl'):
                skip_all('journalctl not installed: apt-get install systemd (tests/install-deps.sh --test does)')
        # journald's own messages go to its stderr (not /dev/kmsg), so that
        # when it cannot start, the skip says why in its words
        errlog = tempfile.TemporaryFile()
        env = dict(os.environ, SYSTEMD_LOG_TARGET='console', SYSTEMD_LOG_LEVEL='info')
        p = subprocess.Popen([JOURNALD], stdin=subprocess.DEVNULL, stdout=errlog, stderr=errlog, env=env)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
                if journald_listening():
                        return p
                if p.poll() is not None:
                        break
                time.sleep(0.05)
        if p.poll() is None:
                p.terminate()
                p.wait(10)
        if journald_listening():       # someone else's journald won the race
                return None
        errlog.seek(0)
        said = ' / '.join(l.strip() for l in errlog.read().decode('utf-8', 'replace').splitlines() if l.strip())
        skip_all('could not start %s (exit %s): %s; it needs root, a writable /run (a tmpfs in a chroot or '
                 'container), /dev/kmsg or /dev/null, and /sys/fs/cgroup' %
                 (JOURNALD, p.returncode, said[-600:] or 'it printed nothing'))


def journal_records(pid, since_usec, want=None, timeout=15):
        """The JSON records of process pid logged after since_usec; polls until
        want(records) is true or timeout passes."""
        deadline = time.monotonic() + timeout
        recs = []
        while True:
                p = subprocess.run(['journalctl', '-o', 'json', '--no-pager', '_PID=%d' % pid],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
                recs = []
                for line in p.stdout.decode('utf-8', 'replace').splitlines():
                        try:
                                r = json.loads(line)
                        except ValueError:
                                continue
                        if int(r.get('__REALTIME_TIMESTAMP', '0')) >= since_usec:
                                recs.append(r)
                if want is None or want(recs) or time.monotonic() > deadline:
                        return recs
                time.sleep(0.3)


def message_ids():
        """{'CONFLICT': id, 'INGESTED': id, ...} from daemon/log.h, the list the README shows."""
        ids = dict(re.findall(r'#define\s+CLAIMD_MESSAGE_(\w+)\s+"([0-9a-f]{32})"', open(LOG_H).read()))
        assert {'CONFLICT', 'INGESTED', 'REJECTED', 'STARTED', 'RELOADED', 'STOPPING'} <= set(ids), ids
        assert len(set(ids.values())) == len(ids), 'MESSAGE_IDs not unique: %s' % ids
        return ids


MID = message_ids()


def field(r, k):
        v = r.get(k)
        if isinstance(v, list):         # a field repeated in one record
                return v[0]
        return v


def setup():
        jd = ensure_journald()
        S['journald'] = jd
        diag('journald: %s' % ('started by this test in its own mount namespace'
                               if os.environ.get(PRIVATE_ENV) == 'inside' and jd else
                               'started by this test' if jd else "the machine's, already running"))
        t = tempfile.mkdtemp(prefix='claimd-journal-')
        creds = os.path.join(t, 'creds')
        os.mkdir(creds, 0o700)
        S['token'] = 'jt-8c1d2f3e4a5b6c7d8e9f0a1b2c3d4e5f'
        with open(os.path.join(creds, 'api-token'), 'w') as f:
                f.write(S['token'] + '\n')
        S['since'] = int(time.time() * 1e6) - 1000000
        d = Daemon(tmpdir=t, log_target='journal', env={'CREDENTIALS_DIRECTORY': creds}, own_tmpdir=True)
        S['pid'] = d.proc.pid
        auth = {'Authorization': 'Bearer ' + S['token']}
        S['a'] = d.post('/v1/articles', ARTICLE_A, headers=auth)
        S['b'] = d.post('/v1/articles', ARTICLE_B, headers=auth)
        assert S['a'].status == 201 and S['b'].status == 201, (S['a'], S['b'])
        # a pair that conflicts: the conflict record is read back below
        S['ca'] = d.post('/v1/articles', CONFLICT_A, headers=auth)
        S['cb'] = d.post('/v1/articles', CONFLICT_B, headers=auth)
        assert S['ca'].status == 201 and S['cb'].status == 201, (S['ca'], S['cb'])
        S['conflicts'] = {}
        for cid in S['ca'].json['conflicts'] + S['cb'].json['conflicts']:
                r = d.get('/v1/conflicts/%d' % cid)
                assert r.status == 200, r
                S['conflicts'][str(cid)] = r.json
        # a review of the first conflict: its own record
        first = min(S['conflicts'], key=int) if S['conflicts'] else None
        if first:
                S['review'] = d.http('PATCH', '/v1/conflicts/' + first, headers=auth,
                                     json_body={'status': 'dismissed', 'reviewer': 'Jo Desk', 'note': 'one quote'})
        S['bad'] = d.http('POST', '/v1/articles', body=b'{"source":', headers=dict(auth, **{'Content-Type': 'application/json'}))
        S['unauth'] = d.post('/v1/articles', ARTICLE_A, headers={'Authorization': 'Bearer wrong-' + S['token']})
        d.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        d.assert_serving('after SIGHUP')
        S['rc'] = d.stop()
        S['daemon'] = d
        S['recs'] = journal_records(S['pid'], S['since'],
                                    lambda rs: any(field(r, 'MESSAGE_ID') == MID['STOPPING'] for r in rs))
        diag('%d journal records from claimd pid %d' % (len(S['recs']), S['pid']))
        if not S['recs'] and os.geteuid() != 0 and S['journald'] is None:
                d.close()
                skip_all('journalctl shows nothing to uid %d: not allowed to read the system journal '
                         '(join the systemd-journal group)' % os.geteuid())
        return d


def teardown(d):
        if d:
                d.close()
        jd = S.get('journald')
        if jd is not None:
                jd.terminate()
                try:
                        jd.wait(10)
                except subprocess.TimeoutExpired:
                        jd.kill()
                        jd.wait()


def with_field(k):
        return [r for r in S['recs'] if k in r]


@case
def records_arrive_with_priority_and_code_location(d):
        recs = S['recs']
        assert recs, 'no journal record from claimd pid %d' % S['pid']
        for r in recs:
                assert re.match(r'^[0-7]$', field(r, 'PRIORITY') or ''), r
                assert field(r, 'CODE_FILE') and re.match(r'^\d+$', field(r, 'CODE_LINE') or ''), r
                assert field(r, 'CODE_FUNC'), r
                assert field(r, '_TRANSPORT') == 'journal', ('not sent with sd_journal_send', r.get('_TRANSPORT'))
        assert S['rc'] == 0, S['rc']


@case
def ingest_records(d):
        recs = with_field('CLAIMD_ARTICLE_ID')
        ids = {field(r, 'CLAIMD_ARTICLE_ID') for r in recs}
        for resp, art in ((S['a'], ARTICLE_A), (S['b'], ARTICLE_B), (S['ca'], CONFLICT_A), (S['cb'], CONFLICT_B)):
                aid = str(resp.json['id'])
                assert aid in ids, (aid, ids)
                r = [r for r in recs if field(r, 'CLAIMD_ARTICLE_ID') == aid][0]
                assert field(r, 'CLAIMD_SOURCE') == art['source'], r
                assert field(r, 'CLAIMD_CLAIMS') == str(resp.json['claims']), r
                assert field(r, 'PRIORITY') == '6', r
                assert re.match(r'^[0-9a-f]{32}$', field(r, 'MESSAGE_ID') or ''), r
        mids = {field(r, 'MESSAGE_ID') for r in recs}
        assert mids == {MID['INGESTED']}, ('ingest records with other MESSAGE_IDs', mids)


@case
def rejected_request_records(d):
        recs = with_field('CLAIMD_HTTP_STATUS')
        got = {(field(r, 'CLAIMD_HTTP_STATUS'), field(r, 'CLAIMD_ERROR_CODE')) for r in recs}
        assert S['bad'].status == 400 and ('400', 'invalid_json') in got, got
        assert S['unauth'].status == 401 and ('401', 'unauthorized') in got, got
        for r in recs:
                assert field(r, 'PRIORITY') == '4', r
                assert re.match(r'^[0-9a-f]{32}$', field(r, 'MESSAGE_ID') or ''), r
        assert {field(r, 'MESSAGE_ID') for r in recs} == {MID['REJECTED']}


@case
def conflict_records(d):
        """The pair that conflicts raises a conflict, and its journal record
        carries every field the README lists, each equal to what the API
        says about that conflict."""
        api = S['conflicts']
        assert api, 'the conflicting pair raised no conflict (responses %r, %r): the record cannot be ' \
                    'checked' % (S['ca'].json, S['cb'].json)
        # reviews name their conflict too: only the detection records here
        recs = [r for r in with_field('CLAIMD_CONFLICT_ID') if field(r, 'MESSAGE_ID') != MID['REVIEWED']]
        ids = {field(r, 'CLAIMD_CONFLICT_ID') for r in recs}
        raised = {str(c) for c in S['a'].json['conflicts'] + S['b'].json['conflicts']} | set(api)
        diag('conflicts raised: %s; journal conflict records: %s' % (sorted(raised), sorted(ids)))
        # exactly the conflicts the API reported are journaled, once each
        assert ids == raised, (ids, raised)
        assert len(recs) == len(ids), ('a conflict journaled twice', [field(r, 'CLAIMD_CONFLICT_ID') for r in recs])
        for r in recs:
                assert field(r, 'MESSAGE_ID') == MID['CONFLICT'], r
                assert field(r, 'PRIORITY') == '5', r
                assert '\n' not in field(r, 'MESSAGE'), r
        for cid, c in api.items():
                r = [r for r in recs if field(r, 'CLAIMD_CONFLICT_ID') == cid][0]
                diag('record: %s' % field(r, 'MESSAGE'))
                assert field(r, 'CLAIMD_KIND') == c['kind'], (field(r, 'CLAIMD_KIND'), c['kind'])
                assert abs(float(field(r, 'CLAIMD_SCORE')) - c['score']) < 0.005, (field(r, 'CLAIMD_SCORE'), c['score'])
                assert field(r, 'CLAIMD_EVENT_ID') == str(c['event_id']), (field(r, 'CLAIMD_EVENT_ID'), c['event_id'])
                sources = field(r, 'CLAIMD_SOURCES').split(',')
                assert sorted(sources) == sorted([CONFLICT_A['source'], CONFLICT_B['source']]), sources
                msg = field(r, 'MESSAGE')
                assert msg.startswith('conflict %s (%s, ' % (cid, c['kind'])), msg
                for who in CONFLICT_SPEAKERS:
                        assert who in msg, ('speaker %r not named in the record' % who, msg)
                for cl in c['claims']:
                        assert '%s/%s' % (cl['source'], cl['speaker']['name']) in msg, (cl['speaker'], msg)
                assert c['claims'][0]['text'][:40] in msg, (c['claims'][0]['text'], msg)


@case
def review_records(d):
        """A review has its own record: the MESSAGE_ID of the README, the
        conflict, the status and the reviewer."""
        assert S.get('review') is not None and S['review'].status == 200, S.get('review')
        cid = str(S['review'].json['id'])
        recs = [r for r in S['recs'] if field(r, 'MESSAGE_ID') == MID['REVIEWED']]
        assert len(recs) == 1, [field(r, 'MESSAGE') for r in recs]
        r = recs[0]
        assert field(r, 'CLAIMD_CONFLICT_ID') == cid and field(r, 'CLAIMD_REVIEW_STATUS') == 'dismissed', r
        assert field(r, 'CLAIMD_REVIEWER') == 'Jo Desk' and field(r, 'PRIORITY') == '5', r
        assert field(r, 'MESSAGE') == 'conflict %s reviewed: dismissed by Jo Desk (with a note)' % cid, r


@case
def lifecycle_records(d):
        for name in ('STARTED', 'RELOADED', 'STOPPING'):
                hits = [r for r in S['recs'] if field(r, 'MESSAGE_ID') == MID[name]]
                assert hits, (name, [field(r, 'MESSAGE') for r in S['recs']][:20])
                assert field(hits[0], 'PRIORITY') == '5', hits[0]
                assert field(hits[0], 'MESSAGE'), hits[0]
        order = [field(r, 'MESSAGE_ID') for r in S['recs']
                 if field(r, 'MESSAGE_ID') in (MID['STARTED'], MID['RELOADED'], MID['STOPPING'])]
        firsts = [m for i, m in enumerate(order) if m not in order[:i]]
        assert firsts == [MID['STARTED'], MID['RELOADED'], MID['STOPPING']], order
        assert order.count(MID['STARTED']) == 1 and order.count(MID['RELOADED']) == 1, order


@case
def token_never_logged(d):
        tok = S['token']
        for r in S['recs']:
                blob = json.dumps(r)
                assert tok not in blob, ('token in journal record', r)
        assert tok not in S['daemon'].log()


@case
def auto_target_uses_journal_with_journal_stream(d):
        with tempfile.TemporaryDirectory(prefix='claimd-journal-') as t:
                errpath = os.path.join(t, 'stderr')
                # $JOURNAL_STREAM names stderr's device:inode, as systemd sets it.
                open(errpath, 'w').close()
                st = os.stat(errpath)
                since = int(time.time() * 1e6) - 1000000
                d = Daemon(tmpdir=t, log_target=None, log_path=errpath,
                           env={'JOURNAL_STREAM': '%d:%d' % (st.st_dev, st.st_ino)})
                pid = d.proc.pid
                try:
                        r = d.post('/v1/articles', {'source': 'auto.test', 'title': 'Auto log target check'})
                        assert r.status == 201, r
                        aid = str(r.json['id'])
                finally:
                        rc = d.stop()
                        d.close()
                recs = journal_records(pid, since, lambda rs: any(field(x, 'CLAIMD_ARTICLE_ID') == aid for x in rs))
                assert any(field(x, 'CLAIMD_ARTICLE_ID') == aid for x in recs), \
                        'with JOURNAL_STREAM set, the ingest record is not in the journal (%d records)' % len(recs)


@case
def reload_failed_and_store_fault_records(d):
        import sqlite3
        with tempfile.TemporaryDirectory(prefix='claimd-journal-') as t:
                conf = os.path.join(t, 'c.conf')
                write_config(conf, {'log_level': 'info'})
                since = int(time.time() * 1e6) - 1000000
                d2 = Daemon(tmpdir=t, config=conf, log_target='journal')
                pid = d2.proc.pid
                try:
                        with open(conf, 'w') as f:
                                f.write('[server]\nno_such_key = 1\n')
                        d2.send_signal(signal.SIGHUP)
                        time.sleep(0.5)
                        d2.assert_serving('broken reload')
                        con = sqlite3.connect(d2.db, timeout=1, isolation_level=None)
                        con.execute('BEGIN EXCLUSIVE')
                        try:
                                r = d2.post('/v1/articles', {'source': 'lock.test', 'title': 'Locked database test'},
                                            timeout=60)
                        finally:
                                con.execute('ROLLBACK')
                                con.close()
                        assert r.status == 503, r
                finally:
                        d2.stop()
                        d2.close()
                recs = journal_records(pid, since, lambda rs: any(field(x, 'MESSAGE_ID') == MID['STOPPING'] for x in rs))
                bad = [x for x in recs if field(x, 'MESSAGE_ID') == MID['RELOAD_FAILED']]
                assert bad, [field(x, 'MESSAGE') for x in recs]
                assert int(field(bad[0], 'PRIORITY')) <= 4, bad[0]
                assert any('%s:2' % conf in (field(x, 'MESSAGE') or '') for x in recs), \
                        ('the broken line is not named as file:line', [field(x, 'MESSAGE') for x in recs])
                fault = [x for x in recs if field(x, 'MESSAGE_ID') == MID['STORE_FAULT']]
                assert fault, [field(x, 'MESSAGE') for x in recs]
                assert int(field(fault[0], 'PRIORITY')) <= 3, fault[0]


if __name__ == '__main__':
        private_journal()
        run(setup, teardown)
