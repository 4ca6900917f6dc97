"""Soak benchmark: a real kiosk window, offscreen, through N simulated hours of a service hall.

Each simulated hour is compressed into seconds: ~20 villager journeys tapped on the real
buttons (长辈模式 on for every other villager → town → village → another year → one item →
朗读 → 查询本人 on the keypad → 朗读 → catalogue domain and entry → 朗读 → 十 written by hand
and searched → 长辈模式 off → consultation category and entry → documents filter and entry →
打印公示 preview → 朗读 → 核验公示单 with the preview's 校验码 on the keypad → 返回首页), each
followed by a reset; half-way through the hour a background sync of the kiosk's own (the
county publishes a new feed version, served over loopback HTTP, with one payout file
changed; a request waits in the outbox and is pushed to a loopback upload store) while the
kiosk sits on its home page; then 30 idle resets fired by the real idle timer (set to 2 ms),
as on a kiosk nobody touches, and a moment with nobody there (the kiosk hands freed memory
back then, kiosk.heap). 朗读 speaks through a private speech-dispatcher with espeak-ng
(audio to nowhere) where one is installed, and is skipped where not (the kiosk hides it).

Per hour it prints RSS (/proc/self/statm), the drift of sys.getrefcount(None), the count of
gc-tracked Python objects, len(QApplication.allWidgets()) and the QObjects under the window;
then the growth after warm-up (hour 1 against the last hour). The raw baseline, measured in
the same run: a bare QMainWindow with a QLabel (in a child process, so neither's memory counts
for the other) through the same number of setText + hide/show cycles per hour as the kiosk
has screens (resets + journey taps), its event loop running 5 ms after each.

A stall meter (kiosk.ui.stall_meter, a 10 ms timer) runs on the UI thread from the window's
first frame to the end, in both processes, as the kiosk's own meter does (before the first
frame there is no screen to freeze; the time from building the window to its first frame is
printed beside it, and bench_start measures start-up): its distribution of lateness (p50, p99, max,
answers over 50 ms) is printed beside the bare window's, with the kiosk's worst stalls and
what was being tapped (page: button). The harness's own waits for background tasks are not
counted (the meter is paused); the kiosk's click handlers and callbacks are. At the end,
where the memory is, beside the bare window's: Python's small-object heap, malloc (in use and
held free), SQLite, the biggest mapped files (the Zinnia model, fonts) and the libraries;
--trace-python N adds the N biggest Python files by heap (tracemalloc, slower).

The None drift is references gained (+) or lost (-) since the start. Lost references are the
PySide6 6.12.0 bug that aborts the kiosk with none_dealloc when they run out. PySide6 6.11.3
GAINS one per QListWidgetItem made in Python and shown (the catalogue, Q&A and document
lists; ~150 a journey). That is harmless, since None is never freed.

Run:  QT_QPA_PLATFORM=offscreen python tests/benchmarks/bench_soak.py --hours 24
      [--db DB [--feed FEED --trusted-root ROOT.json]] [--trace-python 15]
"""

import argparse
import contextlib
import csv
import ctypes
import gc
import http.server
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
DOMAINS = ("D18", "D21", "D05")
CATEGORIES = ("办事指南", "咨询电话")
FILTERS = ("有效", "已废止", "全部")
TAPS_PER_JOURNEY = 50  # about what journey() taps; sets the bare window's cycles per hour
BARE_PAUSE_MS = 5  # the bare window's event loop runs this long per cycle, as the kiosk's does
WORST = 10  # stalls listed at the end


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE / 2**20


# -- where the memory is ----------------------------------------------------------------------


def _pymalloc_mb() -> float:
    """Python's small-object arenas (objects up to 512 bytes: most of a Python heap), as
    sys._debugmallocstats() reports them on the C stderr."""
    with tempfile.TemporaryFile() as out:
        saved = os.dup(2)
        sys.stderr.flush()
        os.dup2(out.fileno(), 2)
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        out.seek(0)
        found = re.search(rb"^Total\s*=\s*([\d,]+)", out.read(), re.MULTILINE)
    return int(found.group(1).replace(b",", b"")) / 2**20 if found else 0.0


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd",
                "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]  # fmt: skip


