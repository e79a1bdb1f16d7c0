#!/bin/bash
# Guest side: run the DAMON kselftests listed in TEST_PROGS (then
# TEST_GEN_PROGS) of $SELFTEST_DIR/Makefile, one at a time with a timeout,
# and write TAP to $RESULTS/kselftest.tap; each test's output goes to
# $RESULTS/kselftests/<name>.log.
# Tests run with cwd = a writable copy of the selftests folder in /tmp that
# also holds the host-built helpers; $DAMON_SELFTEST_BIN points at them too.
set -uo pipefail
here=$(dirname "$0")
: "${SELFTEST_DIR:?}" "${RESULTS:?}" "${DAMON_SELFTEST_BIN:?}"
tap=$RESULTS/kselftest.tap
logs=$RESULTS/kselftests
mkdir -p "$logs"

mk=$SELFTEST_DIR/Makefile
mapfile -t progs < <("$here/selftest-list.sh" "$mk" TEST_PROGS)
mapfile -t gens < <("$here/selftest-list.sh" "$mk" TEST_GEN_PROGS)
tests=("${progs[@]}" "${gens[@]}")

work=/tmp/damon-selftests
rm -rf "$work"; mkdir -p "$work"
[ -d "$SELFTEST_DIR" ] && cp -a "$SELFTEST_DIR/." "$work/"
[ -d "$DAMON_SELFTEST_BIN" ] && cp -a "$DAMON_SELFTEST_BIN/." "$work/"
export PATH=$DAMON_SELFTEST_BIN:$PATH

# Per-test timeout: `timeout=N` in the folder's `settings` file, as in
# kselftest, else SELFTEST_TIMEOUT, else 300 s.
limit=$(sed -n 's/^timeout=\([0-9]*\)$/\1/p' "$work/settings" 2>/dev/null)
limit=${limit:-${SELFTEST_TIMEOUT:-300}}

{ echo "TAP version 13"; echo "1..${#tests[@]}"; } > "$tap"
echo "damon selftests: ${#tests[@]} to run (timeout ${limit}s each)"
n=0
for t in "${tests[@]}"; do
	n=$((n + 1))
	log=$logs/$t.log
	export DAMON_TEST_RESULTS=$logs/$t.d
	mkdir -p "$DAMON_TEST_RESULTS"
	t0=$(date +%s)
	(cd "$work" && timeout -k 5 "$limit" "./$t") > "$log" 2>&1 < /dev/null
	rc=$?
	secs=$(( $(date +%s) - t0 ))
	rmdir "$DAMON_TEST_RESULTS" 2>/dev/null
	case $rc in
	0) line="ok $n $t" ;;
	4) line="ok $n $t # SKIP" ;;
	124|137) line="not ok $n $t # TIMEOUT ${limit}s" ;;
	*) line="not ok $n $t # exit=$rc" ;;
	esac
	echo "$line" >> "$tap"
	echo "[$n/${#tests[@]}] $line (${secs}s)"
	[ "$rc" = 0 ] || [ "$rc" = 4 ] || sed 's/^/#   /' "$log" | tail -30
done
exit 0
