"""Kiosk UI benchmark on a county-scale database (build one with bench_store.py).

  cold start      kiosk home shown vs a bare QMainWindow (see bench_start.py; goal <= 1.5x)
  tap-to-table    show a 500-600-row village's payouts: from the tap until the table has
                  painted (p95 <= 16.7 ms, one 60 Hz frame); beside the raw baseline, the same
                  rows by raw sqlite3 into a bare QTableView with a plain model, painted;
                  also the first tap, one second after start (<= 50 ms)
  person lookup   last 4 ID characters to one's card painted (one match, or the first name
                  picked), p95 (<= 30 ms)
  长辈模式 switch  the tap to the re-laid-out, repainted page (<= 300 ms), and the first visit
                  to another page after it; as a ratio to re-styling a bare Qt window
  peak RSS        of this process after the above (<= 200 MB)

Run:  python tests/benchmarks/bench_ui.py --db /path/to/county.sqlite3
"""

import argparse
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--samples", type=int, default=40)
    args = parser.parse_args()
    start = subprocess.run([sys.executable, str(Path(__file__).with_name("bench_start.py")),
                            "--db", str(args.db), "--repeat", "3"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    print(start.stdout.strip())

    from PySide6.QtTest import QTest

    from kiosk import app as kiosk_app
    from kiosk.app import create_app
    from kiosk.config import Settings
    from kiosk.store.db import open_database
    from kiosk.ui.shell import KioskWindow

    open_database(args.db)
    app = create_app()
    window = KioskWindow(Settings(Path(tempfile.mkdtemp()) / "settings.json"), args.db)
    window.resize(1920, 1080)
    window.show()
    conn = sqlite3.connect(args.db)
    villages = [v for (v,) in conn.execute(
        "SELECT village_id FROM payout WHERE year = 2025 GROUP BY village_id"
        " HAVING count(*) BETWEEN 500 AND 600")]  # fmt: skip
    people = conn.execute("SELECT id_last4, village_id FROM payout"
                          " WHERE rowid % 89 = 0 LIMIT 2000").fetchall()  # fmt: skip
    if not villages:  # a small database (the demo county): its longest lists instead
        villages = [v for (v,) in conn.execute(
            "SELECT village_id FROM payout GROUP BY village_id ORDER BY count(*) DESC LIMIT 10")]  # fmt: skip
    conn.close()
    rng = random.Random(3)
    picks = rng.sample(villages, min(args.samples, len(villages)))
    # The first frame, then the set-up deferred past it: a second, before any finger lands;
    # and the heap frozen as the kiosk freezes it after its first frame.
    QTest.qWait(1000)
    kiosk_app._settle_heap(window)
    clock = PaintClock(window.payouts.table.viewport())
    first = clock.tap(app, lambda: window.show_village(picks[0]))
    for code in picks[1:3]:
        clock.tap(app, lambda code=code: window.show_village(code))
    taps = [clock.tap(app, lambda code=code: window.show_village(code)) for code in picks]
    raw = raw_taps(app, args.db, picks, window.payouts.table.size())
    print(f"tap-to-table ({len(picks)} villages of 500-600 rows, until the table painted): median "
          f"{statistics.median(taps):.1f} ms, p95 {p95(taps):.1f} ms (goal p95 <= 16.7 ms); raw sqlite3 "
          f"into a bare QTableView: median {statistics.median(raw):.1f} ms, p95 {p95(raw):.1f} ms -> "
          f"{statistics.median(taps) / statistics.median(raw):.2f}x raw")
    print(f"first tap, 1 s after start: {first:.1f} ms (goal <= 50 ms) -> "
          f"{first / statistics.median(raw):.2f}x a raw tap")
    lookup = window.payouts.lookup
    window.payouts.show_lookup()  # on screen: the card is laid out and its type fitted
    times = []
    for last4, village in rng.sample(people, min(args.samples * 2, len(people))):
        lookup.clear()
        lookup.village_town = village[:9]
        lookup.last4.setText(last4)
        app.processEvents()  # 重新输入 and the digits were taps of their own
        started = time.perf_counter()
        lookup.run()
        if lookup.step() == lookup.CHOOSE:
            lookup.name_buttons[0].click()
        app.processEvents()  # the card's type fitted (a zero timer)
        window.repaint()
        times.append((time.perf_counter() - started) * 1000)
    ratio = statistics.median(times) / statistics.median(raw)
    print(f"person lookup, until the card painted: median {statistics.median(times):.1f} ms, "
          f"p95 {p95(times):.1f} ms (goal p95 <= 30 ms) -> {ratio:.2f}x a raw tap")
    elderly_switch(app, window, picks[0])
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {rss:.0f} MB (goal <= 200 MB)")


class PaintClock:
    """Times a tap until ``viewport`` has painted: the moment a villager sees the table."""

    def __init__(self, viewport):
        from PySide6.QtCore import QEvent, QObject

        clock = self

        class Filter(QObject):
            def eventFilter(self, _watched, event):
                if event.type() == QEvent.Type.Paint:
                    clock.painted = time.perf_counter()  # before the paint: the filter runs first
                    clock.pending = True
                return False

        self.filter = Filter()
        viewport.installEventFilter(self.filter)
        self.viewport = viewport
        self.painted, self.pending = 0.0, False

    def tap(self, app, action) -> float:
        self.pending = False
        started = time.perf_counter()
        action()
        while not self.pending:
            app.processEvents()
        app.processEvents()  # the paint event itself, and what the loop turn does after it
        return (time.perf_counter() - started) * 1000


def raw_taps(app, db: Path, villages: list[str], size) -> list[float]:
    """The raw baseline of a tap: the village's rows by raw sqlite3 (the same columns and
    order), a plain Python model, a bare QTableView of the kiosk's size, painted."""
    from PySide6.QtCore import QAbstractTableModel, Qt
    from PySide6.QtWidgets import QTableView

    class Plain(QAbstractTableModel):
        def __init__(self):
            super().__init__()
            self.rows: list[tuple] = []

        def rowCount(self, parent=None):
            return len(self.rows)

        def columnCount(self, parent=None):
            return 8

        def data(self, index, role=Qt.ItemDataRole.DisplayRole):
            if role != Qt.ItemDataRole.DisplayRole:
                return None
            return str(self.rows[index.row()][index.column()])

        def show(self, rows):
            self.beginResetModel()
            self.rows = rows
            self.endResetModel()

    conn = sqlite3.connect(db)
    sql = ("SELECT p.name, p.id_masked, i.name, p.amount_fen, p.quantity_centi, p.standard_fen, p.paid_on,"
           " p.remark FROM payout p JOIN subsidy_item i ON p.item_id = i.code"
           " WHERE p.village_id = ? AND p.year = (SELECT max(year) FROM payout WHERE village_id = ?)"
           " ORDER BY p.item_id, p.id")  # fmt: skip
    model, view = Plain(), QTableView()
    view.setModel(model)
    view.resize(size)
    view.show()
    clock = PaintClock(view.viewport())
    for code in villages[:3]:
        clock.tap(app, lambda code=code: model.show(conn.execute(sql, (code, code)).fetchall()))
    taps = [clock.tap(app, lambda code=code: model.show(conn.execute(sql, (code, code)).fetchall()))
            for code in villages]  # fmt: skip
    view.close()
    conn.close()
    return taps


def _timed(app, action) -> float:
    started = time.perf_counter()
    action()
    app.processEvents()
    return (time.perf_counter() - started) * 1000


def elderly_switch(app, window, village: str, rounds: int = 10) -> None:
    """长辈模式 on and off on a long village's list, every page built, as a terminal has them
    after a while; against the same style sheets set on a bare window with a label."""
    from PySide6.QtWidgets import QLabel, QMainWindow

    from kiosk.ui import theme

    for name in ("catalogue", "consult", "policies", "print", "admin"):
        window.page(name)
    window.show_village(village)
    app.processEvents()
    switches = []
    for index in range(rounds * 2):
        on = index % 2 == 0
        switches.append(_timed(app, lambda on=on: (window.elderly.setChecked(on), window.repaint())))
    window.elderly.setChecked(True)
    app.processEvents()
    visit = _timed(app, lambda: (window.show_page("consult"), window.repaint()))
    window.elderly.setChecked(False)
    bare = QMainWindow()
    bare.setCentralWidget(QLabel("莘情公开"))
    bare.resize(window.size())
    bare.show()
    app.processEvents()
    sheets = (theme.stylesheet(theme.ELDERLY), "")
    baseline = [_timed(app, lambda i=i: (bare.setStyleSheet(sheets[i % 2]), bare.repaint()))
                for i in range(rounds * 2)]  # fmt: skip
    base = statistics.median(baseline)
    print(f"长辈模式 switch: median {statistics.median(switches):.0f} ms, p95 {p95(switches):.0f} ms "
          f"(goal <= 300 ms; {statistics.median(switches) / base:.0f}x a bare window's {base:.1f} ms); "
          f"first visit to another page after it {visit:.0f} ms")
    bare.close()


if __name__ == "__main__":
    main()
