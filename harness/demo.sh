#!/bin/bash
# Guest side of `make demo` (prod kernel, KUnit enabled on the command
# line): show that the DAMON core is alive. Replace freely as DAMON grows.
echo "kernel: $(uname -r)"
echo "--- /sys/kernel/mm/damon ---"
ls -R /sys/kernel/mm/damon 2>/dev/null || echo "(no /sys/kernel/mm/damon)"
echo "--- DAMON symbols in /proc/kallsyms ---"
echo "damon_* functions: $(grep -c ' damon_' /proc/kallsyms)"
echo "damos_* functions: $(grep -c ' damos_' /proc/kallsyms)"
echo "--- DAMON tracepoints ---"
ls /sys/kernel/tracing/events/damon 2>/dev/null || echo "(none)"
echo "--- DAMON module parameters ---"
for m in /sys/module/damon_*; do
	[ -d "$m/parameters" ] && echo "$m: $(ls "$m/parameters" | tr '\n' ' ')"
done
exit 0
