#!/bin/bash
# Compile the C helpers of our DAMON kselftests on the host, into
# build/selftests/ (the guest sees it as $DAMON_SELFTEST_BIN).
# Each name in TEST_GEN_FILES / TEST_GEN_PROGS is built from <name>.c with
# gcc, plus any CFLAGS / LDLIBS words of the folder's Makefile.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dir=$TOP/tools/testing/selftests/damon
out=$BUILD/selftests
mkdir -p "$out"
list() { "$HARNESS/selftest-list.sh" "$dir/Makefile" "$@"; }
mapfile -t extra_cflags < <(list CFLAGS)
mapfile -t ldlibs < <(list LDLIBS)

n=0
for name in $(list TEST_GEN_FILES TEST_GEN_PROGS); do
	src=$dir/$name.c
	[ -f "$src" ] || die "selftests: $name is listed but $src is missing"
	n=$((n + 1))
	[ "$out/$name" -nt "$src" ] && continue
	gcc -D_GNU_SOURCE -O2 -Wall -pthread "${extra_cflags[@]}" \
		-o "$out/$name" "$src" "${ldlibs[@]}" ||
		die "selftests: cannot build $name"
done
log "selftests: $n helper(s) in $out"
