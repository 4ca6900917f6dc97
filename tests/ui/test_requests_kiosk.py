"""我要申请·咨询 and 办理进度 at the terminal, by taps on the real widgets: a 政府信息公开申请 and
a 咨询·预约回电 to their receipts, wrong answers said on their own step, no county key said
plainly, the idle reset forgetting every answer, and the receipt number looked up by keypad
and by a scanned QR."""

import datetime as dt
import os
import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QTextBrowser

from kiosk.formats import replies
from kiosk.services import handwriting, push, requests
from kiosk.store.models import FeedState, Reply
from tests.helpers.envelopes import hold_county_key
from tests.helpers.kiosk import StandIn, open_kiosk, scan, tap
from tests.helpers.layout import SCREENS, TOWN, layout_problems, long_village, settle

NAME = "张三"
ID_BASE = "11010519491231002"
PHONE = "13912345678"


def _id_number(base: str = ID_BASE) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return base + "10X98765432"[sum(int(d) * w for d, w in zip(base, weights, strict=True)) % 11]


ID_NUMBER = _id_number()


@pytest.fixture
def kiosk(qtbot, terminal, tmp_path, monkeypatch):
    """The kiosk on a private terminal database that holds the county's inbox key."""
    monkeypatch.setenv("KIOSK_IDLE_TIMEOUT_S", "600")
    monkeypatch.setenv("KIOSK_PRINTER", "kiosk-test-no-such-printer")
    hold_county_key(tmp_path / "keys")
    window = open_kiosk(qtbot, tmp_path / "settings.json", terminal)
    qtbot.waitUntil(lambda: bool(window.idle_watch.activity), timeout=5000)
    yield window
    window.reset()
    window.quit_kiosk()
    requests.close_outboxes()


def _open(qtbot, window, kind: str):
    tap(qtbot, window.home.tiles["我要申请·咨询"])
    page = window.page("requests")
    assert window.page_name() == "requests" and page.step() == "kind"
    tap(qtbot, page.kind_buttons[kind])
    return page


def _write(qtbot, page, text: str, monkeypatch) -> None:
    """Each character written on the pad (a stand-in recognizer answers it), picked, then 确定."""
    panel = page.panel
    assert panel.isVisible()
    for char in text:
        monkeypatch.setattr(handwriting, "recognizer", lambda c=char: StandIn(answers=(c, "人")))
        panel.pad.replay([[(60, 150), (240, 150)]], 300, 300)
        qtbot.waitUntil(lambda c=char: c in panel.choices(), timeout=10_000)
        tap(qtbot, panel.candidate_buttons[panel.choices().index(char)])
    tap(qtbot, panel.buttons["确定"])


def _keys(qtbot, keypad, text: str) -> None:
    for char in text:
        tap(qtbot, keypad.keys[char])


def _disclosure_to_confirm(qtbot, window, monkeypatch, id_number=ID_NUMBER, phone=PHONE):
    page = _open(qtbot, window, "disclosure")
    assert page.step() == "name" and page.counter.text().endswith("第1步/共7步")
    _write(qtbot, page, NAME, monkeypatch)
    assert page.step() == "id_number" and page.counter.text().endswith("第2步/共7步")
    _keys(qtbot, page.id_keypad, id_number)
    assert page.id_field.text().replace(" ", "") == id_number  # in full on its own step only
    tap(qtbot, page.next_button)
    assert page.step() == "phone"
    assert page.id_field.text() == id_number[:6] + "*" * 8 + id_number[-4:]  # as the feed masks it
    _keys(qtbot, page.phone_keypad, phone)
    tap(qtbot, page.next_button)
    assert page.step() == "wanted"
    tap(qtbot, next(iter(page.wanted_buttons.values())))
    assert page.step() == "delivery"
    tap(qtbot, page.delivery_buttons["现场领取"])
    assert page.step() == "purpose"
    tap(qtbot, page.skip_button)
    assert page.step() == "confirm" and page.submit_button.isVisible()
    return page


