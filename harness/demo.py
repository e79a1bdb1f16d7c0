#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# UNFINISHED: not wired into `make demo` yet; in the last trial it printed
# nothing within four minutes in the guest (cause not found). See the notes
# on the operations-sets issue.
"""Guest side of `make demo`: watch a workload with DAMON, as a sysadmin would.

Starts the ground-truth workload of the selftests (a hot window that moves
between phases), sets DAMON up through /sys/kernel/mm/damon/admin only,
reads the damon_aggregated tracepoint, and prints an access heatmap (time
down, address across), the working set size per phase against the truth,
the region count and the kdamond's CPU use.  DEMO_PNG=1 also writes the
heatmap as a PNG into the run folder.
"""
import os
import select
import struct
import subprocess
import sys
import time
import zlib

ADMIN = '/sys/kernel/mm/damon/admin'
TRACE = '/sys/kernel/tracing'
SAMPLE_US, AGGR_US = 5000, 100000
MAX_NR = AGGR_US // SAMPLE_US
COLS, ROW_S = 64, 0.5
SHADES = ' .:-=+*#%@'


def write(path, value):
    with open(path, 'w') as f:
        f.write(str(value))


def read(path):
    with open(path) as f:
        return f.read().strip()


def setup_damon(pid):
    write(f'{ADMIN}/kdamonds/nr_kdamonds', 1)
    kd = f'{ADMIN}/kdamonds/0'
    write(f'{kd}/contexts/nr_contexts', 1)
    ctx = f'{kd}/contexts/0'
    write(f'{ctx}/operations', 'vaddr')
    attrs = f'{ctx}/monitoring_attrs'
    write(f'{attrs}/intervals/sample_us', SAMPLE_US)
    write(f'{attrs}/intervals/aggr_us', AGGR_US)
    write(f'{attrs}/nr_regions/min', 10)
    write(f'{attrs}/nr_regions/max', 1000)
    write(f'{ctx}/targets/nr_targets', 1)
    write(f'{ctx}/targets/0/pid_target', pid)
    return kd


def kdamond_runtime_ns(pid):
    """Scheduler runtime if schedstat exists, else tick-sampled CPU time."""
    try:
        return int(read(f'/proc/{pid}/schedstat').split()[0])
    except (OSError, ValueError):
        fields = read(f'/proc/{pid}/stat').rsplit(')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 10**9 // \
            os.sysconf('SC_CLK_TCK')


def spinner(cpu):
    """Share the workload's CPU: under TCG, context switches flush the
    software TLB so the workload's accesses set accessed bits again."""
    pid = os.fork()
    if pid == 0:
        os.sched_setaffinity(0, {cpu})
        while True:
            pass
    return pid


def parse_trace_line(line):
    # "... 12.345678: damon_aggregated: target_id=0 nr_regions=12 a-b: n age"
    try:
        head, body = line.split(': damon_aggregated: ')
        ts = float(head.split()[-1].rstrip(':'))
        words = body.split()
        nr_regions = int(words[1].split('=')[1])
        start, end = (int(x) for x in words[2].rstrip(':').split('-'))
        return ts, nr_regions, start, end, int(words[3])
    except (ValueError, IndexError):
        return None


def collect(pipe, work, snapshots, events):
    """Read trace lines and workload records until the workload is done."""
    buf, cur = b'', []
    wbuf = b''
    while True:
        ready, _, _ = select.select([pipe, work.stdout], [], [], 1.0)
        if work.stdout in ready:
            chunk = os.read(work.stdout.fileno(), 65536)
            wbuf += chunk
            *lines, wbuf = wbuf.split(b'\n')
            for ln in lines:
                events.append((time.monotonic(), ln.decode().split()))
                if ln.startswith(b'done'):
                    return
            if not chunk:
                return
        if pipe in ready:
            buf += os.read(pipe, 1 << 20)
            *lines, buf = buf.split(b'\n')
            for ln in lines:
                rec = parse_trace_line(ln.decode(errors='replace'))
                if not rec:
                    continue
                cur.append(rec)
                if len(cur) == rec[1]:
                    snapshots.append((time.monotonic(), cur))
                    cur = []


def heat_rows(snapshots, area, t0):
    span = area[1] - area[0]
    rows = {}
    for when, regions in snapshots:
        row = int((when - t0) / ROW_S)
        cells = rows.setdefault(row, [0.0] * COLS)
        for _, _, start, end, nr in regions:
            lo = max(start, area[0])
            hi = min(end, area[1])
            if hi <= lo:
                continue
            for col in range((lo - area[0]) * COLS // span,
                             min(COLS - 1, (hi - 1 - area[0]) * COLS // span) + 1):
                cells[col] = max(cells[col], min(1.0, nr / MAX_NR))
    return [rows[r] for r in sorted(rows)], sorted(rows)


def write_png(path, rows, scale=6):
    height, width = len(rows) * scale, COLS * scale
    raw = b''
    for cells in rows:
        line = b'\0' + b''.join(
            bytes((int(255 * v), int(80 + 100 * v), int(255 * (1 - v)))) * scale
            for v in cells)
        raw += line * scale

    def chunk(kind, data):
        c = struct.pack('>I', len(data)) + kind + data
        return c + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)
    png = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack(
        '>IIBBBBB', width, height, 8, 2, 0, 0, 0))
    png += chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b'')
    with open(path, 'wb') as f:
        f.write(png)


