"""政策找人 at the kiosk, as a villager meets it: the tile, one question a screen, 不清楚 and
上一步, the three groups with their reasons and links, 咨询·预约回电 about a policy it could not
decide, 打印申办清单, 朗读, and the idle reset forgetting every answer; on the four screens
terminals have, in normal and 长辈模式."""

import pytest

from kiosk.formats import screening
from kiosk.ui.screener_page import ScreenerPage
from tests.helpers.kiosk import open_kiosk, tap
from tests.helpers.layout import SCREENS, layout_problems, settle

# An 82-year-old of a local 低保 household with a second-grade disability card, who farms a
# little; what the demo county's rules make of him is spelled out in the assertions.
OLD_MAN = {"户籍": "是", "年龄": "80至89岁", "人均月收入": "400至599元", "低保特困": "低保户",
           "无劳动能力": "否", "残疾证": "二级", "种地": "10亩以下", "计生家庭": "否", "重病": "否",
           "突发困难": "否", "退役军人": "否", "在读学生": "没有"}  # fmt: skip


@pytest.fixture
def kiosk(qtbot, demo_db, tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_IDLE_TIMEOUT_S", "600")
    monkeypatch.setenv("KIOSK_PRINTER", "kiosk-test-no-such-printer")
    window = open_kiosk(qtbot, tmp_path / "settings.json", demo_db)
    yield window
    window.reset()
    window.quit_kiosk()


def _open(qtbot, window) -> ScreenerPage:
    window.go_home()
    tap(qtbot, window.home.tiles["政策找人"])
    page = window.page("screener")
    assert window.page_name() == "screener"
    tap(qtbot, page.start_button)
    return page


def _answer(qtbot, page: ScreenerPage, answers: dict[str, str]) -> list[str]:
    """Tap through every question asked (不清楚 for what ``answers`` leaves out); returns the
    questions in the order they were asked."""
    asked = []
    while page.question is not None:
        code = page.question.code
        asked.append(code)
        wanted = answers.get(code, screening.UNKNOWN)
        tap(qtbot, page.unknown_button if wanted == screening.UNKNOWN else page.option_buttons[wanted])
        assert len(asked) <= len(screening.QUESTIONS), asked
    qtbot.waitUntil(lambda: not page.filling, timeout=5000)  # a group of cards a turn
    return asked


def _names(lines) -> list[str]:
    return [line.name for line in lines]


def test_an_old_man_learns_what_he_may_be_missing(qtbot, kiosk):
    page = _open(qtbot, kiosk)
    assert page.question.code == "户籍" and "第1题" in page.title.text()
    asked = _answer(qtbot, page, OLD_MAN)
    # 家庭人口 decides nothing in the demo county's rules: never asked.
    assert "家庭人口" not in asked and len(asked) <= 12
    result = page.result
    wanted = {"高龄津贴", "最低生活保障", "困难残疾人生活补贴", "重度残疾人护理补贴", "耕地地力保护补贴"}
    assert wanted <= set(_names(result.likely))
    old_age = next(line for line in result.likely if line.name == "高龄津贴")
    assert old_age.automatic and old_age.document is not None and old_age.qa is not None
    assert "城乡居民基础养老金" in _names(result.likely)
    # 可能不符合 names the condition and its source, never a bare no.
    unlikely = {line.name: line.reason for line in result.unlikely}
    assert "重点优抚对象抚恤补助" in unlikely and "（" in unlikely["重点优抚对象抚恤补助"]
    shown = page.result_area.widget()
    texts = " ".join(label.text() for label in shown.findChildren(type(page.summary)))
    assert "免申即享" in texts and "可能不符合" in texts and "可能符合" in texts
    # The document a line links to opens on the page, and 返回结果 comes back.
    card_buttons = [b for b in shown.findChildren(type(page.start_button)) if b.text() == "政策文件"]
    tap(qtbot, card_buttons[0])
    assert page.stack.currentWidget() is page.detail_view and page.detail.toPlainText()
    assert "朗读" not in page.detail.toPlainText()
    assert page.spoken_text() == page.detail.toPlainText()


def test_not_sure_never_says_not_eligible(qtbot, kiosk):
    page = _open(qtbot, kiosk)
    _answer(qtbot, page, {})  # 不清楚 to everything
    result = page.result
    assert result.likely == () and result.unlikely == ()
    assert len(result.undecided) == 12
    assert all(line.missing for line in result.undecided)
    # 咨询·预约回电 about one of them: the request page asks for the phone, the topic set.
    card = page.result_area.widget()
    call = next(b for b in card.findChildren(type(page.start_button)) if b.text() == "咨询·预约回电")
    tap(qtbot, call)
    requests = kiosk.page("requests")
    assert kiosk.page_name() == "requests" and requests.step() == "phone"
    assert requests.values["topic"].startswith("政策找人：")


def test_back_takes_the_last_answer_back_and_shows_it_marked(qtbot, kiosk):
    page = _open(qtbot, kiosk)
    tap(qtbot, page.option_buttons["是"])
    assert page.question.code == "年龄"
    tap(qtbot, page.option_buttons["80至89岁"])
    second = page.question.code
    tap(qtbot, page.back_button)
    assert page.question.code == "年龄" and page.option_buttons["80至89岁"].isChecked()
    assert page.session.answers == {"户籍": "是"}
    tap(qtbot, page.option_buttons["60至69岁"])
    assert page.session.answers == {"户籍": "是", "年龄": "60至69岁"} and page.question.code == second
    tap(qtbot, page.back_button)
    tap(qtbot, page.back_button)
    tap(qtbot, page.back_button)  # before the first question: the introduction again
    assert page.stack.currentWidget() is page.intro_view and page.session is None


def test_a_local_no_decides_most_at_once(qtbot, kiosk):
    """户籍 否: every policy that needs a local 户口 is decided; only the others are asked."""
    page = _open(qtbot, kiosk)
    asked = _answer(qtbot, page, {"户籍": "否", "种地": "没有承包地", "退役军人": "否"})
    assert asked == ["户籍", "种地", "退役军人"]
    assert page.result.likely == () and page.result.undecided == ()
    assert all("户" in line.reason or "（" in line.reason for line in page.result.unlikely)


def test_the_idle_reset_forgets_every_answer(qtbot, kiosk):
    page = _open(qtbot, kiosk)
    _answer(qtbot, page, OLD_MAN)
    assert page.result is not None
    kiosk.reset()
    assert kiosk.page_name() == "home"
    assert page.session is None and page.result is None and page.question is None
    assert page.lines.count() == 0 and page.summary.text() == ""
    # The next villager starts from the introduction, not the last one's result.
    tap(qtbot, kiosk.home.tiles["政策找人"])
    assert page.stack.currentWidget() is page.intro_view


def test_the_result_is_read_aloud_and_printing_without_a_printer_says_so(qtbot, kiosk):
    page = _open(qtbot, kiosk)
    assert "户口" in kiosk.spoken_text()
    _answer(qtbot, page, OLD_MAN)
    spoken = kiosk.spoken_text()
    assert "可能符合" in spoken and "高龄津贴" in spoken
    tap(qtbot, page.print_button)
    qtbot.waitUntil(lambda: page.task is None, timeout=20_000)
    assert "打印" in page.print_message.text() or "打印机" in page.print_message.text()


def test_a_terminal_without_rules_says_where_to_ask(qtbot, empty_db, tmp_path):
    window = open_kiosk(qtbot, tmp_path / "settings.json", empty_db)
    try:
        window.show_screener()
        page = window.page("screener")
        assert not page.start_button.isVisible() and "还没有发布" in page.intro.text()
    finally:
        window.quit_kiosk()


@pytest.mark.parametrize("elderly", [False, True], ids=["normal", "elderly"])
@pytest.mark.parametrize("screen", SCREENS, ids=[f"{w}x{h}" for w, h in SCREENS])
def test_every_screen_of_the_journey_fits(qtbot, demo_db, tmp_path, monkeypatch, screen, elderly):
    monkeypatch.setenv("KIOSK_IDLE_TIMEOUT_S", "600")
    window = open_kiosk(qtbot, tmp_path / "settings.json", demo_db, size=screen)
    qtbot.waitUntil(lambda: bool(window.idle_watch.activity), timeout=5000)
    window.elderly.setChecked(elderly)
    problems = []
    try:
        page = window.show_screener()
        settle(qtbot)
        problems += layout_problems(window, "screener intro")
        page.begin()
        while page.question is not None:
            settle(qtbot)
            problems += layout_problems(window, f"screener {page.question.code}")
            page.choose(OLD_MAN.get(page.question.code, screening.UNKNOWN))
        qtbot.waitUntil(lambda: not page.filling, timeout=5000)
        settle(qtbot)
        problems += layout_problems(window, "screener result")
        # The first card starts on screen: what the villager came for is not below the fold.
        first = page.lines.itemAt(2).widget()
        top = first.mapTo(window, first.rect().topLeft()).y()
        if top + 80 > window.height():
            problems.append(f"the first result card starts at {top} px of {window.height()}")
    finally:
        window.quit_kiosk()
    mode = "长辈模式" if elderly else "normal"
    assert problems == [], f"{screen[0]}x{screen[1]} {mode}:\n" + "\n".join(problems)


def test_a_tap_on_the_last_questions_button_is_not_an_answer_to_this_one(qtbot, kiosk):
    """The buttons of a question just answered are deleted on the next turn of the event
    loop; a second quick tap on one must not answer the question now shown."""
    page = _open(qtbot, kiosk)
    stale = page.option_buttons["是"]
    stale.click()
    assert page.question.code == "年龄"
    stale.click()  # still there until the event loop runs
    assert page.session.answers == {"户籍": "是"} and page.question.code == "年龄"


def test_cards_still_coming_are_called_off_by_a_step_back(qtbot, kiosk):
    """The result's cards come a group per turn of the event loop; 上一步 before the last
    group arrived must not leave cards of a result no longer shown."""
    page = _open(qtbot, kiosk)
    while page.question is not None:  # answered without the event loop turning
        page.choose(OLD_MAN.get(page.question.code, screening.UNKNOWN))
    assert page.result is not None and page.filling
    page.back()
    qtbot.wait(50)
    assert page.lines.count() == 0 and not page.filling and page.question is not None
