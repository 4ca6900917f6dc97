"""Unpacking and staging a release on the terminal: what a hostile or broken archive could hold
is one named refusal and leaves nothing behind; a full disk is said before anything is
written; and a power cut at any step of an update leaves a terminal that starts one of its
two versions."""

import io
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from kiosk.errors import KnownError
from kiosk.formats import releases
from kiosk.update import install, launcher
from kiosk.update.state import AppRoot
from kiosk.update.unpack import BadRelease, unpack
from tests.helpers.bundles import make_bundle, packed

PLATFORM = releases.this_platform()


def _packed(tmp_path: Path, version: str, name: str = "bundle", padding: int = 0):
    bundle = make_bundle(tmp_path / f"{name}-{version}", version, padding=padding)
    return packed(bundle, tmp_path / f"packed-{name}")


def _stage_call(root: AppRoot, archive: Path, declared) -> str:
    """One line of Python staging ``archive`` in ``root``, for a process of its own."""
    fields = f"{declared.version!r}, {declared.platform!r}, {declared.unpacked}, {declared.files}"
    return (f"from pathlib import Path; from kiosk.formats.releases import Declaration;"
            f" from kiosk.update import install; from kiosk.update.state import AppRoot;"
            f" install.stage(AppRoot(Path({str(root.path)!r})), Path({str(archive)!r}),"
            f" Declaration({fields}))")


@pytest.fixture
def root(tmp_path) -> AppRoot:
    made = AppRoot(tmp_path / "app")
    install.install(made, make_bundle(tmp_path / "first", "0.1.0"), "0.1.0")
    return made


def _entries(archive: Path, entries: list[tuple[tarfile.TarInfo, bytes]]) -> None:
    with tarfile.open(archive, "w:gz") as tar:
        for info, data in entries:
            info.size = len(data) if info.isreg() else 0
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)


def _member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mode = kind, link, 0o644
    return info


def _good_entries(version: str = "0.2.0") -> list[tuple[tarfile.TarInfo, bytes]]:
    program = _member("kiosk")
    program.mode = 0o755
    return [(_member("_internal", tarfile.DIRTYPE), b""), (_member("_internal/kiosk", tarfile.DIRTYPE), b""),
            (_member("_internal/kiosk/VERSION"), f"{version}\n".encode()), (program, b"#!/bin/sh\n")]


def _declared(entries, version: str = "0.2.0") -> releases.Declaration:
    size = sum(len(d) for i, d in entries if i.isreg())
    return releases.Declaration(version, PLATFORM, max(size, 1), len(entries))


