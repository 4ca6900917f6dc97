"""Putting versions into a program root: the first install, a release unpacked as pending,
and the switch to it.

At most two versions are kept: staging a new one first drops every version but the one
running, and a new version is not staged while the running one is still on trial (its
fallback is needed until it proves itself).
"""

import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from kiosk import log
from kiosk.errors import KnownError
from kiosk.files import fsync_dir, write_atomic
from kiosk.formats import releases
from kiosk.update.state import PARTIAL, AppRoot, State, ensure_empty, remove_tree
from kiosk.update.unpack import unpack

_log = log.get("kiosk.update")

MARGIN = 64 * 1024 * 1024  # free disk left after a release is in place (logs, the database)

BOOT_SH = """#!/bin/sh
# Starts the proven version's launcher (kiosk.update.launcher). Autostart runs this file.
root="$(cd "$(dirname "$0")" && pwd)"
exec "$root/versions/$(cat "$root/launcher")/kiosk" launch --root "$root" "$@"
"""
BOOT_CMD = """@echo off
rem Starts the proven version's launcher (kiosk.update.launcher). Autostart runs this file.
set /p V=<"%~dp0launcher"
"%~dp0versions\\%V%\\kiosk.exe" launch --root "%~dp0." %*
"""


def free_bytes(folder: Path) -> int:
    return shutil.disk_usage(folder).free


def running_bundle() -> Path | None:
    """The one-folder bundle this process runs from (None when run from source)."""
    return Path(sys.executable).parent if getattr(sys, "frozen", False) else None


def install(root: AppRoot, bundle: Path, version: str) -> State:
    """Copy ``bundle`` (version ``version``) into a new program root as its proven version.

    Raises:
        KnownError: the root already holds a program, or the bundle is not one.
    """
    if root.state_file.exists():
        raise KnownError(f"{root.path} 中已安装终端程序：此后的版本经县级数据源自动更新",
                         f"{root.path} already holds the program; later versions come through"
                         " the feed")  # fmt: skip
    if not (bundle / releases.executable(releases.this_platform())).is_file():
        raise KnownError(f"{bundle} 不是终端程序目录", f"{bundle} is not a terminal bundle")
    partial = root.versions / f"{PARTIAL}{version}"
    ensure_empty(partial)
    shutil.copytree(bundle, partial, symlinks=True)
    os.replace(partial, root.folder(version))
    fsync_dir(root.versions)
    state = State(current=version, proven=version)
    root.save(state)
    boot = root.path / ("kiosk-launch.cmd" if os.name == "nt" else "kiosk-launch")
    write_atomic(boot, (BOOT_CMD if os.name == "nt" else BOOT_SH).encode(), 0o755)
    return state


def room_needed(length: int, unpacked: int) -> int:
    """Disk a release needs: the download spooled and copied (2×), the unpacked folder, a margin."""
    return 2 * length + unpacked + MARGIN


def make_room(root: AppRoot) -> State:
    """Drop every version but the running one (and a pending one): before a download.

    Raises:
        KnownError: the running version is still on trial.
    """
    state = root.load()
    if state.on_trial:
        raise KnownError(f"{state.current} 版尚在试运行，暂不下载新版本",
                         f"version {state.current} is still on trial; no new download yet")  # fmt: skip
    if state.previous or state.pending:
        state.previous = state.pending = ""
        root.save(state)
    root.tidy(state, downloads=False)
    return state


def stage(root: AppRoot, archive: Path, declared: releases.Declaration,
          free: Callable[[Path], int] = free_bytes) -> None:
    """Unpack a verified ``archive`` as the pending version.

    Raises:
        KnownError (ReleaseRefused): not newer than the running version, failed before,
            too large for the disk, or a bad archive. The running version is untouched.
    """
    state = make_room(root)
    refused = refusal(state, declared.version)
    if refused is not None:
        raise refused
    available = free(root.path)
    if available < declared.unpacked + MARGIN:
        raise KnownError(
            f"磁盘空间不足，无法解开 {declared.version} 版：需要 {_mb(declared.unpacked + MARGIN)} MB，"
            f"只剩 {_mb(available)} MB", f"not enough disk to unpack {declared.version}:"
            f" {_mb(declared.unpacked + MARGIN)} MB needed, {_mb(available)} MB free")  # fmt: skip
    dest = root.folder(declared.version)
    remove_tree(dest)  # left by an interruption after its rename but before the state named it
    unpack(archive, declared, dest)
    state.pending = declared.version
    root.save(state)
    _log.info("version %s unpacked and pending", declared.version)


def refusal(state: State, version: str) -> releases.ReleaseRefused | None:
    """Why this terminal will not install ``version`` (not newer than the running one, or
    failed its trial here), or None when it will. The update check picks only versions
    without one; staging refuses the rest."""
    if releases.parse_version(version) <= releases.parse_version(state.current):
        return releases.ReleaseRefused(f"程序更新 {version} 不比正在运行的 {state.current} 新（回滚），"
                                       "已拒绝", f"release {version} is not newer than the running"
                                       f" {state.current} (rollback); refused")  # fmt: skip
    if state.has_failed(version):
        return releases.ReleaseRefused(f"{version} 版曾在本机试运行失败，不再安装",
                                       f"version {version} failed its trial here before")  # fmt: skip
    return None


def switch(root: AppRoot) -> str | None:
    """Make the pending version the one the launcher starts next (on trial).

    Returns:
        the version switched to, or None when nothing is pending.
    """
    state = root.load()
    if not state.pending or state.on_trial or not root.program(state.pending).is_file():
        return None
    state.previous, state.current, state.pending = state.current, state.pending, ""
    state.trial_starts, state.trial_fault = 0, ""
    root.save(state)
    _log.info("switched to %s (on trial; %s kept to go back to)", state.current, state.previous)
    return state.current


def _mb(size: int) -> int:
    return -(-size // (1024 * 1024))
