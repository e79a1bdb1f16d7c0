# shellcheck shell=bash disable=SC2034
# Shared settings for the harness scripts; sourced, never run.
# Everything is derived from a few switches given by the Makefile:
#   BASELINE=1  use the unmodified base tree instead of ours
#   FLAVOUR     test (debug options, KUnit at boot) or prod
#   V=1         verbose (stream the guest console)

HARNESS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(dirname "$HARNESS")
BUILD=$TOP/build
LOCK=$BUILD/.build.lock

BASELINE=${BASELINE:-}
FLAVOUR=${FLAVOUR:-test}
case "$FLAVOUR" in test|prod) ;; *) echo "FLAVOUR must be test or prod" >&2; exit 2;; esac
if [ -n "$BASELINE" ] && [ "$BASELINE" != 0 ]; then TREE=base; else TREE=ours; fi
SRC=$BUILD/src/$TREE
OBJ=${HARNESS_OBJ:-$BUILD/obj/$TREE-$FLAVOUR}
JOBS=${JOBS:-$(nproc)}

# Paths that make up DAMON: deleted from the base tree, replaced by ours.
DAMON_PATHS=(
	mm/damon
	include/linux/damon.h
	include/trace/events/damon.h
	tools/testing/selftests/damon
	Documentation/admin-guide/mm/damon
	Documentation/mm/damon
	Documentation/ABI/testing/sysfs-kernel-mm-damon
	samples/damon
)

# Our top-level make passes its own command-line variables (V=1, CMD=...)
# through MAKEFLAGS; the kernel's make must not see them.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

# Reproducible build identity keeps ccache hits for untouched objects.
export KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2025'
export KBUILD_BUILD_USER=damon
export KBUILD_BUILD_HOST=harness
export KBUILD_BUILD_VERSION=1

log() { echo "harness: $*" >&2; }
die() { echo "harness: ERROR: $*" >&2; exit 1; }

# Run the kernel's make on tree $1 into object dir $2; one build at a time.
kmake_in() {
	local src=$1 obj=$2; shift 2
	mkdir -p "$BUILD" "$obj"
	flock "$LOCK" make -C "$src" O="$obj" -j"$JOBS" \
		CC="ccache gcc" HOSTCC="ccache gcc" "$@"
}
kmake() { kmake_in "$SRC" "$OBJ" "$@"; }

kernel_image() { echo "$OBJ/arch/x86/boot/bzImage"; }
