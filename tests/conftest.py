"""Shared fixtures: one demo county built through the real path per test session."""

import os
import shutil
import tempfile
import threading
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# No test reaches the machine's own speech daemon (it would start one and speak); the speech
# tests run a private one (tests/ui/test_speech.py).
os.environ["SPEECHD_ADDRESS"] = "unix_socket:/nonexistent/kiosk-tests/speechd.sock"
# Logs and default data of the processes the tests start go to a scratch folder, not the
# user data folder of whoever runs the tests.
os.environ.setdefault("XDG_DATA_HOME", tempfile.mkdtemp(prefix="kiosk-tests-data-"))
# The county's private keys are encrypted; the tests' county (and every kiosk command a
# test starts) uses this passphrase, as automation does.
os.environ["KIOSK_KEY_PASSPHRASE"] = "test-passphrase"

from kiosk.county.feed import demo_county, keys, publisher
from kiosk.services import sync, usage
from kiosk.store.db import close_database, open_database
from kiosk.store.models import Fault, PrintJob, Run, StaffAccess, UsageCount
from tests.helpers import threads
from tests.helpers.data import copy_database
from tests.helpers.kiosk import open_kiosk
from tests.helpers.stores import Store

pytest_plugins = ["pytester"]  # tests/ui/test_background_work.py runs a test that must fail

DEMO_HOUSEHOLDS = 600
DEMO_SEED = 7


@pytest.fixture(autouse=True)
def no_background_work_left():
    """Fails a test that leaves a task thread of kiosk.ui.tasks running, or a non-daemon
    thread it started, once its fixtures are torn down (work about to end gets up to
    threads.GRACE_S). A leftover task is then stopped, so the next test starts clean."""
    before = set(threading.enumerate())
    yield
    left = [f"task “{name}”" for name in threads.running_tasks()]
    if left:
        threads.stop_tasks()
    left += [f"thread “{name}”" for name in threads.new_threads(before)]
    if left:
        pytest.fail(f"background work still running after the test: {', '.join(left)}", pytrace=False)


@pytest.fixture(scope="session")
def demo_input(tmp_path_factory) -> Path:
    """The demo county's spreadsheets (payouts as XLSX, as a county would export)."""
    out = tmp_path_factory.mktemp("county") / "input"
    demo_county.generate(out, households=DEMO_HOUSEHOLDS, seed=DEMO_SEED, fmt="xlsx")
    return out


@pytest.fixture(scope="session")
def county_keys(tmp_path_factory) -> Path:
    """The demo county's signing keys (root.json inside is the terminals' trusted root)."""
    keydir = tmp_path_factory.mktemp("keys") / "county"
    keys.init_keys(keydir)
    return keydir


@pytest.fixture(scope="session")
def demo_feed(tmp_path_factory, demo_input, county_keys) -> Path:
    """The signed feed built from the demo spreadsheets."""
    out = tmp_path_factory.mktemp("feed") / "feed"
    publisher.build_feed(demo_input, county_keys, out)
    return out


@pytest.fixture
def release_county(county_keys, demo_feed, tmp_path) -> tuple[Path, Path, Path]:
    """A private copy of the county's keys and feed, with a release key the root names:
    (keys, release keys, feed)."""
    from kiosk.county.feed import releases

    keydir, app_keys, feed = tmp_path / "keys", tmp_path / "app-keys", tmp_path / "feed"
    shutil.copytree(county_keys, keydir)
    shutil.copytree(demo_feed, feed)
    releases.create_release_key(app_keys, keydir)
    return keydir, app_keys, feed


@pytest.fixture(scope="session")
def demo_db_file(tmp_path_factory, demo_feed, county_keys) -> Path:
    """A terminal database filled through the real path: spreadsheets -> feed -> sync."""
    path = tmp_path_factory.mktemp("db") / "demo.sqlite3"
    open_database(path)
    sync.sync(str(demo_feed), path, county_keys / "root.json")
    close_database()
    return path


@pytest.fixture
def demo_db(demo_db_file) -> Path:
    """The demo database, open and bound to the models (read-only use; a staff PIN a test
    sets, and what a kiosk window records about itself: usage counts, print jobs, runs and
    faults, are removed afterwards, so a terminal copied from it starts fresh)."""
    open_database(demo_db_file)
    yield demo_db_file
    threads.running_tasks()  # a reset's write of the usage counts ends first
    usage.forget_pending()
    open_database(demo_db_file)  # a test may have opened another database meanwhile
    for model in (StaffAccess, UsageCount, PrintJob, Run, Fault):
        model.delete().execute()
    close_database()


@pytest.fixture
def empty_db(tmp_path) -> Path:
    path = tmp_path / "empty.sqlite3"
    open_database(path)
    yield path
    close_database()


@pytest.fixture(scope="session")
def demo_input_csv(tmp_path_factory) -> Path:
    """The same county exported as CSV (quicker to re-import in the fault tests)."""
    out = tmp_path_factory.mktemp("county-csv") / "input"
    demo_county.generate(out, households=DEMO_HOUSEHOLDS, seed=DEMO_SEED, fmt="csv")
    return out


@pytest.fixture
def county_input(demo_input_csv, tmp_path) -> Path:
    """A private copy of the demo spreadsheets (CSV) that a test may break."""
    out = tmp_path / "input"
    shutil.copytree(demo_input_csv, out)
    return out


@pytest.fixture
def county_input_xlsx(demo_input, tmp_path) -> Path:
    """A private copy of the demo spreadsheets (payouts as XLSX) that a test may break."""
    out = tmp_path / "input"
    shutil.copytree(demo_input, out)
    return out


@pytest.fixture
def feed(demo_feed, tmp_path) -> Path:
    """A private copy of the signed demo feed that a test may rebuild, re-sign or damage."""
    out = tmp_path / "feed"
    shutil.copytree(demo_feed, out)
    return out


@pytest.fixture
def terminal(demo_db_file, tmp_path) -> Path:
    """A terminal that already holds the demo data (and an empty feed cache), open."""
    path = tmp_path / "terminal" / "kiosk.sqlite3"
    copy_database(demo_db_file, path)
    open_database(path)
    yield path
    close_database()


@pytest.fixture
def window(qtbot, demo_db, tmp_path, monkeypatch):
    """The kiosk window on the demo database, as a villager finds it."""
    from PySide6.QtGui import QFontInfo
    from PySide6.QtWidgets import QApplication

    monkeypatch.setenv("KIOSK_IDLE_TIMEOUT_S", "120")
    kiosk = open_kiosk(qtbot, tmp_path / "settings.json", demo_db)
    assert QFontInfo(QApplication.instance().font()).family() == "WenQuanYi Micro Hei"
    yield kiosk
    kiosk.reset()


@pytest.fixture
def print_db(terminal) -> Path:
    """A private copy of the demo database: these tests print, and prints are audited."""
    return terminal


@pytest.fixture
def no_real_devices(tmp_path, monkeypatch):
    """Nothing a test taps reaches a real USB stick or printer, and the idle reset stays
    out of the way (tests call it themselves)."""
    usb = tmp_path / "usb"  # an empty "drive"
    usb.mkdir()
    monkeypatch.setenv("KIOSK_USB_ROOTS", str(usb))
    monkeypatch.setenv("KIOSK_PRINTER", "kiosk-test-no-such-printer")
    monkeypatch.setenv("KIOSK_PRINT_REQUIRES_PIN", "0")
    monkeypatch.setenv("KIOSK_IDLE_TIMEOUT_S", "3600")


@pytest.fixture
def store():
    """A loopback upload store (tests.helpers.stores.Store), serving until the test ends."""
    server = Store()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
