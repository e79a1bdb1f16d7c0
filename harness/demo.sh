#!/bin/bash
# Guest side of `make demo` (production kernel): a short look at what is
# there, then the monitoring demo (demo.py).
echo "kernel $(uname -r)"
echo "DAMON tracepoints: $(ls /sys/kernel/tracing/events/damon 2>/dev/null | grep -v -e enable -e filter | tr '\n' ' ')"
echo
exec /usr/bin/python3 "${0%/*}/demo.py"