def _malloc_mb() -> tuple[float, float]:
    """glibc malloc: (in use, held free) MB. In use: Qt's and SQLite's C++/C objects and the
    Python objects too big for pymalloc; held free: freed but not given back (fragmentation)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = _MallInfo2
        info = libc.mallinfo2()
    except (OSError, AttributeError):
        return 0.0, 0.0
    return (info.uordblks + info.hblkhd) / 2**20, info.fordblks / 2**20


def _sqlite_mb() -> float:
    """SQLite's own allocations (page caches of every open connection, statements)."""
    import _sqlite3

    try:
        lib = ctypes.CDLL(_sqlite3.__file__)  # the SQLite library Python's sqlite3 uses
        used = lib.sqlite3_memory_used
    except (OSError, AttributeError):
        try:
            used = ctypes.CDLL("libsqlite3.so.0").sqlite3_memory_used
        except (OSError, AttributeError):
            return 0.0
    used.restype = ctypes.c_int64
    return used() / 2**20


def _mappings() -> dict[str, float]:
    """Resident MB per mapping in /proc/self/smaps: [heap] (malloc), [anon] (pymalloc arenas,
    big mallocs, thread stacks), and each mapped file (libraries, fonts, the Zinnia model)."""
    sizes: dict[str, float] = {}
    name = "[anon]"
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            first = line.split(maxsplit=6)
            if "-" in first[0] and not first[0].endswith(":"):
                name = first[5].strip() if len(first) > 5 else "[anon]"
            elif first[0] == "Rss:":
                sizes[name] = sizes.get(name, 0.0) + int(first[1]) / 1024
    return sizes


def memory_breakdown(top: int = 8) -> dict:
    """RSS and where it is: Python's heap, malloc, SQLite, mapped files (the biggest by name,
    libraries summed), cheap enough to take at the end of a run."""
    gc.collect()
    maps = _mappings()
    libraries = sum(mb for name, mb in maps.items() if ".so" in Path(name).name)
    files = sorted(((mb, name) for name, mb in maps.items()
                    if name.startswith("/") and ".so" not in Path(name).name), reverse=True)  # fmt: skip
    in_use, held = _malloc_mb()
    return {"rss": rss_mb(), "python small objects": _pymalloc_mb(), "malloc in use": in_use,
            "malloc held free": held, "sqlite": _sqlite_mb(), "[heap]": maps.get("[heap]", 0.0),
            "[anon]": maps.get("[anon]", 0.0), "shared libraries": libraries,
            "files": [(round(mb, 1), name) for mb, name in files[:top]]}  # fmt: skip


def print_memory(kiosk: dict, base: dict, python_top: list[str]) -> None:
    print("memory at the end, MB (kiosk | bare window):")
    for key in ("rss", "python small objects", "malloc in use", "malloc held free", "sqlite", "[heap]",
                "[anon]", "shared libraries"):  # fmt: skip
        print(f"  {key:<22} {kiosk[key]:>7.1f} | {base.get(key, 0.0):>7.1f}")
    print("  mapped files (kiosk):" + "".join(f"\n    {mb:>6.1f}  {name}" for mb, name in kiosk["files"]))
    if python_top:
        print("  Python heap by file (tracemalloc):" + "".join(f"\n    {line}" for line in python_top))


# -- how late the UI thread answers -----------------------------------------------------------


def meter_summary(meter) -> dict:
    from kiosk.ui.stall_meter import REPORT_MS

    return {"samples": meter.samples, "p50": meter.percentile(0.5), "p99": meter.percentile(0.99),
            "max": meter.longest, "over": meter.over(REPORT_MS),
            "worst": [(round(s.ms), s.label) for s in meter.worst]}  # fmt: skip