def _texts(widget) -> list[str]:
    """Every text a villager could see anywhere in ``widget`` (shown or not)."""
    found = [w.text() for kind in (QLabel, QLineEdit, QAbstractButton) for w in widget.findChildren(kind)]
    found += [w.toPlainText() for w in widget.findChildren(QTextBrowser)]
    return found


def _assert_forgotten(page) -> None:
    grouped = f"{PHONE[:3]} {PHONE[3:7]} {PHONE[7:]}"
    for text in _texts(page):
        compact = text.replace(" ", "")
        assert ID_NUMBER not in compact and PHONE not in compact and grouped not in text, text
        assert NAME not in text and ID_NUMBER[-4:] not in text, text
    assert page.values == {} and page._id == "" and page.refers_to is None


def test_a_disclosure_request_by_taps_ends_in_a_receipt(qtbot, kiosk, terminal, monkeypatch):
    village = long_village(terminal)
    kiosk.show_village(village)  # the villager looked at their village first
    kiosk.go_home()
    page = _disclosure_to_confirm(qtbot, kiosk, monkeypatch)
    summary = page.summary.text()
    assert f"姓名：{NAME}" in summary and "110105********" in summary and ID_NUMBER not in summary
    assert "现场领取" in summary and "年度惠民惠农补贴发放明细" in summary
    form = page.form()
    assert form["refers_to"]["village"] == village and form["refers_to"]["year"].isdigit()
    tap(qtbot, page.submit_button)
    qtbot.waitUntil(lambda: page.sealing is None)  # sealed off the UI thread
    assert page.step() == "receipt"
    number = page.receipt.number
    assert number in page.receipt_view.number.text().replace("\n", " ")
    assert "张*" in page.receipt_view.text.text() and PHONE[-4:] in page.receipt_view.text.text()
    assert "办理进度" in page.receipt_view.text.text() and not page.receipt_view.qr.pixmap().isNull()
    assert requests.status(number).status == "已提交待送达"
    _assert_forgotten(page)  # sealed: the form is gone from the page at once
    # ... and never reached the terminal's disk in clear: database, WAL, outbox, key, settings.
    files = [p for p in terminal.parent.rglob("*") if p.is_file()]
    assert any(p.suffix == ".env" for p in files)  # the sealed request is among them
    on_disk = b"".join(p.read_bytes() for p in files)
    for secret in (NAME, ID_NUMBER, PHONE, ID_NUMBER[-6:]):
        assert secret.encode() not in on_disk, secret
    tap(qtbot, page.receipt_view.done_button)
    assert kiosk.page_name() == "home" and page.step() == "kind"


