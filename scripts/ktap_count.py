#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Count the results of KTAP documents (Documentation/dev-tools/ktap.rst)
# with the kernel's own KTAP parser, tools/testing/kunit/kunit_parser.py:
# the KUnit suites' results from debugfs and every environment's
# results.tap (scripts/ktap_helpers.sh) alike.
#
# Usage: scripts/ktap_count.py --kunit-dir <linux>/tools/testing/kunit
#                              <label> <file>...
#
# What counts: the cases.  A test at the top of a document counts as one
# case if it has no subtests (a host check); if it has subtests (a KUnit
# suite, a guest's checks nested by ktap_subtest), each of its subtests
# counts as one case instead, with whatever that case nests folded into it
# (a parameterised KUnit case is one case, failing if a parameter fails).
# "ok ... # SKIP" counts as passed, and is also counted as skipped.
#
# Prints, per document, one line per suite and one for its top-level
# checks, every failed case, the document's top-level diagnostics (such as
# "# retried: ..."), and the parser's complaints; a document the parser
# finds malformed counts one failure more.  The last line is
# "tally <passed> <failed> <skipped>" for scripts/check.sh to add up.

import argparse
import io
import re
import sys

RESULT = re.compile(r'^(not ok|ok) [0-9]+( |$)')
# Diagnostics that only repeat the counts: ktap_helpers.sh's and KUnit's.
TOTALS = re.compile(r'^# (Totals: |[^ ]+: pass:[0-9]+ fail:[0-9]+ )')


def case_status(test, kp):
	"""'pass', 'skip' or 'fail' for one counted case."""
	if test.status == kp.TestStatus.SUCCESS:
		return 'pass'
	if test.status == kp.TestStatus.SKIPPED:
		return 'skip'
	return 'fail'


def count_file(path, kp, label):
	"""Parse one document; print its lines; return (passed, failed, skipped)."""
	try:
		with open(path, errors='replace') as f:
			text = f.read().splitlines()
	except OSError as e:
		print(f'{label:<6} {path}: cannot read ({e.strerror})')
		print(f'    not ok {path}: no KTAP document')
		return 0, 1, 0

	messages = io.StringIO()
	kp.stdout._output = messages
	kp.stdout._use_color = False
	main = kp.parse_test(kp.extract_tap_lines(text), 0, [], False)

	passed = failed = skipped = 0
	failures = []
	checks = [0, 0, 0]
	for top in main.subtests:
		cases = top.subtests if top.subtests else [top]
		counts = [0, 0, 0]
		for case in cases:
			status = case_status(case, kp)
			counts[0] += status in ('pass', 'skip')
			counts[1] += status == 'fail'
			counts[2] += status == 'skip'
			if status == 'fail':
				where = f'{top.name}: ' if top.subtests else ''
				failures.append(f'{where}{case.name or "(crashed: no result line)"}')
		if top.subtests:
			print(f'{label:<6} {top.name:<30} {summary(counts)}')
		else:
			checks = [a + b for a, b in zip(checks, counts)]
		passed += counts[0]
		failed += counts[1]
		skipped += counts[2]
	if sum(checks[:2]):
		print(f'{label:<6} {"checks":<30} {summary(checks)}')

	# The parser stops at the plan: results past it, or a document it
	# could not follow, must not go uncounted.
	problems = [re.sub(r'^\[..:..:..\] ', '', l) for l in messages.getvalue().splitlines()
		    if '[ERROR]' in l]
	n_top = sum(1 for l in text if RESULT.match(l))
	if n_top != len(main.subtests):
		problems.append(f'{n_top} top-level result lines, the parser followed {len(main.subtests)}')
	if not main.subtests:
		problems.append('no results')
	for f in failures:
		print(f'    not ok {f}')
	for l in text:
		if (l.startswith('# ') and not TOTALS.match(l)) or l.startswith('Bail out!'):
			print(f'    {l}')
	if problems:
		failed += 1
		print(f'    not ok {path}: malformed KTAP:')
		for p in problems:
			print(f'        {p}')
	return passed, failed, skipped


def summary(counts):
	s = f'{counts[0]} passed, {counts[1]} failed'
	if counts[2]:
		s += f' ({counts[2]} of the passed skipped)'
	return s


def main():
	ap = argparse.ArgumentParser(description='count KTAP results with kunit_parser')
	ap.add_argument('--kunit-dir', required=True,
			help='tools/testing/kunit of a Linux source tree')
	ap.add_argument('label')
	ap.add_argument('files', nargs='*')
	args = ap.parse_args()
	sys.path.insert(0, args.kunit_dir)
	import kunit_parser as kp  # pylint: disable=import-outside-toplevel

	total = [0, 0, 0]
	for path in args.files:
		total = [a + b for a, b in zip(total, count_file(path, kp, args.label))]
	print(f'tally {total[0]} {total[1]} {total[2]}')


if __name__ == '__main__':
	main()
