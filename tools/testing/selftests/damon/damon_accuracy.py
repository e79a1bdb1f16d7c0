# SPDX-License-Identifier: GPL-2.0
"""Monitoring accuracy against the access_workload ground truth.

The workload keeps a known window of its area hot and moves the window in
phases.  DAMON's damon_aggregated events give one region snapshot per
aggregation; after skipping the first part of every phase (convergence),
regions whose nr_accesses reach HOT_FRAC of the snapshot's highest count
are taken as DAMON's hot set and compared with the truth:

  vaddr, fvaddr  the hot set clipped to the workload's area: its first and
                 last byte against the window's (error in units of the
                 window size) and its total size (working set size)
  paddr          the hot set against the physical ranges of the window's
                 pages (from /proc/self/pagemap): overlap bytes give
                 precision and recall, plus the working set size

The workload reports the times when it completed no pass over its window
for over 20 ms (its CPU was busy elsewhere; in an emulated guest the host
may not run the vCPU at all).  Snapshots whose aggregation interval was
stalled for more than MAX_STALLED of its length are left out: their truth
is "almost nothing was hot".  Set DAMON_SELFTEST_SCHED_TRACE=1 to record
sched_switch events with the trace (saved in $DAMON_TEST_RESULTS) to see
what ran meanwhile.

Figures are medians over the phase's snapshots.  Under QEMU TCG accessed
bits are only set again after the guest TLB is flushed, so a spinner
process shares the workload's CPU to force context switches (see
damon_sysfs.start_spinner).
"""

import os
import time

import damon_sysfs as ds

AREA_MB = 512
HOT_PERMILLE = 100
PHASE_MS = 9000
OFFSETS = (150, 600, 300)
SAMPLE_US = 5000
AGGR_US = 100000
MIN_NR = 10
MAX_NR = 1000
CONVERGE = 0.35         # share of each phase left for DAMON to adapt
HOT_FRAC = 0.25         # of the highest nr_accesses in the snapshot
MAX_ERR = 0.10          # range edges and working set size
MIN_PR = 0.90           # paddr precision and recall
MAX_STALLED = 0.8       # snapshots of longer workload stalls are left out
MIN_SNAPSHOTS = 5       # usable snapshots needed per phase
WARMUP_AGGRS = 10       # aggregations before the region count check


