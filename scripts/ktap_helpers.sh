# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# memlab's KTAP helpers, in the style of the kernel's
# tools/testing/selftests/kselftest/ktap_helpers.sh (same function names):
# every check of every environment, in a guest or on the host, reports its
# result through these, so that each environment leaves one KTAP document
# (Documentation/dev-tools/ktap.rst) and scripts/check.sh counts them all,
# and the KUnit suites' KTAP, with one parser (scripts/ktap_count.py).
#
#   ktap_print_header            "KTAP version 1"
#   ktap_set_plan <n>            "1..<n>", when the number is known up front
#   ktap_print_msg <text>        "# <text>": diagnostics, one line
#   ktap_test_pass <desc>        "ok <n> <desc>"
#   ktap_test_fail <desc>        "not ok <n> <desc>"
#   ktap_test_skip <desc> [why]  "ok <n> <desc> # SKIP <why>"
#   ktap_test_result <desc> <command...>
#                                pass if the command succeeds, else fail;
#                                its output is discarded (stdout may be the
#                                KTAP stream)
#   ktap_subtest <name> <file>   another program's KTAP output (a guest's
#                                check.sh) nested as one subtest
#   ktap_subtest_run <name> <file> <command...>
#                                run a program that prints KTAP (stdout to
#                                <file>) and nest it; should it fail without
#                                a "not ok", one is added for its status
#   ktap_resume <file>           carry on a document in <file>
#   ktap_print_totals            "# Totals: pass:.. fail:.. ... skip:.."
#   ktap_finished                totals, the plan if none was set (in a
#                                file), exit 0 if nothing failed, else 1
#   die <message>                "Bail out! <message>" if a document was
#                                started, "[memlab] error: <message>" on
#                                stderr, exit 1: the one way a script gives
#                                up (it replaces lib.sh's die, same text)
#
# Results go to stdout, or appended to the file $KTAP_OUT if it is set.
# A description may hold anything but "#" (KTAP's directive separator) and
# a newline: a "#" becomes "_", a newline a blank.
#
# The guest's check.sh cannot know its plan up front (it checks what
# debugfs lists): it prints no plan, which KTAP allows; the host nests its
# output with ktap_subtest, which gives the nested document the plan.  Host
# scripts append results to their file as they go and ktap_finished puts
# the plan after the version line.  A guest's check.sh exits 1 when a check
# failed (ktap_finished), which the host does not count again: it judges
# the run finished by its "# Totals" line and the absence of "Bail out!".
#
# Error settings: every host script (bash) "set -euo pipefail" and dies
# with die; every guest script (POSIX sh: dash under UML, whose root is the
# host's, busybox ash under QEMU) "set -u" only, and dies with die too.  dash has no
# pipefail, and in a guest it would fail a check such as "dmesg | grep -q"
# whenever grep's early exit kills dmesg with SIGPIPE; -e would end the
# guest's run at the first check written "n=$(grep -c ...)" that finds
# nothing, where a failed check must be a "not ok" and the run go on.
#
# POSIX sh: sourced by bash on the host, by dash and busybox ash in guests.

KTAP_TESTNO=1
KTAP_CNT_PASS=0
KTAP_CNT_FAIL=0
KTAP_CNT_SKIP=0
KTAP_PLAN=
KTAP_STARTED=
KTAP_OUT="${KTAP_OUT:-}"

KSFT_PASS=0
KSFT_FAIL=1

KTAP_NL='
'

# ktap_print <line>: one line to the document.
ktap_print() {
	if [ -n "$KTAP_OUT" ]; then
		printf '%s\n' "$*" >>"$KTAP_OUT"
	else
		printf '%s\n' "$*"
	fi
}

# ktap_clean <text>: <text> fit for a result line (no "#", no newline).
ktap_clean() {
	case "$*" in
	*'#'* | *"$KTAP_NL"*) printf '%s' "$*" | tr '#\n' '_ ' ;;
	*) printf '%s' "$*" ;;
	esac
}

ktap_print_header() {
	KTAP_STARTED=1
	ktap_print "KTAP version 1"
}

ktap_set_plan() {
	KTAP_PLAN="$1"
	ktap_print "1..$1"
}

ktap_print_msg() {
	ktap_print "# $(printf '%s' "$*" | tr '\n' ' ')"
}

ktap_skip_all() {
	KTAP_PLAN=0
	ktap_print "1..0 # SKIP $(ktap_clean "$*")"
}

__ktap_test() { # __ktap_test <ok|not ok> <description> [directive]
	if [ -n "${3:-}" ]; then
		ktap_print "$1 $KTAP_TESTNO $(ktap_clean "$2") # $(ktap_clean "$3")"
	else
		ktap_print "$1 $KTAP_TESTNO $(ktap_clean "$2")"
	fi
	KTAP_TESTNO=$((KTAP_TESTNO + 1))
}

ktap_test_pass() {
	__ktap_test ok "$1"
	KTAP_CNT_PASS=$((KTAP_CNT_PASS + 1))
}

ktap_test_fail() {
	__ktap_test "not ok" "$1"
	KTAP_CNT_FAIL=$((KTAP_CNT_FAIL + 1))
}

