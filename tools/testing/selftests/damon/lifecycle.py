#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""DAMON kdamond lifecycle through sysfs.

Repeated on/off; online commits of intervals, region bounds, added targets
and a removed middle target (obsolete_target), checked through
update_tuned_intervals, pid, state and the damon_aggregated tracepoint;
refresh_ms and update_tuned_intervals with interval tuning; a monitored
process that exits; failed on/commit leaving the running kdamond alone.
"""

import errno
import time

import damon_sysfs as ds

T = ds.Tap('lifecycle')
ds.require_damon(T)

ON_OFF_ROUNDS = 20
INTERVALS = ds.attrs_dir() + '/intervals'
MB = 1 << 20
RANGE_A = (0x10000000, 0x10000000 + 16 * MB)
RANGE_B = (0x20000000, 0x20000000 + 8 * MB)
RANGE_C = (0x30000000, 0x30000000 + 4 * MB)
RANGE_D = (0x40000000, 0x40000000 + 4 * MB)


def is_running(pid):
    return ds.state() == 'on' and ds.kdamond_pid() == pid


def on_off_rounds(child):
    ds.setup_kdamond(ops='vaddr', targets=[{'pid': child}])
    bad = []
    pids = set()
    t0 = time.monotonic()
    for i in range(ON_OFF_ROUNDS):
        err = ds.state_cmd('on')
        st, pid = ds.state(), ds.kdamond_pid()
        if err or st != 'on' or not pid or pid <= 0:
            bad.append('round %d on: %s state %r pid %r' %
                       (i, ds.errname(err), st, pid))
        pids.add(pid)
        err = ds.state_cmd('off')
        st, pid = ds.state(), ds.kdamond_pid()
        if err or st != 'off' or pid != -1:
            bad.append('round %d off: %s state %r pid %r' %
                       (i, ds.errname(err), st, pid))
    T.info('%d on/off rounds in %.2fs' %
           (ON_OFF_ROUNDS, time.monotonic() - t0))
    T.check(not bad, '%d on/off rounds' % ON_OFF_ROUNDS, '\n'.join(bad[:10]))
    T.check(len(pids) == ON_OFF_ROUNDS, 'every on started a new kdamond',
            'pids: %s' % sorted(p for p in pids if p is not None))


def commit_intervals(child):
    ds.setup_kdamond(ops='vaddr', targets=[{'pid': child}])
    err = ds.state_cmd('on')
    pid = ds.kdamond_pid()
    T.check(err == 0 and is_running(pid), 'on', ds.errname(err))
    ds.set_attrs(sample_us=10000, aggr_us=200000)
    err = ds.state_cmd('commit')
    T.check(err == 0 and is_running(pid), 'commit new intervals',
            'commit gave %s' % ds.errname(err))
    # scribble over the files, uncommitted, then ask for the running values
    ds.set_attrs(aggr_us=7, sample_us=3)
    err = ds.state_cmd('update_tuned_intervals')
    got = ds.tuned_intervals()
    T.check(err == 0 and got == (10000, 200000),
            'update_tuned_intervals shows the committed intervals',
            '%s, files read %s' % (ds.errname(err), got))
    T.check(is_running(pid), 'same kdamond after the commits',
            'state %r pid %r (was %d)' % (ds.state(), ds.kdamond_pid(), pid))
    ds.state_cmd('off')


def tuning_refresh(child):
    """Interval tuning toward 100% busy results: with a sleeping target the
    observed ratio is ~0, so every step must lengthen the intervals."""
    goal = (10000, 1, 1000, 1000000)
    ds.setup_kdamond(ops='vaddr', targets=[{'pid': child}], goal=goal)
    # without refresh_ms the files keep the user's values ...
    err = ds.state_cmd('on')
    T.check(err == 0, 'on with an intervals goal', ds.errname(err))
    time.sleep(1.0)
    T.check(ds.tuned_intervals() == (5000, 100000),
            'intervals files are not refreshed on their own',
            'read %s' % (ds.tuned_intervals(),))
    # ... until update_tuned_intervals
    err = ds.state_cmd('update_tuned_intervals')
    sample, aggr = ds.tuned_intervals()
    T.check(err == 0 and 5000 < sample <= 1000000 and
            ds.ratio_ok(sample, aggr, 20),
            'update_tuned_intervals shows longer tuned intervals',
            '%s, sample %d aggr %d' % (ds.errname(err), sample, aggr))
    ds.state_cmd('off')

    ds.setup_kdamond(ops='vaddr', targets=[{'pid': child}], goal=goal)
    ds.must_write(ds.kdamond_dir() + '/refresh_ms', 100)
    err = ds.state_cmd('on')
    T.check(err == 0, 'on with refresh_ms 100', ds.errname(err))
    deadline = time.monotonic() + 5
    seen = []
    while time.monotonic() < deadline:
        seen.append(ds.tuned_intervals())
        if seen[-1][0] > 5000:
            break
        time.sleep(0.1)
    sample, aggr = seen[-1]
    T.check(5000 < sample <= 1000000 and ds.ratio_ok(sample, aggr, 20),
            'refresh_ms updates the tuned intervals files',
            'last read %s after %d polls' % (seen[-1], len(seen)))
    T.check(ds.read(ds.kdamond_dir() + '/refresh_ms') == '100',
            'refresh_ms reads back 100')
    ds.state_cmd('off')
    ds.must_write(ds.kdamond_dir() + '/refresh_ms', 0)


def target_ranges(snaps):
    """{target_id: (min start, max end)} of each target's last snapshot."""
    last = {}
    for s in snaps:
        if s.complete():
            last[s.target] = (s.regions[0][0], s.regions[-1][1])
    return last


