"""Soak benchmark: a real kiosk window, offscreen, through N simulated hours of a service hall.

Each simulated hour is compressed into seconds: ~20 villager journeys tapped on the real
buttons (town → village → another year → one item → 查询本人 on the keypad → catalogue
domain and entry → consultation category and entry → documents filter and entry → 打印公示
preview → 返回首页), each followed by an idle reset, then 30 idle resets fired by the real
idle timer (set to 2 ms), as on a kiosk nobody touches.

Per hour it prints RSS (/proc/self/statm), the drift of sys.getrefcount(None), the count of
gc-tracked Python objects, len(QApplication.allWidgets()) and the QObjects under the window;
then the growth after warm-up (hour 1 against the last hour). The raw baseline, measured in
the same run: a bare QMainWindow with a QLabel (in a child process, so neither's memory counts
for the other) through the same number of setText + hide/show cycles per hour as the kiosk
has screens (resets + journey taps). Goal: flat; the kiosk's RSS against the bare window's
the same at hour 1 and at the last hour.

The None drift is references gained (+) or lost (-) since the start. Lost references are the
PySide6 6.12.0 bug that aborts the kiosk with none_dealloc when they run out. PySide6 6.11.3
GAINS one per QListWidgetItem made in Python and shown (the catalogue, Q&A and document
lists; ~150 a journey). That is harmless, since None is never freed.

Run:  QT_QPA_PLATFORM=offscreen python tests/benchmarks/bench_soak.py --hours 24 [--db DB]
"""

import argparse
import gc
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
DOMAINS = ("D18", "D21", "D05")
CATEGORIES = ("办事指南", "咨询电话")
FILTERS = ("有效", "已废止", "全部")
TAPS_PER_JOURNEY = 30  # about what journey() taps; sets the bare window's cycles per hour


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE / 2**20


def bare(hours: int, cycles: int) -> None:
    """The baseline: a bare QMainWindow and a QLabel, one JSON line per hour on stdout."""
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    label = QLabel("")
    window.setCentralWidget(label)
    window.resize(1280, 900)
    window.show()
    app.processEvents()
    start = sys.getrefcount(None)
    for hour in range(1, hours + 1):
        for i in range(cycles):
            label.setText(f"第 {hour} 小时 · {i}")
            label.hide()
            label.show()
            app.processEvents()
        gc.collect()
        print(json.dumps({"hour": hour, "rss": rss_mb(), "none": sys.getrefcount(None) - start}), flush=True)


def demo_db(folder: Path) -> Path:
    """A small demo county through the real path (spreadsheets → signed feed → sync)."""
    db = folder / "kiosk.sqlite3"
    subprocess.run([sys.executable, "-m", "kiosk", "demo", "--db", str(db), "--households", "600",
                    "--format", "csv"], check=True, capture_output=True)  # fmt: skip
    return db


def people(db: Path, count: int = 5) -> list[tuple[str, str]]:
    """(village, last 4) of one villager in each of ``count`` villages."""
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT village_id, id_last4 FROM payout WHERE rowid IN"
        " (SELECT min(rowid) FROM payout GROUP BY village_id HAVING count(DISTINCT year) >= 2)"
        " ORDER BY village_id LIMIT ?", (count,)).fetchall()  # fmt: skip
    conn.close()
    return rows


