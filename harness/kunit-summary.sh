#!/bin/bash
# Parse the KUnit results in a run's console with the base tree's own
# parser: kunit-summary.sh RUN_DIR
# KUnit suites built into the kernel run before init, so only the console
# up to guest-init's "init started" marker is parsed (RUN_DIR/kunit.log).
# Writes RUN_DIR/kunit.txt (parser output) and RUN_DIR/kunit.counts
# ("passed failed skipped"; crashed cases and parse errors count as failed).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
run=$(cd "$1" && pwd)

sed '/harness-init: init started/q' "$run/console.log" > "$run/kunit.log"
python3 "$BUILD/src/base/tools/testing/kunit/kunit.py" parse "$run/kunit.log" \
	> "$run/kunit.txt" 2>&1 || true
sed -e 's/\x1b\[[0-9;]*m//g' -i "$run/kunit.txt"

# "Testing complete. Ran N tests: passed: P, failed: F, skipped: S, ..."
count() {
	sed -n 's/.*Testing complete\. Ran .*tests*:\(.*\)/\1/p' "$run/kunit.txt" |
		{ grep -o "$1: [0-9]*" || true; } | awk '{s += $2} END {print s + 0}'
}
passed=$(count passed) skipped=$(count skipped)
failed=$(( $(count failed) + $(count crashed) + $(count errors) ))
echo "$passed $failed $skipped" > "$run/kunit.counts"

# Show the suites' results and any failure details, not the whole log.
grep -E '\[(PASSED|FAILED|SKIPPED|CRASHED)\]|=====|Testing complete|ERROR|# ' \
	"$run/kunit.txt" | sed 's/^\[[0-9:]*\] //' | grep -v '^=* *$' | head -150 || true
echo "kunit: $passed passed, $failed failed, $skipped skipped"
