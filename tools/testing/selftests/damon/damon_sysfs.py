# SPDX-License-Identifier: GPL-2.0
"""A small library for the DAMON selftests.

Everything runs inside one python process: sysfs files are written with
os.open()/os.write() so that the errno of a rejected write can be checked
without forking a shell per write (a fork costs tens of milliseconds in
the emulated test guests).  Also here: TAP output, the access workload
runner, a busy "spinner" process, and a tracefs instance reader that turns
damon_aggregated events into per-aggregation region snapshots.
"""

import errno
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time

ADMIN = '/sys/kernel/mm/damon/admin'
KDAMONDS = ADMIN + '/kdamonds'

KSFT_PASS = 0
KSFT_FAIL = 1
KSFT_SKIP = 4

OPS_ORDER = ('vaddr', 'fvaddr', 'paddr')


# --------------------------------------------------------------------------
# TAP output

class Tap:
    """Numbered ok/not ok lines, a trailing plan and a final verdict."""

    def __init__(self, name):
        self.name = name
        self.count = 0
        self.failed = 0
        print('TAP version 13', flush=True)
        print('# ' + name, flush=True)

    def check(self, ok, desc, detail=None):
        """Report one check; detail is printed only when it failed."""
        self.count += 1
        print('%s %d %s' % ('ok' if ok else 'not ok', self.count, desc),
              flush=True)
        if not ok:
            self.failed += 1
            if detail:
                for line in str(detail).splitlines():
                    print('#   ' + line, flush=True)
        return bool(ok)

    def skip(self, desc, reason):
        self.count += 1
        print('ok %d %s # SKIP %s' % (self.count, desc, reason), flush=True)

    @staticmethod
    def info(msg):
        for line in str(msg).splitlines():
            print('# ' + line, flush=True)

    def finish(self):
        print('1..%d' % self.count)
        if self.failed:
            print('# FAIL %s: %d of %d checks failed' %
                  (self.name, self.failed, self.count), flush=True)
            sys.exit(KSFT_FAIL)
        print('# PASS %s: %d checks' % (self.name, self.count), flush=True)
        sys.exit(KSFT_PASS)

    def bail_skip(self, reason):
        print('1..%d # SKIP %s' % (self.count, reason), flush=True)
        sys.exit(KSFT_SKIP)


# --------------------------------------------------------------------------
# sysfs access

def write(path, value):
    """Write value to a file in one write(2); return 0 or the errno."""
    data = value if isinstance(value, bytes) else str(value).encode()
    try:
        fd = os.open(path, os.O_WRONLY)
    except OSError as e:
        return e.errno
    try:
        os.write(fd, data)
        return 0
    except OSError as e:
        return e.errno
    finally:
        os.close(fd)


def read(path):
    """The file's content without the trailing newline, None on error."""
    try:
        with open(path) as f:
            content = f.read()
    except OSError:
        return None
    return content[:-1] if content.endswith('\n') else content


class DamonError(Exception):
    pass


def must_write(path, value):
    err = write(path, value)
    if err:
        raise DamonError('writing %r to %s failed: %s' %
                         (value, path, errno.errorcode.get(err, err)))


def errname(err):
    return 'success' if not err else errno.errorcode.get(err, str(err))


def kdamond_dir(k=0):
    return '%s/%d' % (KDAMONDS, k)


def ctx_dir(k=0):
    return kdamond_dir(k) + '/contexts/0'


def attrs_dir(k=0):
    return ctx_dir(k) + '/monitoring_attrs'


def target_dir(t, k=0):
    return '%s/targets/%d' % (ctx_dir(k), t)


def require_damon(tap):
    """Skip the whole test unless we are root and DAMON sysfs exists."""
    if os.geteuid() != 0:
        tap.bail_skip('not root')
    if not os.path.isdir(ADMIN):
        tap.bail_skip('%s does not exist (CONFIG_DAMON_SYSFS?)' % ADMIN)


