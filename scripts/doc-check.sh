#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Keep Documentation/ true to the code: fail when a debugfs file the code
# creates, a knob, or a module parameter of memlab.ko or memlab_bench.ko is
# missing from the reference pages, or when a page names one that no longer
# exists.  Host-side, no kernel needed; runs in a second or so.
#
# Usage: scripts/doc-check.sh [--ko memlab.ko] [--bench-ko memlab_bench.ko]
#                             [--dump <dir>]
#   --ko, --bench-ko  built modules: their parameters are read with modinfo
#                     (the truth, whatever macro declares them); without, the
#                     module_param*() lines and the knob list in the sources
#   --dump            a copy of a live /sys/kernel/debug/memlab (what
#                     scripts/guest/check.sh leaves in <outdir>/debugfs/):
#                     every file in it must be one the source parse found
#
# What is checked, one KTAP result each ("ok <n> ..." / "not ok <n> ...",
# as scripts/ktap_helpers.sh writes them; no plan: the caller nests the
# output with ktap_subtest_run, which gives it one):
#   Documentation/debugfs.rst  a heading ``<path>`` for every file (and every
#                              fault_attr directory, ``fault/<layer>/``) that
#                              debugfs/*.c creates, but knobs/<name>, and no
#                              such heading for a path that is not created
#   Documentation/knobs.rst    a list-table row ``<name>`` (or ``<name>=``)
#                              for every knob in the "Knobs" section, every
#                              other memlab.ko parameter in the "memlab.ko
#                              load parameters" section, every memlab_bench.ko
#                              parameter in the "memlab_bench.ko parameters"
#                              section; and no row for a name that is gone
#   Documentation/index.rst    its toctree lists every page, and every entry
#                              exists
#   every page                 parses with docutils, if installed (Sphinx-only
#                              directives and roles stubbed), without warnings
# Exit status 0 when every check passed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"

ko="" bench_ko="" dump=""
while [ $# -gt 0 ]; do
	case "$1" in
	--ko) ko="$2"; shift 2 ;;
	--bench-ko) bench_ko="$2"; shift 2 ;;
	--dump) dump="$2"; shift 2 ;;
	*) echo "usage: doc-check.sh [--ko memlab.ko] [--bench-ko memlab_bench.ko] [--dump dir]" >&2
	   exit 2 ;;
	esac
done

parms() { # parms <module.ko>: one parameter name a line
	[ -n "$1" ] || return 0
	modinfo -F parm "$1" | sed -n 's/^\([A-Za-z0-9_]*\):.*/\1/p' | sort -u
}

# Debian's python3-docutils (scripts/deps.sh) is for Debian's python3:
# another python3 first in PATH (pyenv, a venv) may not see it
py=python3
for p in python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null && "$p" -c 'import docutils' 2>/dev/null; then
		py="$p"
		break
	fi
done

MEMLAB_PARMS="$(parms "$ko")" BENCH_PARMS="$(parms "$bench_ko")" \
REPO="$repo" DUMP="$dump" exec "$py" - <<'EOF'
import os, re, sys

repo = os.environ['REPO']
doc = os.path.join(repo, 'Documentation')
failed = 0
counts = [0, 0]

print('KTAP version 1')

def result(ok, desc, detail=()):
    global failed
    counts[not ok] += 1
    desc = desc.replace('#', '_').replace('\n', ' ')
    print('%s %d %s' % ('ok' if ok else 'not ok', sum(counts), desc))
    for d in detail:
        print('#   ' + d)
    failed |= not ok

def read(path):
    with open(os.path.join(repo, path)) as f:
        return f.read()

def strip_comments(src):
    return re.sub(r'/\*.*?\*/|//[^\n]*', '', src, flags=re.S)

# --- what the code says ---------------------------------------------------

# Knobs: the names in module/knobs.c's list, however it is written (an
# X-macro "X(name, ...", one module_param*(name, ...) per knob, or a table
# of .name = "name" entries).
knob_src = strip_comments(read('module/knobs.c'))
knobs = set(re.findall(r'^\s*X\(\s*([a-z][a-z0-9_]*)\s*,', knob_src, re.M))
knobs |= set(re.findall(r'\bmodule_param(?:_cb|_named|_call)?\(\s*([a-z][a-z0-9_]*)\s*,',
                        knob_src))
knobs |= set(re.findall(r'\bMEMLAB_KNOB\(\s*([a-z][a-z0-9_]*)\s*,', knob_src))
knobs |= set(re.findall(r'\.name\s*=\s*"([a-z][a-z0-9_]*)"', knob_src))
knobs.discard('n')	# a macro's parameter, not a knob

def src_params(paths):
    names = set()
    for p in paths:
        s = strip_comments(read(p))
        names |= set(re.findall(
            r'\bmodule_param(?:_cb|_named|_call|_string|_array)?\(\s*([a-z][a-z0-9_]*)\s*,', s))
    names.discard('n')
    return names

