#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""DAMON sysfs tree: files, modes, defaults, and rejected input.

Builds kdamonds/0 with one context, one target and one region, then checks
that every monitoring file exists with its mode and default, that bad
writes fail with the documented errno and leave the value alone, and that
"on" refuses invalid parameter sets with -EINVAL while the state stays off.
"""

import errno
import os

import damon_sysfs as ds

T = ds.Tap('sysfs_tree')
ds.require_damon(T)

ULONG_OVER = '18446744073709551616'     # 2^64
UINT_OVER = '4294967296'                # 2^32
INT_OVER = '2147483648'                 # 2^31
HUGE = '99999999999999999999999'

K = ds.kdamond_dir()
C = ds.ctx_dir()
A = ds.attrs_dir()
TG = ds.target_dir(0)

# relative to the admin dir: (path, mode, default after setup, kind)
FILES = [
    ('kdamonds/nr_kdamonds', 0o600, '1', 'nr'),
    ('kdamonds/0/state', 0o600, 'off', 'state'),
    ('kdamonds/0/pid', 0o400, '-1', 'ro'),
    ('kdamonds/0/refresh_ms', 0o600, '0', 'uint'),
    ('kdamonds/0/contexts/nr_contexts', 0o600, '1', 'nr_contexts'),
    ('kdamonds/0/contexts/0/avail_operations', 0o400, None, 'ro'),
    ('kdamonds/0/contexts/0/operations', 0o600, 'vaddr', 'ops'),
    ('kdamonds/0/contexts/0/addr_unit', 0o600, '1', 'addr_unit'),
]
for _n, _d in (('sample_us', '5000'), ('aggr_us', '100000'),
               ('update_us', '60000000')):
    FILES.append(('kdamonds/0/contexts/0/monitoring_attrs/intervals/' + _n,
                  0o600, _d, 'ulong'))
for _n in ('access_bp', 'aggrs', 'min_sample_us', 'max_sample_us'):
    FILES.append(('kdamonds/0/contexts/0/monitoring_attrs/intervals/'
                  'intervals_goal/' + _n, 0o600, '0', 'ulong'))
for _n, _d in (('min', '10'), ('max', '1000')):
    FILES.append(('kdamonds/0/contexts/0/monitoring_attrs/nr_regions/' + _n,
                  0o600, _d, 'ulong'))
FILES += [
    ('kdamonds/0/contexts/0/targets/nr_targets', 0o600, '1', 'nr'),
    ('kdamonds/0/contexts/0/targets/0/pid_target', 0o600, '0', 'int'),
    ('kdamonds/0/contexts/0/targets/0/obsolete_target', 0o600, 'N', 'bool'),
    ('kdamonds/0/contexts/0/targets/0/regions/nr_regions', 0o600, '1', 'nr'),
    ('kdamonds/0/contexts/0/targets/0/regions/0/start', 0o600, '0', 'ulong'),
    ('kdamonds/0/contexts/0/targets/0/regions/0/end', 0o600, '0', 'ulong'),
]

# the entries each directory must have (7.0-level ABI, monitoring part)
DIRS = {
    'kdamonds': {'nr_kdamonds', '0'},
    'kdamonds/0': {'state', 'pid', 'refresh_ms', 'contexts'},
    'kdamonds/0/contexts': {'nr_contexts', '0'},
    'kdamonds/0/contexts/0': {'avail_operations', 'operations', 'addr_unit',
                              'monitoring_attrs', 'targets', 'schemes'},
    'kdamonds/0/contexts/0/monitoring_attrs': {'intervals', 'nr_regions'},
    'kdamonds/0/contexts/0/monitoring_attrs/intervals':
        {'sample_us', 'aggr_us', 'update_us', 'intervals_goal'},
    'kdamonds/0/contexts/0/monitoring_attrs/intervals/intervals_goal':
        {'access_bp', 'aggrs', 'min_sample_us', 'max_sample_us'},
    'kdamonds/0/contexts/0/monitoring_attrs/nr_regions': {'min', 'max'},
    'kdamonds/0/contexts/0/targets': {'nr_targets', '0'},
    'kdamonds/0/contexts/0/targets/0':
        {'pid_target', 'obsolete_target', 'regions'},
    'kdamonds/0/contexts/0/targets/0/regions': {'nr_regions', '0'},
    'kdamonds/0/contexts/0/targets/0/regions/0': {'start', 'end'},
}

# bad inputs per kind: (value, errno)
BAD = {
    'ulong': [('abc', errno.EINVAL), ('-1', errno.EINVAL),
              ('12x', errno.EINVAL), (HUGE, errno.ERANGE),
              (ULONG_OVER, errno.ERANGE)],
    'uint': [('abc', errno.EINVAL), ('-1', errno.EINVAL),
             (HUGE, errno.ERANGE), (UINT_OVER, errno.ERANGE)],
    # upstream 6.12 answers EINVAL to an out-of-range pid: allow both
    'int': [('abc', errno.EINVAL), (HUGE, (errno.ERANGE, errno.EINVAL)),
            (INT_OVER, (errno.ERANGE, errno.EINVAL))],
    'nr': [('abc', errno.EINVAL), ('-1', errno.EINVAL),
           (HUGE, errno.ERANGE)],
    'nr_contexts': [('2', errno.EINVAL), ('abc', errno.EINVAL),
                    ('-1', errno.EINVAL)],
    'bool': [('x', errno.EINVAL), ('2', errno.EINVAL)],
    'ops': [('foo', errno.EINVAL), ('VADDR', errno.EINVAL),
            ('vaddrx', errno.EINVAL)],
    'addr_unit': [('0', errno.EINVAL), ('abc', errno.EINVAL),
                  ('-1', errno.EINVAL), (HUGE, errno.ERANGE)],
    'state': [('foo', errno.EINVAL), ('onn', errno.EINVAL),
              ('ON', errno.EINVAL)],
}


def expect_write(path, value, want, desc):
    """Write value, expect errno want (0: success; a tuple: any of them)
    and, on failure, an unchanged file."""
    wants = want if isinstance(want, tuple) else (want,)
    before = ds.read(path)
    err = ds.write(path, value)
    after = ds.read(path)
    ok = err in wants and (err == 0 or after == before)
    return T.check(ok, desc, 'write %r to %s: got %s (want %s); '
                   'value %r -> %r' % (value, path, ds.errname(err),
                                       '/'.join(map(ds.errname, wants)),
                                       before, after))


def check_tree():
    for rel, want in DIRS.items():
        path = '%s/%s' % (ds.ADMIN, rel)
        try:
            have = set(os.listdir(path))
        except OSError as e:
            T.check(False, 'dir %s exists' % rel, str(e))
            continue
        missing = want - have
        if missing == {'schemes'}:
            T.check(True, 'dir %s has its entries' % rel)
            T.skip('dir %s/schemes' % rel, 'DAMOS sysfs not built')
        else:
            T.check(not missing, 'dir %s has its entries' % rel,
                    'missing: %s' % sorted(missing))
        extra = have - want
        if extra:
            T.info('%s also has %s' % (rel, sorted(extra)))
    for rel, mode, default, _ in FILES:
        path = '%s/%s' % (ds.ADMIN, rel)
        try:
            st_mode = os.stat(path).st_mode & 0o777
        except OSError as e:
            T.check(False, '%s exists' % rel, str(e))
            continue
        T.check(st_mode == mode, '%s mode %o' % (rel, mode),
                'mode is %o' % st_mode)
        if default is not None:
            val = ds.read(path)
            T.check(val == default, '%s default %r' % (rel, default),
                    'reads %r' % val)
    nr_schemes = C + '/schemes/nr_schemes'
    if os.path.exists(nr_schemes):
        T.check(ds.read(nr_schemes) == '0', 'schemes/nr_schemes default 0',
                'reads %r' % ds.read(nr_schemes))


def check_avail_ops():
    content = ds.read(C + '/avail_operations')
    ops = content.split('\n') if content else []
    T.info('avail_operations: %s' % ops)
    known = [o for o in ds.OPS_ORDER if o in ops]
    T.check(ops and known == ops, 'avail_operations lists known sets in '
            'vaddr, fvaddr, paddr order', 'got %r' % content)
    T.check(ds.read(C + '/avail_operations') == content,
            'avail_operations is stable across reads')
    return ops


def check_bad_writes():
    for rel, _, _, kind in FILES:
        path = '%s/%s' % (ds.ADMIN, rel)
        if kind == 'ro':
            before = ds.read(path)
            err = ds.write(path, '1')
            T.check(err != 0 and ds.read(path) == before,
                    '%s rejects writes' % rel, 'write gave %s' %
                    ds.errname(err))
            continue
        for value, want in BAD[kind]:
            expect_write(path, value, want, '%s rejects %r with %s' %
                         (rel, value, '/'.join(map(ds.errname, want))
                          if isinstance(want, tuple) else ds.errname(want)))
    # children survive rejected nr_* writes
    T.check(os.path.isdir(TG + '/regions/0'),
            'rejected nr_* writes kept the child directories')
    # accepted forms: keywords of every set, base prefixes, bool spellings
    for ops in ds.OPS_ORDER:
        expect_write(C + '/operations', ops + '\n', 0,
                     'operations accepts %r' % ops)
        T.check(ds.read(C + '/operations') == ops, 'operations reads back '
                '%r' % ops, 'reads %r' % ds.read(C + '/operations'))
    ds.must_write(C + '/operations', 'vaddr')
    sample = A + '/intervals/sample_us'
    for text, val in (('0x1388', '5000'), ('010', '8'), ('7000\n', '7000')):
        expect_write(sample, text, 0, 'sample_us accepts %r' % text)
        T.check(ds.read(sample) == val, 'sample_us %r reads %s' % (text, val),
                'reads %r' % ds.read(sample))
    ds.must_write(sample, '5000')
    obs = TG + '/obsolete_target'
    for text, val in (('Y', 'Y'), ('n', 'N'), ('1', 'Y'), ('0', 'N'),
                      ('on', 'Y'), ('off', 'N')):
        err = ds.write(obs, text)
        T.check(err == 0 and ds.read(obs) == val, 'obsolete_target %r reads '
                '%s' % (text, val), 'write %s, reads %r' %
                (ds.errname(err), ds.read(obs)))


def expect_on_fails(desc, want=errno.EINVAL):
    err = ds.state_cmd('on')
    st, pid = ds.state(), ds.kdamond_pid()
    ok = err == want and st == 'off' and pid == -1
    if err == 0:
        ds.state_cmd('off')
    return T.check(ok, 'on fails: ' + desc, 'on gave %s (want %s), state %r, '
                   'pid %r' % (ds.errname(err), ds.errname(want), st, pid))


def baseline(ops, pid, regions):
    ds.setup_kdamond(ops=ops, targets=[{'pid': pid, 'regions': regions}])


def check_on_validation(ops):
    me = os.getpid()
    good = [(0x10000000, 0x10400000)]

    def base():
        baseline('fvaddr' if 'fvaddr' in ops else 'vaddr', me, good)

    rdir = TG + '/regions'

    base()
    # commands that need a context fail before the first "on"
    for cmd in ('off', 'commit', 'update_tuned_intervals'):
        err = ds.state_cmd(cmd)
        T.check(err == errno.EINVAL and ds.state() == 'off',
                '%r before any on gives EINVAL' % cmd,
                'got %s, state %r' % (ds.errname(err), ds.state()))
    # positive control: the baseline is valid
    err = ds.state_cmd('on')
    pid = ds.kdamond_pid()
    T.check(err == 0 and ds.state() == 'on' and pid and pid > 0,
            'valid parameters turn on', 'on gave %s, state %r, pid %r' %
            (ds.errname(err), ds.state(), pid))
    err = ds.state_cmd('off')
    T.check(err == 0 and ds.state() == 'off' and ds.kdamond_pid() == -1,
            'off stops it', 'off gave %s' % ds.errname(err))
    err = ds.state_cmd('commit')
    T.check(err == errno.EINVAL, 'commit on a stopped kdamond gives EINVAL',
            'got %s' % ds.errname(err))

    cases = []

    def regions_case(desc, regions):
        def apply():
            ds.must_write(rdir + '/nr_regions', len(regions))
            for i, (s, e) in enumerate(regions):
                ds.must_write('%s/%d/start' % (rdir, i), s)
                ds.must_write('%s/%d/end' % (rdir, i), e)
        cases.append((desc, apply))

    regions_case('inverted region', [(0x10400000, 0x10000000)])
    regions_case('unsorted regions', [(0x20000000, 0x20400000),
                                      (0x10000000, 0x10400000)])
    regions_case('overlapping regions', [(0x10000000, 0x10800000),
                                         (0x10400000, 0x10c00000)])
    cases.append(('min_nr_regions 2', lambda: ds.set_attrs(min_nr=2)))
    cases.append(('min_nr_regions 0', lambda: ds.set_attrs(min_nr=0)))
    cases.append(('min_nr_regions > max',
                  lambda: ds.set_attrs(min_nr=100, max_nr=50)))
    cases.append(('sample_us > aggr_us',
                  lambda: ds.set_attrs(sample_us=200000, aggr_us=100000)))
    cases.append(('pid of no process',
                  lambda: ds.must_write(TG + '/pid_target', 1 << 30)))
    cases.append(('pid never set (0)',
                  lambda: ds.must_write(TG + '/pid_target', 0)))
    cases.append(('intervals_goal min_sample_us > max_sample_us',
                  lambda: ds.set_goal((400, 3, 20000, 1000))))
    cases.append(('intervals_goal bounds exclude sample_us',
                  lambda: ds.set_goal((400, 3, 1000, 2000))))
    cases.append(('nr_contexts 0',
                  lambda: ds.must_write(K + '/contexts/nr_contexts', 0)))
    missing = [o for o in ds.OPS_ORDER if o not in ops]
    if missing:
        cases.append(('operations %s not registered' % missing[0],
                      lambda: ds.must_write(C + '/operations', missing[0])))
    ram = ds.biggest_system_ram()
    if 'paddr' in ops and ram:
        pr = [(ram[0], ram[0] + (4 << 20))]

        def two_paddr_targets():
            ds.setup_kdamond(ops='paddr', targets=[{'regions': pr},
                                                   {'regions': pr}])

        def bad_addr_unit():
            ds.setup_kdamond(ops='paddr', targets=[{'regions': pr}])
            ds.must_write(C + '/addr_unit', 3)
        cases.append(('two paddr targets', two_paddr_targets))
        cases.append(('paddr addr_unit 3 (non power-of-two minimum region)',
                      bad_addr_unit))

    for desc, apply in cases:
        base()
        try:
            apply()
        except ds.DamonError as e:
            T.skip('on fails: ' + desc, str(e))
            continue
        expect_on_fails(desc)

    # intervals_goal bounds are not checked while tuning is off
    base()
    try:
        ds.set_goal((400, 0, 20000, 1000))
        err = ds.state_cmd('on')
        T.check(err == 0 and ds.state() == 'on',
                'aggrs 0 disables the intervals_goal checks',
                'on gave %s' % ds.errname(err))
        ds.state_cmd('off')
    except ds.DamonError as e:
        T.check(False, 'aggrs 0 disables the intervals_goal checks', str(e))

    # a running kdamond
    base()
    err = ds.state_cmd('on')
    pid = ds.kdamond_pid()
    T.check(err == 0 and ds.state() == 'on', 'on again',
            'on gave %s' % ds.errname(err))
    expect_write(ds.KDAMONDS + '/nr_kdamonds', '2', errno.EBUSY,
                 'nr_kdamonds while running gives EBUSY')
    expect_write(ds.KDAMONDS + '/nr_kdamonds', '0', errno.EBUSY,
                 'nr_kdamonds 0 while running gives EBUSY')
    err = ds.state_cmd('on')
    T.check(err == errno.EBUSY, 'on while running gives EBUSY',
            'got %s' % ds.errname(err))
    for bad in BAD['state']:
        err = ds.state_cmd(bad[0])
        T.check(err == errno.EINVAL, 'state %r while running gives EINVAL' %
                bad[0], 'got %s' % ds.errname(err))
    T.check(ds.state() == 'on' and ds.kdamond_pid() == pid,
            'the kdamond kept running through the rejected writes',
            'state %r pid %r (was %r)' % (ds.state(), ds.kdamond_pid(), pid))
    T.check(os.path.isdir(K), 'kdamonds/0 still exists')
    err = ds.state_cmd('off')
    T.check(err == 0 and ds.state() == 'off', 'off',
            'off gave %s' % ds.errname(err))
    expect_write(ds.KDAMONDS + '/nr_kdamonds', '0', 0,
                 'nr_kdamonds 0 once stopped')
    T.check(not os.path.exists(K), 'kdamonds/0 removed')


def main():
    try:
        ds.reset()
        ds.must_write(ds.KDAMONDS + '/nr_kdamonds', '1')
        ds.must_write(K + '/contexts/nr_contexts', '1')
        ds.must_write(C + '/targets/nr_targets', '1')
        ds.must_write(TG + '/regions/nr_regions', '1')
        check_tree()
        ops = check_avail_ops()
        check_bad_writes()
        check_on_validation(ops)
    except ds.DamonError as e:
        T.check(False, 'setup', str(e))
    finally:
        ds.reset()
    T.finish()


main()
