#!/usr/bin/env python3
"""Remakes the VCDIFF golden files of this directory (see ../README).

usage: testdata/vcdiff/make.py [DIR]   (default: this script's directory)

old and new are generated text; the xd3-* deltas are what Debian's
xdelta3 3.0.11 writes for them; the others are written byte by byte
below, each commented with what it holds.  expected lists, for every
delta, the exit status of `patch-delta apply old DELTA OUT` and the file
OUT must then equal ("-" when it fails).
"""
import os
import subprocess
import sys
import zlib

out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
os.makedirs(out, exist_ok=True)


def put(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


def window(ind, tgt_len, data, inst, addr, seg=None, adler=None, delta_ind=0):
    """One window of RFC 3284 section 4.2, sizes as single-byte integers."""
    body = bytes([tgt_len, delta_ind, len(data), len(inst), len(addr)])
    if adler is not None:
        body += adler.to_bytes(4, "big")
    body += data + inst + addr
    head = bytes([ind])
    if seg is not None:
        head += bytes(seg)
    assert len(body) < 128 and tgt_len < 128
    return head + bytes([len(body)]) + body


HDR = b"\xd6\xc3\xc4\x00\x00"

# old and new: about 6 KiB of text with scattered edits, a moved block
# and a repeated one, so xdelta3 uses source, target and cached addresses.
lines = ["%04d the quick brown fox %x jumps over the lazy dog\n" % (i, i * 7919)
         for i in range(120)]
old = "".join(lines).encode()
nl = lines[:]
nl[10] = "0010 a changed line\n"
nl[40:50], nl[80:90] = nl[80:90], nl[40:50]
nl += lines[0:20]
new = "".join(nl).encode()
put("old", old)
put("new", new)

for name, opts in (("xd3-none", ["-S", "none"]), ("xd3-lzma", ["-S", "lzma"]),
                   ("xd3-nochecksum", ["-S", "none", "-n"]),
                   ("xd3-level1", ["-1", "-S", "none"]),
                   ("xd3-apphead", ["-S", "none", "-A=golden"])):
    args = ["xdelta3", "-e", "-f", "-c"] + opts
    if name != "xd3-apphead":
        args.append("-A=")
    delta = subprocess.run(args + ["-s", os.path.join(out, "old"),
                                   os.path.join(out, "new")],
                           check=True, stdout=subprocess.PIPE).stdout
    put("good-%s.vcdiff" % name, delta)

# DJW: words drawn from a small set, which xdelta3 really compresses
# with it (a long ADD of skewed bytes).
words = [b"alpha", b"beta", b"gamma", b"delta", b"epsilon", b"zeta"]
seed, text = 1, []
for i in range(3000):
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    text.append(words[(seed >> 16) % 6])
djw = subprocess.run(["xdelta3", "-e", "-f", "-c", "-A=", "-S", "djw", "-s",
                      os.path.join(out, "old"), "/dev/stdin"], check=True,
                     input=b" ".join(text),
                     stdout=subprocess.PIPE).stdout
put("unsupported-djw.vcdiff", djw)

# No window at all: the empty file.
put("good-empty.vcdiff", HDR)
put("empty", b"")

# Window 1 adds ABCDEFGH (ADD 8 is code 9); window 2 is VCD_TARGET over
# bytes 2 to 5 of what came before: COPY 4 from address 0 in mode SELF
# (code 20), then ADD 2 (code 3).
put("good-target.vcdiff", HDR +
    window(0, 8, b"ABCDEFGH", b"\x09", b"") +
    window(2, 6, b"XY", b"\x14\x03", b"\x00", seg=[4, 2]))
put("target", b"ABCDEFGHCDEFXY")

# A window copying from itself: ADD "ab" (3); COPY 10 from 0 in mode SELF
# (26), overlapping what it writes; COPY 4 in mode NEAR 0 (52), address
# near[0] + 1; COPY 4 in mode SAME 0 (116), byte 1; RUN 5 of Q (0, size 5);
# then ADD 1 and COPY 4 from HERE - 3 in one paired code (175).
inst = b"\x03\x1a\x34\x74\x00\x05\xaf"
addr = b"\x00\x01\x01\x03"
self_out = bytearray(b"ab" + b"ababababab" + b"baba" + b"baba" + b"QQQQQ" + b"z")
for i in range(4):                      # overlapping, byte by byte
    self_out.append(self_out[len(self_out) - 3])
self_out = bytes(self_out)
put("good-self.vcdiff", HDR + window(0, len(self_out), b"abQz", inst, addr))
put("self", self_out)

# xdelta3's Adler-32 (window bit 2), right and wrong.
put("good-adler.vcdiff", HDR + window(4, 3, b"abc", b"\x04", b"",
                                      adler=zlib.adler32(b"abc")))
put("abc", b"abc")
put("bad-adler.vcdiff", HDR + window(4, 3, b"abc", b"\x04", b"",
                                     adler=zlib.adler32(b"abd")))

# A COPY from address 5 while nothing is written yet.
put("bad-address.vcdiff", HDR + window(0, 4, b"", b"\x14", b"\x05"))
# A window whose instructions make less than its target length.
put("bad-short.vcdiff", HDR + window(0, 5, b"abc", b"\x04", b""))
# A source segment at 16384, past the end of old: the wrong old file.
put("bad-segment.vcdiff", HDR + window(1, 4, b"", b"\x14", b"\x00",
                                       seg=[4, 0x81, 0x80, 0x00]))
# The first window of good-xd3-none, cut short.
put("bad-truncated.vcdiff",
    open(os.path.join(out, "good-xd3-none.vcdiff"), "rb").read()[:40])
# A custom code table (header bit 1) and version 1.
put("unsupported-codetable.vcdiff", b"\xd6\xc3\xc4\x00\x02\x00")
put("unsupported-version.vcdiff", b"\xd6\xc3\xc4\x01\x00")
# A compressed section under a secondary compressor of identifier 9.
put("unsupported-secondary.vcdiff", b"\xd6\xc3\xc4\x00\x01\x09" +
    window(0, 3, b"\x03abc", b"\x04", b"", delta_ind=1))

with open(os.path.join(out, "expected"), "w") as f:
    f.write("# delta status output\n")
    for name, status, result in (
            ("good-xd3-none", 0, "new"), ("good-xd3-lzma", 0, "new"),
            ("good-xd3-nochecksum", 0, "new"), ("good-xd3-level1", 0, "new"),
            ("good-xd3-apphead", 0, "new"), ("good-empty", 0, "empty"),
            ("good-target", 0, "target"), ("good-self", 0, "self"),
            ("good-adler", 0, "abc"), ("bad-adler", 1, "-"),
            ("bad-address", 3, "-"), ("bad-short", 3, "-"),
            ("bad-segment", 1, "-"), ("bad-truncated", 3, "-"),
            ("unsupported-codetable", 4, "-"),
            ("unsupported-version", 4, "-"), ("unsupported-djw", 4, "-"),
            ("unsupported-secondary", 4, "-")):
        f.write("%s.vcdiff %d %s\n" % (name, status, result))
