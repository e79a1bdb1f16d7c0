#!/bin/bash
# Look for kernel splats in a console log: splat-scan.sh CONSOLE_LOG
# Prints each match with a little context and the count on the last line;
# exits 1 if any. Lines matching harness/splat-allowlist are ignored.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
log=$1

patterns=(
	'BUG:' 'WARNING:' 'Oops' 'general protection fault' 'KASAN' 'UBSAN'
	'possible circular locking' 'possible recursive locking'
	'inconsistent lock state' 'suspicious RCU usage' 'INFO: lockdep is turned off'
	'turning off the locking correctness validator'
	'INFO: task .* blocked for more than'
	'kmemleak: .* new suspected memory leaks' 'unreferenced object'
	'Kernel panic' 'list_add corruption' 'list_del corruption' 'refcount_t:'
	'detected stalls on CPUs' 'soft lockup' 'hard LOCKUP' 'Call Trace:'
)
allow=$(grep -v -e '^#' -e '^$' "$here/splat-allowlist" 2>/dev/null || true)

matches() {
	local args=() p
	for p in "${patterns[@]}"; do args+=(-e "$p"); done
	grep -n "${args[@]}" "$log" |
		if [ -n "$allow" ]; then grep -v -E -f <(echo "$allow"); else cat; fi
}

found=$(matches || true)
count=0
[ -n "$found" ] && count=$(echo "$found" | wc -l)
if [ "$count" -gt 0 ]; then
	echo "splats in $log:"
	# Context: the matching lines and the 6 lines after each.
	echo "$found" | cut -d: -f1 | while read -r n; do
		sed -n "${n},$((n + 6))p" "$log" | sed 's/^/  | /'
		echo "  ---"
	done | head -200
fi
echo "splat lines: $count"
[ "$count" = 0 ]
