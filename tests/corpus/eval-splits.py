#!/usr/bin/env python3
"""eval-splits.py: the team's quality figures, tuning and validation parts side by side.

  tests/corpus/eval-splits.py [--claimd build-rel/daemon/claimd] [--out DIR] [--only NAME,...]
                              [--list]

Runs ../shared/eval/claimd-eval (under nice -n 10, one run at a time) on every split of
TEAM.md's "Measuring" section and prints one table, so that everyone reports the same way:

  judged-polnear, judged-emergent   the judged streams, with tests/corpus/judged-*.jsonl as
                                    extra judgments; what no judgment covers goes to
                                    OUT/unjudged-NAME.jsonl
  reference                         the Trump-Putin G20 article
  attribution-train / -dev          PolNeAR train (tune) / dev (validate)
  fnc1-tune / -validate             FNC-1 pairs; validate: bodies whose id ends in 0 or 5
  fnc1-stream-tune / -validate      the same bodies as a stream of articles (slower)
  emergent-tune / -validate         Emergent; validate: the last 40 claim ids (sorted)
  rte3-tune / -validate             RTE-3 dev, first 400 / last 400 pairs
  sick-tune / -validate             SICK train, first half / second half

Tune on the first part of each pair of splits and report both; never read the second
example by example.  The split files are written to OUT (default /tmp/claimd-splits),
never into the repository: the data sets are others' text.  Each run's full output is
kept in OUT/NAME.txt.  Exits 77 when the shared data or the evaluator is absent.
"""
import argparse, csv, json, os, subprocess, sys, time

csv.field_size_limit(10**9)
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..'))


def shared_dir():
    for c in (os.environ.get('CLAIMD_SHARED'), os.path.join(REPO, '..', 'shared')):
        if c and os.path.exists(os.path.join(c, 'eval', 'claimd-eval')) and os.path.isdir(os.path.join(c, 'data')):
            return os.path.abspath(c)
    return None


def write_splits(data, out):
    """Writes every split file under out (once: a file already there is kept)."""
    done = os.path.join(out, '.splits-written')
    if os.path.exists(done):
        return
    os.makedirs(out, exist_ok=True)
    rows = [json.loads(l) for l in open(os.path.join(data, 'emergent/bodies-train.jsonl'), encoding='utf-8')]
    held = set(sorted({r['claim_id'] for r in rows})[-40:])
    for part, keep in (('tune', lambda r: r['claim_id'] not in held), ('validate', lambda r: r['claim_id'] in held)):
        with open(os.path.join(out, 'emergent-%s.jsonl' % part), 'w', encoding='utf-8') as f:
            for r in rows:
                if keep(r):
                    f.write(json.dumps(r, ensure_ascii=False) + '\n')
    bodies = list(csv.DictReader(open(os.path.join(data, 'fnc1/train_bodies.csv'), encoding='utf-8')))
    stances = list(csv.DictReader(open(os.path.join(data, 'fnc1/train_stances.csv'), encoding='utf-8')))
    for part, keep in (('tune', lambda b: b[-1] not in '05'), ('validate', lambda b: b[-1] in '05')):
        with open(os.path.join(out, 'fnc1-%s-bodies.csv' % part), 'w', encoding='utf-8', newline='') as f:
            w = csv.DictWriter(f, fieldnames=['Body ID', 'articleBody'])
            w.writeheader()
            w.writerows(b for b in bodies if keep(b['Body ID']))
        with open(os.path.join(out, 'fnc1-%s-stances.csv' % part), 'w', encoding='utf-8', newline='') as f:
            w = csv.DictWriter(f, fieldnames=['Headline', 'Body ID', 'Stance'])
            w.writeheader()
            w.writerows(s for s in stances if keep(s['Body ID']))
    for name, path in (('rte3', 'rte3/dev.tsv'), ('sick', 'sick/train.tsv')):
        lines = open(os.path.join(data, path), encoding='utf-8').read().splitlines(True)
        head, body = lines[0], lines[1:]
        half = 400 if name == 'rte3' else len(body) // 2
        for part, sel in (('tune', body[:half]), ('validate', body[half:])):
            with open(os.path.join(out, '%s-%s.tsv' % (name, part)), 'w', encoding='utf-8') as f:
                f.write(head)
                f.writelines(sel)
    open(done, 'w').close()