def print_stalls(kiosk: dict, base: dict) -> None:
    from kiosk.ui.stall_meter import REPORT_MS

    print(f"UI thread lateness from the first frame on (10 ms timer; 1 ms buckets) "
          f"{'samples':>8} {'p50':>5} {'p99':>5} {'max':>6} {f'>{REPORT_MS:.0f} ms':>7}   "
          "window built to its first frame")  # fmt: skip
    for who, row in (("kiosk", kiosk), ("bare QMainWindow", base)):
        print(f"  {who:<71} {row['samples']:>8} {row['p50']:>5.0f} {row['p99']:>5.0f} "
              f"{row['max']:>6.0f} {row['over']:>7}   {row['before_first_frame']:.0f} ms")  # fmt: skip
    print(f"the kiosk's {WORST} worst stalls (ms, what was running):")
    for ms, label in kiosk["worst"][:WORST]:
        print(f"  {ms:>6}  {label}")


# -- the baseline -------------------------------------------------------------------------------


def bare(hours: int, cycles: int) -> None:
    """The baseline: a bare QMainWindow and a QLabel, one JSON line per hour on stdout, then
    one with its stall meter and its memory."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    from kiosk.ui.stall_meter import StallMeter

    app = QApplication(sys.argv[:1])
    doing = ["bare: first frames"]
    meter = StallMeter(label=lambda: doing[0], keep=WORST)
    building = time.perf_counter()
    window = QMainWindow()
    label = QLabel("")
    window.setCentralWidget(label)
    window.resize(1280, 900)
    window.show()
    app.processEvents()  # the first frame
    before_first_frame = (time.perf_counter() - building) * 1000
    meter.start()
    start = sys.getrefcount(None)
    loop, pause = QEventLoop(), QTimer()  # one of each: QTimer.singleShot gains None references
    pause.setSingleShot(True)
    pause.setInterval(BARE_PAUSE_MS)
    pause.timeout.connect(loop.quit)
    for hour in range(1, hours + 1):
        for i in range(cycles):
            doing[0] = "bare: setText, hide, show"
            label.setText(f"第 {hour} 小时 · {i}")
            label.hide()
            label.show()
            pause.start()
            loop.exec()
        meter.pause()
        gc.collect()
        print(json.dumps({"hour": hour, "rss": rss_mb(), "none": sys.getrefcount(None) - start}), flush=True)
        meter.resume()
    meter.stop()
    print(json.dumps({"meter": {**meter_summary(meter), "before_first_frame": before_first_frame},
                      "memory": memory_breakdown()}), flush=True)  # fmt: skip


def screen_config() -> Path:
    """An offscreen screen as big as the window. The default one is 800x600, and a kinetic
    list replays a held press to the widget found at its place on the screen
    (QApplication::widgetAt): beyond 800 px it found none, and the tap was lost."""
    path = Path(tempfile.gettempdir()) / "kiosk-soak-screen.json"
    screen = {"name": "soak", "x": 0, "y": 0, "width": 1920, "height": 1920, "logicalDpi": 96,
              "logicalBaseDpi": 96, "dpr": 1}  # fmt: skip
    path.write_text(json.dumps({"screens": [screen]}), encoding="utf-8")
    return path


def wait_ms(ms: int) -> None:
    """The event loop runs for ``ms``."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


# -- the county around the kiosk: its feed, its upload store, a speech daemon -----------------


def demo_db(folder: Path) -> Path:
    """A small demo county through the real path (spreadsheets → signed feed → sync); its
    spreadsheets kept in ``folder``/input, to publish changes from during the run."""
    db = folder / "kiosk.sqlite3"
    subprocess.run([sys.executable, "-m", "kiosk", "demo", "--db", str(db), "--households", "600",
                    "--format", "csv", "--out", str(folder / "input")],
                   check=True, capture_output=True)  # fmt: skip
    return db


