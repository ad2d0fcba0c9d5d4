#!/usr/bin/python3
"""upgrade-sync.py [--check]: keep the open release's update fragments in
step with the install sources (docs/upgrading.md, "the update fragment").

A function changed by several branches of one release is redefined by
several fragments of src/sql/upgrade/<open>/; the update runs them in name
order, so the LAST one must carry exactly the install script's text, or
the upgrade test (test/t/020_upgrade.pl) finds a different body.  This
lists every function whose last definition in the fragments differs from
its definition in src/sql/<concern>/*.sql and, without --check, rewrites
that definition from the install source.  Only functions defined once in
the install sources (not overloaded) are handled; the rest are named.
Exit status: 1 when --check found a difference.
"""
import glob
import os
import re
import sys

DEF = re.compile(r'^CREATE (OR REPLACE )?FUNCTION @extschema@\.([a-z_0-9]+)\(', re.M)
DOLLAR = re.compile(r'\$[A-Za-z_]*\$')
RETURN = re.compile(r'\n\s*RETURN ')
END_ATOMIC = re.compile(r'\n\s*END;')
HEAD = re.compile(r'^CREATE (OR REPLACE )?FUNCTION')


def definitions(text):
    """(name, start, end) of every CREATE FUNCTION statement in text."""
    found = []
    for m in DEF.finditer(text):
        # the body starts at whichever comes first: a dollar quote, BEGIN
        # ATOMIC, a RETURN clause or a C function's MODULE_PATHNAME
        starts = []
        d = DOLLAR.search(text, m.end())
        if d:
            starts.append((d.start(), 'dollar', d))
        a = text.find('BEGIN ATOMIC', m.end())
        if a >= 0:
            starts.append((a, 'atomic', None))
        r = RETURN.search(text, m.end())
        if r:
            starts.append((r.start(), 'return', None))
        c = text.find("'MODULE_PATHNAME'", m.end())
        if c >= 0:
            starts.append((c, 'c', None))
        if not starts:
            raise SystemExit('cannot find the body of %s' % m.group(2))
        pos, kind, d = min(starts, key=lambda s: s[0])
        if kind == 'dollar':
            end = text.index(';', text.index(d.group(0), d.end())) + 1
        elif kind == 'atomic':
            end = END_ATOMIC.search(text, pos).end()
        elif kind == 'return':
            end = text.index(';\n', pos) + 1
        else:
            end = text.index(';', pos) + 1
        found.append((m.group(2), m.start(), end))
    return found


def main():
    check = '--check' in sys.argv
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
    folders = sorted(glob.glob('src/sql/upgrade/*--*/'))
    if not folders:
        raise SystemExit('no update folder')
    # the open release: the folder whose target version is the newest
    open_folder = max(folders, key=lambda f: [int(x) for x in os.path.basename(f.rstrip('/')).split('--')[1].split('.')])
    source = {}
    for path in sorted(glob.glob('src/sql/*/*.sql')):
        if '/upgrade/' in path:
            continue
        text = open(path).read()
        for name, a, b in definitions(text):
            source.setdefault(name, []).append(text[a:b])
    last = {}
    for path in sorted(glob.glob(open_folder + '*.sql')):
        for name, a, b in definitions(open(path).read()):
            last[name] = path
    differing = 0
    for name, path in sorted(last.items()):
        if name not in source:
            continue			# dropped later, or not in the install script
        if len(source[name]) != 1:
            print('not handled (overloaded): %s in %s' % (name, os.path.basename(path)))
            continue
        text = open(path).read()
        name_a_b = [d for d in definitions(text) if d[0] == name][-1]
        _, a, b = name_a_b
        old = text[a:b]
        new = source[name][0]
        if HEAD.sub('', old) == HEAD.sub('', new):
            continue
        differing += 1
        print('differs: %s in %s' % (name, os.path.basename(path)))
        if not check:
            # a fragment that CREATEs the function (new in this release) keeps CREATE
            head = 'CREATE FUNCTION' if old.startswith('CREATE FUNCTION') else 'CREATE OR REPLACE FUNCTION'
            open(path, 'w').write(text[:a] + HEAD.sub(head, new, count=1) + text[b:])
    print('%d differing' % differing)
    sys.exit(1 if check and differing else 0)


if __name__ == "__main__":
    main()
