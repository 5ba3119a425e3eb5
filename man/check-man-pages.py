#!/usr/bin/env python3
"""The man pages tell the truth about what the code accepts: every
configuration key of daemon/config.c is in claimd.conf(5), in its section,
with the default conf/claimd.conf gives it, and no key the code lacks, and
every section is listed and described; every long option of claimd, every
route of daemon/http/routes.c and every MESSAGE_ID of daemon/log.h is in
claimd(8); every command and option claimctl's usage names is in
claimctl(1).  Prints TAP.  Usage: check-man-pages.py SRCDIR
"""
import os
import re
import sys

SRC = os.path.abspath(sys.argv[1])
results = []


def read(*path):
        with open(os.path.join(SRC, *path), encoding='utf-8') as f:
                return f.read()


def check(ok, what):
        results.append((bool(ok), what))


def code_keys():
        """{(section, key)} of the key table in daemon/config.c."""
        text = read('daemon', 'config.c')
        return set(re.findall(r'(?:\{|\bKEY\()\s*"(\w+)",\s*"(\w+)",\s*KEY_', text))


def sectioned(text, section_rx, entry_rx):
        """{(section, key): value} of the lines matching entry_rx (groups key,
        value), each under the last line matching section_rx."""
        out, section = {}, None
        for line in text.splitlines():
                m = re.match(section_rx, line)
                if m:
                        section = m.group(1)
                m = re.match(entry_rx, line)
                if m and section:
                        out[(section, m.group(1))] = m.group(2) or ''
        return out


def conf_defaults():
        """{(section, key): default} of the commented-out lines of conf/claimd.conf."""
        return sectioned(read('conf', 'claimd.conf'), r'^\[(\w+)\]\s*$', r'^#(\w+) =\s*(.*?)\s*$')


def man_keys():
        """{(section, key): default} of the '*key* = *default*' entries of claimd.conf(5)."""
        return sectioned(read('man', 'claimd.conf.5.scd'), r'^# \[(\w+)\]\s*$',
                         r'^\*(\w+)\* = (?:\*([^*]*)\*|_\(none\)_)\s*$')


def check_config_page():
        code, conf, man = code_keys(), conf_defaults(), man_keys()
        check(len(code) > 20, 'daemon/config.c has its key table (%d keys)' % len(code))
        for sk in sorted(code):
                check(sk in man, 'claimd.conf(5) describes [%s] %s' % sk)
                if sk in man and sk in conf:
                        check(man[sk] == conf[sk], 'claimd.conf(5) gives [%s] %s the default of conf/claimd.conf'
                              ' (%r, the page says %r)' % (sk + (conf[sk], man[sk])))
        extra = sorted(set(man) - code)
        check(not extra, 'claimd.conf(5) describes no key the code lacks (%s)' % extra)
        table = re.search(r'static const char \*const sections\[\] = \{([^}]*)\}', read('daemon', 'config.c'))
        names = re.findall(r'"(\w+)"', table.group(1)) if table else []
        check(names, 'daemon/config.c has its section list (%s)' % names)
        conf_page = read('man', 'claimd.conf.5.scd')
        listed = re.search(r'The sections are (.*?)\.', conf_page, re.S)
        for n in names:
                check(listed and '*%s*' % n in listed.group(1) and '# [%s]' % n in conf_page,
                      'claimd.conf(5) lists the section [%s] and describes it' % n)


def check_daemon_page():
        page = read('man', 'claimd.8.scd')
        main = read('daemon', 'main.c')
        options = re.findall(r'\{\s*"([\w-]+)",\s*(?:no|required|optional)_argument', main)
        check(len(options) >= 6, 'daemon/main.c has its option table (%d options)' % len(options))
        for o in options:
                check('*--%s*' % o in page, 'claimd(8) describes --%s' % o)
        ids = re.findall(r'#define\s+CLAIMD_MESSAGE_\w+\s+"([0-9a-f]{32})"', read('daemon', 'log.h'))
        for i in ids:
                check(i in page, 'claimd(8) lists MESSAGE_ID %s' % i)
        check_routes(page)


def check_routes(page):
        """Every route of daemon/http/routes.c is in claimd(8)'s HTTP API."""
        path = os.path.join(SRC, 'daemon', 'http', 'routes.c')
        if not os.path.exists(path):
                return
        plain = page.replace('*', '').replace('_', '')
        rows = re.findall(r'ROW\("([^"]+)",\s*(M_[A-Z_| ]+),', read('daemon', 'http', 'routes.c'))
        check(rows, 'daemon/http/routes.c has its route table (%d rows)' % len(rows))
        for route, methods in rows:
                for m in re.findall(r'M_([A-Z]+)', methods):
                        want = '%s %s' % (m, route.replace('{id}', 'ID'))
                        check(want in plain, 'claimd(8) describes %s' % want)


def check_client_page():
        path = os.path.join(SRC, 'client', 'usage.c')
        if not os.path.exists(path):
                return
        page = read('man', 'claimctl.1.scd')
        usage = read('client', 'usage.c')
        options = sorted(set(re.findall(r'(--[a-z][\w-]*)', usage)))
        commands = sorted(set(re.findall(r'claimctl \[OPTIONS\] (\w+)', usage)))
        check(commands, 'client/usage.c names the commands (%s)' % commands)
        for c in commands:
                check('*claimctl* [_OPTIONS_] *%s*' % c in page or '# %s' % c.upper() in page,
                      'claimctl(1) describes the command %s' % c)
        for o in options:
                check('*%s*' % o in page, 'claimctl(1) describes %s' % o)


check_config_page()
check_daemon_page()
check_client_page()
print('1..%d' % len(results))
for i, (ok, what) in enumerate(results, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', i, what.replace('#', '\\x23').replace('\n', '\\n')))
sys.exit(0 if all(ok for ok, _ in results) else 1)