def fvaddr_commits(children, ops):
    """Commits that change the running targets, seen in the trace."""
    if 'fvaddr' not in ops:
        T.skip('fvaddr online commits', 'fvaddr not available')
        return None
    if not ds.Trace.available('damon_aggregated'):
        T.skip('fvaddr online commits', 'damon_aggregated tracepoint absent')
        return None
    c1, c2, c3 = children
    aggr_us = 50000
    trace = ds.Trace(['damon_aggregated'], name='damon_selftest_lifecycle',
                     buffer_kb=4096)
    try:
        return _fvaddr_commits(trace, c1, c2, c3, aggr_us)
    finally:
        trace.close()


def _fvaddr_commits(trace, c1, c2, c3, aggr_us):
    ds.setup_kdamond(ops='fvaddr', aggr_us=aggr_us,
                     targets=[{'pid': c1, 'regions': [RANGE_A]}])
    err = ds.state_cmd('on')
    pid = ds.kdamond_pid()
    T.check(err == 0 and is_running(pid), 'fvaddr on', ds.errname(err))
    steps = [('start', None, {0: RANGE_A})]

    def commit(desc, change, want, want_err=0):
        change()
        trace.mark('damon_selftest_before %d' % len(steps))
        err = ds.state_cmd('commit')
        trace.mark('damon_selftest_after %d' % len(steps))
        T.check(err == want_err and is_running(pid), 'commit: ' + desc,
                'commit gave %s (want %s); state %r pid %r (was %r)' %
                (ds.errname(err), ds.errname(want_err), ds.state(),
                 ds.kdamond_pid(), pid))
        steps.append((desc, None, want))
        time.sleep(0.6)

    time.sleep(0.6)
    commit('move the region', lambda: ds.set_targets(
        [{'pid': c1, 'regions': [RANGE_B]}]), {0: RANGE_B})
    commit('add a target', lambda: ds.set_targets(
        [{'pid': c1, 'regions': [RANGE_B]},
         {'pid': c2, 'regions': [RANGE_C]}]), {0: RANGE_B, 1: RANGE_C})
    commit('add a third target', lambda: ds.set_targets(
        [{'pid': c1, 'regions': [RANGE_B]},
         {'pid': c2, 'regions': [RANGE_C]},
         {'pid': c3, 'regions': [RANGE_D]}]),
        {0: RANGE_B, 1: RANGE_C, 2: RANGE_D})
    commit('remove the middle target (obsolete_target)', lambda: ds.write(
        ds.target_dir(1) + '/obsolete_target', 'Y'), {0: RANGE_B, 1: RANGE_D})
    commit('rebuild the targets to match', lambda: ds.set_targets(
        [{'pid': c1, 'regions': [RANGE_B]},
         {'pid': c3, 'regions': [RANGE_D]}]), {0: RANGE_B, 1: RANGE_D})

    # rejected commits must leave it all as it was
    ds.set_attrs(sample_us=5000, aggr_us=aggr_us)
    failing = [
        ('min_nr_regions 1', lambda: ds.set_attrs(min_nr=1),
         lambda: ds.set_attrs(min_nr=10)),
        ('sample_us > aggr_us', lambda: ds.set_attrs(sample_us=aggr_us * 4),
         lambda: ds.set_attrs(sample_us=5000)),
        ('pid of no process',
         lambda: ds.must_write(ds.target_dir(1) + '/pid_target', 1 << 30),
         lambda: ds.must_write(ds.target_dir(1) + '/pid_target', c3)),
        ('unsorted regions', lambda: ds.set_target(
            1, {'pid': c3, 'regions': [RANGE_D, RANGE_A]}),
         lambda: ds.set_target(1, {'pid': c3, 'regions': [RANGE_D]})),
        ('obsolete target without a running one', lambda: (
            ds.must_write(ds.ctx_dir() + '/targets/nr_targets', 3),
            ds.set_target(0, {'pid': c1, 'regions': [RANGE_B]}),
            ds.set_target(1, {'pid': c3, 'regions': [RANGE_D]}),
            ds.set_target(2, {'pid': c2, 'regions': [RANGE_C],
                              'obsolete': True})),
         lambda: ds.set_targets([{'pid': c1, 'regions': [RANGE_B]},
                                 {'pid': c3, 'regions': [RANGE_D]}])),
    ]
    for desc, breakit, fixit in failing:
        breakit()
        err = ds.state_cmd('commit')
        T.check(err == errno.EINVAL and is_running(pid),
                'failed commit (%s) leaves the kdamond running' % desc,
                'commit gave %s; state %r pid %r (was %r)' %
                (ds.errname(err), ds.state(), ds.kdamond_pid(), pid))
        fixit()
    err = ds.state_cmd('on')
    T.check(err == errno.EBUSY and is_running(pid),
            'on while running gives EBUSY and changes nothing',
            'on gave %s' % ds.errname(err))
    err = ds.state_cmd('update_tuned_intervals')
    got = ds.tuned_intervals()
    T.check(err == 0 and got == (5000, aggr_us),
            'the running intervals survived the failed commits',
            '%s, read %s' % (ds.errname(err), got))
    trace.mark('damon_selftest_after %d' % len(steps))
    steps.append(('after the failed commits', None, {0: RANGE_B, 1: RANGE_D}))
    time.sleep(0.6)
    trace.mark('damon_selftest_before %d' % len(steps))
    err = ds.state_cmd('commit')
    T.check(err == 0 and is_running(pid), 'a valid commit works again',
            ds.errname(err))

    trace.stop()
    check_steps(trace.read_events(), steps, aggr_us)
    err = ds.state_cmd('off')
    T.check(err == 0 and ds.state() == 'off', 'off', ds.errname(err))
    return pid


