#!/usr/bin/env python3
"""debian/control agrees with tests/deps/: every package of build.txt is in
Build-Depends (but gcc and libc6-dev, which build-essential brings), every
package of runtime.txt in Depends and in Build-Depends (dh_auto_test runs
the daemon), and nothing in Build-Depends is missing from the lists.
Prints TAP.  Usage: check-deps.py SRCDIR
"""
import os
import re
import sys

SRC = os.path.abspath(sys.argv[1])
BUILD_ESSENTIAL = {'gcc', 'libc6-dev'}
DEBHELPER = {'debhelper-compat'}


def read_list(name):
        out = []
        for line in open(os.path.join(SRC, 'tests', 'deps', name + '.txt')):
                out += line.split('#', 1)[0].split()
        return set(out)


def control_fields():
        """{field: value} of debian/control's paragraphs, comments dropped, folded lines joined."""
        fields, key = {}, None
        for line in open(os.path.join(SRC, 'debian', 'control')):
                if line.startswith('#'):
                        continue
                if line[:1] in (' ', '\t') and key:
                        fields[key] += ' ' + line.strip()
                        continue
                m = re.match(r'^([\w-]+):\s*(.*)$', line)
                if m:
                        key = m.group(1)
                        fields[key] = fields.get(key, '') + ' ' + m.group(2)
        return fields


def names(value):
        """Package names of a relationship field (versions, arch lists, alternatives dropped)."""
        out = set()
        for item in value.split(','):
                item = item.split('|')[0].strip()
                m = re.match(r'^([a-z0-9][a-z0-9+.-]*)', item)
                if m and not m.group(1).startswith('$'):
                        out.add(m.group(1))
        return out


def main():
        build, runtime = read_list('build'), read_list('runtime')
        f = control_fields()
        bdeps, deps = names(f.get('Build-Depends', '')), names(f.get('Depends', ''))
        checks = [
                (build - BUILD_ESSENTIAL <= bdeps, 'Build-Depends has every package of build.txt (missing: %s)'
                 % sorted(build - BUILD_ESSENTIAL - bdeps)),
                (runtime <= deps, 'Depends has every package of runtime.txt (missing: %s)' % sorted(runtime - deps)),
                (runtime <= bdeps, 'Build-Depends has runtime.txt for dh_auto_test (missing: %s)' % sorted(runtime - bdeps)),
                (bdeps - DEBHELPER <= build | runtime, 'Build-Depends names nothing the lists lack (extra: %s)'
                 % sorted(bdeps - DEBHELPER - build - runtime)),
        ]
        print('1..%d' % len(checks))
        for i, (ok, what) in enumerate(checks, 1):
                print('%s %d - %s' % ('ok' if ok else 'not ok', i, what))
        return 0 if all(ok for ok, _ in checks) else 1


if __name__ == '__main__':
        sys.exit(main())