class Hall:
    """Drives the kiosk window as villagers and an idle timer would."""

    def __init__(self, window, db: Path):
        from PySide6.QtWidgets import QApplication

        self.app, self.window = QApplication.instance(), window
        self.people = people(db)
        self.taps = 0

    def settle(self) -> None:
        from PySide6.QtCore import QEvent

        from kiosk.ui import tasks

        for _ in range(2):
            tasks.wait_for_all()
            self.app.processEvents()
            self.app.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    def tap(self, button) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        for _ in range(50):  # new buttons are shown by the event loop
            if button.isVisible():
                break
            self.app.processEvents()
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
        self.taps += 1
        self.settle()

    def tap_row(self, view) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        index = view.model().index(0, 0)
        if not index.isValid():
            return
        view.scrollTo(index)
        self.settle()
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())
        self.taps += 1
        self.settle()

    def tile(self, name: str) -> None:
        self.tap(self.window.home_button)
        self.tap(self.window.home.tiles[name])

    def journey(self, n: int) -> None:
        window = self.window
        village, last4 = self.people[n % len(self.people)]
        self.tap(window.home.town_buttons[village[:9]])
        self.tap(window.home.village_buttons[village])
        payouts = window.payouts
        self.tap(payouts.years.buttons()[n % 2])
        items = payouts.items.buttons()
        self.tap(items[1 + n % (len(items) - 1)])
        self.tap(payouts.lookup_button)
        for char in last4:
            self.tap(payouts.lookup.keypad.keys[char])
        self.tap(payouts.lookup.search)
        if payouts.lookup.step() == payouts.lookup.CHOOSE:  # several share the last 4
            self.tap(payouts.lookup.name_buttons[n % len(payouts.lookup.name_buttons)])
        self.tap(payouts.lookup.back)
        self.tile("政务公开目录")
        self.tap(window.catalogue.domain_buttons[DOMAINS[n % len(DOMAINS)]])
        self.tap_row(window.catalogue.view.list)
        self.tap(window.catalogue.view.back)
        search = window.catalogue.search  # 十 written by hand (Zinnia), then searched
        self.tap(search.write)
        search.panel.pad.replay([[(30, 150), (270, 150)], [(150, 30), (150, 270)]], 300, 300)
        self.settle()  # the recognizer answers on a worker thread
        if search.panel.choices():
            self.tap(search.panel.candidate_buttons[0])
        self.tap(search.panel.buttons["确定"])
        self.tile("政策咨询")
        self.tap(window.consult.categories[CATEGORIES[n % len(CATEGORIES)]])
        self.tap_row(window.consult.view.list)
        self.tile("规范性文件")
        self.tap(window.policies.filters[FILTERS[n % len(FILTERS)]])
        self.tap_row(window.policies.view.list)
        self.tile("补贴公示")  # the village chosen before
        self.tap(payouts.print_button)
        assert window.page_name() == "print", window.page_name()
        self.tap(window.home_button)
        window.reset()  # the villager walks away
        self.settle()

    def idle_resets(self, count: int) -> None:
        """``count`` idle resets fired by the kiosk's own idle timer."""
        from PySide6.QtCore import QEventLoop, QTimer

        fired = [0]
        loop = QEventLoop()

        def one() -> None:
            fired[0] += 1
            if fired[0] >= count:
                self.window.idle.stop()
                loop.quit()

        self.window.idle.timeout.connect(one)
        guard = QTimer.singleShot(60_000, loop.quit)  # never hang the benchmark
        self.window.idle.setInterval(2)
        self.window.idle.start()
        loop.exec()
        del guard
        self.window.idle.timeout.disconnect(one)
        self.window.idle.setInterval(3_600_000)
        self.window.idle.start()
        if fired[0] < count:
            raise SystemExit(f"the idle timer fired {fired[0]} of {count} times")
        self.settle()


