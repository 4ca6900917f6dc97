"""Cold start to home screen: the source run vs the PyInstaller bundle vs a bare QMainWindow.

Each process runs offscreen with a fresh data folder and the demo database; the kiosk logs
"home shown N ms after process start" once the home page has been painted, and the bare
window prints the same figure. Medians of --repeat runs.

Run:  python tests/benchmarks/bench_start.py --db PATH [--bundle dist/kiosk/kiosk]
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE = """
import time, os
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
def started():
    ticks = int(Path('/proc/self/stat').read_text().rsplit(')', 1)[1].split()[19])
    uptime = float(Path('/proc/uptime').read_text().split()[0])
    return time.time() - uptime + ticks / os.sysconf('SC_CLK_TCK')
app = QApplication([])
w = QMainWindow(); w.show()
QTimer.singleShot(0, lambda: (print(f"home shown {(time.time() - started()) * 1000:.0f} ms"), app.quit()))
app.exec()
"""


def kiosk_start_ms(command: list[str], db: Path) -> float:
    with tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_DATA_HOME": data}
        process = subprocess.Popen([*command, "run", "--windowed", "--db", str(db)], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        log = Path(data) / "shenqing-kiosk" / "logs" / "kiosk.log"
        deadline = time.monotonic() + 60
        try:
            while time.monotonic() < deadline:
                match = log.exists() and re.search(r"home shown (\d+) ms", log.read_text())
                if match:
                    return float(match[1])
                time.sleep(0.05)
            raise RuntimeError("the kiosk never showed its home page")
        finally:
            process.kill()
            process.wait()


def bare_start_ms() -> float:
    out = subprocess.run([sys.executable, "-c", BARE], capture_output=True, text=True,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, check=True)  # fmt: skip
    return float(re.search(r"home shown (\d+) ms", out.stdout)[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--bundle", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    bare = statistics.median(bare_start_ms() for _ in range(args.repeat))
    source = statistics.median(kiosk_start_ms([sys.executable, "-m", "kiosk"], args.db)
                               for _ in range(args.repeat))  # fmt: skip
    print(f"bare QMainWindow: {bare:.0f} ms")
    print(f"kiosk from source: {source:.0f} ms -> {source / bare:.2f}x bare")
    if args.bundle:
        bundle = statistics.median(kiosk_start_ms([str(args.bundle)], args.db)
                                   for _ in range(args.repeat))  # fmt: skip
        print(f"kiosk bundle: {bundle:.0f} ms -> {bundle / bare:.2f}x bare, "
              f"{bundle / source:.2f}x source")


if __name__ == "__main__":
    main()
