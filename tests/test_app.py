"""The first kiosk window, driven as a villager would under the offscreen platform."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontInfo

from kiosk.app import create_app
from kiosk.ui.main_window import MainWindow


def test_window_lists_towns_and_villages(qtbot, demo_db):
    app = create_app()
    assert QFontInfo(app.font()).family() == "WenQuanYi Micro Hei"
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    assert len(window.town_buttons) == 24
    assert "数据更新于" in window.freshness.text()
    button = window.town_buttons["371522102"]
    assert button.text().startswith("朝城镇")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    labels = [window.villages.item(i).text() for i in range(window.villages.count())]
    assert labels and all(label.endswith("（演示数据）") for label in labels)


def test_window_on_an_empty_terminal_says_there_is_no_data(qtbot, empty_db):
    create_app()
    window = MainWindow()
    qtbot.addWidget(window)
    assert "尚无数据" in window.freshness.text()
    assert window.town_buttons == {}
