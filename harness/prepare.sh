#!/bin/bash
# Prepare the source trees under build/src/:
#   base  the pristine base kernel, extracted once from Debian's tarball
#   ours  a copy of base with every DAMON path replaced by this repo's,
#         re-overlaid on each run (unchanged files keep their mtimes so
#         kbuild rebuilds only what changed)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tarball() {
	local t
	t=$(dpkg -L linux-source-6.12 2>/dev/null | grep -m1 'linux-source-6.12.tar.xz$' || true)
	echo "${t:-/usr/src/linux-source-6.12.tar.xz}"
}

tree_version() {
	awk -F' *= *' '$1=="VERSION"{v=$2} $1=="PATCHLEVEL"{p=$2}
		$1=="SUBLEVEL"{s=$2} $1=="EXTRAVERSION"{e=$2}
		END{print v"."p"."s e}' "$1/Makefile"
}

extract_base() {
	local base=$BUILD/src/base tmp=$BUILD/src/.extract tb
	[ -f "$base/.harness-extracted" ] && return
	tb=$(tarball)
	[ -f "$tb" ] || die "$tb missing (apt-get install linux-source-6.12)"
	log "extracting $tb"
	rm -rf "$tmp" "$base"
	mkdir -p "$tmp"
	tar -xf "$tb" -C "$tmp"
	mv "$tmp"/linux-source-6.12 "$base"
	rmdir "$tmp"
	echo "$tb" > "$base/.harness-extracted"
}

create_ours() {
	local ours=$BUILD/src/ours p
	[ -f "$ours/.harness-copied" ] && return
	log "creating the ours tree"
	rm -rf "$ours"
	cp -a "$BUILD/src/base" "$ours"
	for p in "${DAMON_PATHS[@]}"; do rm -rf "${ours:?}/$p"; done
	touch "$ours/.harness-copied"
}

# Mirror one repo path into the ours tree. A path the repo lacks is removed;
# if the base tree has it as a folder, an empty folder stands in for it.
overlay() {
	local p=$1 ours=$BUILD/src/ours
	if [ -d "$TOP/$p" ]; then
		mkdir -p "$ours/$p"
		rsync -rlp --checksum --delete "$TOP/$p/" "$ours/$p/"
	elif [ -f "$TOP/$p" ]; then
		mkdir -p "$(dirname "$ours/$p")"
		rsync -lp --checksum "$TOP/$p" "$ours/$p"
	else
		rm -rf "${ours:?}/$p"
		[ ! -d "$BUILD/src/base/$p" ] || mkdir -p "$ours/$p"
	fi
}

mkdir -p "$BUILD/src"
extract_base
version=$(tree_version "$BUILD/src/base")
log "base kernel $version (tested: $(cat "$HARNESS/base-version"))"
[ "$version" = "$(cat "$HARNESS/base-version")" ] ||
	log "WARNING: base kernel differs from harness/base-version"
if [ "$TREE" = ours ]; then
	create_ours
	for p in "${DAMON_PATHS[@]}"; do overlay "$p"; done
fi