class County:
    """The county's side of a background sync: the feed folder served over loopback HTTP (a
    kiosk syncs on its own only from a URL), an upload store for the outbox, and, for the
    demo county, a new feed version per round (one payout file's remark changed, published
    with the county's own command) so that every sync applies a partition."""

    def __init__(self, feed: Path, root: Path, spreadsheets: Path | None = None):
        self.feed, self.root, self.spreadsheets = feed, root, spreadsheets
        self.received: list[str] = []
        handler = partial(_Quiet, directory=str(feed), county=self)
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        port = self.server.server_address[1]
        self.url, self.outbox_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port}/inbox"
        self.rounds = 0

    def publish_change(self) -> str:
        """A new feed version with one remark changed; what changed, for the label."""
        if self.spreadsheets is None:
            return "feed unchanged"
        self.rounds += 1
        path = sorted((self.spreadsheets / "payouts").glob("*.csv"))[0]
        with open(path, encoding="utf-8-sig", newline="") as file:
            rows = list(csv.reader(file))
        rows[1][rows[0].index("备注")] = f"复核第{self.rounds}次"
        with open(path, "w", encoding="utf-8-sig", newline="") as file:
            csv.writer(file).writerows(rows)
        county = self.root.parent.parent
        subprocess.run([sys.executable, "-m", "kiosk", "feed", "build", "--input", str(self.spreadsheets),
                        "--keys", str(county / "keys"), "--out", str(self.feed),
                        "--inbox-keys", str(county / "inbox-keys")],
                       check=True, capture_output=True,
                       env={**os.environ, "KIOSK_KEY_PASSPHRASE": "demo"})  # fmt: skip
        return f"{path.stem} changed"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, county: County, **kwargs):
        self.county = county
        super().__init__(*args, **kwargs)

    def log_message(self, *args) -> None:
        pass

    def do_PUT(self) -> None:  # the outbox's upload store
        self.rfile.read(int(self.headers["Content-Length"]))
        self.county.received.append(self.path)
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()