def qobjects_under(window) -> int:
    """QObjects under the window, as len(window.findChildren(QObject)) would say, but
    counted by Qt itself: findChildren gives every object a Python wrapper, and PySide6 keeps
    the wrappers of C++-made children (text frames, tables) after Qt deletes them, so counting
    that way would itself grow the object count this benchmark watches."""
    from PySide6.QtCore import QObject, qInstallMessageHandler

    lines: list[str] = []
    previous = qInstallMessageHandler(lambda _mode, _context, message: lines.append(message))
    try:
        window.dumpObjectTree()
    finally:
        qInstallMessageHandler(previous)
    return len(lines) - 1 if lines else len(window.findChildren(QObject))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, help="a kiosk database (default: a small demo county)")
    parser.add_argument("--hours", type=int, default=24)
    parser.add_argument("--resets-per-hour", type=int, default=30)
    parser.add_argument("--journeys-per-hour", type=int, default=20)
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)  # the baseline child
    parser.add_argument("--cycles", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    cycles = args.resets_per_hour + args.journeys_per_hour * (1 + TAPS_PER_JOURNEY)
    if args.bare:
        bare(args.hours, args.cycles or cycles)
        return

    scratch = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    db = args.db or demo_db(scratch)
    # Nothing prints or writes anywhere real: no printer by that name, an empty "stick".
    (scratch / "usb").mkdir()
    os.environ.update({"KIOSK_PRINTER": "bench-no-such-printer", "KIOSK_USB_ROOTS": str(scratch / "usb"),
                       "KIOSK_PRINT_REQUIRES_PIN": "0", "KIOSK_IDLE_TIMEOUT_S": "3600"})  # fmt: skip
    child = [sys.executable, __file__, "--bare", "--hours", str(args.hours), "--cycles", str(cycles)]
    baseline = subprocess.run(child, capture_output=True, text=True, check=True)
    bare_hours = [json.loads(line) for line in baseline.stdout.splitlines() if line.startswith("{")]

    from PySide6.QtWidgets import QApplication

    from kiosk.app import create_app, install_qt_message_handler
    from kiosk.config import Settings
    from kiosk.store.db import open_database
    from kiosk.ui.shell import KioskWindow

    open_database(db)
    install_qt_message_handler()  # as the kiosk does: Qt's chatter to the log, not the console
    app = create_app()
    window = KioskWindow(Settings(scratch / "settings.json"), db)
    window.resize(1280, 900)
    window.show()
    hall = Hall(window, db)
    for _ in range(20):  # the first frame and the pages built after it
        app.processEvents()
    window.idle.setInterval(3_600_000)
    start_none = sys.getrefcount(None)
    print(f"kiosk soak: {args.hours} simulated hours of {args.journeys_per_hour} journeys + "
          f"{args.resets_per_hour} idle resets; database {db}")  # fmt: skip
    print(f"{'hour':>4} {'RSS MB':>7} {'x bare':>6} {'None drift':>10} {'bare None':>9} "
          f"{'gc objects':>10} {'widgets':>7} {'QObjects':>8} {'taps':>6} {'s':>5}")  # fmt: skip
    rows = []
    journeys = 0
    for hour in range(1, args.hours + 1):
        started = time.perf_counter()
        for _ in range(args.journeys_per_hour):
            hall.journey(journeys)
            journeys += 1
        hall.idle_resets(args.resets_per_hour)
        gc.collect()
        row = {"hour": hour, "rss": rss_mb(), "none": sys.getrefcount(None) - start_none,
               "objects": len(gc.get_objects()), "widgets": len(QApplication.allWidgets()),
               "qobjects": qobjects_under(window)}  # fmt: skip
        rows.append(row)
        base = bare_hours[hour - 1]
        print(f"{hour:>4} {row['rss']:>7.1f} {row['rss'] / base['rss']:>6.2f} {row['none']:>+10} "
              f"{base['none']:>+9} {row['objects']:>10} {row['widgets']:>7} {row['qobjects']:>8} "
              f"{hall.taps:>6} {time.perf_counter() - started:>5.1f}", flush=True)  # fmt: skip
    first, last = rows[0], rows[-1]
    bare_first, bare_last = bare_hours[0], bare_hours[-1]

    def grew(key: str) -> int:
        return last[key] - first[key]

    print(f"growth after warm-up (hour 1 -> hour {last['hour']}): "
          f"RSS {grew('rss'):+.1f} MB (bare QMainWindow {bare_last['rss'] - bare_first['rss']:+.1f} MB), "
          f"kiosk/bare {first['rss'] / bare_first['rss']:.2f}x -> {last['rss'] / bare_last['rss']:.2f}x; "
          f"None references {grew('none'):+} (bare {bare_last['none'] - bare_first['none']:+}); "
          f"gc objects {grew('objects'):+}; widgets {grew('widgets'):+}; "
          f"QObjects under the window {grew('qobjects'):+} (goal: flat; a None drift below zero is the "
          "binding bug that ends in none_dealloc)")  # fmt: skip
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