HOSTILE = {
    "parent": [(_member("../escaped"), b"x")],
    "absolute": [(_member("/tmp/escaped-kiosk"), b"x")],
    "dot": [(_member("./_internal/x"), b"x")],
    "backslash": [(_member("..\\escaped"), b"x")],
    "control character": [(_member("a\x1bb"), b"x")],
    "link outside": [(_member("passwd", tarfile.SYMTYPE, "/etc/passwd"), b"")],
    "link climbing out": [(_member("_internal/up", tarfile.SYMTYPE, "../../.."), b"")],
    "write through a link": [(_member("inside", tarfile.SYMTYPE, "_internal"), b""),
                             (_member("inside/planted"), b"x")],
    "hard link": [(_member("hard", tarfile.LNKTYPE, "kiosk"), b"")],
    "fifo": [(_member("pipe", tarfile.FIFOTYPE), b"")],
    "device": [(_member("disk", tarfile.BLKTYPE), b"")],
    "twice": [(_member("kiosk"), b"again")],
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_hostile_entry_is_one_named_refusal_and_nothing_is_left(tmp_path, kind):
    entries = _good_entries() + HOSTILE[kind]
    archive = tmp_path / "evil.tar.gz"
    _entries(archive, entries)
    dest = tmp_path / "versions" / "0.2.0"
    dest.parent.mkdir()
    with pytest.raises(BadRelease, match=r"evil\.tar\.gz"):
        unpack(archive, _declared(entries), dest)
    assert list(dest.parent.iterdir()) == []
    assert not Path("/tmp/escaped-kiosk").exists() and not (tmp_path / "escaped").exists()


@pytest.mark.parametrize("lie", ["fewer files", "fewer bytes", "another version", "no program"])
def test_an_archive_that_differs_from_its_declaration_is_refused(tmp_path, lie):
    entries = _good_entries()
    declared = _declared(entries)
    if lie == "fewer files":
        declared = releases.Declaration("0.2.0", PLATFORM, declared.unpacked, len(entries) - 1)
    elif lie == "fewer bytes":
        declared = releases.Declaration("0.2.0", PLATFORM, declared.unpacked - 1, len(entries))
    elif lie == "another version":
        entries[2] = (_member("_internal/kiosk/VERSION"), b"0.9.9\n")
    else:
        entries = [*entries[:3], (_member("kiosk.txt"), b"#!/bin/sh\n")]
    archive = tmp_path / "lying.tar.gz"
    _entries(archive, entries)
    dest = tmp_path / "versions" / "0.2.0"
    dest.parent.mkdir()
    with pytest.raises(BadRelease):
        unpack(archive, declared, dest)
    assert list(dest.parent.iterdir()) == []


def test_a_damaged_archive_is_refused(tmp_path):
    archive, declared = _packed(tmp_path, "0.2.0", padding=200_000)
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    dest = tmp_path / "versions" / "0.2.0"
    dest.parent.mkdir()
    with pytest.raises(BadRelease, match="已损坏"):
        unpack(damaged, declared, dest)
    assert list(dest.parent.iterdir()) == []


def test_a_release_unpacks_whole_with_its_program_and_links(tmp_path, root):
    archive, declared = _packed(tmp_path, "0.2.0")
    install.stage(root, archive, declared)
    folder = root.folder("0.2.0")
    assert os.access(folder / "kiosk", os.X_OK)
    assert os.readlink(folder / "_internal" / "libdemo.so.1") == "lib/libdemo.so.1"
    assert (folder / "_internal" / "libdemo.so.1").read_bytes().startswith(b"\x7fELF")
    assert root.load().pending == "0.2.0"


def test_an_older_or_equal_version_is_refused_as_a_rollback(tmp_path, root):
    for version in ("0.1.0", "0.0.9"):
        archive, declared = _packed(tmp_path, version, name=f"old{version}")
        with pytest.raises(releases.ReleaseRefused, match="回滚"):
            install.stage(root, archive, declared)
    assert sorted(p.name for p in root.versions.iterdir()) == ["0.1.0"]


def test_a_full_disk_is_said_before_anything_is_written(tmp_path, root):
    archive, declared = _packed(tmp_path, "0.2.0", padding=100_000)
    with pytest.raises(KnownError, match=r"磁盘空间不足，无法解开 0.2.0 版：需要 65 MB，只剩 10 MB"):
        install.stage(root, archive, declared, free=lambda _folder: 10 * 1024 * 1024)
    assert sorted(p.name for p in root.versions.iterdir()) == ["0.1.0"]
    assert root.load().pending == ""


def test_a_write_that_fails_midway_leaves_nothing_and_the_state_as_it_was(tmp_path, root):
    """A real write failure: the process may write files of at most 64 kB (RLIMIT_FSIZE)."""
    archive, declared = _packed(tmp_path, "0.2.0", padding=1_000_000)
    script = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))\n"
        "try:\n"
        f"    {_stage_call(root, archive, declared)}\n"
        "except OSError as exc:\n"
        "    print('OSError', exc.errno); sys.exit(0)\n"
        "sys.exit(5)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[2])  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("OSError 27")  # EFBIG
    assert sorted(p.name for p in root.versions.iterdir()) == ["0.1.0"]
    assert root.load().pending == ""


def test_a_new_version_is_not_staged_while_the_running_one_is_on_trial(tmp_path, root):
    archive, declared = _packed(tmp_path, "0.2.0")
    install.stage(root, archive, declared)
    install.switch(root)
    archive3, declared3 = _packed(tmp_path, "0.3.0", name="third")
    with pytest.raises(KnownError, match="尚在试运行"):
        install.stage(root, archive3, declared3)


def test_at_most_two_versions_are_kept(tmp_path, root):
    for n, version in enumerate(("0.2.0", "0.3.0", "0.4.0")):
        archive, declared = _packed(tmp_path, version, name=f"v{n}")
        install.stage(root, archive, declared)
        install.switch(root)
        launcher.before_start(root, root.load())
        launcher.prove(root, version)
        assert len(list(root.versions.iterdir())) <= 2
    archive, declared = _packed(tmp_path, "0.5.0", name="v5")
    install.stage(root, archive, declared)
    assert sorted(p.name for p in root.versions.iterdir()) == ["0.4.0", "0.5.0"]


# -- power cuts ------------------------------------------------------------------------------------


class PowerCut(BaseException):
    """The machine lost power: this and every later write fails (clean-up code included)."""