def test_a_callback_request_and_its_progress_by_keypad_and_by_scan(qtbot, kiosk):
    page = _open(qtbot, kiosk, "callback")
    assert page.step() == "topic" and page.counter.text().endswith("第1步/共5步")
    topic = next(iter(page.topic_buttons))
    tap(qtbot, page.topic_buttons[topic])
    _keys(qtbot, page.phone_keypad, PHONE)
    tap(qtbot, page.next_button)
    tap(qtbot, page.time_buttons["工作日上午"])
    assert page.step() == "text"
    tap(qtbot, page.skip_button)
    assert "工作日上午" in page.summary.text()
    tap(qtbot, page.submit_button)
    qtbot.waitUntil(lambda: page.sealing is None)  # sealed off the UI thread
    number, qr = page.receipt.number, page.receipt.qr_text
    assert page.receipt.kind == "callback" and f"事项：{topic}" in page.receipt_view.text.text()
    tap(qtbot, page.receipt_view.done_button)
    # 办理进度 by the keypad, through the door the villager came in by.
    tap(qtbot, kiosk.home.tiles["我要申请·咨询"])
    tap(qtbot, page.progress_button)
    progress = kiosk.page("progress")
    _keys(qtbot, progress.keypad, number.replace("-", ""))
    assert progress.field.text() == number
    tap(qtbot, progress.look_up)
    assert progress.status.text() == "已提交待送达" and "咨询·预约回电" in progress.details.text()
    # A made-up number.
    tap(qtbot, progress.again)
    _keys(qtbot, progress.keypad, "1" * 14)
    tap(qtbot, progress.look_up)
    assert "没有找到该受理编号" in progress.message.text() and not progress.result.isVisible()
    # The county answered, sealed to the key in the receipt's QR code: the number alone shows
    # where it stands; the QR scanned anywhere opens the answer.
    _, key = replies.parse_qr(qr)
    Reply.create(lookup=replies.lookup(number), envelope_digest="0" * 32, kind="咨询·预约回电",
                 status="已答复", received_on=dt.date.today(), due_on=dt.date.today(),
                 answered_on=dt.date.today(), answer_sealed=replies.seal_answer(
                     "您好，已电话答复：补贴每年11月发放。", key, number))  # fmt: skip
    tap(qtbot, progress.again)
    _keys(qtbot, progress.keypad, number.replace("-", ""))
    tap(qtbot, progress.look_up)
    assert progress.status.text() == "已答复" and not progress.answer.isVisible()
    assert "二维码" in progress.details.text() and "11月" not in progress.spoken_text()
    kiosk.go_home()
    scan(kiosk, qr)
    assert kiosk.page_name() == "progress" and progress.status.text() == "已答复"
    assert "11月发放" in progress.answer.toPlainText() and progress.answer.isVisible()
    assert "11月" not in progress.spoken_text()  # read aloud in the hall: never the answer
    kiosk.reset()
    assert progress.field.text() == "" and progress.answer.toPlainText() == ""


def test_a_short_phone_is_said_on_the_phone_step(qtbot, kiosk):
    page = _open(qtbot, kiosk, "callback")
    tap(qtbot, next(iter(page.topic_buttons.values())))
    _keys(qtbot, page.phone_keypad, PHONE[:10])
    tap(qtbot, page.next_button)
    assert page.step() == "phone" and "11位" in page.message.text() and page.message.isVisible()


def test_a_wrong_id_check_digit_comes_back_to_the_id_step(qtbot, kiosk, monkeypatch):
    wrong = ID_NUMBER[:17] + ("0" if ID_NUMBER[17] != "0" else "1")
    page = _disclosure_to_confirm(qtbot, kiosk, monkeypatch, id_number=wrong)
    tap(qtbot, page.submit_button)
    qtbot.waitUntil(lambda: page.sealing is None)  # sealed off the UI thread
    assert page.step() == "id_number" and "校验位" in page.message.text()
    assert page.receipt is None and page.values["phone"] == PHONE  # nothing else lost


def test_without_the_county_key_nothing_is_lost(qtbot, kiosk, monkeypatch):
    page = _disclosure_to_confirm(qtbot, kiosk, monkeypatch)
    FeedState.update(inbox_key=None).execute()
    tap(qtbot, page.submit_button)
    qtbot.waitUntil(lambda: page.sealing is None)  # sealed off the UI thread
    assert page.step() == "confirm" and "受理公钥" in page.message.text()
    assert f"姓名：{NAME}" in page.summary.text() and page.receipt is None


def test_the_idle_reset_forgets_every_answer(qtbot, kiosk, monkeypatch):
    page = _disclosure_to_confirm(qtbot, kiosk, monkeypatch)
    tap(qtbot, page.back_button)  # the text of the optional step is on the panel, unsent
    kiosk.reset()
    assert kiosk.page_name() == "home" and page.step() == "kind"
    _assert_forgotten(page)
    assert page.panel.text() == "" and page.panel.pad.strokes == []


