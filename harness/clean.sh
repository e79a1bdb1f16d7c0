#!/bin/bash
# clean.sh: remove build outputs (objects, runs, helpers, check logs) but
# keep the extracted sources; clean.sh all: remove the whole build folder.
# The ccache cache is shared and left alone.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ -d "$BUILD" ] || exit 0
if [ "${1:-}" = all ]; then
	flock "$LOCK" rm -rf "$BUILD"/obj "$BUILD"/src
	rm -rf "$BUILD"
else
	flock "$LOCK" rm -rf "$BUILD"/obj
	rm -rf "$BUILD"/runs "$BUILD"/selftests "$BUILD"/check
fi
