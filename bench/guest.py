#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Guest side of `make bench`: run the benchmark cases this boot was given.

The host (bench/run.sh) boots our kernel and the upstream baseline in turn
and runs this script in each guest with the same environment:

  BENCH_KERNEL   ours | upstream (only copied into the records)
  BENCH_PAIR     pair number (copied into the records)
  BENCH_MEM_GIB  guest memory size (copied into the records)
  BENCH_CASES    space-separated cases, each "scenario:case", e.g.
                 "overhead:vaddr-default scale:paddr-min1000 accuracy:vaddr";
                 "overhead+scale:paddr-default" records one measurement
                 under both scenarios
  BENCH_WINDOW_S length of a measurement window in seconds
  BENCH_PHASE_S  length of a workload phase in the accuracy scenario

Every case appends one JSON record to $RESULTS/bench.jsonl (format: see
bench/report.py).  DAMON is driven through sysfs only, with the same files
on both kernels; the workload is the selftests' access_workload, whose
ground truth (hot windows, their physical pages) scores the accuracy.
kdamond CPU time is the scheduler's runtime of the kdamond thread
(/proc/PID/schedstat), read around a window in which nothing is traced.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.environ.get('SELFTEST_DIR', '.'))
import damon_sysfs as ds  # noqa: E402

SAMPLE_US, AGGR_US, UPDATE_US = 5000, 100000, 1000000    # sysfs defaults
AREA_MB, HOT_PERMILLE = 256, 100
SPARSE_MB, TOUCHED_MB = 1 << 20, 1024                     # 1 TiB, 1 GiB
WARMUP_S = 3.0          # before a window: regions split and adapt
TRACE_S = 1.5           # after it: region counts from the tracepoint
HOT_FRAC = 0.25         # hot = at least this share of the top nr_accesses
CONVERGED = 0.9         # precision and recall needed to call it converged
SETTLE = 1 / 3          # share of a phase left out of the accuracy medians
MAX_STALLED = 0.8       # snapshots of longer workload stalls are left out

WINDOW_S = float(os.environ.get('BENCH_WINDOW_S', '10'))
PHASE_S = float(os.environ.get('BENCH_PHASE_S', '8'))

# case name -> (operations set, min_nr_regions, sparse 1 TiB area)
MONITOR_CASES = {
    'vaddr-default': ('vaddr', 10, False),
    'vaddr-min1000': ('vaddr', 1000, False),
    'paddr-default': ('paddr', 10, False),
    'paddr-min1000': ('paddr', 1000, False),
    'vaddr-1TiB-sparse': ('vaddr', 10, True),
}


def emit(scenario, case, metrics, info=None, error=None):
    rec = {'kernel': os.environ.get('BENCH_KERNEL', '?'),
           'pair': int(os.environ.get('BENCH_PAIR', '0')),
           'mem_gib': int(os.environ.get('BENCH_MEM_GIB', '0')),
           'scenario': scenario, 'case': case.replace('-', ' '),
           'metrics': metrics}
    if info:
        rec['info'] = info
    if error:
        rec['error'] = error
    line = json.dumps(rec, sort_keys=True)
    print(line, flush=True)
    with open(os.path.join(os.environ.get('RESULTS', '.'), 'bench.jsonl'),
              'a') as f:
        f.write(line + '\n')


def start_workload(args):
    cpu = ds.workload_cpu()
    wl = ds.Workload([str(a) for a in args] + ['-c', cpu])
    return wl, ds.start_spinner(cpu)


def target_for(ops, wl):
    if ops == 'paddr':
        ram = ds.biggest_system_ram()
        if not ram:
            raise ds.DamonError('no System RAM block in /proc/iomem')
        return {'regions': [ram]}
    return {'pid': wl.pid}


def traced_region_counts(seconds):
    trace = ds.Trace(['damon_aggregated'], name='damon_bench')
    try:
        time.sleep(seconds)
        trace.stop()
        snaps = ds.snapshots(trace.read_events())
    finally:
        trace.close()
    return [s.nr for s in snaps if s.complete()]