ktap_test_skip() {
	__ktap_test ok "$1" "SKIP${2:+ $2}"
	KTAP_CNT_SKIP=$((KTAP_CNT_SKIP + 1))
}

ktap_test_result() {
	__ktap_desc="$1"
	shift
	if "$@" >/dev/null 2>&1; then
		ktap_test_pass "$__ktap_desc"
	else
		ktap_test_fail "$__ktap_desc"
	fi
}

# ktap_subtest <name> <file>: the KTAP output in <file> as one subtest,
# its lines indented by four spaces after "KTAP version 1", "# Subtest:
# <name>" and a plan (its own, else the number of its results), then
# "ok <n> <name>", or "not ok" if any of its results failed, it has none,
# or it bailed out.  Lines that are not KTAP become diagnostics.
ktap_subtest() {
	__ktap_name="$(ktap_clean "$1")"
	__ktap_rc=0
	if [ -n "$KTAP_OUT" ]; then
		__ktap_nest "$__ktap_name" "$2" >>"$KTAP_OUT" || __ktap_rc=$?
	else
		__ktap_nest "$__ktap_name" "$2" || __ktap_rc=$?
	fi
	if [ "$__ktap_rc" -eq 0 ]; then
		ktap_test_pass "$__ktap_name"
	else
		ktap_test_fail "$__ktap_name"
	fi
}

__ktap_nest() { # __ktap_nest <name> <file>: status 1 if the subtest failed
	awk -v name="$1" '
		/^KTAP version [0-9]+$/ && !seen { seen = 1; next }
		/^1\.\.[0-9]+/ && !plan { plan = $0; next }
		/^(not )?ok [0-9]+( |$)/ { n++; if (/^not /) bad = 1; body[++b] = $0; next }
		/^Bail out!/ { bad = 1; body[++b] = "# " $0; next }
		/^(#|    |$)/ { body[++b] = $0; next }
		{ body[++b] = "# " $0 }
		END {
			print "    KTAP version 1"
			print "    # Subtest: " name
			print "    " (plan != "" ? plan : "1.." n)
			for (i = 1; i <= b; i++)
				print (body[i] == "" ? "" : "    " body[i])
			exit bad || n == 0
		}' "$2"
}

ktap_subtest_run() {
	__ktap_name="$1" __ktap_file="$2"
	shift 2
	__ktap_rc=0
	"$@" >"$__ktap_file" || __ktap_rc=$?
	if [ "$__ktap_rc" -ne 0 ] && ! grep -qE '^not ok [0-9]+( |$)' "$__ktap_file"; then
		__ktap_n=$(grep -cE '^(not )?ok [0-9]+( |$)' "$__ktap_file" || true)
		printf 'not ok %d %s: exit status %d\n' $((__ktap_n + 1)) \
			"$(ktap_clean "$__ktap_name")" "$__ktap_rc" >>"$__ktap_file"
	fi
	ktap_subtest "$__ktap_name" "$__ktap_file"
}

# ktap_resume <file>: go on with the document in <file> (results appended
# after the last one, numbered on); a new one if <file> is empty or absent.
ktap_resume() {
	KTAP_OUT="$1"
	KTAP_STARTED=1
	if [ ! -s "$KTAP_OUT" ]; then
		: >"$KTAP_OUT"
		ktap_print_header
		return 0
	fi
	KTAP_CNT_PASS=$(grep -cE '^ok [0-9]+( |$)' "$KTAP_OUT" || true)
	KTAP_CNT_FAIL=$(grep -cE '^not ok [0-9]+( |$)' "$KTAP_OUT" || true)
	KTAP_TESTNO=$((KTAP_CNT_PASS + KTAP_CNT_FAIL + 1))
	KTAP_CNT_SKIP=$(grep -cE '^ok [0-9]+ .*# SKIP' "$KTAP_OUT" || true)
	KTAP_CNT_PASS=$((KTAP_CNT_PASS - KTAP_CNT_SKIP))
	KTAP_PLAN=
}

ktap_print_totals() {
	ktap_print "# Totals: pass:$KTAP_CNT_PASS fail:$KTAP_CNT_FAIL xfail:0 xpass:0 skip:$KTAP_CNT_SKIP error:0"
}

# __ktap_plan_file: write the plan (the number of results) after the
# version line of $KTAP_OUT, in place of any plan the file had.
__ktap_plan_file() {
	awk -v n=$((KTAP_TESTNO - 1)) '
		NR == 1 { print; print "1.." n; next }
		/^1\.\.[0-9]+/ { next }
		{ print }' "$KTAP_OUT" >"$KTAP_OUT.plan" && mv "$KTAP_OUT.plan" "$KTAP_OUT"
}

ktap_finished() {
	ktap_print_totals
	[ -z "$KTAP_OUT" ] || [ -n "$KTAP_PLAN" ] || __ktap_plan_file
	if [ "$KTAP_CNT_FAIL" -eq 0 ]; then
		exit "$KSFT_PASS"
	fi
	exit "$KSFT_FAIL"
}

die() {
	[ -z "$KTAP_STARTED" ] || ktap_print "Bail out! $(printf '%s' "$*" | tr '\n' ' ')"
	printf '[memlab] error: %s\n' "$*" >&2
	exit "$KSFT_FAIL"
}

ktap_exit_fail_msg() {
	die "$@"
}