def run(ops):
    t = ds.Tap('accuracy_' + ops)
    ds.require_damon(t)
    wl = None
    spinner = None
    trace = None
    try:
        ds.reset()
        ds.must_write(ds.KDAMONDS + '/nr_kdamonds', 1)
        ds.must_write(ds.kdamond_dir() + '/contexts/nr_contexts', 1)
        if ops not in ds.avail_ops():
            t.bail_skip('%s is not in avail_operations' % ops)
        if not ds.Trace.available('damon_aggregated'):
            t.bail_skip('no damon_aggregated tracepoint (tracefs?)')
        ram = ds.biggest_system_ram() if ops == 'paddr' else None
        if ops == 'paddr' and not ram:
            t.bail_skip('no System RAM block in /proc/iomem')
        cpu = ds.workload_cpu()
        args = ['-s', AREA_MB, '-f', HOT_PERMILLE, '-d', PHASE_MS,
                '-n', len(OFFSETS), '-o', ','.join(map(str, OFFSETS)),
                '-c', cpu]
        if ops == 'paddr':
            args.append('-P')
        t0 = time.monotonic()
        wl = ds.Workload(args)
        t.info('workload pid %d on cpu %d: area [%#x, %#x), populated in '
               '%.1fs' % (wl.pid, cpu, wl.area[0], wl.area[1],
                          time.monotonic() - t0))
        if ops == 'vaddr':
            target = {'pid': wl.pid}
        elif ops == 'fvaddr':
            target = {'pid': wl.pid, 'regions': [wl.area]}
        else:
            target = {'regions': [ram]}
            t.info('paddr region [%#x, %#x); hot set fragments per phase: %s'
                   % (ram[0], ram[1], [len(wl.phys[p]) for p in
                                       sorted(wl.phys)]))
        ds.setup_kdamond(ops=ops, targets=[target], sample_us=SAMPLE_US,
                         aggr_us=AGGR_US, update_us=1000000, min_nr=MIN_NR,
                         max_nr=MAX_NR)
        events = ['damon_aggregated']
        if os.environ.get('DAMON_SELFTEST_SCHED_TRACE'):
            # diagnosis of workload stalls: who ran on its CPU meanwhile
            events.append('sched/sched_switch')
        trace = ds.Trace(events)
        trace.sync()
        spinner = ds.start_spinner(cpu)
        t.info('spinner pid %d shares cpu %d with the workload to force '
               'context switches (TLB flushes under TCG)' % (spinner, cpu))
        err = ds.state_cmd('on')
        if not t.check(err == 0, 'turn on %s monitoring' % ops,
                       ds.errname(err)):
            t.finish()
        wl.go()
        done = wl.finish(len(OFFSETS) * PHASE_MS / 1000 + 120)
        trace.stop()
        t.check(ds.state() == 'on', 'kdamond still running at the end',
                'state %r' % ds.state())
        ds.state_cmd('off')
        ds.stop_process(spinner)
        spinner = None
        rc = wl.release()
        t.check(done and rc == 0, 'workload finished its phases',
                'done %s, exit %r' % (done, rc))
        t.info('workload: %d passes over the hot windows; %d stalls '
               '(> 20 ms without running), %.1fs in total' %
               (wl.passes or 0, len(wl.stalls),
                sum(e - s for s, e in wl.stalls)))
        events = trace.read_events()
        ds.save_result('trace.txt', trace.text)
        ds.save_result('workload.txt', ''.join(
            ['area %#x %#x\n' % wl.area] +
            ['phase %d %.6f %#x %#x\n' % p for p in wl.phases] +
            ['stall %.6f %.6f\n' % st for st in wl.stalls] +
            ['done %.6f passes=%s\n' % (wl.done_s or 0, wl.passes)]))
        evaluate(t, ops, wl, ds.snapshots(events))
    except ds.DamonError as e:
        t.check(False, 'setup', str(e))
    finally:
        ds.cleanup(wl, spinner, trace)
    t.finish()


def evaluate(t, ops, wl, snaps):
    complete = [s for s in snaps if s.complete()]
    t.info('%d snapshots (%d complete)' % (len(snaps), len(complete)))
    t.check(len(complete) >= 0.8 * len(snaps) and complete,
            'snapshots are complete', '%d of %d' % (len(complete),
                                                      len(snaps)))
    counts = [s.nr for s in complete]
    if counts:
        t.info('regions per snapshot: min %d median %d max %d; first %s' %
               (min(counts), ds.median(counts), max(counts),
                counts[:WARMUP_AGGRS]))
    # splitting up to min_nr_regions may take a few aggregations
    bad = [c for c in counts[WARMUP_AGGRS:] if not MIN_NR <= c <= MAX_NR]
    t.check(not bad, 'region counts within [%d, %d] after %d aggregations' %
            (MIN_NR, MAX_NR, WARMUP_AGGRS),
            '%d snapshots outside, e.g. %s' % (len(bad), bad[:5]))
    spans = wl.phase_spans()
    t.check(len(spans) == len(OFFSETS), 'workload reported every phase',
            'phases: %s' % spans)
    lines = []
    for phase, start, end, hs, he in spans:
        lo = start + CONVERGE * (end - start) + AGGR_US / 1e6
        used = []
        total = 0
        prev = None
        for s in complete:
            # the aggregation a snapshot closes began at the previous one
            begin = prev if prev is not None else s.ts - AGGR_US / 1e6
            prev = s.ts
            if not lo <= s.ts <= end:
                continue
            # while the workload did not run, nothing was hot
            stalled = wl.stalled(begin, s.ts) / max(s.ts - begin, 1e-6)
            if ops == 'paddr':
                m = paddr_metrics(s, wl.phys.get(phase, []))
            else:
                m = vaddr_metrics(s, wl.area, (hs, he))
            total += 1
            lines.append('%d %.3f nr=%d stalled=%.2f %s' %
                         (phase, s.ts, s.nr, stalled,
                          ' '.join('%s=%s' % kv for kv in m.items())))
            if stalled <= MAX_STALLED:
                used.append(m)
        judge(t, ops, phase, used, total, (hs, he), wl)
    ds.save_result('snapshots.txt', '\n'.join(lines) + '\n')


