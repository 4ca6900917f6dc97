"""意见征集 at the terminal, by taps on the real widgets of a kiosk on the demo county: the
catalogue, an open draft's articles, a comment on one article sealed for the county with its
receipt, the rules the page holds to (a suggestion needs words, a signed draft needs a name
and phone, a closed draft takes none), the idle reset forgetting what was written, the
county's 采纳情况 found by the receipt, and every view fitting the four screens in both modes."""

import datetime as dt
import json

import pytest

from kiosk.county.inbox import keys as inbox_keys
from kiosk.formats import envelope, replies
from kiosk.services import consultations, handwriting, push, requests
from kiosk.store.models import Adoption, CommentReceipt, Draft
from tests.helpers.envelopes import hold_county_key
from tests.helpers.kiosk import StandIn, open_kiosk, tap
from tests.helpers.layout import SCREENS, TOWN, layout_problems, settle

PHONE = "13912345678"


@pytest.fixture
def kiosk(qtbot, terminal, tmp_path, monkeypatch):
    """The kiosk on a private copy of the demo terminal, holding the county's inbox key."""
    monkeypatch.setenv("KIOSK_IDLE_TIMEOUT_S", "600")
    hold_county_key(tmp_path / "keys")
    window = open_kiosk(qtbot, tmp_path / "settings.json", terminal)
    qtbot.waitUntil(lambda: bool(window.idle_watch.activity), timeout=5000)
    yield window
    window.reset()
    window.quit_kiosk()
    requests.close_outboxes()


def _state(state: str) -> tuple[str, int]:
    found = next(d.draft for d in consultations.decisions() if d.draft and d.draft.state == state)
    return found.code, found.version


def _open_draft(qtbot, window, state=consultations.OPEN):
    tap(qtbot, window.home.tiles["意见征集"])
    page = window.page("consultation")
    assert window.page_name() == "consultation"
    code, _ = _state(state)
    row = next(i for i, d in enumerate(page.decisions) if d.draft and d.draft.code == code)
    page.list.itemClicked.emit(page.list.item(row))  # a tap on the list row
    assert page.draft is not None and page.draft.code == code
    return page


def _tap_article(page, article: int, clause: int | None) -> None:
    # The list's click signal, not a synthetic mouse click: a kinetic list replays a held press
    # to the widget at that place on the screen, and the offscreen screen ends at 800 px, left
    # of the articles list (tests/benchmarks/bench_soak.py taps it on a bigger screen).
    row = page._keys.index((article, clause))
    page.articles.itemClicked.emit(page.articles.item(row))


def _write(qtbot, panel, text: str, monkeypatch) -> None:
    for char in text:
        monkeypatch.setattr(handwriting, "recognizer", lambda c=char: StandIn(answers=(c, "人")))
        panel.pad.replay([[(60, 150), (240, 150)]], 300, 300)
        qtbot.waitUntil(lambda c=char: c in panel.choices(), timeout=10_000)
        tap(qtbot, panel.candidate_buttons[panel.choices().index(char)])
    tap(qtbot, panel.buttons["确定"])


def _opened(box_folder, keydir) -> list[envelope.Opened]:
    private = inbox_keys.load_keyring(keydir, None, dt.date.today())
    return [envelope.open_envelope(p.read_bytes(), private) for p in sorted(box_folder.glob("*.env"))]


def test_home_tile_counts_open_drafts_and_the_catalogue_puts_them_first(qtbot, kiosk):
    tile = kiosk.home.tiles["意见征集"]
    qtbot.waitUntil(lambda: "正在征求" in tile.text(), timeout=5000)
    assert tile.accessibleName() == "意见征集，1 项草案正在征求意见"
    tap(qtbot, tile)
    page = kiosk.page("consultation")
    stages = [d.stage for d in page.decisions]
    assert stages[0] == "征求意见中" and set(stages) == {"征求意见中", "已决策", "拟决策"}
    assert "还剩" in page.list.item(0).text() and "1 项草案正在征求意见" in page.intro.text()
    undrafted = next(i for i, d in enumerate(page.decisions) if d.draft is None)
    page.list.itemClicked.emit(page.list.item(undrafted))
    assert page.draft is None and "尚未发布征求意见稿" in page.status.text()
    assert "重大行政决策事项目录" in kiosk.spoken_text()


