"""Where a terminal's program versions live, and the one file that says which one runs.

    <root>/versions/1.2.0/       a whole one-folder bundle, never written after it is complete
    <root>/versions/1.3.0/
    <root>/state.json            which version runs, which is proven, what is pending, what failed
    <root>/launcher              the proven version, one line: the boot script reads it
    <root>/kiosk-launch(.cmd)    the boot script: starts the proven version's launcher
    <root>/marks/1.3.0.home      written by a version under trial once its home screen shows
    <root>/downloads/            a release being fetched (emptied at every launch)

Every change of state is one ``os.replace`` of ``state.json`` (kiosk.files.write_atomic:
temporary file, fsync, rename, fsync of the folder), on Linux and Windows alike, so a power
cut leaves the old state or the new one. A version folder is complete before any state names
it (it is unpacked under a ``.partial-`` name and renamed), and deleted only after no state
names it; ``tidy`` removes whatever an interruption left between those steps.
"""

import datetime as dt
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kiosk import log
from kiosk.errors import KnownError
from kiosk.files import fsync_dir, read_small, write_atomic
from kiosk.formats import releases

_log = log.get("kiosk.update")

PARTIAL = ".partial-"
MAX_FAILED = 10  # failed releases remembered (never installed again)


@dataclass
class State:
    current: str  # the version the launcher starts
    proven: str  # the last version that showed home and kept running through its trial
    previous: str = ""  # the version to go back to while ``current`` is on trial
    pending: str = ""  # unpacked and waiting for a quiet moment
    trial_starts: int = 0  # starts of ``current`` while on trial
    trial_fault: str = ""  # how its last start on trial ended
    failed: list[dict[str, str]] = field(default_factory=list)  # {version, reason, at}, newest last

    @property
    def on_trial(self) -> bool:
        return self.current != self.proven

    def kept(self) -> set[str]:
        """The versions this state needs on disk."""
        return {v for v in (self.current, self.proven, self.previous, self.pending) if v}

    def has_failed(self, version: str) -> bool:
        return any(f.get("version") == version for f in self.failed)


class AppRoot:
    """The folder holding a terminal's program versions."""

    def __init__(self, path: Path):
        self.path = Path(path)

    @property
    def versions(self) -> Path:
        return self.path / "versions"

    @property
    def downloads(self) -> Path:
        return self.path / "downloads"

    @property
    def marks(self) -> Path:
        return self.path / "marks"

    @property
    def state_file(self) -> Path:
        return self.path / "state.json"

    def folder(self, version: str) -> Path:
        return self.versions / version

    def program(self, version: str) -> Path:
        return self.folder(version) / releases.executable(releases.this_platform())

    def home_mark(self, version: str) -> Path:
        return self.marks / f"{version}.home"

    def load(self) -> State:
        """The state as last written.

        Raises:
            KnownError: there is none, or it is not one this program wrote.
        """
        try:
            raw = json.loads(read_small(self.state_file, 64 * 1024))
            state = State(**raw)
            ok = all(releases.is_version(v) for v in (state.current, state.proven)) and all(
                v == "" or releases.is_version(v) for v in (state.previous, state.pending))
        except (KnownError, ValueError, TypeError) as exc:
            raise KnownError(f"{self.path} 不是终端程序的安装目录（state.json 缺失或无效）",
                             f"{self.path} holds no valid program state: {exc}") from exc
        if not ok or not isinstance(state.failed, list):
            raise KnownError(f"{self.path}/state.json 无效", f"{self.path}/state.json is invalid")
        return state

    def recover(self) -> State:
        """A state rebuilt from what is on disk, for a ``state.json`` that cannot be read
        (a damaged disk: a power cut cannot do it): the version the boot script starts, or
        else the newest complete one.

        Raises:
            KnownError: no complete version is left to start.
        """
        try:
            named = (self.path / "launcher").read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            named = ""
        on_disk = [p.name for p in self.versions.glob("*") if releases.is_version(p.name)]
        found = sorted(on_disk, key=releases.parse_version, reverse=True)
        for version in ([named] if named in found else []) + found:
            if self.program(version).is_file() and releases.bundle_version(self.folder(version)) == version:
                _log.warning("state.json unreadable: starting %s", version)
                return State(current=version, proven=version)
        raise KnownError(f"{self.path} 中没有可以启动的程序版本，请重新安装",
                         f"{self.path} holds no program version that can start; reinstall")

    def save(self, state: State) -> None:
        write_atomic(self.state_file, json.dumps(asdict(state), ensure_ascii=False, indent=1).encode(), 0o644)
        pointer = self.path / "launcher"
        if not pointer.exists() or pointer.read_text(encoding="ascii").strip() != state.proven:
            write_atomic(pointer, f"{state.proven}\n".encode(), 0o644)

    def tidy(self, state: State, downloads: bool = True) -> None:
        """Remove what no state names: half-unpacked or half-deleted versions, and (with
        ``downloads``, when no download can be running) what a download left."""
        if self.versions.is_dir():
            for entry in self.versions.iterdir():
                if entry.name not in state.kept():
                    _log.info("removing %s (no state names it)", entry)
                    remove_tree(entry)
            fsync_dir(self.versions)
        if downloads and self.downloads.is_dir():
            for entry in self.downloads.iterdir():
                remove_tree(entry)
        if self.marks.is_dir():
            for entry in self.marks.iterdir():
                if entry.stem not in state.kept():
                    entry.unlink(missing_ok=True)


def remove_tree(path: Path) -> None:
    """Delete a file or folder (a link is removed, never followed)."""
    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)


def failure(version: str, reason: str, now: dt.datetime | None = None) -> dict[str, str]:
    when = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(timespec="seconds")
    return {"version": version, "reason": reason[:200], "at": when}


def remember_failure(state: State, entry: dict[str, str]) -> None:
    state.failed = [*state.failed, entry][-MAX_FAILED:]


def env_root() -> AppRoot | None:
    """The program root the launcher started this process from (None: not under a launcher)."""
    from kiosk import config

    named = config.env("KIOSK_APP_ROOT")
    return AppRoot(Path(named)) if named else None


def ensure_empty(path: Path) -> None:
    """Remove ``path`` if it exists, then make its parent."""
    if os.path.lexists(path):
        remove_tree(path)
    path.parent.mkdir(parents=True, exist_ok=True)
