#!/usr/bin/env python3
"""mkhostile.py DIR: write the hostile layer archives tests/rootfs-unpack_test.sh
feeds rootfs-unpack, one DIR/CASE.tar each (DIR/bomb.tar.gz compressed).

Each tries to reach outside the destination, or to make it look like
something it is not: "..", absolute names, symlinks planted to redirect a
later entry, escaping hard links, a root that stops being a directory,
whiteouts through symlinks, oversized pax and GNU long-name records, names
with terminal escapes.  OUTSIDE is the path the escapes aim at: the test
checks it is never touched.  The archives are made with the tarfile module,
record by record where tarfile would refuse.
"""
import gzip
import io
import os
import sys
import tarfile


def member(name, kind=tarfile.REGTYPE, data=b"", link="", mode=0o644):
    t = tarfile.TarInfo(name)
    t.type = kind
    t.mode = mode
    t.mtime = 1700000000
    t.uid = t.gid = 0
    t.uname = t.gname = "root"
    t.linkname = link
    t.size = len(data) if kind == tarfile.REGTYPE else 0
    return t, (io.BytesIO(data) if kind == tarfile.REGTYPE else None)


def write(path, members, fmt=tarfile.PAX_FORMAT):
    with tarfile.open(path, "w", format=fmt) as tf:
        for t, f in members:
            tf.addfile(t, f)


def block(data):
    return data + b"\0" * (-len(data) % 512)


def raw_header(name, size, kind, link=b""):
    """A ustar header made by hand: tarfile checks what this must not."""
    h = bytearray(512)
    h[0:len(name)] = name
    h[100:108] = b"0000644\0"
    h[108:116] = b"0000000\0"
    h[116:124] = b"0000000\0"
    h[124:136] = b"%011o\0" % size
    h[136:148] = b"%011o\0" % 1700000000
    h[148:156] = b" " * 8
    h[156:157] = kind
    h[157:157 + len(link)] = link
    h[257:263] = b"ustar\0"
    h[263:265] = b"00"
    h[148:156] = b"%06o\0 " % sum(h)
    return bytes(h)


def main():
    out, outside = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    p = lambda name: os.path.join(out, name)
    sym, hard, d = tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.DIRTYPE

    write(p("dotdot.tar"), [member("../escape", data=b"x")])
    write(p("dotdot-deep.tar"),
          [member("a/", d, mode=0o755), member("a/../../escape", data=b"x")])
    write(p("absolute.tar"), [member(outside + "/abs", data=b"x")])
    write(p("symlink-dir.tar"),
          [member("a", sym, link=outside), member("a/planted", data=b"x")])
    write(p("symlink-relative.tar"),
          [member("a", sym, link="../../../../../../../.." + outside),
           member("a/planted", data=b"x")])
    write(p("symlink-chain.tar"),
          [member("b", sym, link=outside), member("a", sym, link="b"),
           member("a/planted", data=b"x")])
    write(p("hardlink-absolute.tar"),
          [member("h", hard, link=outside + "/target")])
    write(p("hardlink-dotdot.tar"),
          [member("h", hard, link="../../../../../../.." + outside +
                  "/target")])
    write(p("hardlink-through-symlink.tar"),
          [member("a", sym, link=outside), member("h", hard, link="a/target")])
    write(p("write-through-symlink.tar"),
          [member("f", sym, link=outside + "/target"),
           member("f", data=b"overwritten")])
    write(p("root-symlink.tar"), [member(".", sym, link=outside)])
    write(p("root-file.tar"), [member("./", data=b"x")])
    write(p("whiteout-through-symlink.tar"),
          [member("a", sym, link=outside), member("a/.wh.target")])
    write(p("opaque-through-symlink.tar"),
          [member("a", sym, link=outside), member("a/.wh..wh..opq")])
    write(p("bare-whiteout.tar"), [member("dir/", d), member("dir/.wh.")])
    write(p("escape-name.tar"),
          [member("evil\x1b[31mred\x07", sym, link=outside),
           member("evil\x1b[31mred\x07/x", data=b"x")])

    # A pax record claiming 1 GiB: refused before it is allocated.
    with open(p("pax-huge.tar"), "wb") as f:
        f.write(raw_header(b"././@PaxHeader", 1 << 30, b"x"))
        f.write(block(b"20 path=aaaaaaaaaa\n"))
        f.write(b"\0" * 1024)
    # A GNU long name of 1 GiB.
    with open(p("gnu-longname-huge.tar"), "wb") as f:
        f.write(raw_header(b"././@LongLink", 1 << 30, b"L"))
        f.write(block(b"a" * 100))
        f.write(b"\0" * 1024)
    # A pax record whose length field lies.
    with open(p("pax-bad-length.tar"), "wb") as f:
        rec = b"99 path=short\n"
        f.write(raw_header(b"././@PaxHeader", len(rec), b"x"))
        f.write(block(rec))
        f.write(raw_header(b"file", 0, b"0"))
        f.write(b"\0" * 1024)
    # Truncated inside the data.
    with open(p("truncated.tar"), "wb") as f:
        f.write(raw_header(b"file", 4096, b"0"))
        f.write(b"x" * 1000)
    # 64 MiB of zeros in one file, 64 KiB gzip'ed: --max-bytes stops it.
    buf = io.BytesIO()
    t, _ = member("zeros", data=b"")
    t.size = 64 << 20
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        tf.addfile(t, io.BytesIO(bytes(64 << 20)))
    with gzip.open(p("bomb.tar.gz"), "wb", compresslevel=9) as g:
        g.write(buf.getvalue())
    # Many entries: --max-entries stops it.
    write(p("many.tar"), [member("f%05d" % i) for i in range(2000)])


if __name__ == "__main__":
    main()