def test_the_outbox_is_pushed_off_the_ui_thread(qtbot, terminal, tmp_path, monkeypatch):
    from kiosk.ui import tasks

    monkeypatch.setenv("KIOSK_OUTBOX_URL", "http://127.0.0.1:9/inbox/")
    threads = []
    monkeypatch.setattr(push, "push_to_url", lambda url: threads.append(threading.current_thread()))
    hold_county_key(tmp_path / "keys")
    window = open_kiosk(qtbot, tmp_path / "settings.json", terminal)
    try:
        page = _open(qtbot, window, "callback")
        tap(qtbot, next(iter(page.topic_buttons.values())))
        _keys(qtbot, page.phone_keypad, PHONE)
        tap(qtbot, page.next_button)
        tap(qtbot, page.time_buttons["随时可以"])
        tap(qtbot, page.skip_button)
        tap(qtbot, page.submit_button)
        qtbot.waitUntil(lambda: page.sealing is None)  # sealed off the UI thread
        tasks.wait_for_all()
        qtbot.waitUntil(lambda: bool(threads))
        assert threads[0] is not threading.main_thread() and page.step() == "receipt"
        # 打印回执 with no such printer: said in words on the page.
        tap(qtbot, page.receipt_view.print_button)
        qtbot.waitUntil(lambda: page.receipt_view.task is None, timeout=20_000)
        said = page.receipt_view.print_message.text()
        assert "打印" in said and page.receipt.number in said
    finally:
        window.reset()
        window.quit_kiosk()
        requests.close_outboxes()


# -- every step on every screen ------------------------------------------------------------------


def _states(window, qtbot):
    """Bring up each step in turn (by the page's own methods); yields the state's name."""
    window.go_home()
    if not window.elderly.isChecked():  # in 长辈模式 the 24 towns never fitted a 768 px screen
        window.home.show_towns()
        yield "home_towns"  # the new tile must not push the towns below the fold
    window.home.choose_town(TOWN)
    yield "home"
    page = window.show_page("requests")
    page.village_code = window.village_code
    page.clear()
    yield "kind"
    page.choose_kind("disclosure")
    for name in ("name", "id_number", "phone", "wanted", "delivery", "purpose"):
        page.go_to(page.steps.index(name))
        if name == "name":
            settle(qtbot)
            page.panel.pad.replay([[(60, 150), (240, 150)]], 300, 300)
            qtbot.waitUntil(lambda: len(page.panel.choices()) == 10)
        yield name
    page._write_wanted(True)
    page.go_to(page.steps.index("wanted"))
    yield "wanted_written"
    page._write_wanted(False)
    page.values["delivery"] = "电子邮件"
    page._plan()
    page.go_to(page.steps.index("email"))
    yield "email"
    page.values.update(name=NAME, phone=PHONE, wanted="本村补贴明细", email="zhangsan@qq.com")
    page._set_id(ID_NUMBER)
    page.go_to(page.steps.index("confirm"))
    yield "confirm"
    page.submit()
    qtbot.waitUntil(lambda: page.sealing is None)
    assert page.step() == "receipt"
    yield "receipt"
    page.clear()
    page.choose_kind("callback")
    for name in ("topic", "preferred_time", "text"):
        page.go_to(page.steps.index(name))
        yield name
    progress = window.show_page("progress")
    progress.clear()
    yield "progress"
    progress.lookup(f"SQGK-RECEIPT:{page.receipt.number if page.receipt else '11111-11111-1111'}")
    yield "progress_result"


@pytest.mark.parametrize("elderly", [False, True], ids=["normal", "elderly"])
@pytest.mark.parametrize("screen", SCREENS, ids=[f"{w}x{h}" for w, h in SCREENS])
def test_every_step_fits_the_screen(qtbot, terminal, tmp_path, monkeypatch, screen, elderly):
    monkeypatch.setenv("KIOSK_IDLE_TIMEOUT_S", "600")
    monkeypatch.setattr(handwriting, "recognizer", lambda: StandIn(answers="低氏纸底抵邸砥坻诋祗"))
    hold_county_key(tmp_path / "keys")
    window = open_kiosk(qtbot, tmp_path / "settings.json", terminal, size=screen)
    qtbot.waitUntil(lambda: bool(window.idle_watch.activity), timeout=5000)
    window.show_village(long_village(terminal))
    window.elderly.setChecked(elderly)
    mode = "长辈模式" if elderly else "normal"
    shots = os.environ.get("KIOSK_SHOTS")  # a folder: each state saved as a PNG to look at
    problems = []
    try:
        for state in _states(window, qtbot):
            settle(qtbot)
            if window.size().toTuple() != screen:
                problems.append(f"{state}: the window grew to {window.width()}x{window.height()}")
            problems += layout_problems(window, state)
            if shots:
                name = f"{screen[0]}x{screen[1]}-{'elderly' if elderly else 'normal'}-{state}.png"
                window.grab().save(str(Path(shots) / name))
    finally:
        window.reset()
        window.quit_kiosk()
        requests.close_outboxes()
    assert problems == [], f"{screen[0]}x{screen[1]} {mode}:\n" + "\n".join(problems)


