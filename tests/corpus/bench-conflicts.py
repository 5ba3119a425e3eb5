#!/usr/bin/env python3
"""Runs bench/pipeline-bench --conflicts on a slice of the FNC-1 bodies and
checks the list it writes: one line per conflict of the warm-up run (as many
as the run counts), each naming two bodies, two claims, a known kind and a
score in [0, 1].  The list is how two builds' conflict checks are compared.

usage: bench-conflicts.py PIPELINE-BENCH

Exits 77 (skipped) with a message when the shared data is absent.
"""
import importlib.util, os, re, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('eval_floor', os.path.join(HERE, 'eval-floor.py'))
eval_floor = importlib.util.module_from_spec(spec)
spec.loader.exec_module(eval_floor)

LINE = re.compile(r'^body \d+ claim \d+ / body \d+ claim \d+: '
                  r'(denial|negation|antonym|numeric|date|location) (\d+\.\d{6}) .+$')


def main():
    shared = eval_floor.shared_dir()
    if not shared:
        print('SKIP: the shared evaluation data is absent: put shared/ (its data/ and eval/) beside the checkout, '
              'or set CLAIMD_SHARED to where it is')
        return 77
    fnc1 = os.path.join(shared, 'data', 'fnc1')
    with tempfile.TemporaryDirectory(prefix='claimd-bench-') as tmp:
        out = os.path.join(tmp, 'conflicts.txt')
        cmd = [sys.argv[1], '--bodies', os.path.join(fnc1, 'train_bodies.csv'),
               '--stances', os.path.join(fnc1, 'train_stances.csv'),
               '--limit', '400', '--runs', '1', '--conflicts', out]
        print('# ' + ' '.join(cmd), flush=True)
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
        print(p.stdout[-2000:])
        m = re.search(r'(\d+) conflicts per run', p.stdout)
        if p.returncode != 0 or not m:
            print('FAIL: pipeline-bench exited %d without its summary' % p.returncode)
            return 1
        with open(out, encoding='utf-8') as f:
            lines = f.read().splitlines()
    want = int(m.group(1))
    bad = [l for l in lines if not LINE.match(l) or not 0 <= float(LINE.match(l).group(2)) <= 1]
    print('%d lines written, %d conflicts counted, %d malformed' % (len(lines), want, len(bad)))
    for l in bad[:5]:
        print('malformed: ' + l[:200])
    return 0 if want > 0 and len(lines) == want and not bad else 1


if __name__ == '__main__':
    sys.exit(main())