def avail_ops():
    """The operations sets listed by avail_operations (needs a context)."""
    content = read(ctx_dir() + '/avail_operations')
    return content.split('\n') if content else []


def reset():
    """Stop every kdamond and remove all kdamond directories."""
    nr = read(KDAMONDS + '/nr_kdamonds')
    for k in range(int(nr) if nr and nr.isdigit() else 0):
        if read(kdamond_dir(k) + '/state') == 'on':
            write(kdamond_dir(k) + '/state', 'off')
    return write(KDAMONDS + '/nr_kdamonds', '0')


def state_cmd(cmd, k=0):
    """Write a command to the kdamond's state file; returns the errno."""
    return write(kdamond_dir(k) + '/state', cmd)


def state(k=0):
    return read(kdamond_dir(k) + '/state')


def kdamond_pid(k=0):
    pid = read(kdamond_dir(k) + '/pid')
    try:
        return int(pid)
    except (TypeError, ValueError):
        return None


def setup_kdamond(ops='vaddr', targets=(), sample_us=5000, aggr_us=100000,
                  update_us=None, min_nr=10, max_nr=1000, goal=None):
    """(Re)create kdamond 0 with one context and the given parameters.

    targets: sequence of dicts with optional keys 'pid', 'regions' (list of
    (start, end)) and 'obsolete'.  goal: None or (access_bp, aggrs,
    min_sample_us, max_sample_us).
    """
    reset()
    must_write(KDAMONDS + '/nr_kdamonds', '1')
    must_write(kdamond_dir() + '/contexts/nr_contexts', '1')
    must_write(ctx_dir() + '/operations', ops)
    set_attrs(sample_us, aggr_us, update_us, min_nr, max_nr)
    set_goal(goal)
    set_targets(targets)


def set_attrs(sample_us=None, aggr_us=None, update_us=None, min_nr=None,
              max_nr=None):
    intervals = attrs_dir() + '/intervals'
    # a temporary order that cannot trip a (non-existing) write-time check
    for name, val in (('aggr_us', aggr_us), ('sample_us', sample_us),
                      ('update_us', update_us)):
        if val is not None:
            must_write('%s/%s' % (intervals, name), val)
    for name, val in (('max', max_nr), ('min', min_nr)):
        if val is not None:
            must_write('%s/nr_regions/%s' % (attrs_dir(), name), val)


def set_goal(goal):
    """Write (access_bp, aggrs, min_sample_us, max_sample_us); None resets
    them to 0 (tuning off), if the kernel has them at all."""
    gdir = attrs_dir() + '/intervals/intervals_goal'
    if goal is None:
        if not os.path.isdir(gdir):
            return
        goal = (0, 0, 0, 0)
    for name, val in zip(('access_bp', 'aggrs', 'min_sample_us',
                          'max_sample_us'), goal):
        must_write('%s/%s' % (gdir, name), val)


def set_targets(targets):
    tdir = ctx_dir() + '/targets'
    must_write(tdir + '/nr_targets', len(targets))
    for i, t in enumerate(targets):
        set_target(i, t)


def set_target(i, t):
    d = target_dir(i)
    must_write(d + '/pid_target', t.get('pid', 0))
    if 'obsolete' in t:
        must_write(d + '/obsolete_target', 'Y' if t['obsolete'] else 'N')
    regions = t.get('regions', ())
    must_write(d + '/regions/nr_regions', len(regions))
    for r, (start, end) in enumerate(regions):
        must_write('%s/regions/%d/start' % (d, r), start)
        must_write('%s/regions/%d/end' % (d, r), end)