def check_steps(events, steps, aggr_us):
    """Compare each step's last snapshot with the expected targets.

    Step i's window runs from the end of its change (a marker written after
    the commit returned, plus an aggregation for it to show) to the start of
    the next change (a marker written before the next commit).
    """
    marks = {}
    for ts, name, payload in events:
        w = payload.split()
        if name == 'tracing_mark_write' and len(w) == 2 and \
                w[0] in ('damon_selftest_before', 'damon_selftest_after'):
            marks[(w[0][15:], int(w[1]))] = ts
    snaps = ds.snapshots(events)
    T.info('%d snapshots, %d markers' % (len(snaps), len(marks)))
    for i, (desc, _, want) in enumerate(steps):
        lo = marks.get(('after', i), 0.0) + 2 * aggr_us / 1e6 if i else 0.0
        hi = marks.get(('before', i + 1), float('inf'))
        window = [s for s in snaps if lo <= s.ts < hi]
        got = target_ranges(window)
        T.check(got == want, 'targets after "%s"' % desc,
                'want %s\ngot %s (%d snapshots)' %
                (fmt_targets(want), fmt_targets(got), len(window)))


def fmt_targets(t):
    return ', '.join('%d:[%#x, %#x)' % (k, v[0], v[1])
                     for k, v in sorted(t.items())) or 'none'