def test_a_half_filled_form_is_forgotten_when_its_page_is_left(qtbot, kiosk, monkeypatch):
    """Name, ID and phone do not wait on screen for whoever comes next: leaving the page
    (here to the catalogue, a tile away) empties the form, not only the idle reset."""
    page = _disclosure_to_confirm(qtbot, kiosk, monkeypatch)
    assert page.values["phone"] == PHONE
    kiosk.go_home()
    tap(qtbot, kiosk.home.tiles[next(t for t in kiosk.home.tiles if t != "我要申请·咨询")])
    assert kiosk.page_name() != "requests"
    _assert_forgotten(page)
    assert page.step() == "kind"


def test_reading_aloud_never_says_what_was_typed(qtbot, kiosk, monkeypatch):
    page = _disclosure_to_confirm(qtbot, kiosk, monkeypatch)
    spoken = page.spoken_text()
    assert "姓名已填写" in spoken and "手机号已填写" in spoken
    for typed in (NAME, PHONE, PHONE[-4:], ID_NUMBER[-4:], ID_NUMBER[:6], "现场领取", "补贴发放明细"):
        assert typed not in spoken.replace(" ", ""), typed
    tap(qtbot, page.submit_button)
    qtbot.waitUntil(lambda: page.sealing is None)  # sealed off the UI thread
    spoken = page.spoken_text()
    assert page.receipt.number in spoken and NAME[0] not in spoken and PHONE[-4:] not in spoken


def test_sealing_runs_off_the_ui_thread_and_a_reset_meanwhile_shows_no_receipt(qtbot, kiosk, monkeypatch):
    """Signing, sealing and the outbox's fsync once froze the screen after 提交 (up to 880 ms
    in the soak): the page now says 正在提交 and stays live, and a second tap seals nothing."""
    release, sealing_threads = threading.Event(), []
    add = requests.Outbox.add

    def slow_add(box, data):  # a slow disk: the worker waits until the test lets it go
        sealing_threads.append(threading.current_thread())
        release.wait(10)
        return add(box, data)

    monkeypatch.setattr(requests.Outbox, "add", slow_add)
    page = _disclosure_to_confirm(qtbot, kiosk, monkeypatch)
    tap(qtbot, page.submit_button)
    qtbot.waitUntil(lambda: bool(sealing_threads))
    assert sealing_threads[0] is not threading.main_thread()
    assert "正在提交" in page.message.text() and not page.submit_button.isEnabled()
    page.submit()  # a second tap while sealing: nothing more is sealed
    qtbot.wait(50)  # the event loop turns while the worker waits
    release.set()
    qtbot.waitUntil(lambda: page.sealing is None)
    assert page.receipt is not None and len(sealing_threads) == 1 and requests.outbox_status().waiting == 1

    release.clear()
    sealing_threads.clear()
    kiosk.reset()
    page = _disclosure_to_confirm(qtbot, kiosk, monkeypatch)
    tap(qtbot, page.submit_button)
    qtbot.waitUntil(lambda: bool(sealing_threads))
    kiosk.reset()  # the villager walked away; the next one must not see the receipt
    release.set()
    qtbot.waitUntil(lambda: requests.outbox_status().waiting == 2)  # what was tapped is kept
    qtbot.wait(100)
    assert page.receipt is None and page.step() == "kind" and page.submit_button.isEnabled()
