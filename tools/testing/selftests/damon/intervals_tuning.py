#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""DAMON monitoring intervals auto-tuning (intervals_goal).

Monitors access_workload (vaddr) with an intervals goal, then commits a
much higher goal.  Checks:
  - every tuned sampling interval, traced (damon_monitor_intervals_tune)
    or read back after update_tuned_intervals, stays within
    [min_sample_us, max_sample_us], with aggr_us / sample_us preserved;
  - every tuning step goes the right way for the access ratio observed
    during its window (computed from damon_aggregated: sum of size *
    nr_accesses over sum of size * max nr_accesses): longer intervals
    when the ratio is under the goal, shorter when over;
  - the interval leaves its start in the direction of the first observed
    ratio, and the higher goal then drives it up.
A spinner shares the workload's CPU to force context switches, which QEMU
TCG needs to set accessed bits again (see damon_sysfs.start_spinner).
"""

import time

import damon_sysfs as ds

T = ds.Tap('intervals_tuning')
ds.require_damon(T)

SAMPLE_US = 5000
AGGR_US = 100000
RATIO = AGGR_US // SAMPLE_US
MIN_US = 1000
MAX_US = 20000
AGGRS = 3
GOALS = (400, 9500)     # access_bp of the first and the committed goal
RUN_S = 8.0
POLL_S = 0.5
BAND = (0.8, 1.25)      # ratios this close to the goal may go either way


def poll(deadline, reads):
    """update_tuned_intervals and read the files until the deadline."""
    while time.monotonic() < deadline:
        time.sleep(POLL_S)
        err = ds.state_cmd('update_tuned_intervals')
        sample, aggr = ds.tuned_intervals()
        reads.append((err, sample, aggr))


def observed_bp(snaps):
    events = total = 0
    for s in snaps:
        for start, end, acc, _ in s.regions:
            events += (end - start) * acc
            total += (end - start) * RATIO
    return events * 10000 / total if total else None


def check_steps(tunes, snaps, marks, committed):
    """Per tuning step: direction against the ratio observed in its window.

    committed: the sample_us that the commit of the second goal carried.

    Returns {goal_index: [(old, new, observed_bp)]}.
    """
    steps = {0: [], 1: []}
    prev_ts, prev = marks[0], SAMPLE_US
    bad = []
    for ts, new in tunes:
        if ts < marks[0]:
            continue
        gi = 1 if ts > marks[1] else 0
        if gi == 1 and prev_ts < marks[1]:
            # the commit restarted the tally, from the files' interval
            prev_ts, prev = marks[1], committed
        goal = GOALS[gi]
        window = [s for s in snaps if prev_ts < s.ts < ts and s.complete()]
        obs = observed_bp(window)
        steps[gi].append((prev, new, obs))
        if obs is not None and not BAND[0] * goal <= obs <= BAND[1] * goal:
            if obs < goal:
                ok = new > prev or new == prev == MAX_US
            else:
                ok = new < prev or new == prev == MIN_US
            if not ok:
                bad.append('%.3f: goal %d bp, observed %.0f bp over %d '
                           'aggregations, %d -> %d us' %
                           (ts, goal, obs, len(window), prev, new))
        prev_ts, prev = ts, new
    nsteps = len(steps[0]) + len(steps[1])
    T.info('%d tuning steps, %d against the observed ratio' %
           (nsteps, len(bad)))
    T.check(len(bad) <= max(1, nsteps // 10),
            'tuning steps follow the observed access ratio',
            '\n'.join(bad[:20]))
    return steps


def summarize(gi, steps):
    vals = [s[1] for s in steps]
    obs = ['%.0f' % s[2] for s in steps if s[2] is not None]
    T.info('goal %d bp: %d steps, sample_us %s; observed bp %s' %
           (GOALS[gi], len(steps), vals[:40], obs[:40]))


def main():
    wl = spinner = trace = None
    try:
        ds.reset()
        ds.must_write(ds.KDAMONDS + '/nr_kdamonds', 1)
        ds.must_write(ds.kdamond_dir() + '/contexts/nr_contexts', 1)
        if 'vaddr' not in ds.avail_ops():
            T.bail_skip('vaddr is not in avail_operations')
        for ev in ('damon_aggregated', 'damon_monitor_intervals_tune'):
            if not ds.Trace.available(ev):
                T.bail_skip('no %s tracepoint' % ev)
        cpu = ds.workload_cpu()
        wl = ds.Workload(['-s', 256, '-f', 200, '-n', 1, '-d', 600000,
                          '-c', cpu])
        ds.setup_kdamond(ops='vaddr', targets=[{'pid': wl.pid}],
                         sample_us=SAMPLE_US, aggr_us=AGGR_US,
                         goal=(GOALS[0], AGGRS, MIN_US, MAX_US))
        trace = ds.Trace(['damon_aggregated', 'damon_monitor_intervals_tune'])
        trace.sync()
        spinner = ds.start_spinner(cpu)
        T.info('workload pid %d and spinner pid %d share cpu %d' %
               (wl.pid, spinner, cpu))
        wl.go()
        marks = [time.clock_gettime(time.CLOCK_MONOTONIC)]
        err = ds.state_cmd('on')
        if not T.check(err == 0, 'on with intervals goal %s' %
                       ((GOALS[0], AGGRS, MIN_US, MAX_US),), ds.errname(err)):
            T.finish()
        kpid = ds.kdamond_pid()
        reads = [[], []]
        poll(time.monotonic() + RUN_S, reads[0])
        # the commit carries the intervals files: bring them up to date
        ds.state_cmd('update_tuned_intervals')
        committed = ds.tuned_intervals()[0]
        ds.set_goal((GOALS[1], AGGRS, MIN_US, MAX_US))
        err = ds.state_cmd('commit')
        marks.append(time.clock_gettime(time.CLOCK_MONOTONIC))
        T.check(err == 0 and ds.kdamond_pid() == kpid,
                'commit access_bp %d' % GOALS[1], ds.errname(err))
        poll(time.monotonic() + RUN_S, reads[1])
        trace.stop()
        T.check(ds.state() == 'on', 'kdamond still running',
                'state %r' % ds.state())
        ds.state_cmd('off')
        ds.stop_process(spinner)
        spinner = None
        wl.kill()
        events = trace.read_events()
        ds.save_result('trace.txt', trace.text)
        evaluate(events, reads, marks, committed)
    except ds.DamonError as e:
        T.check(False, 'setup', str(e))
    finally:
        ds.cleanup(wl, spinner, trace)
    T.finish()


def evaluate(events, reads, marks, committed):
    for gi in (0, 1):
        T.info('goal %d bp: sysfs (sample_us, aggr_us) every %.1fs: %s' %
               (GOALS[gi], POLL_S, [r[1:] for r in reads[gi]]))
    allreads = reads[0] + reads[1]
    T.check(allreads and all(r[0] == 0 for r in allreads),
            'update_tuned_intervals succeeds while running',
            str([ds.errname(r[0]) for r in allreads if r[0]]))
    out = [r for r in allreads if not MIN_US <= r[1] <= MAX_US]
    T.check(not out, 'sysfs sample_us within [%d, %d]' % (MIN_US, MAX_US),
            str(out))
    skew = [r for r in allreads if not ds.ratio_ok(r[1], r[2], RATIO)]
    T.check(not skew, 'sysfs aggr_us / sample_us stays %d' % RATIO,
            str(skew))

    tunes = ds.tune_events(events)
    snaps = ds.snapshots(events)
    T.info('%d tune events, %d snapshots' % (len(tunes), len(snaps)))
    T.check(len(tunes) >= 4, 'damon_monitor_intervals_tune fires',
            '%d events' % len(tunes))
    if not tunes:
        return
    out = [v for _, v in tunes if not MIN_US <= v <= MAX_US]
    T.check(not out, 'traced sample_us within [%d, %d]' % (MIN_US, MAX_US),
            str(out[:20]))
    traced = {v for _, v in tunes}
    T.check(all(r[1] in traced or r[1] == SAMPLE_US for r in allreads),
            'sysfs shows traced sample_us values',
            'not traced: %s' % sorted({r[1] for r in allreads} - traced))

    steps = check_steps(tunes, snaps, marks, committed)
    for gi in (0, 1):
        summarize(gi, steps[gi])
    if not steps[0] or not steps[1]:
        T.check(False, 'tuning steps under both goals',
                'steps: %d, %d' % (len(steps[0]), len(steps[1])))
        return
    T.info('sample_us %d when the second goal was committed' % committed)
    first_obs = steps[0][0][2]
    end0 = steps[0][-1][1]
    if first_obs is None or \
            BAND[0] * GOALS[0] <= first_obs <= BAND[1] * GOALS[0]:
        T.skip('sample_us left its start toward the goal',
               'first observed ratio %s bp is at the goal' % first_obs)
    else:
        up = first_obs < GOALS[0]
        T.check(end0 > SAMPLE_US if up else end0 < SAMPLE_US,
                'sample_us left its start toward the goal (observed %.0f bp, '
                'goal %d bp: %s)' % (first_obs, GOALS[0],
                                     'longer' if up else 'shorter'),
                'ended at %d us' % end0)
    end1 = steps[1][-1][1]
    T.check(end1 > committed or end1 == MAX_US,
            'the higher goal lengthened the intervals',
            '%d us -> %d us' % (committed, end1))


main()