module_c = sorted('module/' + f for f in os.listdir(os.path.join(repo, 'module'))
                  if f.endswith('.c'))
bench_c = sorted('bench/' + f for f in os.listdir(os.path.join(repo, 'bench'))
                 if f.endswith('.c'))
memlab_params = set(os.environ['MEMLAB_PARMS'].split()) or (src_params(module_c) | knobs)
bench_params = set(os.environ['BENCH_PARMS'].split()) or src_params(bench_c)
load_params = memlab_params - knobs
result(bool(knobs), 'found %d knobs in module/knobs.c: %s' % (len(knobs), ' '.join(sorted(knobs))))
result(bool(load_params), 'found %d other memlab.ko parameters%s: %s' %
       (len(load_params), ' (modinfo)' if os.environ['MEMLAB_PARMS'] else '',
        ' '.join(sorted(load_params))))
result(bool(bench_params), 'found %d memlab_bench.ko parameters%s: %s' %
       (len(bench_params), ' (modinfo)' if os.environ['BENCH_PARMS'] else '',
        ' '.join(sorted(bench_params))))
missing = knobs - memlab_params
result(not missing, 'every knob is a memlab.ko parameter too',
       ['not a parameter: ' + ' '.join(sorted(missing))] if missing else ())

# debugfs: follow each file's debugfs_create_dir() assignments in order.
files, fault_dirs = {}, set()	# path -> mode; fault_attr directories
for f in sorted(os.listdir(os.path.join(repo, 'debugfs'))):
    if not f.endswith('.c'):
        continue
    s = strip_comments(read('debugfs/' + f))
    dirs = {}
    def parent(expr):
        expr = expr.strip()
        if expr in dirs:
            return dirs[expr]
        if expr in ('NULL',) or expr.endswith('debugfs'):	# ml->debugfs: the root
            return ''
        return None
    for m in re.finditer(r'(\b[\w>.-]+)\s*=\s*debugfs_create_dir\(\s*("([^"]*)"|KBUILD_MODNAME)\s*,\s*([^)]*)\)'
                         r'|\bdebugfs_create_(\w+)\(\s*("([^"]*)"|[^,]+)\s*,\s*(0[0-7]+)\s*,\s*([\w>.-]+)'
                         r'|\bfault_create_debugfs_attr\(\s*"([^"]*)"\s*,\s*([\w>.-]+)', s):
        if m.group(1):
            if m.group(2) == 'KBUILD_MODNAME':
                dirs[m.group(1)] = ''
            else:
                p = parent(m.group(4))
                dirs[m.group(1)] = None if p is None else p + m.group(3) + '/'
        elif m.group(5):
            d = parent(m.group(9))
            if d is None:
                result(False, 'debugfs/%s: debugfs_create_%s() in a directory the parse cannot follow (%s)'
                       % (f, m.group(5), m.group(9)))
                continue
            if m.group(7) is not None:
                files[d + m.group(7)] = m.group(8)
            elif d == 'knobs/':
                for k in knobs:
                    files['knobs/' + k] = m.group(8)
            else:
                result(False, 'debugfs/%s: a file named by an expression (%s) outside knobs/'
                       % (f, m.group(6).strip()))
        else:
            d = parent(m.group(11))
            fault_dirs.add((d or '') + m.group(10) + '/')
plain = {p for p in files if not p.startswith('knobs/')}
result(len(plain) > 10, 'found %d debugfs files in debugfs/*.c (and %d under knobs/, %d fault_attr directories)'
       % (len(plain), len(files) - len(plain), len(fault_dirs)))

dump = os.environ.get('DUMP')
if dump:
    seen = set()
    for root, _, names in os.walk(dump):
        for n in names:
            p = os.path.relpath(os.path.join(root, n), dump)
            if p.endswith('.after'):
                continue
            seen.add(p)
    strange = sorted(p for p in seen if p not in files and
                     not any(p.startswith(d) for d in fault_dirs))
    result(bool(seen) and not strange,
           'every file of the live debugfs copy (%d in %s) is one the source parse found' % (len(seen), dump),
           ['not found in debugfs/*.c: ' + ' '.join(strange)] if strange else ())
    live_knobs = {p[len('knobs/'):] for p in seen if p.startswith('knobs/')}
    result(live_knobs == knobs, 'the live knobs/ directory holds exactly the knobs of module/knobs.c',
           ['live only: ' + ' '.join(sorted(live_knobs - knobs)),
            'source only: ' + ' '.join(sorted(knobs - live_knobs))] if live_knobs != knobs else ())
    unread = sorted(p for p, mode in files.items() if int(mode, 8) & 0o400 and p not in seen)
    result(bool(seen) and not unread, 'every readable file the source creates is in the live copy',
           ['absent: ' + ' '.join(unread)] if unread else ())

