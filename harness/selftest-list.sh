#!/bin/bash
# Print the words assigned to the given variables in a kselftest Makefile,
# one per line: selftest-list.sh MAKEFILE VAR...
# A simple reader: handles `VAR = ...`, `VAR += ...`, `VAR := ...` and
# backslash continuations; no make functions or variable references.
set -euo pipefail
mk=$1; shift
[ -f "$mk" ] || exit 0
sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta' "$mk" |
	awk -v vars=" $* " '
	match($0, /^[ \t]*[A-Z_]+[ \t]*[:+]?=/) {
		name = substr($0, 1, RLENGTH); sub(/[ \t]*[:+]?=$/, "", name); gsub(/[ \t]/, "", name)
		if (index(vars, " " name " ") == 0) next
		rest = substr($0, RLENGTH + 1); sub(/#.*/, "", rest)
		n = split(rest, w, /[ \t]+/)
		for (i = 1; i <= n; i++) if (w[i] != "") print w[i]
	}'
