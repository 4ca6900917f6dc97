"""A terminal's side of program updates, end to end over a real feed on loopback HTTP: after a
sync it fetches and unpacks the release offered to it; staff can hold updates or cap the
version; a disk too small is said before the download; the switch waits for a quiet moment
in the hour staff chose; a failed release is reported until a later one runs."""

import datetime as dt
import threading

import pytest

from kiosk.config import Settings
from kiosk.county.feed import releases as county_releases
from kiosk.errors import KnownError
from kiosk.services import health, updates
from kiosk.update import install, launcher
from kiosk.update.state import AppRoot
from tests.helpers.bundles import make_bundle
from tests.helpers.feeds import FeedServer


@pytest.fixture
def county(release_county, tmp_path):
    keydir, app_keys, feed = release_county
    for version in ("0.2.0", "0.3.0"):
        bundle = make_bundle(tmp_path / f"bundle-{version}", version, padding=300_000)
        county_releases.release(bundle, version, app_keys, keydir, feed)
    server = FeedServer(feed)
    yield keydir, server
    server.close()


@pytest.fixture
def terminal(tmp_path, empty_db):
    root = AppRoot(tmp_path / "app")
    install.install(root, make_bundle(tmp_path / "installed", "0.1.0"), "0.1.0")
    return root, empty_db, Settings(tmp_path / "settings.json")


def _check(county, terminal, **kwargs) -> str:
    keydir, server = county
    root, db, settings = terminal
    return updates.check(server.url, db, keydir / "root.json", settings, root=root, **kwargs)


def test_the_newest_release_is_fetched_unpacked_and_waits_for_a_quiet_moment(county, terminal):
    root, _, settings = terminal
    assert _check(county, terminal) == "已下载 0.3.0 版，将在无人使用时更新"
    assert root.load().pending == "0.3.0"
    assert list(root.downloads.iterdir()) == []  # the archive is gone once unpacked
    requests_before = len(county[1].requests)
    assert _check(county, terminal) == "0.3.0 版已下载，将在无人使用时更新"
    assert not any(".tar.gz" in r for r in county[1].requests[requests_before:])  # not fetched twice
    status = updates.status(settings, root)
    assert (status.running, status.managed, status.pending) == ("0.1.0", True, "0.3.0")
    assert "0.3.0 版已下载" in status.last_check


def test_staff_can_hold_updates_or_cap_the_version(county, terminal):
    root, _, settings = terminal
    settings.set("update_hold", True)
    assert _check(county, terminal) == "程序更新已暂停（工作人员设置）"
    assert updates.switch_if_due(settings, root=root) is None
    settings.set("update_hold", False)
    settings.set("update_pin", "0.2.5")
    assert _check(county, terminal) == "已下载 0.2.0 版，将在无人使用时更新"
    settings.set("update_pin", "0.1.0")
    assert _check(county, terminal) == "程序已是最新（0.1.0 版）"


def test_a_disk_too_small_is_said_before_the_download(county, terminal):
    root, _, settings = terminal
    with pytest.raises(KnownError, match=r"磁盘空间不足，无法下载 0\.3\.0 版"):
        _check(county, terminal, free=lambda _folder: 50 * 1024 * 1024)
    assert not any(".tar.gz" in r for r in county[1].requests)
    assert root.load().pending == ""
    assert "程序更新未完成：磁盘空间不足" in updates.status(settings, root).last_check


def test_the_switch_waits_for_the_hour_staff_chose(county, terminal):
    root, _, settings = terminal
    _check(county, terminal)
    settings.set("update_hour", 3)
    assert updates.switch_if_due(settings, now=dt.datetime(2026, 12, 6, 14, 0), root=root) is None
    assert updates.switch_if_due(settings, now=dt.datetime(2026, 12, 7, 3, 20), root=root) == "0.3.0"
    state = root.load()
    assert (state.current, state.previous, state.on_trial) == ("0.3.0", "0.1.0", True)
    assert updates.RESTART == launcher.RESTART


def test_a_failed_release_is_a_fault_in_the_status_report_until_a_later_one_runs(county, terminal,
                                                                                  monkeypatch):
    root, _, _ = terminal
    _check(county, terminal)
    install.switch(root)
    for _ in range(launcher.MAX_TRIAL_STARTS + 1):
        state = launcher.before_start(root, root.load())
    assert state.current == "0.1.0"
    monkeypatch.setenv("KIOSK_APP_ROOT", str(root.path))
    report = health.build_report("http", queued=set)
    (fault,) = [f for f in report["faults"] if f["code"] == "update_failed"]
    assert fault["detail"].startswith("0.3.0 版试运行失败，已退回 0.1.0 版") and not fault["cleared"]
    assert _check(county, terminal) == "已下载 0.2.0 版，将在无人使用时更新"  # 0.3.0 never again
    monkeypatch.setattr("kiosk.services.updates.version", lambda: "0.3.1")  # a later version runs
    report = health.build_report("http", queued=set)
    (fault,) = [f for f in report["faults"] if f["code"] == "update_failed"]
    assert fault["cleared"]


def test_a_kiosk_not_started_by_the_launcher_does_not_update_itself(county, terminal, monkeypatch):
    _, db, settings = terminal
    monkeypatch.delenv("KIOSK_APP_ROOT", raising=False)
    assert updates.check(county[1].url, db, county[0] / "root.json", settings) == ""
    assert updates.switch_if_due(settings) is None
    assert updates.lines(updates.status(settings))[-1] == ("自动更新", "未由启动器管理，不自动更新")


def test_a_second_check_while_one_downloads_is_told_and_waits_for_nothing(county, terminal):
    root, _, _ = terminal
    server = county[1]
    server.fault, server.trickle_s = ("trickle", ".tar.gz"), 0.05
    stop = threading.Event()
    first: list[BaseException] = []

    def downloading() -> None:
        try:
            _check(county, terminal, cancelled=stop.is_set)
        except KnownError as exc:
            first.append(exc)

    thread = threading.Thread(target=downloading)
    thread.start()
    try:
        assert server.trickling.wait(10)
        with pytest.raises(KnownError, match="另一次程序更新正在下载"):
            _check(county, terminal)
    finally:
        stop.set()
        thread.join(10)
    assert "已取消" in str(first[0])
    assert root.load().pending == "" and list(root.downloads.iterdir()) == []