def target_exits(stable):
    """The monitored process dies under the kdamond."""
    victim = ds.sleeper()
    ds.setup_kdamond(ops='vaddr', targets=[{'pid': victim}])
    err = ds.state_cmd('on')
    T.check(err == 0 and ds.state() == 'on', 'on for a short-lived target',
            ds.errname(err))
    time.sleep(0.3)
    ds.stop_process(victim)
    time.sleep(1.5)
    st, pid = ds.state(), ds.kdamond_pid()
    T.check(st in ('on', 'off') and pid is not None and
            (st == 'on') == (pid > 0),
            'state and pid readable after the target exited',
            'state %r pid %r' % (st, pid))
    T.info('after its only target exited the kdamond is %s' % st)
    if st == 'on':
        err = ds.state_cmd('off')
        T.check(err == 0 and ds.state() == 'off', 'off after the target '
                'exited', ds.errname(err))
    ds.must_write(ds.target_dir(0) + '/pid_target', stable)
    err = ds.state_cmd('on')
    T.check(err == 0 and ds.state() == 'on',
            'on again with a live target', ds.errname(err))
    err = ds.state_cmd('off')
    T.check(err == 0 and ds.state() == 'off', 'off again', ds.errname(err))

    # two targets, one of them dies
    victim = ds.sleeper()
    ds.setup_kdamond(ops='vaddr', targets=[{'pid': stable}, {'pid': victim}])
    err = ds.state_cmd('on')
    pid = ds.kdamond_pid()
    T.check(err == 0 and ds.state() == 'on', 'on with two targets',
            ds.errname(err))
    time.sleep(0.3)
    ds.stop_process(victim)
    time.sleep(1.0)
    st = ds.state()
    T.info('after one of two targets exited the kdamond is %s' % st)
    T.check(st in ('on', 'off'), 'state readable', 'state %r' % st)
    if st == 'on':
        ds.set_targets([{'pid': stable}])
        err = ds.state_cmd('commit')
        T.check(err == 0 and is_running(pid), 'commit without the dead target',
                ds.errname(err))
        ds.state_cmd('off')


def main():
    children = []
    try:
        ds.reset()
        ds.must_write(ds.KDAMONDS + '/nr_kdamonds', 1)
        ds.must_write(ds.kdamond_dir() + '/contexts/nr_contexts', 1)
        ops = ds.avail_ops()
        children = [ds.sleeper() for _ in range(3)]
        on_off_rounds(children[0])
        commit_intervals(children[0])
        tuning_refresh(children[0])
        fvaddr_commits(children, ops)
        target_exits(children[0])
    except ds.DamonError as e:
        T.check(False, 'setup', str(e))
    finally:
        ds.reset()
        for c in children:
            ds.stop_process(c)
    T.finish()


main()
