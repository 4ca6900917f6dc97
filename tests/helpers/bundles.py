"""Bundle-shaped folders for the update tests: ``kiosk`` is a small program that behaves like
the real one where the launcher can tell (it starts, shows home by writing the mark the
launcher names, keeps running, crashes or hangs), and ``kiosk launch`` runs the real
launcher from this source tree."""

import os
import sys
from pathlib import Path

from kiosk.county.feed import releases as county_releases
from kiosk.formats import releases

REPO = Path(__file__).resolve().parents[2]

PROGRAM = """#!{python}
import os, sys, time
from pathlib import Path

VERSION, BEHAVIOUR = {version!r}, {behaviour!r}
if sys.argv[1:2] == ["launch"]:
    sys.path.insert(0, {repo!r})
    from kiosk.cli import main
    raise SystemExit(main(sys.argv[1:]))
log = os.environ.get("FAKE_KIOSK_LOG")
if log:
    with open(log, "a") as f:
        f.write(f"{{VERSION}} {{' '.join(sys.argv[1:])}}\\n")
if BEHAVIOUR == "crash":
    raise SystemExit(3)
if BEHAVIOUR == "deaf":  # as a kiosk told to end before its event loop runs
    import signal
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
if BEHAVIOUR != "nohome" and os.environ.get("KIOSK_HOME_MARK"):
    Path(os.environ["KIOSK_HOME_MARK"]).write_text(VERSION)
control = os.environ.get("FAKE_KIOSK_CONTROL")
while True:  # until told (quit -> 0, restart -> 75, crash -> 4) or terminated
    if control and os.path.exists(control):
        word = Path(control).read_text().strip()
        os.unlink(control)
        raise SystemExit({{"quit": 0, "restart": 75, "crash": 4}}[word])
    time.sleep(0.02)
"""


def make_bundle(folder: Path, version: str, behaviour: str = "ok", padding: int = 0) -> Path:
    """A bundle of ``version`` in ``folder`` (made): the program, its VERSION, a library and
    a relative link to it as PyInstaller makes them, and ``padding`` bytes of data."""
    folder.mkdir(parents=True)
    program = folder / releases.executable(releases.this_platform())
    program.write_text(PROGRAM.format(python=sys.executable, version=version, behaviour=behaviour,
                                      repo=str(REPO)))  # fmt: skip
    program.chmod(0o755)
    internal = folder / "_internal"
    (internal / "kiosk").mkdir(parents=True)
    (internal / "kiosk" / "VERSION").write_text(version + "\n")
    (internal / "lib").mkdir()
    (internal / "lib" / "libdemo.so.1").write_bytes(b"\x7fELF" + version.encode() * 100)
    os.symlink("lib/libdemo.so.1", internal / "libdemo.so.1")
    if padding:
        (internal / "data.bin").write_bytes(os.urandom(padding))
    return folder


def packed(bundle: Path, folder: Path) -> tuple[Path, releases.Declaration]:
    """``bundle`` packed as the county publishes it, and what its release declares."""
    version = releases.bundle_version(bundle)
    done = county_releases.pack(bundle, folder, releases.target_path(releases.this_platform(), version))
    return done.path, releases.Declaration(version, releases.this_platform(), done.unpacked, done.files)