def ratio_ok(sample_us, aggr_us, ratio):
    """aggr_us / sample_us equals ratio, give or take rounding."""
    return abs(aggr_us - sample_us * ratio) <= max(1, sample_us * ratio // 200)


def save_result(name, text):
    """Keep a file for the host in $DAMON_TEST_RESULTS, if set."""
    d = os.environ.get('DAMON_TEST_RESULTS')
    if not d:
        return
    try:
        with open(os.path.join(d, name), 'w') as f:
            f.write(text)
    except OSError:
        pass


def tuned_intervals():
    """(sample_us, aggr_us) as currently shown by the intervals files."""
    d = attrs_dir() + '/intervals'
    return int(read(d + '/sample_us')), int(read(d + '/aggr_us'))


def biggest_system_ram():
    """[start, end) of the biggest top-level System RAM block."""
    best = None
    with open('/proc/iomem') as f:
        for line in f:
            if line.startswith(' ') or 'System RAM' not in line:
                continue
            span = line.split(':')[0].strip()
            start, end = (int(x, 16) for x in span.split('-'))
            if best is None or end + 1 - start > best[1] - best[0]:
                best = (start, end + 1)
    if not best or best[1] <= best[0] + 1:
        return None
    return best


# --------------------------------------------------------------------------
# processes

def find_helper(name):
    """Path of a host-built helper binary."""
    dirs = [os.environ.get('DAMON_SELFTEST_BIN', ''),
            os.path.dirname(os.path.abspath(sys.argv[0])), os.getcwd()]
    for d in dirs:
        path = os.path.join(d, name)
        if d and os.access(path, os.X_OK):
            return path
    return None


def fork_child():
    """os.fork(); the child keeps only stdin, stdout and stderr open, so
    that it holds no pipe of another child (a workload waits for the end of
    its stdin)."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.closerange(3, 1 << 16)
    return pid


def sleeper():
    """Fork a child that just sleeps; returns its pid."""
    pid = fork_child()
    if pid == 0:
        try:
            while True:
                time.sleep(3600)
        finally:
            os._exit(0)
    return pid


def start_spinner(cpu):
    """Fork a busy-looping child pinned to cpu.

    Under TCG the guest's TLB lives in QEMU's software TLB and is only
    flushed on a context switch (with pti=on, on every kernel entry too).
    DAMON clears accessed bits without flushing, so a workload that never
    gets switched out would keep using its cached translations and never set
    the accessed bits again.  Sharing its CPU with this spinner forces the
    switches a busy real machine would have.
    """
    pid = fork_child()
    if pid == 0:
        try:
            os.sched_setaffinity(0, {cpu})
            while os.getppid() != 1:
                for _ in range(200000):
                    pass
        finally:
            os._exit(0)
    return pid


def stop_process(pid):
    if not pid:
        return
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def runtime_ns(pid):
    """The scheduler's runtime of a task in ns (needs CONFIG_SCHEDSTATS):
    exact, unlike the tick-sampled utime/stime of a thread that runs in
    short bursts such as a kdamond."""
    with open('/proc/%d/schedstat' % pid) as f:
        return int(f.read().split()[0])


def cleanup(wl=None, spinner=None, trace=None):
    """The end of a measurement, whatever happened: kill the workload and
    the spinner, drop the tracefs instance and remove every kdamond."""
    if wl:
        wl.kill()
    stop_process(spinner)
    if trace:
        trace.close()
    reset()


def workload_cpu():
    """The CPU for the workload and its spinner: the last one we may use."""
    return max(os.sched_getaffinity(0))


class Workload:
    """Runs access_workload and parses its ground truth records."""

    def __init__(self, args):
        exe = find_helper('access_workload')
        if not exe:
            raise DamonError('access_workload binary not found '
                             '(DAMON_SELFTEST_BIN=%s)' %
                             os.environ.get('DAMON_SELFTEST_BIN'))
        self.proc = subprocess.Popen([exe, '-w'] + [str(a) for a in args],
                                     stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.pid = self.proc.pid
        self.area = None
        self.page_size = 4096
        self.hot = {}           # phase -> (start, end)
        self.phys = {}          # phase -> [(start, end)]
        self.phases = []        # [(phase, start_s, hot_start, hot_end)]
        self.stalls = []        # [(start_s, end_s)] the workload did not run
        self.done_s = None
        self.passes = None
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise DamonError('access_workload exited before ready')
            if self._parse(line.split()) == 'ready':
                break

    def _parse(self, w):
        if not w:
            return None
        if w[0] == 'area':
            self.area = (int(w[1], 16), int(w[2], 16))
            self.page_size = int(w[3].split('=')[1])
        elif w[0] == 'hot':
            self.hot[int(w[1])] = (int(w[2], 16), int(w[3], 16))
        elif w[0] == 'phys':
            self.phys[int(w[1])] = [tuple(int(x, 16) for x in r.split('-'))
                                    for r in w[3:]]
        elif w[0] == 'phase':
            self.phases.append((int(w[1]), int(w[2]) / 1e9,
                                int(w[3], 16), int(w[4], 16)))
        elif w[0] == 'stall':
            self.stalls.append((int(w[1]) / 1e9, int(w[2]) / 1e9))
        elif w[0] == 'done':
            self.done_s = int(w[1]) / 1e9
            self.passes = int(w[2].split('=')[1])
        return w[0]

    def go(self):
        self.proc.stdin.write('\n')
        self.proc.stdin.flush()

    def finish(self, timeout):
        """Wait for the end of all phases; the process then stays alive
        until release().  Returns whether the "done" record came."""
        timer = threading.Timer(timeout, self.kill)
        timer.start()
        try:
            for line in self.proc.stdout:
                if self._parse(line.split()) == 'done':
                    return True
            return False
        finally:
            timer.cancel()

    def release(self, timeout=30):
        """Let a finished workload exit; returns its exit status."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def stalled(self, start, end):
        """Seconds of [start, end) during which the workload did not run."""
        return sum(max(0.0, min(end, e) - max(start, s))
                   for s, e in self.stalls)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def phase_spans(self):
        """[(phase, start_s, end_s, hot_start, hot_end)]"""
        spans = []
        for i, (p, start, hs, he) in enumerate(self.phases):
            if i + 1 < len(self.phases):
                end = self.phases[i + 1][1]
            else:
                end = self.done_s
            if end is not None:
                spans.append((p, start, end, hs, he))
        return spans


# --------------------------------------------------------------------------
# tracing

TRACE_LINE_RE = re.compile(r'\s(\d+)\.(\d+): ([A-Za-z0-9_]+): (.*)$')
AGGR_RE = re.compile(r'target_id=(\d+) nr_regions=(\d+) (\d+)-(\d+): '
                     r'(\d+) (\d+)$')


def tracefs_root():
    for d in ('/sys/kernel/tracing', '/sys/kernel/debug/tracing'):
        if os.path.isdir(d + '/instances'):
            return d
    return None


def event_path(event):
    """'system/name' for an event; a bare name is a damon event."""
    return event if '/' in event else 'damon/' + event


class Trace:
    """A private tracefs instance recording some damon events."""

    def __init__(self, events, name='damon_selftest', buffer_kb=16384):
        root = tracefs_root()
        if not root:
            raise DamonError('tracefs is not mounted')
        self.dir = '%s/instances/%s' % (root, name)
        self.events = events
        if os.path.isdir(self.dir):
            self._disable()
            os.rmdir(self.dir)
        os.mkdir(self.dir)
        write(self.dir + '/buffer_size_kb', buffer_kb)
        # timestamps in CLOCK_MONOTONIC; sync() measures any offset anyway
        write(self.dir + '/trace_clock', 'mono')
        for ev in events:
            must_write('%s/events/%s/enable' % (self.dir, event_path(ev)),
                       '1')
        self.clear()

    @staticmethod
    def available(event):
        root = tracefs_root()
        return bool(root) and os.path.isdir('%s/events/%s' %
                                            (root, event_path(event)))

    def _disable(self):
        for ev in self.events:
            write('%s/events/%s/enable' % (self.dir, event_path(ev)), '0')

    def clear(self):
        fd = os.open(self.dir + '/trace', os.O_WRONLY | os.O_TRUNC)
        os.close(fd)

    def mark(self, text):
        write(self.dir + '/trace_marker', text)

    def sync(self):
        """Record a marker carrying CLOCK_MONOTONIC, to map timestamps."""
        self.mark('damon_selftest_sync %d' %
                  time.clock_gettime_ns(time.CLOCK_MONOTONIC))

    def stop(self):
        write(self.dir + '/tracing_on', '0')

    def start(self):
        write(self.dir + '/tracing_on', '1')

    def read_events(self):
        """[(mono_seconds, event_name, payload)] in trace order."""
        with open(self.dir + '/trace') as f:
            text = f.read()
        self.text = text
        events = []
        offset = None
        for line in text.splitlines():
            m = TRACE_LINE_RE.search(line)
            if not m:
                continue
            ts = int(m.group(1)) + int(m.group(2)) / 10 ** len(m.group(2))
            name, payload = m.group(3), m.group(4)
            if name == 'tracing_mark_write' and \
                    payload.startswith('damon_selftest_sync ') and \
                    offset is None:
                offset = int(payload.split()[1]) / 1e9 - ts
            events.append((ts, name, payload))
        offset = offset or 0.0
        return [(ts + offset, name, payload) for ts, name, payload in events]

    def close(self):
        try:
            self._disable()
            os.rmdir(self.dir)
        except OSError:
            pass


class Snapshot:
    """The regions of one target reported by one aggregation."""

    def __init__(self, ts, target, nr):
        self.ts = ts
        self.target = target
        self.nr = nr
        self.regions = []       # [(start, end, nr_accesses, age)]

    def complete(self):
        return len(self.regions) == self.nr


def snapshots(events):
    """Group damon_aggregated events into per-target Snapshots.

    A snapshot's regions are traced one after another in address order, so
    a new snapshot starts when the count announced by nr_regions is reached
    or the addresses go backwards.
    """
    result = []
    cur = {}
    for ts, name, payload in events:
        if name != 'damon_aggregated':
            continue
        m = AGGR_RE.search(payload)
        if not m:
            continue
        tid, nr, start, end, acc, age = (int(x) for x in m.groups())
        snap = cur.get(tid)
        if snap is None or len(snap.regions) >= snap.nr or \
                start < snap.regions[-1][1]:
            snap = Snapshot(ts, tid, nr)
            cur[tid] = snap
            result.append(snap)
        snap.regions.append((start, end, acc, age))
    return result


def tune_events(events):
    """[(mono_seconds, sample_us)] of damon_monitor_intervals_tune."""
    result = []
    for ts, name, payload in events:
        if name == 'damon_monitor_intervals_tune':
            m = re.search(r'sample_us=(\d+)', payload)
            if m:
                result.append((ts, int(m.group(1))))
    return result


# --------------------------------------------------------------------------
# interval arithmetic used by the accuracy checks

def clip(regions, lo, hi):
    """Regions cut to [lo, hi); the empty ones dropped."""
    out = []
    for start, end, acc, age in regions:
        s, e = max(start, lo), min(end, hi)
        if s < e:
            out.append((s, e, acc, age))
    return out


def hot_regions(regions, frac):
    """Regions whose nr_accesses reach frac of the highest one (at least 1)."""
    top = max((r[2] for r in regions), default=0)
    if not top:
        return []
    thr = max(1.0, frac * top)
    return [r for r in regions if r[2] >= thr]


def merge_ranges(ranges):
    out = []
    for s, e in sorted(ranges):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def overlap_bytes(a, b):
    """Bytes in both sorted, coalesced range lists."""
    i = j = total = 0
    while i < len(a) and j < len(b):
        s, e = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if s < e:
            total += e - s
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def median(values):
    return statistics.median(values) if values else float('nan')
