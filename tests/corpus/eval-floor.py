#!/usr/bin/env python3
"""Runs ../shared/eval/claimd-eval on a small slice of the shared evaluation
data and fails when a figure falls below its floor (or rises above a ceiling).

usage: eval-floor.py CLAIMD -- EVAL-ARGS... -- KEY>=VALUE|KEY<=VALUE...

Exits 77 (skipped) with a message when the shared data or evaluator is absent.
"""
import os, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))


def shared_dir():
    env = os.environ.get('CLAIMD_SHARED')
    cands = [env] if env else []
    cands.append(os.path.join(HERE, '..', '..', '..', 'shared'))
    for c in cands:
        if c and os.path.exists(os.path.join(c, 'eval', 'claimd-eval')) and os.path.isdir(os.path.join(c, 'data')):
            return os.path.abspath(c)
    return None


def main():
    argv = sys.argv[1:]
    claimd = argv[0]
    sep = [i for i, a in enumerate(argv) if a == '--']
    eval_args = argv[sep[0] + 1:sep[1]]
    checks = argv[sep[1] + 1:]
    shared = shared_dir()
    if not shared:
        print('SKIP: the shared evaluation data is absent: put shared/ (its data/ and eval/) beside the checkout, '
              'or set CLAIMD_SHARED to where it is')
        return 77
    cmd = [sys.executable, os.path.join(shared, 'eval', 'claimd-eval'), '--daemon', claimd] + eval_args
    print('# ' + ' '.join(cmd), flush=True)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
    print(p.stdout[-4000:])
    res = None
    for line in p.stdout.splitlines():
        if line.startswith('RESULT '):
            res = dict(kv.split('=', 1) for kv in line.split()[1:])
    if p.returncode != 0 or res is None or res.get('error'):
        print('FAIL: claimd-eval exited %d without a RESULT' % p.returncode)
        return 1
    failed = 0
    for c in checks:
        op = '>=' if '>=' in c else '<='
        key, val = c.split(op)
        got = float(res[key])
        ok = got >= float(val) if op == '>=' else got <= float(val)
        print('%s %s: %s %s %s' % ('ok' if ok else 'FAIL', key, got, op, val))
        failed += not ok
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
