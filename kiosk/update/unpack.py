"""Unpack a verified release beside the running version, never over it.

The archive's hash was checked against the signed metadata before this runs, so its bytes
are the county's. The checks here are the second line: what a release key that leaked, or
a packing mistake, could put in an archive. Every entry is checked before it is written:
relative names only (no ``..``, no absolute or drive paths, no control characters), regular
files, folders and relative links that stay inside the release, nothing written through a
link, no entry twice, and never more files or bytes than the release declared.
"""

import gzip
import os
import re
import tarfile
import zlib
from pathlib import Path, PurePosixPath

from kiosk.files import fsync_dir
from kiosk.formats import releases
from kiosk.update.state import PARTIAL, ensure_empty, remove_tree

_CHUNK = 1024 * 1024
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f\\:]")


class BadRelease(releases.ReleaseRefused):
    """The archive holds something a release must not."""


def unpack(archive: Path, declared: releases.Declaration, dest: Path) -> None:
    """Unpack ``archive`` into the new folder ``dest`` (complete, or not there at all).

    Raises:
        BadRelease: an entry breaks the rules above, or the archive is damaged.
        OSError: the disk is full or not writable (nothing is left behind).
    """
    partial = dest.parent / f"{PARTIAL}{dest.name}"
    ensure_empty(partial)
    partial.mkdir()
    try:
        files, size = _extract(archive, declared, partial)
        if (files, size) != (declared.files, declared.unpacked):
            raise _bad(archive, f"含 {files} 个条目、{size} 字节，与声明的 {declared.files} 个、"
                       f"{declared.unpacked} 字节不符", f"holds {files} entries and {size} bytes,"
                       f" not the declared {declared.files} and {declared.unpacked}")  # fmt: skip
        program = partial / releases.executable(declared.platform)
        if not program.is_file() or releases.bundle_version(partial) != declared.version:
            raise _bad(archive, f"不是 {declared.version} 版的终端程序",
                       f"is not program version {declared.version}")
        fsync_dir(partial)
        os.replace(partial, dest)
        fsync_dir(dest.parent)
    except BaseException:
        remove_tree(partial)
        raise


def _bad(archive: Path, zh: str, en: str) -> BadRelease:
    return BadRelease(f"程序更新包 {archive.name} {zh}，已拒绝",
                      f"release archive {archive.name} {en}; refused")


def _extract(archive: Path, declared: releases.Declaration, partial: Path) -> tuple[int, int]:
    files = size = 0
    links: set[PurePosixPath] = set()
    seen: set[PurePosixPath] = set()
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                files += 1
                if files > declared.files:
                    raise _bad(archive, "的条目多于声明", "holds more entries than declared")
                name = _checked_name(archive, member.name)
                if name in seen or any(p in links for p in name.parents):
                    raise _bad(archive, f"中的 {member.name!r} 重复或位于链接之下",
                               f"holds {member.name!r} twice or below a link")  # fmt: skip
                seen.add(name)
                path = partial.joinpath(*name.parts)
                if member.isdir():
                    path.mkdir(mode=0o755)
                elif member.isfile():
                    size += member.size
                    if size > declared.unpacked:
                        raise _bad(archive, "解开后大于声明的大小", "unpacks to more than declared")
                    _write(tar, member, path)
                elif member.issym() and os.name != "nt":
                    _link(archive, member, name, path)
                    links.add(name)
                else:
                    raise _bad(archive, f"中的 {member.name!r} 不是普通文件",
                               f"holds {member.name!r}, not a file")
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        # Any other OSError is the terminal's own disk: the caller says so.
        raise _bad(archive, "已损坏", f"is damaged ({exc})") from exc
    return files, size


def _checked_name(archive: Path, raw: str) -> PurePosixPath:
    name = PurePosixPath(raw)
    if (not raw or len(raw) > releases.MAX_PATH or _BAD_NAME.search(raw) or name.is_absolute()
            or any(part in ("", ".", "..") for part in raw.split("/"))):  # fmt: skip
        raise _bad(archive, f"中有不允许的路径 {raw!r}", f"holds a forbidden path {raw!r}")
    return name


def _write(tar: tarfile.TarFile, member: tarfile.TarInfo, path: Path) -> None:
    source = tar.extractfile(member)
    mode = 0o755 if member.mode & 0o100 else 0o644
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
                 | getattr(os, "O_NOFOLLOW", 0), mode)  # fmt: skip
    with os.fdopen(fd, "wb") as out:
        while chunk := source.read(_CHUNK):
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())


def _link(archive: Path, member: tarfile.TarInfo, name: PurePosixPath, path: Path) -> None:
    pointed = PurePosixPath(member.linkname)
    resolved = name.parent.joinpath(pointed).parts
    depth = 0
    for part in resolved:  # the link must stay inside the release at every step
        depth += -1 if part == ".." else (0 if part == "." else 1)
        if depth < 0:
            break
    if pointed.is_absolute() or depth < 1 or _BAD_NAME.search(member.linkname):
        raise _bad(archive, f"中的链接 {member.name!r} 指向包外",
                   f"holds a link {member.name!r} pointing outside")
    os.symlink(member.linkname, path)
