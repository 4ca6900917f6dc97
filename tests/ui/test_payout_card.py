"""One's own card on the screens halls have: its type grows to fill a tall screen and no more,
stays the mode's where the record is longer than the screen, follows 长辈模式, and leaves
nothing behind at the idle reset."""

import sqlite3

from kiosk.ui import theme
from kiosk.ui.payout_card import MAX_BODY_PT
from tests.helpers.kiosk import open_kiosk
from tests.helpers.layout import settle


def _person(db, richest: bool) -> tuple[str, str]:
    """(village, last 4) of the person with the most rows, or of one with the fewest."""
    order = "DESC" if richest else "ASC"
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT village_id, id_last4 FROM payout GROUP BY village_id, name, id_masked"
                            f" ORDER BY COUNT(*) {order}, name LIMIT 1").fetchone()  # fmt: skip


def _look_up(qtbot, window, village: str, last4: str):
    window.show_village(village)
    window.payouts.show_lookup()
    lookup = window.payouts.lookup
    lookup.last4.setText(last4)
    lookup.run()
    if lookup.step() == lookup.CHOOSE:
        lookup.name_buttons[0].click()
    settle(qtbot)
    return lookup.card


def test_a_short_record_on_a_portrait_screen_grows_to_fill_it_and_no_further(qtbot, demo_db, tmp_path):
    window = open_kiosk(qtbot, tmp_path / "settings.json", demo_db, size=(1080, 1920))
    card = _look_up(qtbot, window, *_person(demo_db, richest=False))
    room = card.area.viewport().height()
    assert 1.0 < card._scale <= MAX_BODY_PT / theme.NORMAL.body_pt
    assert card.area.verticalScrollBar().maximum() == 0  # all of it in view, nothing to scroll
    assert card.body.totalHeightForWidth(card.area.viewport().width()) <= room
    window.quit_kiosk()


def test_a_long_record_on_a_short_screen_keeps_the_modes_type_and_scrolls(qtbot, demo_db, tmp_path):
    window = open_kiosk(qtbot, tmp_path / "settings.json", demo_db, size=(1366, 768))
    window.elderly.setChecked(True)
    card = _look_up(qtbot, window, *_person(demo_db, richest=True))
    assert card._scale == 1.0 and card.area.verticalScrollBar().maximum() > 0
    newest = card.card.years[0]
    assert f"font-size:{theme.ELDERLY.total_pt}pt" in card.frames[newest.year].summary.text()
    # 长辈模式 off on the card: the normal sizes are the base, and the card is fitted again.
    window.elderly.setChecked(False)
    settle(qtbot)
    summary = card.frames[newest.year].summary.text()
    assert f"font-size:{round(theme.NORMAL.total_pt * card._scale)}pt" in summary
    window.quit_kiosk()


def test_the_idle_reset_leaves_no_card(qtbot, demo_db, tmp_path):
    window = open_kiosk(qtbot, tmp_path / "settings.json", demo_db, size=(1080, 1920))
    card = _look_up(qtbot, window, *_person(demo_db, richest=True))
    assert card.frames and card.who.text()
    window.reset()
    assert card.card is None and card.frames == {} and card.who.text() == ""
    assert not any(view.isVisible() or view.summary.text() or view.items.text() for view in card._year_views)
    assert card.year_buttons == {} and "合计" not in window.spoken_text()
    window.quit_kiosk()


def test_markup_in_the_county_data_is_shown_as_written_not_obeyed(qtbot, demo_db, tmp_path):
    """Names and remarks reach rich-text labels: a '<' or '&' in them is text, never markup."""
    from PySide6.QtGui import QTextDocument

    from printing.card import CardItem, CardPayment, CardYear, PayoutCard

    window = open_kiosk(qtbot, tmp_path / "settings.json", demo_db, size=(1366, 768))
    window.show_village(_person(demo_db, richest=True)[0])
    window.payouts.show_lookup()
    card = window.payouts.lookup.card
    odd = "<b>王</b> & <span style='font-size:99pt'>"
    item = CardItem(f"补贴{odd}", "1.00", (CardPayment("1亩 × 1.00元/亩", "1.00", "2025年5月1日发放", odd),))
    card.show_card(PayoutCard(odd, "371522********0001", "", (CardYear(2025, "1.00", (item,)),), (), ""))
    settle(qtbot)

    def plain(html: str) -> str:
        document = QTextDocument()
        document.setHtml(html)
        return document.toPlainText()

    view = card.frames[2025]
    assert odd in plain(card.who.text()) and f"补贴{odd}" in plain(view.items.text())
    assert plain(view.items.text()).count(odd) == 2  # the name and the remark, each as written
    window.quit_kiosk()
