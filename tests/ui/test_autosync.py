"""The kiosk keeps itself current: a scheduled sync from the county's URL (a real loopback
server), then the outbox pushed to the upload store; jittered waits; no sync from a folder."""

import random

import pytest

from kiosk.config import Settings
from kiosk.formats import envelope
from kiosk.services import requests
from kiosk.ui import tasks
from kiosk.ui.autosync import JITTER, AutoSync
from tests.helpers.envelopes import hold_county_key
from tests.helpers.feeds import FeedServer


@pytest.fixture
def server(feed):
    running = FeedServer(feed)
    yield running
    running.close()


def _settings(tmp_path, **values) -> Settings:
    settings = Settings(tmp_path / "settings.json")
    for key, value in values.items():
        settings.set(key, value)
    return settings


def test_a_scheduled_round_syncs_from_the_url_then_sends_the_requests(qtbot, terminal, tmp_path, server,
                                                                    store, county_keys):  # fmt: skip
    hold_county_key(tmp_path / "inbox-keys")
    number = requests.submit("callback", {"phone": "13800001111", "topic": "社会救助"}).number
    settings = _settings(tmp_path, feed_source=server.url, trusted_root=str(county_keys / "root.json"),
                         sync_every_minutes=30, outbox_url=store.url)  # fmt: skip
    auto = AutoSync(settings, terminal, rng=random.Random(3))
    with qtbot.waitSignal(auto.reported, timeout=30_000) as reported:
        auto.run_now()
    assert reported.args[0].startswith("自动同步：") and "申请送出 1 件" in reported.args[0]
    assert any(p.endswith("timestamp.json") for p in server.requests)
    kinds = sorted(envelope.read_header(data).kind for data in store.received.values())
    assert kinds == ["callback", "status"]  # the request, and the terminal's status report with it
    assert requests.status(number).note.startswith("已发往县里")
    qtbot.waitUntil(lambda: not auto.running)
    wait_s = auto.timer.remainingTime() / 1000
    assert 30 * 60 * (1 - JITTER) - 5 <= wait_s <= 30 * 60 * (1 + JITTER)
    auto.stop()


def test_a_failing_source_is_reported_and_tried_again_later(qtbot, terminal, tmp_path, server, county_keys):
    server.fault = ("500", "timestamp")
    settings = _settings(tmp_path, feed_source=server.url, trusted_root=str(county_keys / "root.json"),
                         sync_every_minutes=5)  # fmt: skip
    auto = AutoSync(settings, terminal, rng=random.Random(1))
    with qtbot.waitSignal(auto.reported, timeout=30_000) as reported:
        auto.run_now()
    assert reported.args[0].startswith("自动同步未完成：")
    qtbot.waitUntil(lambda: not auto.running)
    assert auto.timer.isActive()
    auto.stop()


def test_a_folder_source_or_interval_zero_never_syncs_on_its_own(qtbot, terminal, tmp_path, feed,
                                                                 county_keys):  # fmt: skip
    root = str(county_keys / "root.json")
    for values in ({"feed_source": str(feed), "sync_every_minutes": 60},
                   {"feed_source": "http://127.0.0.1:9/feed", "sync_every_minutes": 0}):  # fmt: skip
        auto = AutoSync(_settings(tmp_path, trusted_root=root, **values), terminal)
        auto.run_now()
        assert not auto.running and not tasks.running() and auto.last_report == ""
        auto.stop()


def test_terminals_start_their_first_round_at_different_times(tmp_path, qtbot):
    settings = _settings(tmp_path, sync_every_minutes=60)
    waits = set()
    for seed in range(20):
        auto = AutoSync(settings, None, rng=random.Random(seed))
        auto.start()
        waits.add(auto.timer.remainingTime() // 1000)
        auto.stop()
    assert len(waits) > 15 and max(waits) <= 600