def monitor_case(case):
    """kdamond CPU use while it watches a running workload."""
    ops, min_nr, sparse = MONITOR_CASES[case]
    span = WARMUP_S + WINDOW_S + TRACE_S + 30
    args = ['-s', SPARSE_MB if sparse else AREA_MB, '-f', HOT_PERMILLE,
            '-d', int(span * 1000), '-n', 1]
    if sparse:
        args += ['-t', TOUCHED_MB]
    wl, spinner = start_workload(args)
    try:
        target = target_for(ops, wl)
        ds.setup_kdamond(ops=ops, targets=[target], sample_us=SAMPLE_US,
                         aggr_us=AGGR_US, update_us=UPDATE_US, min_nr=min_nr,
                         max_nr=max(1000, min_nr))
        if ds.state_cmd('on'):
            raise ds.DamonError('cannot turn the kdamond on')
        wl.go()
        time.sleep(WARMUP_S)
        kpid = ds.kdamond_pid()
        r0, t0 = ds.runtime_ns(kpid), time.monotonic()
        time.sleep(WINDOW_S)
        r1, t1 = ds.runtime_ns(kpid), time.monotonic()
        counts = traced_region_counts(TRACE_S)
        ds.state_cmd('off')
    finally:
        ds.cleanup(wl, spinner)
    ns, wall = r1 - r0, t1 - t0
    samples = wall * 1e6 / SAMPLE_US
    regions = ds.median(counts) if counts else None
    return {'cpu_pct': 100.0 * ns / 1e9 / wall,
            'ns_per_sample': ns / samples,
            'ns_per_region_sample': ns / samples / regions if regions
            else None,
            'nr_regions': regions, 'samples': samples}, \
        {'window_s': round(wall, 3), 'kdamond_ns': ns,
         'region_target': target.get('regions')}


def snapshot_metrics(s, truth, area):
    """Precision, recall, working set size and edge errors of one snapshot
    against the true hot byte ranges."""
    regions = ds.clip(s.regions, *area) if area else s.regions
    hots = ds.merge_ranges((r[0], r[1])
                           for r in ds.hot_regions(regions, HOT_FRAC))
    est = sum(e - b for b, e in hots)
    true = sum(e - b for b, e in truth) or 1
    both = ds.overlap_bytes(hots, truth)
    m = {'precision': both / est if est else 0.0, 'recall': both / true,
         'wss_err_pct': 100.0 * abs(est - true) / true}
    if area:
        ends = (hots[0][0], hots[-1][1]) if hots else (area[0], area[0])
        m['edge_err_pct'] = 100.0 * max(abs(ends[0] - truth[0][0]),
                                        abs(ends[1] - truth[-1][1])) / true
    return m


def score_phases(ops, wl, snaps):
    """Medians over the settled part of every phase, and per phase the time
    from its start to the first snapshot that found the hot set."""
    used, converge, late = [], [], 0
    # the aggregation a snapshot closes began at the one before it
    begins = [snaps[i - 1].ts if i else s.ts - AGGR_US / 1e6
              for i, s in enumerate(snaps)]
    for phase, start, end, hs, he in wl.phase_spans():
        truth = ds.merge_ranges(wl.phys.get(phase, [])) if ops == 'paddr' \
            else [(hs, he)]
        area = None if ops == 'paddr' else wl.area
        found = None
        for s, begin in zip(snaps, begins):
            if not start < s.ts <= end:
                continue
            m = snapshot_metrics(s, truth, area)
            if found is None and min(m['precision'], m['recall']) >= \
                    CONVERGED:
                found = s.ts - start
            stalled = wl.stalled(begin, s.ts) / max(s.ts - begin, 1e-6)
            if s.ts >= start + SETTLE * (end - start) and \
                    stalled <= MAX_STALLED:
                used.append(m)
        if found is None:
            late += 1
        converge.append(found if found is not None else end - start)
    if not used:
        raise ds.DamonError('no usable snapshot')
    metrics = {k: ds.median([m[k] for m in used]) for k in used[0]}
    metrics['converge_s'] = ds.median(converge)
    return metrics, {'snapshots': len(used), 'phases_not_converged': late,
                     'converge_s_per_phase': [round(c, 2) for c in converge]}


def thp_use(pid):
    """Huge pages backing the workload, and the system's THP fault count:
    a huge page is checked as a whole, whatever DAMON's regions are."""
    info = {}
    try:
        with open('/proc/%d/smaps_rollup' % pid) as f:
            for line in f:
                if line.startswith('AnonHugePages:'):
                    info['anon_huge_kib'] = int(line.split()[1])
        with open('/proc/%d/smaps' % pid) as f:
            flags = [ln.split(':', 1)[1].split() for ln in f
                     if ln.startswith('VmFlags:')]
        info['vmas_nohugepage'] = sum('nh' in fl for fl in flags)
        with open('/proc/vmstat') as f:
            for line in f:
                if line.startswith('thp_fault_alloc '):
                    info['thp_fault_alloc'] = int(line.split()[1])
    except OSError:
        pass
    return info


