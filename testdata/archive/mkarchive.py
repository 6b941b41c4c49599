#!/usr/bin/env python3
"""mkarchive.py KIND OUT [ROOT]: archives that tar(1) and zip(1) do not
make.  KIND cpio: ROOT as a cpio "newc" archive (hard links share an
inode number; the last member carries the data).  The other kinds are
hostile tar archives for patch-create to refuse: absolute, dotdot,
through-symlink, duplicate, device, huge, badlink."""
import io, os, stat, sys, tarfile


def cpio(out, root):
    def header(name, st, ino, nlink, size):
        fields = [ino, st.st_mode, st.st_uid, st.st_gid, nlink,
                  int(st.st_mtime), size, 0, 0, 0, 0, len(name) + 1, 0]
        h = b"070701" + b"".join(b"%08X" % f for f in fields)
        h += name.encode() + b"\0"
        return h + b"\0" * (-len(h) % 4)
    inodes, items = {}, []
    for dirpath, dirs, files in os.walk(root):
        dirs.sort()
        for n in sorted(dirs) + sorted(files):
            p = os.path.join(dirpath, n)
            items.append((os.path.relpath(p, root), os.lstat(p)))
    groups = {}
    for rel, st in items:
        if stat.S_ISREG(st.st_mode) and st.st_nlink > 1:
            groups.setdefault(st.st_ino, []).append(rel)
    with open(out, "wb") as f:
        for i, (rel, st) in enumerate(items, 1):
            data = b""
            ino = inodes.setdefault(st.st_ino, i)
            if stat.S_ISLNK(st.st_mode):
                data = os.readlink(os.path.join(root, rel)).encode()
            elif stat.S_ISREG(st.st_mode):
                g = groups.get(st.st_ino)
                if g is None or g[-1] == rel:
                    data = open(os.path.join(root, rel), "rb").read()
            nlink = st.st_nlink if stat.S_ISREG(st.st_mode) else 1
            f.write(header(rel, st, ino, nlink, len(data)))
            f.write(data + b"\0" * (-len(data) % 4))
        f.write(header("TRAILER!!!", os.lstat(root), 0, 1, 0))


def hostile(kind, out):
    t = tarfile.open(out, "w", format=tarfile.GNU_FORMAT)

    def add(name, data=b"x", type_=tarfile.REGTYPE, **kw):
        ti = tarfile.TarInfo(name)
        ti.type = type_
        ti.size = len(data) if type_ == tarfile.REGTYPE else 0
        for k, v in kw.items():
            setattr(ti, k, v)
        t.addfile(ti, io.BytesIO(data) if ti.size else None)
    add("ok")
    if kind == "absolute":
        add("/etc/evil")
    elif kind == "dotdot":
        add("a/../../evil")
    elif kind == "through-symlink":
        add("link", type_=tarfile.SYMTYPE, linkname="/etc")
        add("link/evil")
    elif kind == "duplicate":
        add("ok", b"again")
    elif kind == "device":
        add("dev", type_=tarfile.CHRTYPE, devmajor=1, devminor=3)
    elif kind == "badlink":
        add("hl", type_=tarfile.LNKTYPE, linkname="missing")
    t.close()
    if kind == "huge":
        # A header that declares 2 TiB of data which never follows.
        ti = tarfile.TarInfo("huge")
        ti.size = 2 << 40
        with open(out, "wb") as f:
            f.write(ti.tobuf(format=tarfile.GNU_FORMAT))


if sys.argv[1] == "cpio":
    cpio(sys.argv[2], sys.argv[3])
else:
    hostile(sys.argv[1], sys.argv[2])
