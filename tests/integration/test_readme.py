#!/usr/bin/env python3
"""The README's examples say what claimd answers: the first article POST of
"Using it" is sent, as the README writes it, to a claimd on a new database,
and the answer must be the one the README shows on its "# →" line, byte
for byte.  When the pipeline changes what it answers, this fails and the
README is to be corrected with it.
Usage: test_readme.py CLAIMD SRCDIR/README.md
"""
import json
import os
import re
import shlex
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'pylib'))
from claimdtest import Daemon, case, diag, run  # noqa: E402

README = os.path.abspath(sys.argv[2])


def readme_article_example():
        """(the JSON body of the README's first `curl -X POST .../v1/articles`,
        the answer its "# →" line shows)."""
        text = open(README, encoding='utf-8').read()
        m = re.search(r'^(curl -s -X POST localhost:8080/v1/articles .*?)^# → (\{[^\n]*\})$', text, re.M | re.S)
        assert m, 'no "curl -s -X POST localhost:8080/v1/articles ... # → {...}" example in %s' % README
        argv = shlex.split(m.group(1))
        assert '-d' in argv, argv
        body = argv[argv.index('-d') + 1]
        return body, m.group(2)


def setup():
        return Daemon()


def teardown(d):
        if d:
                d.close()


@case
def article_example_answers_what_the_readme_shows(d):
        body, shown = readme_article_example()
        doc = json.loads(body)
        assert doc['source'] and doc['text'], doc
        r = d.http('POST', '/v1/articles', body=body.encode('utf-8'), headers={'Content-Type': 'application/json'})
        got = r.body.decode('utf-8').strip()
        diag('README shows: %s' % shown)
        diag('claimd says:  %s' % got)
        assert r.status == 201, r
        assert got == shown, 'the README example answers %s, the README shows %s' % (got, shown)


@case
def article_example_conflict_names_both_speakers(d):
        r = d.get('/v1/conflicts/1')
        assert r.status == 200, r
        names = sorted(cl['speaker']['name'] for cl in r.json['claims'] if cl.get('speaker'))
        diag('conflict 1: %s, %s' % (r.json['kind'], r.json['explanation']))
        assert len(names) == 2 and any('Lavrov' in n for n in names) and any('official' in n for n in names), names


if __name__ == '__main__':
        run(setup, teardown)
