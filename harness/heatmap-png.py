#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Draw the demo's heatmap cells (heatmap.tsv) as a PNG, with no libraries.

usage: heatmap-png.py heatmap.tsv out.png
Rows are time (downwards), columns are address; a cell's value 0..1 is the
share of samples in which DAMON found that part of the area accessed.
"""
import struct
import sys
import zlib

SCALE = 8


def colour(v):
    """Dark blue (never accessed) through red to yellow (always)."""
    v = max(0.0, min(1.0, v))
    return bytes((int(40 + 215 * min(1.0, 2 * v)),
                  int(255 * max(0.0, 2 * v - 1)),
                  int(90 * (1 - v))))


def chunk(kind, data):
    body = kind + data
    return struct.pack('>I', len(data)) + body + \
        struct.pack('>I', zlib.crc32(body) & 0xffffffff)


def main(src, dst):
    with open(src) as f:
        rows = [[float(x) for x in ln.split('\t')]
                for ln in f if ln.strip() and not ln.startswith('#')]
    if not rows:
        sys.exit('no heatmap rows in %s' % src)
    width = len(rows[0]) * SCALE
    raw = b''
    for cells in rows:
        line = b'\0' + b''.join(colour(v) * SCALE for v in cells)
        raw += line * SCALE
    png = b'\x89PNG\r\n\x1a\n'
    png += chunk(b'IHDR', struct.pack('>IIBBBBB', width, len(rows) * SCALE,
                                      8, 2, 0, 0, 0))
    png += chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b'')
    with open(dst, 'wb') as f:
        f.write(png)


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