def runs(data, out):
    """name -> (claimd-eval arguments, the RESULT keys to show)"""
    judged = lambda n: (['judged', n, '--unjudged', os.path.join(out, 'unjudged-%s.jsonl' % n)] +
                        (['--judgments', os.path.join(HERE, 'judged-%s.jsonl' % n)]
                         if os.path.exists(os.path.join(HERE, 'judged-%s.jsonl' % n)) else []),
                        ['conflicts', 'judged', 'unjudged', 'precision', 'real_kept'])
    r = {
        'judged-polnear': judged('polnear'),
        'judged-emergent': judged('emergent'),
        'reference': (['reference'], ['key_conflict_found', 'conflicts']),
        'attribution-train': (['attribution', os.path.join(data, 'polnear/train.jsonl')], ['p', 'r', 'f1', 'speaker_acc']),
        'attribution-dev': (['attribution', os.path.join(data, 'polnear/dev.jsonl')], ['p', 'r', 'f1', 'speaker_acc']),
    }
    for part in ('tune', 'validate'):
        fb = ['--bodies', os.path.join(out, 'fnc1-%s-bodies.csv' % part),
              '--stances', os.path.join(out, 'fnc1-%s-stances.csv' % part)]
        r['fnc1-' + part] = (['fnc1'] + fb, ['disagree_p', 'disagree_r', 'disagree_f1', 'related_acc'])
        r['fnc1-stream-' + part] = (['fnc1', '--mode', 'stream'] + fb,
                                    ['disagree_p', 'disagree_r', 'disagree_f1', 'related_acc'])
        r['emergent-' + part] = (['emergent', os.path.join(out, 'emergent-%s.jsonl' % part)],
                                 ['conflict_p', 'claim_recall', 'flagged_pairs', 'event_f1'])
        for s in ('rte3', 'sick'):
            r['%s-%s' % (s, part)] = (['pairs', os.path.join(out, '%s-%s.tsv' % (s, part))], ['p', 'r', 'f1'])
    return r


DEFAULT = ['judged-polnear', 'judged-emergent', 'reference', 'attribution-train', 'attribution-dev',
           'fnc1-tune', 'fnc1-validate', 'emergent-tune', 'emergent-validate',
           'rte3-tune', 'rte3-validate', 'sick-tune', 'sick-validate']


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--claimd', default=os.path.join(REPO, 'build-rel', 'daemon', 'claimd'))
    ap.add_argument('--out', default='/tmp/claimd-splits')
    ap.add_argument('--only', help='comma-separated names (default: all but the fnc1-stream ones)')
    ap.add_argument('--list', action='store_true', help='print the run names and exit')
    a = ap.parse_args()
    shared = shared_dir()
    if not shared:
        print('SKIP: the shared evaluation data is absent: put shared/ (its data/ and eval/) beside the checkout, '
              'or set CLAIMD_SHARED to where it is')
        return 77
    data = os.path.join(shared, 'data')
    table = runs(data, a.out)
    if a.list:
        print('\n'.join(table))
        return 0
    names = a.only.split(',') if a.only else DEFAULT
    for n in names:
        if n not in table:
            ap.error('unknown run %s (--list shows them)' % n)
    write_splits(data, a.out)
    ev = os.path.join(shared, 'eval', 'claimd-eval')
    rows, failed = [], 0
    for n in names:
        args, keys = table[n]
        cmd = ['nice', '-n', '10', sys.executable, ev, '--daemon', a.claimd] + args
        t0 = time.time()
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        with open(os.path.join(a.out, n + '.txt'), 'w', encoding='utf-8') as f:
            f.write(' '.join(cmd) + '\n' + p.stdout)
        res = {}
        for line in p.stdout.splitlines():
            if line.startswith('RESULT '):
                res = dict(kv.split('=', 1) for kv in line.split()[1:])
        if p.returncode != 0 or not res or res.get('error'):
            failed += 1
            shown = 'FAILED (see %s)' % os.path.join(a.out, n + '.txt')
        else:
            shown = '  '.join('%s %s' % (k, res.get(k, '?')) for k in keys)
        rows.append((n, shown, time.time() - t0))
        print('%-20s %s   (%.0f s)' % rows[-1], flush=True)
        print('#   claimd-eval ' + ' '.join(cmd[5:]), flush=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
