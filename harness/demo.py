#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Guest side of `make demo`: watch a workload with DAMON, as a sysadmin would.

Starts the ground-truth workload of our selftests (a hot window that moves
to another part of its area in each phase), sets DAMON up through
/sys/kernel/mm/damon/admin only, records the damon_aggregated tracepoint in
a private tracefs instance, and then prints an access heatmap (time down,
address across), the working set size per phase against the truth, the
region counts and the kdamond's CPU use.  With DEMO_PNG=1 the heatmap's
cells are also saved ($RESULTS/heatmap.tsv) for the host to draw a PNG.
"""
import os
import sys
import time

sys.path.insert(0, os.environ.get('SELFTEST_DIR', '.'))
import damon_sysfs as ds  # noqa: E402

AREA_MB, HOT_PERMILLE, PHASE_MS = 256, 100, 8000
OFFSETS = (100, 650, 350)
SAMPLE_US, AGGR_US = 5000, 100000
MIN_NR, MAX_NR = 10, 1000
COLS, ROW_S = 64, 0.5
SHADES = ' .:-=+*#%@'
HOT_FRAC = 0.25


def watch():
    """Run the workload under DAMON; returns (workload, snapshots, cpu)."""
    cpu = ds.workload_cpu()
    wl = ds.Workload(['-s', AREA_MB, '-f', HOT_PERMILLE, '-d', PHASE_MS,
                      '-n', len(OFFSETS), '-o', ','.join(map(str, OFFSETS)),
                      '-c', cpu])
    trace = spinner = None
    try:
        ds.setup_kdamond(ops='vaddr', targets=[{'pid': wl.pid}],
                         sample_us=SAMPLE_US, aggr_us=AGGR_US,
                         update_us=1000000, min_nr=MIN_NR, max_nr=MAX_NR)
        trace = ds.Trace(['damon_aggregated'], name='damon_demo')
        trace.sync()
        spinner = ds.start_spinner(cpu)
        if ds.state_cmd('on'):
            raise ds.DamonError('cannot turn DAMON on')
        kpid = ds.kdamond_pid()
        cpu0, t0 = ds.runtime_ns(kpid), time.monotonic()
        wl.go()
        if not wl.finish(len(OFFSETS) * PHASE_MS / 1000 + 60):
            raise ds.DamonError('the workload did not finish its phases')
        used = (ds.runtime_ns(kpid) - cpu0, time.monotonic() - t0)
        trace.stop()
        ds.state_cmd('off')
        snaps = [s for s in ds.snapshots(trace.read_events())
                 if s.complete()]
        return wl, snaps, used
    finally:
        ds.cleanup(wl, spinner, trace)


def heat_rows(wl, snaps):
    """Rows of ROW_S seconds from the first phase on: per column, the
    highest access frequency (0..1) DAMON saw in that part of the area."""
    lo, hi = wl.area
    t0 = wl.phases[0][1]
    rows = {}
    for s in snaps:
        if s.ts < t0:
            continue
        cells = rows.setdefault(int((s.ts - t0) / ROW_S), [0.0] * COLS)
        for start, end, acc, _ in ds.clip(s.regions, lo, hi):
            first = (start - lo) * COLS // (hi - lo)
            last = (end - 1 - lo) * COLS // (hi - lo)
            for col in range(first, last + 1):
                cells[col] = max(cells[col], acc / (AGGR_US // SAMPLE_US))
    last = max(rows, default=-1)
    return [rows.get(r, [0.0] * COLS) for r in range(last + 1)]


def print_heatmap(wl, rows):
    lo, hi = wl.area
    starts = {int((start - wl.phases[0][1]) / ROW_S): (p, hs, he)
              for p, start, hs, he in wl.phases}
    print('Access heatmap of the workload\'s %d MiB area: address from left '
          '(0) to right (%d MiB),' % ((hi - lo) >> 20, (hi - lo) >> 20))
    print('time downwards, %.1f s per row; darker = accessed in more '
          'samples.' % ROW_S)
    print('   time |%s|' % ('-' * COLS))
    for r, cells in enumerate(rows):
        line = ''.join(SHADES[min(len(SHADES) - 1, int(v * len(SHADES)))]
                       for v in cells)
        mark = ''
        if r in starts:
            p, hs, he = starts[r]
            mark = ' <- phase %d: hot %d-%d MiB' % (
                p, (hs - lo) >> 20, (he - lo) >> 20)
        print('%6.1fs |%s|%s' % (r * ROW_S, line, mark))


def wss_table(wl, snaps):
    print('\nphase  true hot window     DAMON hot set (median of the last '
          'two thirds of the phase)')
    lo, hi = wl.area
    for p, start, end, hs, he in wl.phase_spans():
        settle = start + (end - start) / 3
        sets = []
        for s in snaps:
            if settle <= s.ts <= end:
                hot = ds.hot_regions(ds.clip(s.regions, lo, hi), HOT_FRAC)
                sets.append((sum(r[1] - r[0] for r in hot),
                             hot[0][0] if hot else lo,
                             hot[-1][1] if hot else lo))
        if not sets:
            print('%5d  no snapshots' % p)
            continue
        wss = ds.median([x[0] for x in sets])
        first = ds.median([x[1] for x in sets])
        last = ds.median([x[2] for x in sets])
        print('%5d  %5.1f-%5.1f MiB    %5.1f-%5.1f MiB, working set %5.1f '
              'MiB (true %.1f, error %.1f%%)' %
              (p, (hs - lo) / 2**20, (he - lo) / 2**20, (first - lo) / 2**20,
               (last - lo) / 2**20, wss / 2**20, (he - hs) / 2**20,
               100 * abs(wss - (he - hs)) / (he - hs)))


def save_cells(rows):
    results = os.environ.get('RESULTS')
    if not (os.environ.get('DEMO_PNG') and results):
        return
    with open(os.path.join(results, 'heatmap.tsv'), 'w') as f:
        f.write('# row_s=%s cols=%d\n' % (ROW_S, COLS))
        for cells in rows:
            f.write('\t'.join('%.3f' % v for v in cells) + '\n')
    print('heatmap cells saved for the PNG (heatmap.tsv)')


def main():
    if os.geteuid() != 0 or not os.path.isdir(ds.ADMIN):
        print('the demo needs root and %s' % ds.ADMIN)
        return 1
    if not ds.find_helper('access_workload'):
        print('access_workload is not built ($DAMON_SELFTEST_BIN)')
        return 1
    print('Starting a workload with %d phases of %d s (a %d MiB area, a '
          '%d%% hot window)\nand DAMON vaddr monitoring of it through sysfs '
          '(sampling every %d ms,\naggregating every %d ms, %d..%d regions).'
          % (len(OFFSETS), PHASE_MS // 1000, AREA_MB, HOT_PERMILLE // 10,
             SAMPLE_US // 1000, AGGR_US // 1000, MIN_NR, MAX_NR))
    sys.stdout.flush()
    wl, snaps, (cpu_ns, wall) = watch()
    rows = heat_rows(wl, snaps)
    print()
    print_heatmap(wl, rows)
    wss_table(wl, snaps)
    counts = sorted(s.nr for s in snaps)
    if counts:
        print('\nregions per aggregation: min %d, median %d, max %d over %d '
              'aggregations' % (counts[0], counts[len(counts) // 2],
                                counts[-1], len(counts)))
    print('kdamond CPU: %.2f%% of one CPU (%.0f ms in %.1f s, scheduler '
          'runtime)' % (100 * cpu_ns / 1e9 / wall, cpu_ns / 1e6, wall))
    print('\nWhat you see: DAMON splits the area into a few regions, samples '
          'one page of each\nper sampling interval and adapts the regions to '
          'where the accesses are.  It\nfinds the hot window within a few '
          'aggregations and follows it when it moves,\nwith a handful of '
          'regions, so its cost stays small and does not grow with the\n'
          'size of the memory it watches.')
    save_cells(rows)
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except ds.DamonError as e:
        print('demo failed: %s' % e)
        sys.exit(1)
