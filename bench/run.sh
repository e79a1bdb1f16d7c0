#!/bin/bash
# `make bench [QUICK=1] [PAIRS=3]`: ours against upstream 6.12 DAMON, side by
# side. Builds both production kernels with the same config, then boots
# them alternately (ours, upstream, ours, upstream, ...) with the same guest
# size, running bench/guest.py with the same cases in each, and turns the
# records into bench/report.md and plots (bench/report.py).
set -euo pipefail
export FLAVOUR=prod
. "$(dirname "$0")/../harness/lib.sh"

QUICK=${QUICK:-}
PAIRS=${PAIRS:-3}
[ "$QUICK" = 0 ] && QUICK=
if [ -n "$QUICK" ]; then
	MEMS=${BENCH_MEMS:-1}
	export BENCH_WINDOW_S=6 BENCH_PHASE_S=6
else
	MEMS=${BENCH_MEMS:-1 4 16}
	export BENCH_WINDOW_S=10 BENCH_PHASE_S=8
fi

# The cases of one boot, by guest memory size (GiB); BENCH_ONLY='scenario:case
# ...' runs just those (for a closer look at one figure).
cases_for() {
	if [ -n "${BENCH_ONLY:-}" ]; then
		echo "$BENCH_ONLY"
		return
	fi
	if [ -n "$QUICK" ]; then
		echo "overhead:vaddr-default overhead:paddr-default" \
			"accuracy:vaddr slowdown:vaddr"
		return
	fi
	case $1 in
	1) echo "overhead:vaddr-default overhead:vaddr-min1000" \
		"overhead+scale:paddr-default overhead+scale:paddr-min1000" \
		"accuracy:vaddr accuracy:paddr slowdown:vaddr" ;;
	4) echo "scale:paddr-default scale:paddr-min1000" \
		"scale:vaddr-1TiB-sparse" ;;
	*) echo "scale:paddr-default scale:paddr-min1000" ;;
	esac
}

t0=$(date +%s)
"$HARNESS/deps.sh"
python3_ok() { /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; }
if ! python3_ok && [ "$(id -u)" = 0 ]; then
	log "installing python3-matplotlib for the plots"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends python3-matplotlib >/dev/null ||
		log "no matplotlib: the report will have no plots"
fi
BASELINE=0 "$HARNESS/build.sh"
BASELINE=1 "$HARNESS/build.sh"
"$HARNESS/selftests-build.sh"

res=$BUILD/bench/$(date +%Y%m%d-%H%M%S)
mkdir -p "$res/boots"
ln -sfn "$res" "$BUILD/bench/latest"

host_cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)
/usr/bin/python3 - "$res/machine.json" <<EOF
import json, sys
json.dump({
    'host_cpu': """$host_cpu""", 'host_cores': $(nproc),
    'host_mem_gib': round($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 2**20, 1),
    'accel': '$([ "${KVM:-0}" = 1 ] && echo kvm || echo tcg)',
    'qemu': """$(qemu-system-x86_64 --version | head -1)""",
    'guest_cpus': ${CPUS:-2}, 'date': '$(date -u +%Y-%m-%dT%H:%MZ)',
    'quick': $([ -n "$QUICK" ] && echo True || echo False),
    'ours_commit': '$(git -C "$TOP" describe --always --dirty 2>/dev/null || echo unknown)',
    'base_version': '$(cat "$HARNESS/base-version")', 'pairs': $PAIRS,
    'notes': ['guest memory sizes (GiB): $MEMS',
              'measurement window ${BENCH_WINDOW_S}s, accuracy phases ${BENCH_PHASE_S}s',
              'kdamond CPU: scheduler runtime from /proc/PID/schedstat, nothing traced meanwhile',
              'under TCG a spinner shares the workload CPU so that accessed bits are set again (see damon_sysfs.start_spinner)',
              'min1000 cases set min_nr_regions 1000 with max_nr_regions 1000; the region counts actually kept are in the nr_regions rows, and where they differ ns_per_region_sample is the like-for-like cost',
              'region counts of paddr default runs vary from run to run on both kernels (the hot pages are scattered in physical memory): read cpu_pct there together with nr_regions'],
}, open(sys.argv[1], 'w'), indent=1)
EOF

# One boot: kernel (ours|upstream), memory GiB, pair number.
boot_one() {
	local kernel=$1 mem=$2 pair=$3 dir baseline=0 c
	dir=$res/boots/$kernel-${mem}g-p$pair
	mkdir -p "$dir"
	[ "$kernel" = upstream ] && baseline=1
	echo "/usr/bin/python3 $TOP/bench/guest.py" > "$dir/cmd"
	{
		printf 'export %s=%q\n' RESULTS /run/results KMEMLEAK 0 \
			SELFTEST_DIR "$TOP/tools/testing/selftests/damon" \
			DAMON_SELFTEST_BIN "$BUILD/selftests" \
			BENCH_KERNEL "$kernel" BENCH_PAIR "$pair" \
			BENCH_MEM_GIB "$mem" BENCH_CASES "$(cases_for "$mem")" \
			BENCH_WINDOW_S "$BENCH_WINDOW_S" BENCH_PHASE_S "$BENCH_PHASE_S"
	} > "$dir/env"
	log "bench: $kernel, ${mem} GiB, pair $pair"
	if ! BASELINE=$baseline MEM=${mem}G TIMEOUT=${TIMEOUT:-1200} KARGS= \
		"$HARNESS/boot.sh" "$dir"; then
		log "bench: the $kernel guest failed (see $dir/console.log)"
	fi
	"$HARNESS/splat-scan.sh" "$dir/console.log" >&2 ||
		log "bench: WARNING: splats in $dir/console.log"
	if [ -s "$dir/bench.jsonl" ]; then
		cat "$dir/bench.jsonl" >> "$res/results.jsonl"
	else
		for c in $(cases_for "$mem"); do
			printf '{"kernel": "%s", "pair": %d, "mem_gib": %d, "scenario": "%s", "case": "%s", "metrics": {}, "error": "the guest wrote no result"}\n' \
				"$kernel" "$pair" "$mem" "${c%%[:+]*}" "$(echo "${c#*:}" | tr - ' ')" \
				>> "$res/results.jsonl"
		done
	fi
}

for mem in $MEMS; do
	for ((pair = 1; pair <= PAIRS; pair++)); do
		boot_one ours "$mem" "$pair"
		boot_one upstream "$mem" "$pair"
	done
done

/usr/bin/python3 "$TOP/bench/report.py" "$res" "$TOP/bench"
log "bench: raw records in $res; report in bench/report.md;" \
	"total $(( $(date +%s) - t0 ))s"