def main():
    binary = os.path.join(os.environ.get('DAMON_SELFTEST_BIN', '.'),
                          'access_workload')
    if not os.path.isdir(ADMIN) or not os.access(binary, os.X_OK):
        print(f'demo needs {ADMIN} and {binary}')
        return 1
    cpu = 1 if os.cpu_count() > 1 else 0
    work = subprocess.Popen([binary, '-s', '128', '-f', '100', '-d', '6000',
                             '-n', '3', '-o', '100,650,350', '-c', str(cpu),
                             '-w'], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE)
    area, hot = None, {}
    for ln in work.stdout:
        w = ln.decode().split()
        if w[0] == 'area':
            area = (int(w[1], 16), int(w[2], 16))
        elif w[0] == 'hot':
            hot[int(w[1])] = (int(w[2], 16), int(w[3], 16))
        elif w[0] == 'ready':
            break
    spin = spinner(cpu)
    kd = setup_damon(work.pid)
    write(f'{TRACE}/events/damon/damon_aggregated/enable', 1)
    pipe = os.open(f'{TRACE}/trace_pipe', os.O_RDONLY | os.O_NONBLOCK)
    write(f'{kd}/state', 'on')
    kpid = int(read(f'{kd}/pid'))
    cpu0, t0 = kdamond_runtime_ns(kpid), time.monotonic()
    work.stdin.write(b'go\n')
    work.stdin.flush()

    snapshots, events = [], []
    collect(pipe, work, snapshots, events)
    cpu_ns, wall = kdamond_runtime_ns(kpid) - cpu0, time.monotonic() - t0
    write(f'{kd}/state', 'off')
    write(f'{TRACE}/events/damon/damon_aggregated/enable', 0)
    os.close(pipe)
    work.stdin.close()
    work.wait()
    os.kill(spin, 9)
    os.waitpid(spin, 0)
    report(area, hot, events, snapshots, t0, cpu_ns, wall)
    return 0


def report(area, hot, events, snapshots, t0, cpu_ns, wall):
    rows, idx = heat_rows(snapshots, area, t0)
    starts = {int(w[1]): when for when, w in events if w and w[0] == 'phase'}
    mib = (area[1] - area[0]) >> 20
    print(f'Access heatmap of a {mib} MiB area (left: 0 MiB, right: '
          f'{mib} MiB), one row per {ROW_S}s; darker = more accesses.')
    print(f'   time |{"-" * COLS}|')
    for row, cells in zip(idx, rows):
        t = row * ROW_S
        mark = ''.join(f' <- phase {p} starts' for p, s in starts.items()
                       if row == int((s - t0) / ROW_S))
        line = ''.join(SHADES[min(len(SHADES) - 1, int(v * len(SHADES)))]
                       for v in cells)
        print(f'{t:6.1f}s |{line}|{mark}')
    print()
    print('phase  true hot window (MiB)   DAMON working set (median)')
    for p in sorted(starts):
        begin = starts[p]
        end = starts.get(p + 1, float('inf'))
        settle = begin + 0.3 * min(end - begin, 6.0)
        sizes = sorted(sum(e - s for _, _, s, e, nr in regs if nr > 0)
                       for when, regs in snapshots if settle <= when < end)
        lo, hi = hot[p]
        wss = sizes[len(sizes) // 2] if sizes else 0
        print(f'{p:5}  {(lo - area[0]) / 2**20:6.1f} - '
              f'{(hi - area[0]) / 2**20:6.1f} ({(hi - lo) / 2**20:.1f})   '
              f'{wss / 2**20:.1f} MiB over {len(sizes)} snapshots')
    counts = sorted(len(r) for _, r in snapshots)
    if counts:
        print(f'regions per snapshot: min {counts[0]}, median '
              f'{counts[len(counts) // 2]}, max {counts[-1]} '
              f'(bounds 10..1000)')
    print(f'kdamond CPU: {100 * cpu_ns / 1e9 / wall:.2f}% of one CPU over '
          f'{wall:.1f}s (sampling every {SAMPLE_US // 1000} ms)')
    print()
    print('What you see: each row is half a second; each column is 2% of the '
          'area.  DAMON\nfinds the hot window within a few aggregations and '
          'follows it when it moves,\nwhile the number of regions stays '
          'small; that is why its cost does not grow\nwith memory size.')
    if os.environ.get('DEMO_PNG') and os.environ.get('RESULTS'):
        path = os.path.join(os.environ['RESULTS'], 'heatmap.png')
        write_png(path, rows)
        print(f'heatmap PNG written to the run folder (heatmap.png)')


if __name__ == '__main__':
    sys.exit(main())
