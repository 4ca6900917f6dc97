"""Staff carry villagers' requests to the county: a stick inserted while the staff page is
open is offered for both jobs at once (sync from it, export requests onto it)."""

import shutil

import pytest

from kiosk.formats import envelope
from kiosk.services import admin, requests
from tests.helpers.envelopes import hold_county_key
from tests.helpers.kiosk import PIN, open_kiosk, tap, unlock

CALLBACK = {"phone": "13800001111", "topic": "社会救助", "text": "想问低保怎么申请"}


@pytest.fixture
def staffed(qtbot, terminal, tmp_path, monkeypatch):
    """A kiosk on a private terminal that holds the county's inbox key and a staff PIN."""
    monkeypatch.setenv("KIOSK_USB_ROOTS", str(tmp_path / "stick"))  # not inserted yet
    monkeypatch.setenv("KIOSK_IDLE_TIMEOUT_S", "3600")
    hold_county_key(tmp_path / "county-keys")
    admin.set_pin(PIN)
    window = open_kiosk(qtbot, tmp_path / "settings.json", terminal)
    yield window
    window.quit_kiosk()


def test_a_stick_inserted_while_the_staff_page_is_open(qtbot, staffed, tmp_path, demo_feed, county_keys):
    staffed.settings.set("trusted_root", str(county_keys / "root.json"))
    numbers = {requests.submit("callback", dict(CALLBACK)).number for _ in range(2)}
    unlock(qtbot, staffed)
    page = staffed.admin
    assert "待送达 2 件" in page.outbox_label.text()
    assert not page.usb_offer.isVisible()

    stick = tmp_path / "stick"
    shutil.copytree(demo_feed, stick / "县里的数据源")  # the stick goes in
    qtbot.waitUntil(page.usb_offer.isVisible, timeout=5000)
    assert "其中有县级数据源" in page.usb_offer.label.text() and page.usb_offer.sync_button.isVisible()

    tap(qtbot, page.usb_offer.export_button)
    qtbot.waitUntil(lambda: "已导出 2 件申请" in page.message.text(), timeout=10_000)
    copied = [envelope.read_header(p.read_bytes()).kind for p in (stick / "inbox").glob("*.env")]
    assert sorted(copied) == ["callback", "callback", "status"]  # with the terminal's status report
    assert "已送出待县里确认 2 件" in page.outbox_label.text()
    assert {requests.status(n).status for n in numbers} == {"已提交待送达"}

    tap(qtbot, page.usb_offer.sync_button)
    assert staffed.settings.get("feed_source") == str(stick / "县里的数据源")
    qtbot.waitUntil(lambda: "已是最新" in page.message.text(), timeout=30_000)


def test_a_stick_pulled_out_takes_its_offer_away_and_locking_stops_watching(qtbot, staffed, tmp_path):
    stick = tmp_path / "stick"
    stick.mkdir()
    unlock(qtbot, staffed)
    page = staffed.admin
    qtbot.waitUntil(page.usb_offer.isVisible, timeout=5000)
    assert not page.usb_offer.sync_button.isVisible()  # no feed on it: only the export is offered
    stick.rmdir()
    qtbot.waitUntil(lambda: not page.usb_offer.isVisible(), timeout=5000)
    page.lock()
    assert not page.usb_offer.timer.isActive()
