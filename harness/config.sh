#!/bin/bash
# Configure $OBJ: allnoconfig + the kernel's tiny configs + our fragments,
# merged with merge_config.sh -n, then olddefconfig; then check that every
# requested value landed (merge_config silently drops unmet dependencies).
# Skipped when neither the fragments nor the tree changed since last time.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

FRAGMENTS=(
	"$SRC/kernel/configs/tiny-base.config"
	"$SRC/kernel/configs/tiny.config"
	"$SRC/arch/x86/configs/tiny.config"
	"$HARNESS/config/guest.config"
	"$TOP/Kconfig.fragment"
	"$HARNESS/config/$FLAVOUR.config"
)

# The DAMON symbols our mm/damon/Kconfig defines (never look at upstream's).
our_damon_symbols() {
	[ -f "$TOP/mm/damon/Kconfig" ] || return 0
	sed -n 's/^config \(DAMON[A-Z0-9_]*\).*/\1/p' "$TOP/mm/damon/Kconfig"
}

# Print "SYMBOL VALUE" for the final request of each symbol (last one wins).
requested() {
	sed -n -e 's/^CONFIG_\([A-Za-z0-9_]*\)=\(.*\)/\1 \2/p' \
	       -e 's/^# CONFIG_\([A-Za-z0-9_]*\) is not set/\1 n/p' "$@" |
		awk '{v[$1]=$2; if (!($1 in o)) o[$1]=n++} END {for (s in o) print s, v[s]}' |
		sort
}

# Only our own fragments are checked: the kernel's tiny configs also name
# symbols of other architectures (e.g. NOHIGHMEM).
ours_only() {
	local own
	own=$(requested "${FRAGMENTS[@]:3}" | cut -d' ' -f1 | tr '\n' ' ')
	while read -r sym want; do
		[[ " $own " == *" $sym "* ]] && echo "$sym $want"
	done
	return 0
}

verify() {
	local sym want have missing=() ours
	ours=" $(our_damon_symbols | tr '\n' ' ') "
	while read -r sym want; do
		have=$(sed -n "s/^CONFIG_$sym=\(.*\)/\1/p" "$OBJ/.config")
		[ "$want" = n ] && { [ "${have:-n}" = n ] || missing+=("$sym=n(have $have)"); continue; }
		[ "$have" = "$want" ] && continue
		if [[ $sym == DAMON* ]]; then
			if [ "$TREE" = base ]; then
				log "note: CONFIG_$sym=$want not in baseline .config (not checked)"
				continue
			elif [[ $ours != *" $sym "* ]]; then
				log "WARNING: CONFIG_$sym not defined by our mm/damon/Kconfig yet"
				continue
			fi
		fi
		missing+=("$sym=$want(have ${have:-unset})")
	done < <(requested "${FRAGMENTS[@]}" | ours_only)
	if [ ${#missing[@]} -gt 0 ]; then
		log "ERROR: requested config values that did not land in $OBJ/.config:"
		printf '  CONFIG_%s\n' "${missing[@]}" >&2
		exit 1
	fi
}

stamp=$OBJ/.harness-config
newer_kconfig() {
	[ -f "$stamp" ] || return 0
	find "$SRC" -name 'Kconfig*' -newer "$stamp" -print -quit
}
hash=$( { cat "${FRAGMENTS[@]}"; newer_kconfig; } | sha1sum)
if [ -f "$OBJ/.config" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$hash" ]; then
	exit 0
fi
log "configuring $OBJ"
mkdir -p "$OBJ"
(cd "$SRC" && flock "$LOCK" scripts/kconfig/merge_config.sh -n -O "$OBJ" "${FRAGMENTS[@]}") \
	> "$OBJ/.harness-merge.log" 2>&1 || { cat "$OBJ/.harness-merge.log" >&2; die "merge_config failed"; }
kmake olddefconfig > /dev/null
verify
echo "$hash" > "$stamp"
