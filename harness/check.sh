#!/bin/bash
# Static gates on our DAMON code; prints a findings count per gate and
# fails if any gate has findings:
#   checkpatch  scripts/checkpatch.pl --strict (warnings, errors, checks)
#   w1          W=1 build of mm/damon/ (compiler warnings and errors)
#   sparse      C=2 build of mm/damon/ (every file checked)
#   kernel-doc  scripts/kernel-doc -none -Wall on damon.h and mm/damon/*.c
#   clean-room  ../shared/tools/clean-room-check
# The builds use their own object dir (build/obj/ours-check, prod config).
set -euo pipefail
[ -z "${BASELINE:-}" ] || [ "$BASELINE" = 0 ] ||
	{ echo "check: gates apply to our code only (no BASELINE=1)" >&2; exit 2; }
export FLAVOUR=prod
. "$(dirname "$0")/lib.sh"
export HARNESS_OBJ=$BUILD/obj/ours-check
OBJ=$HARNESS_OBJ
out=$BUILD/check
mkdir -p "$out"

"$HARNESS/deps.sh"
"$HARNESS/prepare.sh"
"$HARNESS/config.sh" 2>&1 | sed 's/^/  /'
kmake prepare > "$out/prepare.log" 2>&1 || { tail -20 "$out/prepare.log"; die "prepare failed"; }

cd "$TOP"
ours=()
for f in include/linux/damon.h include/trace/events/damon.h mm/damon/*.[ch] \
	 mm/damon/*/*.[ch] tools/testing/selftests/damon/*.c; do
	[ -f "$f" ] && ours+=("$f")
done
failed=0

# gate NAME LOGFILE REGEX [LINES_AFTER]: count the finding lines of a
# gate's log and show them (with LINES_AFTER lines of context).
gate() {
	local n
	n=$(grep -c -E "$3" "$2" || true)
	[ "$n" = 0 ] || { grep -A"${4:-0}" -E "$3" "$2" | head -60 | sed 's/^/    /'; failed=1; }
	printf 'check: %-11s %s finding(s)   (log: %s)\n' "$1" "$n" "$2"
}

if [ ${#ours[@]} -gt 0 ]; then
	"$SRC/scripts/checkpatch.pl" --strict --no-tree --show-types -f "${ours[@]}" \
		> "$out/checkpatch.log" 2>&1 || true
else
	echo "no files" > "$out/checkpatch.log"
fi
gate checkpatch "$out/checkpatch.log" '^(WARNING|ERROR|CHECK):' 1

# Delete the objects so that every file is compiled (and warned about).
find "$OBJ/mm/damon" -name '*.o' -delete 2>/dev/null || true
kmake W=1 mm/damon/ > "$out/w1.log" 2>&1 || echo "error: the W=1 build failed" >> "$out/w1.log"
# Only diagnostics in our files count (base headers are not ours to fix).
mine='(^|/)(mm/damon/|include/linux/damon\.h|include/trace/events/damon\.h)[^ :]*:[0-9]+.*(warning|error):|^error: the'
gate w1 "$out/w1.log" "$mine"

kmake W=1 C=2 mm/damon/ > "$out/sparse.log" 2>&1 || echo "error: the sparse build failed" >> "$out/sparse.log"
gate sparse "$out/sparse.log" "$mine"

docs=(); for f in include/linux/damon.h mm/damon/*.c; do [ -f "$f" ] && docs+=("$f"); done
if [ ${#docs[@]} -gt 0 ]; then
	"$SRC/scripts/kernel-doc" -none -Wall "${docs[@]}" > "$out/kernel-doc.log" 2>&1 || true
else
	: > "$out/kernel-doc.log"
fi
gate kernel-doc "$out/kernel-doc.log" '(warning|error|Warning|Error)'

crc=0
"$TOP/../shared/tools/clean-room-check" "$TOP" > "$out/clean-room.log" 2>&1 || crc=$?
[ "$crc" != 2 ] || echo "ERROR: clean-room-check could not check" >> "$out/clean-room.log"
gate clean-room "$out/clean-room.log" '^(COPIED|ERROR)'

if [ "$failed" = 0 ]; then echo "check: all gates clean"; else echo "check: FAILED"; exit 1; fi
