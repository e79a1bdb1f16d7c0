#!/bin/bash
# Boot the built kernel in QEMU for one run: boot.sh RUN_DIR
# RUN_DIR holds `cmd` and `env` (written by run.sh); the guest writes `rc`,
# `output` and more there, and the console is saved as RUN_DIR/console.log.
# Switches: MEM (2G) CPUS (2) NODES (1) TIMEOUT (s) KVM=1 V=1 KARGS (extra
# kernel arguments).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

run=$(cd "$1" && pwd)
MEM=${MEM:-2G} CPUS=${CPUS:-2} NODES=${NODES:-1} TIMEOUT=${TIMEOUT:-900}
image=$(kernel_image)
[ -f "$image" ] || die "no kernel at $image (build first)"

mem_mib() {
	case "$1" in
	*[Gg]) echo $(( ${1%[Gg]} * 1024 )) ;;
	*[Mm]) echo "${1%[Mm]}" ;;
	*) echo "$1" ;;
	esac
}

# A TCG guest's TSC ticks at the host's rate: tell the guest, or its TSC
# calibration may fail and it falls back to the jiffies clocksource.
tsc_khz=$(awk -F: '/^cpu MHz/ {printf "%d", $2 * 1000; exit}' /proc/cpuinfo)

args=(-m "$(mem_mib "$MEM")M" -smp "$CPUS,sockets=$CPUS,cores=1")
if [ "${KVM:-0}" = 1 ]; then args+=(-accel kvm -cpu host); else args+=(-accel tcg); fi

# NUMA: split memory evenly and the CPUs (one per socket) in blocks.
if [ "$NODES" -gt 1 ]; then
	per=$(( $(mem_mib "$MEM") / NODES ))
	args=(-m "$(( per * NODES ))M" "${args[@]:2}")
	for ((n = 0; n < NODES; n++)); do
		args+=(-object "memory-backend-ram,id=m$n,size=${per}M"
		       -numa "node,nodeid=$n,memdev=m$n")
	done
	for ((c = 0; c < CPUS; c++)); do
		args+=(-numa "cpu,node-id=$(( c * NODES / CPUS )),socket-id=$c")
	done
fi

cmdline="root=/dev/root rootfstype=9p ro"
cmdline+=" rootflags=trans=virtio,version=9p2000.L,msize=512000,cache=loose"
cmdline+=" init=$HARNESS/guest-init.sh console=ttyS0 panic=-1"
cmdline+=" tsc_early_khz=$tsc_khz tsc=reliable pti=on acpi=noirq ${KARGS:-}"

# shellcheck disable=SC2054 # commas belong to QEMU options
args+=(-kernel "$image" -append "$cmdline"
	-fsdev local,id=r,path=/,security_model=none,readonly=on,multidevs=remap
	-device virtio-9p-pci,fsdev=r,mount_tag=/dev/root
	-fsdev "local,id=res,path=$run,security_model=none"
	-device virtio-9p-pci,fsdev=res,mount_tag=results
	-display none -monitor none -serial stdio -no-reboot)

echo "qemu-system-x86_64 ${args[*]}" > "$run/qemu-cmd"
log "booting $TREE-$FLAVOUR ($CPUS cpus, $MEM, $NODES node(s), timeout ${TIMEOUT}s); console: $run/console.log"
t0=$(date +%s)
set +e
if [ "${V:-0}" = 1 ]; then
	timeout -k 10 "$TIMEOUT" qemu-system-x86_64 "${args[@]}" < /dev/null |
		sed -u 's/\r$//' | tee "$run/console.log"
else
	timeout -k 10 "$TIMEOUT" qemu-system-x86_64 "${args[@]}" < /dev/null |
		sed -u 's/\r$//' > "$run/console.log"
fi
status=${PIPESTATUS[0]}
set -e
echo $(( $(date +%s) - t0 )) > "$run/boot-seconds"
if [ "$status" = 124 ] || [ "$status" = 137 ]; then
	echo "timeout" > "$run/timed-out"
	die "guest timed out after ${TIMEOUT}s (console: $run/console.log)"
fi
[ "$status" = 0 ] || die "qemu exited with status $status"
log "guest finished in $(cat "$run/boot-seconds")s"