# --- what the pages say ---------------------------------------------------

def headings(text):
    """(title, level char) of every section title."""
    lines = text.split('\n')
    out = []
    for i in range(1, len(lines)):
        u, t = lines[i], lines[i - 1]
        if t.strip() and len(u) >= len(t.rstrip()) and re.fullmatch(r'([=\-~^"+])\1+', u):
            out.append(t.strip())
    return out

dbg = open(os.path.join(doc, 'debugfs.rst')).read()
named = set()
for t in headings(dbg):
    m = re.fullmatch(r'``([^`]+)``', t)
    if m:
        named.add(m.group(1))
want = plain | fault_dirs | {'knobs/'}
miss = sorted(want - named)
result(not miss, 'Documentation/debugfs.rst has a section for every debugfs file (%d)' % len(want),
       ['no section: ' + ' '.join(miss)] if miss else ())
gone = sorted(named - want)
result(not gone, 'Documentation/debugfs.rst names no debugfs file the code does not create',
       ['not created by debugfs/*.c: ' + ' '.join(gone)] if gone else ())

kn = open(os.path.join(doc, 'knobs.rst')).read()
sections, cur = {}, None
lines = kn.split('\n')
for i, l in enumerate(lines):
    if i + 1 < len(lines) and l.strip() and re.fullmatch(r'([=\-~^])\1+', lines[i + 1]) \
       and len(lines[i + 1]) >= len(l):
        cur = l.strip()
        sections.setdefault(cur, set())
    m = re.match(r'^\s*\* - ``([A-Za-z0-9_]+)=?``\s*$', l)
    if m and cur:
        sections[cur].add(m.group(1))

def table(title, have, what):
    rows = sections.get(title)
    if rows is None:
        result(False, 'Documentation/knobs.rst has a section "%s"' % title)
        return
    miss = sorted(have - rows)
    result(not miss, 'Documentation/knobs.rst, "%s": a row for every %s (%d)' % (title, what, len(have)),
           ['no row: ' + ' '.join(miss)] if miss else ())
    gone = sorted(rows - have)
    result(not gone, 'Documentation/knobs.rst, "%s": no row for a %s that is gone' % (title, what),
           ['does not exist: ' + ' '.join(gone)] if gone else ())

table('Knobs', knobs, 'knob')
table('memlab.ko load parameters', load_params, 'memlab.ko parameter')
table('memlab_bench.ko parameters', bench_params, 'memlab_bench.ko parameter')

# --- the pages as a whole -------------------------------------------------

index = open(os.path.join(doc, 'index.rst')).read()
m = re.search(r'^\.\. toctree::\n((?:[ \t]+.*\n|\n)*)', index, re.M)
entries = []
if m:
    for l in m.group(1).split('\n'):
        l = l.strip()
        if l and not l.startswith(':'):
            entries.append(l)
pages = sorted(f[:-4] for f in os.listdir(doc) if f.endswith('.rst') and f != 'index.rst')
result(sorted(entries) == pages, 'Documentation/index.rst lists every page in its toctree',
       ['toctree: ' + ' '.join(entries), 'pages: ' + ' '.join(pages)]
       if sorted(entries) != pages else ())

try:
    import docutils.core, docutils.utils
    from docutils.parsers.rst import Directive, directives, roles
    from docutils import nodes
except ImportError:
    counts[0] += 1
    print('ok %d Documentation/ pages parse without warnings (docutils) # SKIP docutils not installed' % sum(counts))
else:
    class Stub(Directive):
        has_content = True
        optional_arguments = 1
        final_argument_whitespace = True
        option_spec = None
        def run(self):
            return []
    Stub.option_spec = {k: directives.unchanged for k in ('maxdepth', 'caption', 'numbered')}
    directives.register_directive('toctree', Stub)
    directives.register_directive('kernel-doc', Stub)
    def stub_role(name, rawtext, text, lineno, inliner, options={}, content=[]):
        return [nodes.literal(rawtext, text)], []
    for r in ('doc', 'ref', 'c:func', 'c:type'):
        roles.register_local_role(r, stub_role)
    import io
    for p in ['index'] + pages:
        err = io.StringIO()
        path = os.path.join(doc, p + '.rst')
        docutils.core.publish_doctree(open(path).read(), source_path=path,
                                      settings_overrides={'report_level': 2, 'warning_stream': err,
                                                          'halt_level': 5,
                                                          'syntax_highlight': 'none'})
        msgs = [l for l in err.getvalue().split('\n') if l.strip()]
        result(not msgs, 'Documentation/%s.rst parses without warnings (docutils)' % p, msgs[:10])

print('# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0' % tuple(counts))
sys.exit(1 if failed else 0)
EOF