def vaddr_metrics(s, area, hot):
    """Edge and size errors, in units of the hot window's size."""
    size = hot[1] - hot[0]
    regions = ds.clip(s.regions, area[0], area[1])
    hots = ds.hot_regions(regions, HOT_FRAC)
    if hots:
        est = (hots[0][0], hots[-1][1])
        wss = sum(r[1] - r[0] for r in hots)
    else:
        est, wss = (area[0], area[0]), 0
    return {'top': max((r[2] for r in regions), default=0),
            'start': round(abs(est[0] - hot[0]) / size, 4),
            'end': round(abs(est[1] - hot[1]) / size, 4),
            'wss': round(abs(wss - size) / size, 4),
            'est': '%#x-%#x' % est}


def paddr_metrics(s, truth):
    """Precision, recall and size error against the hot physical ranges."""
    truth = ds.merge_ranges(truth)
    true_bytes = sum(e - b for b, e in truth) or 1
    hots = ds.merge_ranges((r[0], r[1]) for r in
                           ds.hot_regions(s.regions, HOT_FRAC))
    est = sum(e - b for b, e in hots)
    both = ds.overlap_bytes(hots, truth)
    return {'top': max((r[2] for r in s.regions), default=0),
            'precision': round(both / est if est else 0.0, 4),
            'recall': round(both / true_bytes, 4),
            'wss': round(abs(est - true_bytes) / true_bytes, 4),
            'est_bytes': est}


def judge(t, ops, phase, used, total, hot, wl):
    left_out = total - len(used)
    if left_out:
        t.info('phase %d: %d of %d snapshots left out: the workload was '
               'stalled for over %d%% of their aggregation' %
               (phase, left_out, total, MAX_STALLED * 100))
    if not t.check(len(used) >= MIN_SNAPSHOTS, 'phase %d: enough usable '
                   'snapshots' % phase, '%d of %d (is the host too busy?)' %
                   (len(used), total)):
        return
    med = {k: ds.median([m[k] for m in used])
           for k in used[0] if k not in ('est', 'est_bytes')}
    if ops == 'paddr':
        truth = ds.merge_ranges(wl.phys.get(phase, []))
        t.check(truth, 'phase %d: physical ground truth' % phase)
        p, r, w = med['precision'], med['recall'], med['wss']
        t.info('phase %d: hot %d MiB in %d physical ranges, %d snapshots, '
               'max nr_accesses median %d; median precision %.3f recall '
               '%.3f, wss error %.3f' %
               (phase, sum(e - b for b, e in truth) >> 20, len(truth),
                len(used), med['top'], p, r, w))
        t.check((p >= MIN_PR and r >= MIN_PR) or w <= MAX_ERR,
                'phase %d: hot physical memory found (precision and recall '
                '>= %.2f, or working set size within %.0f%%)' %
                (phase, MIN_PR, MAX_ERR * 100),
                'precision %.3f recall %.3f wss error %.3f' % (p, r, w))
        return
    within = sum(1 for m in used
                 if max(m['start'], m['end'], m['wss']) <= MAX_ERR)
    t.info('phase %d: hot [%#x, %#x) %d MiB, %d snapshots, max nr_accesses '
           'median %d; median errors (of the hot size): start %.3f end %.3f '
           'wss %.3f; %d%% of snapshots within %.0f%%' %
           (phase, hot[0], hot[1], (hot[1] - hot[0]) >> 20, len(used),
            med['top'], med['start'], med['end'], med['wss'],
            100 * within // len(used), MAX_ERR * 100))
    for k in ('start', 'end'):
        t.check(med[k] <= MAX_ERR, 'phase %d: hot range %s within %.0f%%' %
                (phase, k, MAX_ERR * 100), 'median error %.3f' % med[k])
    t.check(med['wss'] <= MAX_ERR, 'phase %d: working set size within '
            '%.0f%%' % (phase, MAX_ERR * 100),
            'median error %.3f' % med['wss'])


if __name__ == '__main__':
    import sys
    run(sys.argv[1] if len(sys.argv) > 1 else 'vaddr')