def speech_daemon(folder: Path) -> subprocess.Popen | None:
    """A private speech-dispatcher with espeak-ng, audio to nowhere, so that 朗读 works as on
    a terminal (as tests/ui/test_speech.py starts one); None where it is not installed (the
    kiosk then hides 朗读, and the journeys skip it)."""
    module = next((d for d in ("/usr/lib/speech-dispatcher-modules", "/usr/libexec/speech-dispatcher-modules")
                   if Path(d, "sd_espeak-ng").exists()), None)  # fmt: skip
    if shutil.which("speech-dispatcher") is None or module is None:
        return None
    (folder / "home").mkdir(parents=True)
    (folder / "home" / ".libao").write_text("default_driver=null\n")
    (folder / "speechd.conf").write_text(
        f'LogLevel 2\nLogDir "{folder}"\nTimeout 0\nAudioOutputMethod "libao"\n'
        'AddModule "espeak-ng" "sd_espeak-ng" "espeak-ng.conf"\nDefaultModule espeak-ng\n')  # fmt: skip
    socket = folder / "sock"
    daemon = subprocess.Popen(
        ["speech-dispatcher", "--run-single", "--timeout", "0", "--config-dir", str(folder),
         "--communication-method", "unix_socket", "--socket-path", str(socket),
         "--pid-file", str(folder / "pid"), "--log-dir", str(folder)],
        env={**os.environ, "HOME": str(folder / "home"), "LC_ALL": "C.UTF-8"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 15
    while not socket.exists():
        if daemon.poll() is not None or time.monotonic() > deadline:
            stop_daemon(daemon)
            return None
        time.sleep(0.05)
    os.environ["SPEECHD_ADDRESS"] = f"unix_socket:{socket}"
    return daemon


def stop_daemon(daemon: subprocess.Popen | None) -> None:
    if daemon is None:
        return
    daemon.terminate()
    try:
        daemon.wait(10)
    except subprocess.TimeoutExpired:
        daemon.kill()
    with contextlib.suppress(ProcessLookupError):  # its modules share its process group
        os.killpg(daemon.pid, signal.SIGKILL)


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
    """Drives the kiosk window as villagers and an idle timer would, with a stall meter on
    the UI thread: ``doing`` names the tap being handled (a page and what was tapped), the
    label of any stall it causes."""

    def __init__(self, window, db: Path, meter=None):
        from PySide6.QtWidgets import QApplication

        self.app, self.window = QApplication.instance(), window
        self.meter = meter
        with self.paused():  # the harness's query, not the kiosk's (~200 ms on a county)
            self.people = people(db)
        self.taps = 0
        self.doing = "start-up"
        self.read_aloud = 0  # 朗读 taps made (0 where the terminal has no voice)
        self.verified = 0
        self.comments = 0  # 意见征集 comments sealed
        self.screened = 0  # 政策找人 results shown

    @contextlib.contextmanager
    def paused(self):
        """The harness's own blocking waits are no stall of the kiosk's."""
        if self.meter is not None:
            self.meter.pause()
        try:
            yield
        finally:
            if self.meter is not None:
                self.meter.resume()

    def settle(self) -> None:
        from PySide6.QtCore import QEvent

        from kiosk.ui import tasks

        for _ in range(2):
            with self.paused():
                tasks.wait_for_all()
            self.app.processEvents()  # results delivered: the kiosk's callbacks count
            self.app.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    def tap(self, button, what: str | None = None) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        for _ in range(50):  # new buttons are shown by the event loop
            if button.isVisible():
                break
            self.app.processEvents()
        what = what or button.accessibleName() or button.text().replace("\n", "")
        self.doing = f"{self.window.page_name()}: {what}"
        # The click handler runs inside mouseClick: its time is the next timer's lateness.
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
        self.taps += 1
        self.settle()

    def tap_row(self, view, what: str) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        index = view.model().index(0, 0)
        if not index.isValid():
            return
        view.scrollTo(index)
        self.settle()
        self.doing = f"{self.window.page_name()}: {what}"
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())
        self.taps += 1
        self.settle()

    def tile(self, name: str) -> None:
        self.tap(self.window.home_button)
        self.tap(self.window.home.tiles[name], f"tile {name}")

    def speak(self) -> None:
        """朗读 on and off where the terminal has a voice (the button is hidden otherwise)."""
        if self.window.read_aloud.isHidden():
            return
        self.tap(self.window.read_aloud, "朗读 on")
        self.tap(self.window.read_aloud, "朗读 off")
        self.read_aloud += 1

    def journey(self, n: int) -> None:
        window = self.window
        village, last4 = self.people[n % len(self.people)]
        elderly = n % 2 == 0  # every other villager wants big type
        if elderly:
            self.tap(window.elderly, "长辈模式 on")
        self.tap(window.home.town_buttons[village[:9]], f"town {village[:9]}")
        self.tap(window.home.village_buttons[village], f"村 {village}")
        payouts = window.payouts
        self.tap(payouts.years.buttons()[n % 2], "year")
        items = payouts.items.buttons()
        self.tap(items[1 + n % (len(items) - 1)], "item")
        self.speak()
        self.tap(payouts.lookup_button)
        for char in last4:
            self.tap(payouts.lookup.keypad.keys[char], f"key {char}")
        self.tap(payouts.lookup.search, "查询 last 4")
        if payouts.lookup.step() == payouts.lookup.CHOOSE:  # several share the last 4
            self.tap(payouts.lookup.name_buttons[n % len(payouts.lookup.name_buttons)], "name chosen")
        self.speak()
        self.tap(payouts.lookup.back)
        self.tile("政务公开目录")
        self.tap(window.catalogue.domain_buttons[DOMAINS[n % len(DOMAINS)]], f"domain {DOMAINS[n % 3]}")
        self.tap_row(window.catalogue.view.list, "first entry")
        self.speak()
        self.tap(window.catalogue.view.back)
        search = window.catalogue.search  # 十 written by hand (Zinnia), then searched
        self.tap(search.write, "手写 open")
        self.doing = "catalogue: 手写 十 (strokes, recognised on a worker)"
        search.panel.pad.replay([[(30, 150), (270, 150)], [(150, 30), (150, 270)]], 300, 300)
        self.settle()  # the recognizer answers on a worker thread
        if search.panel.choices():
            self.tap(search.panel.candidate_buttons[0], "手写 candidate")
        self.tap(search.panel.buttons["确定"], "手写 确定 (search)")
        if elderly:
            self.tap(window.elderly, "长辈模式 off")
        self.tile("政策咨询")
        self.tap(window.consult.categories[CATEGORIES[n % len(CATEGORIES)]])
        self.tap_row(window.consult.view.list, "first answer")
        self.tile("规范性文件")
        self.tap(window.policies.filters[FILTERS[n % len(FILTERS)]])
        self.tap_row(window.policies.view.list, "first document")
        self.consultation(n)
        self.screener(n)
        self.tile("补贴公示")  # the village chosen before
        self.tap(payouts.print_button, "打印公示 (preview)")
        assert window.page_name() == "print", window.page_name()
        self.speak()
        digest = re.search(r"校验码 ([0-9a-fA-F]{16})", window.print_page.message.text())
        self.tile("核验公示单")
        if digest:  # the sheet just previewed, checked by its 校验码 on the keypad
            for char in digest.group(1).upper():
                self.tap(window.verify.keypad.keys[char], f"key {char}")
            self.tap(window.verify.check_button, "核验 (校验码)")
            self.verified += 1
        self.tap(window.home_button)
        self.doing = "reset (the villager walks away)"
        window.reset()
        self.settle()

    def consultation(self, n: int) -> None:
        """意见征集: the catalogue, the open draft read aloud; every fourth villager comments on
        its first article (赞成, nothing written, no name), sealed and queued like a request."""
        window = self.window
        self.tile("意见征集")
        page = window.page("consultation")
        self.tap_row(page.list, "open draft")
        if page.draft is None or not page.draft.is_open:
            return
        self.speak()
        if n % 4:
            return
        self.tap_row(page.articles, "first article")
        form = window.page("requests")
        if form.step() != "stance":
            return
        self.tap(form.stance_buttons["赞成"])
        while form.step() in ("text", "name", "phone"):
            self.tap(form.skip_button, f"跳过 {form.step()}")
        self.tap(form.submit_button, "提交意见")
        self.comments += form.step() == "receipt"

    def screener(self, n: int) -> None:
        """政策找人: every villager answers the questions asked (each third one 不清楚), looks
        at a policy's document, and takes the last answer back once."""
        self.tile("政策找人")
        page = self.window.page("screener")
        if not page.start_button.isVisible():
            return
        self.tap(page.start_button, "政策找人 开始")
        step = 0
        while page.question is not None:
            options = page.question.labels
            chosen = options[(n + step) % len(options)]
            button = page.unknown_button if step % 3 == 2 else page.option_buttons[chosen]
            self.tap(button, f"政策找人 {page.question.code}")
            step += 1
        while page.filling:  # the result's cards come a group a turn
            self.settle()
        self.speak()
        links = [b for b in page.result_area.widget().findChildren(type(page.start_button))
                 if b.text() == "政策文件"]  # fmt: skip
        if links:
            self.tap(links[0], "政策找人 政策文件")
            self.tap(page.detail_back, "政策找人 返回结果")
        self.tap(page.change_button, "政策找人 上一步")
        self.screened += 1

    def sync_round(self, county: County) -> str:
        """The kiosk's own background round (kiosk.ui.autosync: sync, then the outbox pushed)
        with a request waiting, while the kiosk sits on its home page: the meter sees what a
        villager arriving then would feel."""
        from kiosk.services import requests

        with self.paused():  # the county publishing, and a request waiting (harness work)
            changed = county.publish_change()
            requests.submit("callback", {"phone": "13800001111", "topic": "社会救助"})
        auto = self.window.autosync
        self.doing = f"home, idle: background sync ({changed}) + outbox push"
        reports: list[str] = []
        auto.reported.connect(reports.append)
        auto.run_now()
        deadline = time.monotonic() + 120
        while not reports and time.monotonic() < deadline:
            wait_ms(20)
        auto.reported.disconnect(reports.append)
        self.settle()
        return reports[0] if reports else "no report in 120 s"

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

        self.doing = "idle resets (the kiosk's idle timer)"
        self.window.idle.timeout.connect(one)
        guard = QTimer.singleShot(60_000, loop.quit)  # never hang the benchmark
        self.window.idle.setInterval(2)
        self.window.idle.start()
        loop.exec()
        del guard
        self.window.idle.timeout.disconnect(one)
        self.window.idle.setInterval(3_600_000)
        self.window.idle.start()
        # Then the hall stands empty for a moment, as after any reset: long enough for what
        # the kiosk does when nobody is there (freed memory handed back, kiosk.heap).
        self.doing = "idle: nobody at the kiosk"
        from kiosk.ui.shell import RELEASE_AFTER_RESET_MS

        wait_ms(int(RELEASE_AFTER_RESET_MS * 1.5))
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
    parser.add_argument("--feed", type=Path, help="with --db: the feed folder to sync from each hour")
    parser.add_argument("--trusted-root", type=Path, help="with --feed: its root.json")
    parser.add_argument("--hours", type=int, default=24)
    parser.add_argument("--resets-per-hour", type=int, default=30)
    parser.add_argument("--journeys-per-hour", type=int, default=20)
    parser.add_argument("--trace-python", type=int, default=0, metavar="N",
                        help="tracemalloc: the N biggest Python files by heap at the end (slower)")
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)  # the baseline child
    parser.add_argument("--cycles", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if os.environ["QT_QPA_PLATFORM"] == "offscreen":
        os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={screen_config()}"
    cycles = args.resets_per_hour + args.journeys_per_hour * (1 + TAPS_PER_JOURNEY)
    if args.bare:
        bare(args.hours, args.cycles or cycles)
        return
    if args.trace_python:
        import tracemalloc

        tracemalloc.start()

    scratch = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    db = args.db or demo_db(scratch)
    if args.db is None:  # the demo county's own feed, keys and spreadsheets
        county = County(scratch / "demo-county" / "feed", scratch / "demo-county" / "keys" / "root.json",
                        scratch / "input")  # fmt: skip
    elif args.feed and args.trusted_root:
        county = County(args.feed, args.trusted_root)
    else:
        county = None
    # Nothing prints or writes anywhere real: no printer by that name, an empty "stick".
    (scratch / "usb").mkdir()
    os.environ.update({"KIOSK_PRINTER": "bench-no-such-printer", "KIOSK_USB_ROOTS": str(scratch / "usb"),
                       "KIOSK_PRINT_REQUIRES_PIN": "0", "KIOSK_IDLE_TIMEOUT_S": "3600"})  # fmt: skip
    child = [sys.executable, __file__, "--bare", "--hours", str(args.hours), "--cycles", str(cycles)]
    baseline = subprocess.run(child, capture_output=True, text=True, check=True)
    bare_lines = [json.loads(line) for line in baseline.stdout.splitlines() if line.startswith("{")]
    bare_hours = [line for line in bare_lines if "hour" in line]
    bare_end = next(line for line in bare_lines if "meter" in line)
    daemon = speech_daemon(Path(tempfile.mkdtemp(prefix="bench-spd-")))  # a short socket path

    from PySide6.QtWidgets import QApplication

    from kiosk import app as kiosk_app
    from kiosk.app import create_app, install_qt_message_handler
    from kiosk.config import Settings
    from kiosk.store.db import open_database
    from kiosk.ui.shell import KioskWindow
    from kiosk.ui.stall_meter import StallMeter

    open_database(db)
    install_qt_message_handler()  # as the kiosk does: Qt's chatter to the log, not the console
    app = create_app()
    hall: Hall | None = None
    starting = ["start-up: the villager pages built after the first frame"]
    meter = StallMeter(label=lambda: hall.doing if hall is not None else starting[0], keep=2 * WORST)
    settings = Settings(scratch / "settings.json")
    if county is not None:  # the kiosk syncs on its own only from a URL
        for key, value in (("feed_source", county.url), ("trusted_root", str(county.root)),
                           ("outbox_url", county.outbox_url), ("sync_every_minutes", 600)):  # fmt: skip
            settings.set(key, value)
    # As in the kiosk (kiosk.app), the meter starts with the first frame: before it there is
    # no screen to freeze, only start-up time (bench_start compares that with a bare window).
    building = time.perf_counter()
    first_frame = []
    window = KioskWindow(settings, db)
    window.first_frame.connect(lambda: (first_frame.append(time.perf_counter()), meter.start()))
    # As kiosk.app does: start-up's heap frozen, then cycles collected on the UI thread only.
    window.started.connect(lambda: kiosk_app._settle_heap(window))
    window.resize(1280, 900)
    window.show()
    for _ in range(20):  # the first frame and the pages built after it
        app.processEvents()
    starting[0] = "start-up: idle until 朗读's voice lookup (3 s after the first frame)"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and (daemon is None or window.read_aloud.isHidden()):
        wait_ms(20)
    hall = Hall(window, db, meter)
    window.idle.setInterval(3_600_000)
    start_none = sys.getrefcount(None)
    print(f"kiosk soak: {args.hours} simulated hours of {args.journeys_per_hour} journeys + "
          f"{args.resets_per_hour} idle resets + a background sync; database {db}")  # fmt: skip
    print(f"{'hour':>4} {'RSS MB':>7} {'x bare':>6} {'None drift':>10} {'bare None':>9} "
          f"{'gc objects':>10} {'widgets':>7} {'QObjects':>8} {'taps':>6} {'s':>5}")  # fmt: skip
    rows, reports = [], []
    journeys = 0
    for hour in range(1, args.hours + 1):
        started = time.perf_counter()
        for number in range(args.journeys_per_hour):
            if number == args.journeys_per_hour // 2 and county is not None:
                reports.append(hall.sync_round(county))
            hall.journey(journeys)
            journeys += 1
        hall.idle_resets(args.resets_per_hour)
        with hall.paused():
            gc.collect()
            row = {"hour": hour, "rss": rss_mb(), "none": sys.getrefcount(None) - start_none,
                   "objects": len(gc.get_objects()), "widgets": len(QApplication.allWidgets()),
                   "qobjects": qobjects_under(window)}  # fmt: skip
            rows.append(row)
            base = bare_hours[hour - 1]
            print(f"{hour:>4} {row['rss']:>7.1f} {row['rss'] / base['rss']:>6.2f} {row['none']:>+10} "
                  f"{base['none']:>+9} {row['objects']:>10} {row['widgets']:>7} {row['qobjects']:>8} "
                  f"{hall.taps:>6} {time.perf_counter() - started:>5.1f}", flush=True)  # fmt: skip
    meter.stop()
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
    print(f"朗读 tapped {hall.read_aloud} times" + ("" if daemon else " (no speech-dispatcher: 朗读 hidden)")
          + f"; 核验 by 校验码 {hall.verified} times; comments sealed: {hall.comments}"
          + f"; 政策找人 results: {hall.screened}"
          + f"; background syncs: {len(reports)}"
          + (f", the last: {reports[-1]}" if reports else " (no feed: none)")
          + (f"; requests the upload store received: {len(county.received)}" if county else ""))  # fmt: skip
    before = (first_frame[0] - building) * 1000
    print_stalls({**meter_summary(meter), "before_first_frame": before}, bare_end["meter"])
    python_top = []
    if args.trace_python:
        import tracemalloc

        stats = tracemalloc.take_snapshot().statistics("filename")[: args.trace_python]
        python_top = [f"{stat.size / 2**20:>6.1f}  {stat.traceback[0].filename}" for stat in stats]
    print_memory(memory_breakdown(), bare_end["memory"], python_top)
    if county is not None:
        county.close()
    stop_daemon(daemon)
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