def save_snapshots(ops, wl, snaps):
    """Keep the truth and DAMON's snapshots of an accuracy case with the
    boot's results, for a second look at a surprising figure."""
    path = os.path.join(os.environ.get('RESULTS', '.'),
                        'snapshots-%s.json' % ops)
    with open(path, 'w') as f:
        json.dump({'area': wl.area, 'phases': wl.phases, 'done': wl.done_s,
                   'phys': wl.phys, 'stalls': wl.stalls,
                   'snapshots': [(s.ts, s.regions) for s in snaps]}, f)


def accuracy_case(ops):
    offsets = (150, 600, 300)
    args = ['-s', AREA_MB, '-f', HOT_PERMILLE, '-d', int(PHASE_S * 1000),
            '-n', len(offsets), '-o', ','.join(map(str, offsets))]
    if ops == 'paddr':
        args.append('-P')
    wl, spinner = start_workload(args)
    trace = None
    try:
        ds.setup_kdamond(ops=ops, targets=[target_for(ops, wl)],
                         sample_us=SAMPLE_US, aggr_us=AGGR_US,
                         update_us=UPDATE_US, min_nr=10, max_nr=1000)
        trace = ds.Trace(['damon_aggregated'], name='damon_bench')
        trace.sync()
        if ds.state_cmd('on'):
            raise ds.DamonError('cannot turn the kdamond on')
        wl.go()
        if not wl.finish(len(offsets) * PHASE_S + 120):
            raise ds.DamonError('the workload did not finish')
        thp = thp_use(wl.pid)
        trace.stop()
        ds.state_cmd('off')
        snaps = [s for s in ds.snapshots(trace.read_events())
                 if s.complete()]
    finally:
        ds.cleanup(wl, spinner, trace)
    save_snapshots(ops, wl, snaps)
    metrics, info = score_phases(ops, wl, snaps)
    info.update(thp)
    return metrics, info


def workload_rate(ops):
    """Passes per second over the hot window, DAMON on (ops) or off."""
    args = ['-s', AREA_MB, '-f', HOT_PERMILLE, '-d', int(WINDOW_S * 1000),
            '-n', 1]
    wl, spinner = start_workload(args)
    try:
        if ops:
            ds.setup_kdamond(ops=ops, targets=[target_for(ops, wl)],
                             sample_us=SAMPLE_US, aggr_us=AGGR_US,
                             update_us=UPDATE_US, min_nr=10, max_nr=1000)
            if ds.state_cmd('on'):
                raise ds.DamonError('cannot turn the kdamond on')
        wl.go()
        if not wl.finish(WINDOW_S + 60):
            raise ds.DamonError('the workload did not finish')
    finally:
        ds.cleanup(wl, spinner)
    return wl.passes / (wl.done_s - wl.phases[0][1])


def slowdown_case(ops):
    """Off, on, off: the mean of the two runs without DAMON is the base, so
    that a drift in the guest's speed does not count as DAMON's doing."""
    before = workload_rate(None)
    on = workload_rate(ops)
    after = workload_rate(None)
    off = (before + after) / 2
    return {'rate_off': off, 'rate_on': on,
            'slowdown_pct': 100.0 * (1 - on / off)}, \
        {'rate_off_before': before, 'rate_off_after': after}


def run_case(scenario, case):
    if scenario in ('overhead', 'scale'):
        metrics, info = monitor_case(case)
    elif scenario == 'accuracy':
        metrics, info = accuracy_case(case)
    elif scenario == 'slowdown':
        metrics, info = slowdown_case(case)
    else:
        raise ds.DamonError('unknown scenario %s' % scenario)
    return metrics, info


def main():
    if os.geteuid() != 0 or not os.path.isdir(ds.ADMIN):
        print('the benchmark needs root and %s' % ds.ADMIN)
        return 1
    failed = 0
    for spec in os.environ.get('BENCH_CASES', '').split():
        t0 = time.monotonic()
        print('# %s ...' % spec, flush=True)
        scenarios, case = spec.split(':', 1)
        scenarios = scenarios.split('+')
        try:
            metrics, info = run_case(scenarios[0], case)
            for scenario in scenarios:
                emit(scenario, case, metrics, info)
        except (ds.DamonError, OSError, ValueError, KeyError) as e:
            failed += 1
            for scenario in scenarios:
                emit(scenario, case, {},
                     error='%s: %s' % (type(e).__name__, e))
        print('# %s took %.1fs' % (spec, time.monotonic() - t0), flush=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
