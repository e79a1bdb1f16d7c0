#!/bin/bash
# The harness's front door: run.sh test|kunit|vm|demo (see README.md).
# Builds the kernel, boots one guest that runs a command, then reports.
set -euo pipefail
mode=${1:?usage: run.sh test|kunit|vm|demo}
[ "$mode" = demo ] && export FLAVOUR=prod
. "$(dirname "$0")/lib.sh"

case $mode in
test)  TIMEOUT=${TIMEOUT:-1200}; cmd="$HARNESS/run-kselftests.sh" ;;
kunit) TIMEOUT=${TIMEOUT:-600};  cmd=true ;;
vm)    TIMEOUT=${TIMEOUT:-600};  cmd=${CMD:?make vm needs CMD=\'...\'} ;;
demo)  TIMEOUT=${TIMEOUT:-600};  cmd="$HARNESS/demo.sh" ;;
*) die "unknown mode $mode" ;;
esac
export TIMEOUT
# KUnit runs at boot in the test flavour; the prod one must be asked to.
[ "$FLAVOUR" = prod ] && [ "$mode" != vm ] && export KARGS="${KARGS:-} kunit.enable=1"

# test/kunit: a failure before the tests ran still ends on a summary line.
summarized=0
trap '[ $? = 0 ] || [ $summarized = 1 ] || case $mode in test|kunit)
	echo "harness: $mode did not get to run its tests"; echo "0 passed, 1 failed";; esac' EXIT

t0=$(date +%s)
"$HARNESS/deps.sh"
"$HARNESS/build.sh"
case $mode in test|demo) "$HARNESS/selftests-build.sh" ;; esac

run=$BUILD/runs/$mode-$TREE-$FLAVOUR-$(date +%Y%m%d-%H%M%S)
mkdir -p "$run"
ln -sfn "$run" "$BUILD/runs/latest"
# Keep the 40 newest run dirs.
ls -1dt "$BUILD"/runs/*-*-*/ | tail -n +41 | xargs -r rm -rf
printf '%s\n' "$cmd" > "$run/cmd"
{
	printf 'export %s=%q\n' FLAVOUR "$FLAVOUR" RESULTS /run/results \
		SELFTEST_DIR "$TOP/tools/testing/selftests/damon" \
		DAMON_SELFTEST_BIN "$BUILD/selftests"
	printf 'export DEMO_PNG=%q\n' "${DEMO_PNG:-}"
	printf 'export KMEMLEAK=%d\n' "$([ "$FLAVOUR" = test ] && echo 1 || echo 0)"
} > "$run/env"

booted=1
"$HARNESS/boot.sh" "$run" || booted=0
rc=$(cat "$run/rc" 2>/dev/null || echo none)

summary_vm() {
	cat "$run/output" 2>/dev/null || true
	"$HARNESS/splat-scan.sh" "$run/console.log" >&2 || log "WARNING: splats in the console"
	log "command exit status: $rc (run dir: $run)"
	[ "$rc" != none ] || exit 1
	exit "$rc"
}

# Counts "passed failed skipped" from the kselftest TAP; a test the plan
# announced but that has no result line counts as failed.
kselftest_counts() {
	local tap=$run/kselftest.tap plan ok skip notok missing
	[ -f "$tap" ] || { echo "0 1 0"; return; }
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$tap")
	skip=$(grep -c '^ok .*# SKIP' "$tap" || true)
	ok=$(( $(grep -c '^ok ' "$tap" || true) - skip ))
	notok=$(grep -c '^not ok ' "$tap" || true)
	missing=$(( ${plan:-0} - ok - skip - notok ))
	[ "$missing" -gt 0 ] || missing=0
	echo "$ok $(( notok + missing )) $skip"
}

case $mode in
vm) summary_vm ;;
demo)	"$HARNESS/kunit-summary.sh" "$run"; echo "--- demo output ---"
	if [ -n "${DEMO_PNG:-}" ] && [ -f "$run/heatmap.tsv" ]; then
		"$HARNESS/heatmap-png.py" "$run/heatmap.tsv" "$run/heatmap.png" &&
			log "heatmap PNG: $run/heatmap.png"
	fi
	summary_vm ;;
esac

bad=0
"$HARNESS/kunit-summary.sh" "$run"
read -r kp kf ks < "$run/kunit.counts"
sp=0 sf=0 ss=0
if [ "$mode" = test ]; then
	echo "--- kselftests ---"
	cat "$run/output" 2>/dev/null || true
	read -r sp sf ss < <(kselftest_counts)
	echo "kselftests: $sp passed, $sf failed, $ss skipped"
	[ "$rc" = 0 ] || { log "FAIL: the kselftest runner exited with status $rc"; bad=1; }
fi
echo "--- splat scan ---"
"$HARNESS/splat-scan.sh" "$run/console.log" || { log "FAIL: kernel splats in the console"; bad=1; }
[ "$booted" = 1 ] || { log "FAIL: the guest did not finish cleanly"; bad=1; }
passed=$((kp + sp)) failed=$((kf + sf))
[ $((passed + failed)) -gt 0 ] || { log "FAIL: no test ran"; bad=1; }
[ "$failed" = 0 ] || bad=1
log "run dir: $run; total $(( $(date +%s) - t0 ))s"
echo "skipped: $((ks + ss))"
summarized=1
echo "$passed passed, $failed failed"
exit "$bad"