def test_a_comment_on_one_article_is_sealed_for_the_county_with_a_receipt(qtbot, kiosk, terminal, tmp_path,
                                                                         monkeypatch):  # fmt: skip
    page = _open_draft(qtbot, kiosk)
    assert "还剩" in page.status.text() and "起草背景" in page.info.toPlainText()
    assert "起草背景" in kiosk.spoken_text()  # 朗读 reads the 起草说明
    _tap_article(page, 3, 2)
    form = kiosk.page("requests")
    assert kiosk.page_name() == "requests" and form.step() == "stance"
    assert "第三条第二款" in form.counter.text() and "乡镇人民政府负责" in form.article_shown.text()
    assert "乡镇人民政府负责" in kiosk.spoken_text()  # 朗读 reads the article asked about
    tap(qtbot, form.stance_buttons["有修改建议"])
    assert form.step() == "text" and not form.skip_button.isVisible()  # a suggestion needs words
    tap(qtbot, form.next_button)
    assert form.step() == "text" and form.message.text()
    _write(qtbot, form.panel, "加宽", monkeypatch)
    assert form.step() == "name" and form.skip_button.isVisible()
    tap(qtbot, form.skip_button)
    assert form.step() == "phone"
    for digit in PHONE:
        tap(qtbot, form.phone_keypad.keys[digit])
    tap(qtbot, form.next_button)
    assert form.step() == "confirm"
    assert "态度：有修改建议" in form.summary.text() and "意见：加宽" in form.summary.text()
    tap(qtbot, form.submit_button)
    qtbot.waitUntil(lambda: form.sealing is None)  # sealed off the UI thread
    assert form.step() == "receipt"
    receipt = form.receipt
    assert receipt.kind == "comment" and receipt.due_on == page.draft.closes_on
    shown = form.receipt_view.text.text()
    assert "第三条第二款" in shown and "征求意见截止" in shown and PHONE[-4:] in shown
    tap(qtbot, form.submit_button) if form.submit_button.isVisible() else None  # no second envelope
    status = requests.status(receipt.number)
    assert status.kind_zh == "意见建议" and status.status == requests.WAITING and status.due_on is None
    opened = _opened(terminal.parent / "outbox", tmp_path / "keys")
    assert len(opened) == 1 and opened[0].header.kind == "comment"
    code, version = _state(consultations.OPEN)
    assert opened[0].form == {"draft": code, "version": version, "article": 3, "clause": 2,
                              "stance": "有修改建议", "text": "加宽", "phone": PHONE}  # fmt: skip
    assert form.values == {}  # sealed: nothing of it stays on the page
    on_disk = b"".join(p.read_bytes() for p in terminal.parent.rglob("*") if p.is_file())
    assert "加宽".encode() not in on_disk and PHONE.encode() not in on_disk


def test_leaving_a_comment_goes_back_to_its_draft_and_the_reset_forgets_it(qtbot, kiosk, monkeypatch):
    page = _open_draft(qtbot, kiosk)
    tap(qtbot, page.whole)
    form = kiosk.page("requests")
    assert "草案整体" in form.counter.text()
    tap(qtbot, form.stance_buttons["不赞成"])
    assert form.step() == "text" and form.skip_button.isVisible()
    form.panel.pad.replay([[(60, 150), (240, 150)]], 300, 300)  # ink on the pad, not yet accepted
    tap(qtbot, form.back_button)
    tap(qtbot, form.back_button)
    assert kiosk.page_name() == "consultation" and page.draft is not None  # its draft, not home
    _tap_article(page, 1, None)
    tap(qtbot, form.stance_buttons["赞成"])
    kiosk.reset()  # the idle timeout
    assert kiosk.page_name() == "home" and form.values == {} and form.comment is None
    assert form.panel.text() == "" and not form.panel.pad.strokes
    assert kiosk.page("consultation").draft is None


def test_a_signed_draft_asks_for_name_and_phone(qtbot, kiosk, monkeypatch):
    code, version = _state(consultations.OPEN)
    Draft.update(signed=True).where((Draft.code == code) & (Draft.version == version)).execute()
    page = _open_draft(qtbot, kiosk)
    assert "须留下姓名和手机号" in page.info.toPlainText()
    _tap_article(page, 2, None)
    form = kiosk.page("requests")
    tap(qtbot, form.stance_buttons["赞成"])
    tap(qtbot, form.skip_button)  # no words: fine
    assert form.step() == "name" and not form.skip_button.isVisible() and "要求署名" in form.question.text()
    tap(qtbot, form.next_button)
    assert form.step() == "name" and "姓名" in form.message.text()
    with pytest.raises(consultations.CommentRefused, match="要求署名"):
        consultations.submit_comment(page.draft, 2, None, "赞成")


