#!/bin/bash
# Build the kernel for $TREE/$FLAVOUR into $OBJ (prepare + config + bzImage)
# and report the time taken and this build's ccache hits.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$HARNESS/prepare.sh"
"$HARNESS/config.sh"

ccache -M 5G > /dev/null
stat_of() { ccache --print-stats | awk -v k="$1" '$1==k {print $2}'; }
hits() { echo $(( $(stat_of direct_cache_hit) + $(stat_of preprocessed_cache_hit) )); }
h0=$(hits) m0=$(stat_of cache_miss) t0=$(date +%s)

log "building $TREE-$FLAVOUR kernel (-j$JOBS) in $OBJ"
blog=$OBJ/.harness-build.log
if ! kmake bzImage > "$blog" 2>&1; then
	grep -E 'error|Error' "$blog" | head -40 >&2 || true
	tail -20 "$blog" >&2
	die "kernel build failed (full log: $blog)"
fi
grep -E ': warning:' "$blog" | sort -u | head -20 >&2 || true

log "built $(kernel_image) in $(( $(date +%s) - t0 ))s;" \
    "ccache: $(( $(hits) - h0 )) hits, $(( $(stat_of cache_miss) - m0 )) misses"