class Mains:
    """Patches the file system calls that change the disk; the ``cut_at``-th one and all after
    it raise PowerCut, as if the machine died there (a clean-up after it cannot run either)."""

    WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT

    def __init__(self, monkeypatch, cut_at: int | None):
        self.count, self.cut_at = 0, cut_at
        real_open = os.open

        def guarded(real, is_change=lambda *a, **k: True):
            def call(*args, **kwargs):
                if is_change(*args, **kwargs):
                    self.count += 1
                    if self.cut_at is not None and self.count > self.cut_at:
                        raise PowerCut()
                return real(*args, **kwargs)
            return call

        for name in ("replace", "rename", "symlink", "mkdir", "unlink", "rmdir", "link"):
            monkeypatch.setattr(os, name, guarded(getattr(os, name)))
        monkeypatch.setattr(os, "open", guarded(real_open, lambda path, flags, *a, **k: flags & self.WRITING))
        monkeypatch.setattr(shutil, "rmtree", guarded(shutil.rmtree))


def _update_and_prove(root: AppRoot, archive: Path, declared) -> None:
    """Every step of an update that writes: stage, switch, a start on trial, proof."""
    install.stage(root, archive, declared)
    install.switch(root)
    launcher.before_start(root, root.load())
    launcher.prove(root, declared.version)


def _boot(root: AppRoot) -> str:
    """What the terminal starts after power returns; the version folder must be complete."""
    state = launcher.before_start(root, root.load())
    root.tidy(state)
    folder = root.folder(state.current)
    assert (folder / "_internal" / "kiosk" / "VERSION").read_text().strip() == state.current
    assert os.access(root.program(state.current), os.X_OK)
    assert (root.path / "launcher").read_text().strip() in {p.name for p in root.versions.iterdir()}
    return state.current


def test_a_power_cut_at_any_write_of_an_update_leaves_a_terminal_that_starts(tmp_path, monkeypatch):
    archive, declared = _packed(tmp_path, "0.2.0")
    first = make_bundle(tmp_path / "first", "0.1.0")
    template = AppRoot(tmp_path / "template")
    install.install(template, first, "0.1.0")
    counted = AppRoot(shutil.copytree(template.path, tmp_path / "count", symlinks=True))
    with monkeypatch.context() as patch:
        mains = Mains(patch, None)
        _update_and_prove(counted, archive, declared)
        writes = mains.count
    assert writes > 20
    started = set()
    for cut_at in range(writes):
        root = AppRoot(shutil.copytree(template.path, tmp_path / f"cut-{cut_at}", symlinks=True))
        with monkeypatch.context() as patch:
            Mains(patch, cut_at)
            with pytest.raises(PowerCut):
                _update_and_prove(root, archive, declared)
        version = _boot(root)  # power is back
        started.add(version)
        # and the update completes from there (the same release, fetched again if needed)
        state = root.load()
        if state.current == "0.1.0" and not state.pending:
            install.stage(root, archive, declared)
        if root.load().pending:
            install.switch(root)
        launcher.prove(root, "0.2.0")
        assert _boot(root) == "0.2.0"
    assert started == {"0.1.0", "0.2.0"}


def _roll_back(root: AppRoot) -> None:
    """What the launcher does at a start after the trial's last failed start."""
    root.tidy(launcher.before_start(root, root.load()))


def test_a_power_cut_while_a_rollback_is_written_still_starts(tmp_path, monkeypatch, root):
    archive, declared = _packed(tmp_path, "0.2.0")
    install.stage(root, archive, declared)
    install.switch(root)
    for _ in range(launcher.MAX_TRIAL_STARTS):
        launcher.before_start(root, root.load())
    template = root.path
    rolled = AppRoot(shutil.copytree(template, tmp_path / "count", symlinks=True))
    with monkeypatch.context() as patch:
        mains = Mains(patch, None)
        _roll_back(rolled)
        writes = mains.count
    for cut_at in range(writes):
        copy = AppRoot(shutil.copytree(template, tmp_path / f"cut-{cut_at}", symlinks=True))
        with monkeypatch.context() as patch:
            Mains(patch, cut_at)
            with pytest.raises(PowerCut):
                _roll_back(copy)
        assert _boot(copy) == "0.1.0"


def test_a_process_killed_while_unpacking_leaves_the_state_as_it_was(tmp_path, root):
    """A real kill in the middle of an unpack (of a 40 MB release)."""
    archive, declared = _packed(tmp_path, "0.2.0", padding=40_000_000)
    child = subprocess.Popen([sys.executable, "-c", _stage_call(root, archive, declared)],
                             cwd=Path(__file__).resolve().parents[2])  # fmt: skip
    partial = root.versions / ".partial-0.2.0"
    deadline = time.monotonic() + 30
    while not (partial / "_internal").exists():
        assert time.monotonic() < deadline and child.poll() is None
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    assert partial.exists()  # killed in the middle
    assert _boot(root) == "0.1.0"
    assert sorted(p.name for p in root.versions.iterdir()) == ["0.1.0"]