def test_a_closed_draft_shows_its_articles_and_takes_no_comment(qtbot, kiosk):
    page = _open_draft(qtbot, kiosk, consultations.CLOSED)
    assert "截止" in page.status.text() and not page.whole.isVisible()
    _tap_article(page, 2, None)
    assert kiosk.page_name() == "consultation" and "采纳情况尚未公布" in page.info.toPlainText()
    with pytest.raises(consultations.CommentRefused, match=r"已于 .* 截止"):
        consultations.submit_comment(page.draft, 2, None, "赞成")
    outbox = requests.outbox_folder()
    assert not outbox.exists() or not list(outbox.glob("*.env"))


def test_the_receipt_finds_the_articles_result_once_published(qtbot, kiosk):
    """The county's comment receipts and 采纳情况, as a sync leaves them."""
    code, version = _state(consultations.CLOSED)
    number = "12345-67890-1234"
    today = dt.date.today()
    CommentReceipt.create(lookup=replies.lookup(number), envelope_digest="ab" * 16, draft_code=code,
                          version=version, article=3, clause=None, received_on=today)  # fmt: skip
    assert requests.status(number).status == "县里已收到"
    assert "截止后县里逐条公布采纳情况" in requests.status(number).note
    for article in (0, 1, 2, 3, 4):
        partly = article == 3
        Adoption.create(draft_code=code, version=version, article=article, clause=None,
                        received=2 + article, agree=1, disagree=1, suggest=article,
                        outcome="部分采纳" if partly else "采纳",
                        reason="校车接送范围调整为2公里" if partly else "", published_on=today)  # fmt: skip
    status = requests.status(number)
    assert status.status == "已公布采纳情况" and "第三条" in status.note and "部分采纳" in status.note
    assert "校车接送范围调整为2公里" in status.note and status.answered_on == today
    page = _open_draft(qtbot, kiosk, consultations.PUBLISHED)
    assert "已公布采纳情况" in page.status.text() and "决策结果" in page.info.toPlainText()
    assert any("采纳情况：部分采纳" in page.articles.item(i).text() for i in range(page.articles.count()))
    _tap_article(page, 3, None)
    assert "理由：校车接送范围调整为2公里" in page.info.toPlainText()
    tap(qtbot, page.mine)
    progress = kiosk.page("progress")
    progress.lookup(number.replace("-", ""))
    assert progress.status.text() == "已公布采纳情况" and "部分采纳" in progress.details.text()


@pytest.mark.slow
@pytest.mark.parametrize("elderly", [False, True])
def test_every_consultation_view_fits_every_screen(qtbot, kiosk, elderly):
    code, version = _state(consultations.OPEN)
    problems = []
    for size in SCREENS:
        kiosk.resize(*size)
        kiosk.elderly.setChecked(elderly)
        kiosk.go_home()
        kiosk.home.choose_town(TOWN)  # as tests/ui/test_layout.py sees home
        settle(qtbot)
        problems += layout_problems(kiosk, f"home {size}")
        tap(qtbot, kiosk.home.tiles["意见征集"])
        settle(qtbot)
        problems += layout_problems(kiosk, f"catalogue {size}")
        page = kiosk.page("consultation")
        page.open_draft(code, version)
        settle(qtbot)
        problems += layout_problems(kiosk, f"draft {size}")
        page.choose_article(3, 1)
        kiosk.show_page("requests")  # 长辈模式 follows the page shown
        settle(qtbot)
        problems += layout_problems(kiosk, f"comment {size}")
        kiosk.page("requests").clear()
    assert problems == [], json.dumps(problems, ensure_ascii=False, indent=1)


def test_a_comment_waits_for_the_background_round_to_be_pushed(qtbot, terminal, tmp_path, monkeypatch):
    """Not pushed on a thread of its own at once, as a request is: the background round takes
    it (the county tallies comments after the period ends)."""
    from kiosk.ui import tasks

    monkeypatch.setenv("KIOSK_OUTBOX_URL", "http://127.0.0.1:9/inbox/")
    pushed = []
    monkeypatch.setattr(push, "push_to_url", lambda url: pushed.append(url))
    hold_county_key(tmp_path / "keys")
    window = open_kiosk(qtbot, tmp_path / "settings.json", terminal)
    try:
        page = _open_draft(qtbot, window)
        _tap_article(page, 1, None)
        form = window.page("requests")
        tap(qtbot, form.stance_buttons["赞成"])
        while form.step() in ("text", "name", "phone"):
            tap(qtbot, form.skip_button)
        tap(qtbot, form.submit_button)
        qtbot.waitUntil(lambda: form.sealing is None)  # sealed off the UI thread
        tasks.wait_for_all()
        assert form.step() == "receipt" and pushed == []
        assert requests.outbox_status().waiting == 1
    finally:
        window.reset()
        window.quit_kiosk()
        requests.close_outboxes()
