#!/usr/bin/env python3
"""Writes a large old/new pair for bench/run --large: the corpus's old
builds repeated up to SIZE MiB, and its new builds in the same places, each
copy tagged every 64 KiB so that no two copies are the same.

usage: mklarge.py SIZE_MIB OLD NEW CORPUS_DIR"""
import os
import sys


def pairs(corpus):
    out = []
    for name in sorted(os.listdir(corpus)):
        d = os.path.join(corpus, name)
        try:
            with open(os.path.join(d, "old"), "rb") as f:
                o = f.read()
            with open(os.path.join(d, "new"), "rb") as f:
                n = f.read()
        except OSError:
            continue
        out.append((o, n))
    return out


def tagged(data, copy):
    parts = []
    for off in range(0, len(data), 65536):
        parts.append(data[off:off + 65536])
        parts.append(b"copy %08d at %010d\n" % (copy, off))
    return b"".join(parts)


def main():
    size = int(sys.argv[1]) << 20
    src = pairs(sys.argv[4])
    if not src:
        sys.exit("mklarge.py: no pairs in " + sys.argv[4])
    written = copy = 0
    with open(sys.argv[2], "wb") as fo, open(sys.argv[3], "wb") as fn:
        while written < size:
            o, n = src[copy % len(src)]
            fo.write(tagged(o, copy))
            fn.write(tagged(n, copy))
            written += len(o)
            copy += 1


main()
