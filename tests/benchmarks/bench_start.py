"""Cold start to home screen: the source run vs the PyInstaller bundle vs a bare QMainWindow.

Each process runs offscreen with a fresh data folder and the given database. Times run
from just before the parent starts the process to the end of the window's first frame
(the event-loop turn after its first paint): the bare window prints its wall clock then, the
kiosk logs "home shown" (and "start-up finished" once the work deferred past the first
frame is done), and the log line's millisecond timestamp is read. Medians of --repeat runs.

Run:  python tests/benchmarks/bench_start.py --db PATH [--bundle dist/kiosk/kiosk]
"""

import argparse
import compileall
import datetime as dt
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE = """
import time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
class Bare(QMainWindow):
    painted = False
    def paintEvent(self, event):
        super().paintEvent(event)
        if not self.painted:
            self.painted = True
            QTimer.singleShot(0, lambda: (print(f"shown at {time.time():.4f}"), app.quit()))
app = QApplication([])
w = Bare(); w.show()
app.exec()
"""


def _logged_at(log_text: str, event: str) -> float | None:
    """Wall-clock time of the log line announcing ``event`` (asctime has milliseconds)."""
    match = re.search(rf"^(\S+ \S+) INFO kiosk.ui: {event}", log_text, re.MULTILINE)
    return dt.datetime.strptime(match[1], "%Y-%m-%d %H:%M:%S,%f").timestamp() if match else None


def kiosk_start_ms(command: list[str], db: Path) -> tuple[float, float]:
    """(home shown, start-up finished), in ms after the process was launched."""
    with tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_DATA_HOME": data}
        log = db.resolve().parent / "logs" / "kiosk.log"  # a terminal logs beside its database
        seen = log.stat().st_size if log.exists() else 0  # earlier runs' lines are not this one's
        launched = time.time()
        process = subprocess.Popen([*command, "run", "--windowed", "--db", str(db)], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        deadline = time.monotonic() + 60
        try:
            while time.monotonic() < deadline:
                data = log.read_bytes() if log.exists() else b""
                text = data[seen if len(data) >= seen else 0 :].decode("utf-8", "replace")  # rotated: all
                shown, finished = _logged_at(text, "home shown"), _logged_at(text, "start-up finished")
                if shown and finished:
                    return (shown - launched) * 1000, (finished - launched) * 1000
                time.sleep(0.05)
            raise RuntimeError("the kiosk never showed its home page")
        finally:
            process.kill()
            process.wait()


def bare_start_ms() -> float:
    launched = time.time()
    out = subprocess.run([sys.executable, "-c", BARE], capture_output=True, text=True,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, check=True)  # fmt: skip
    return (float(re.search(r"shown at ([\d.]+)", out.stdout)[1]) - launched) * 1000


def _medians(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--bundle", type=Path)
    parser.add_argument("--repeat", type=int, default=11)
    args = parser.parse_args()
    # As `make run` leaves it: the kiosk's modules compiled (with PYTHONDONTWRITEBYTECODE set,
    # as on this machine, every start would compile them again, ~60 ms).
    compileall.compile_dir(Path(__file__).resolve().parents[2] / "kiosk", quiet=1)
    # Interleaved, bare then kiosk, so that a machine that speeds up or slows down during the
    # run (a VM's neighbours) weighs on both alike.
    bares, kiosks = [], []
    for _ in range(args.repeat):
        bares.append(bare_start_ms())
        kiosks.append(kiosk_start_ms([sys.executable, "-m", "kiosk"], args.db))
    bare = statistics.median(bares)
    shown, finished = _medians(kiosks)
    ratios = sorted(k[0] / b for k, b in zip(kiosks, bares, strict=True))
    # The fastest of each is the least disturbed by the VM's neighbours: its ratio is the
    # steadiest figure from run to run.
    best_bare, best_shown = min(bares), min(k[0] for k in kiosks)
    print(f"bare QMainWindow shown: {bare:.0f} ms (fastest {best_bare:.0f})")
    print(f"kiosk from source: home shown {shown:.0f} ms -> {shown / bare:.2f}x bare (pairwise ratios "
          f"{ratios[0]:.2f}-{ratios[-1]:.2f}, median {statistics.median(ratios):.2f}; fastest "
          f"{best_shown:.0f} ms, {best_shown / best_bare:.2f}x the fastest bare); start-up finished "
          f"{finished:.0f} ms")
    if args.bundle:
        b_shown, b_finished = _medians([kiosk_start_ms([str(args.bundle)], args.db)
                                        for _ in range(args.repeat)])  # fmt: skip
        print(f"kiosk bundle: home shown {b_shown:.0f} ms -> {b_shown / bare:.2f}x bare, "
              f"{b_shown / shown:.2f}x source; start-up finished {b_finished:.0f} ms")


if __name__ == "__main__":
    main()
