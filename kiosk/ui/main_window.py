"""The first window: county towns and their villages. The full touch UI replaces it."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.services import divisions, status


class MainWindow(QMainWindow):
    def __init__(self):
        super().__init__()
        self.setWindowTitle("莘情公开 · 莘县村务公开查询")
        central = QWidget()
        layout = QVBoxLayout(central)
        title = QLabel("莘情公开 · 莘县惠民惠农补贴公示查询")
        title.setStyleSheet("font-size: 32pt; font-weight: bold;")
        layout.addWidget(title)
        self.freshness = QLabel(_freshness_text())
        self.freshness.setStyleSheet("font-size: 16pt;")
        layout.addWidget(self.freshness)
        prompt = QLabel("请选择您所在的乡镇(街道)：")
        prompt.setStyleSheet("font-size: 20pt;")
        layout.addWidget(prompt)
        grid = QGridLayout()
        self.town_buttons: dict[str, QPushButton] = {}
        for index, town in enumerate(divisions.list_towns()):
            button = QPushButton(f"{town.name}\n{town.village_count} 个村(社区)")
            button.setMinimumSize(160, 80)
            button.setAccessibleName(town.name)
            button.clicked.connect(lambda _=False, code=town.code: self.show_villages(code))
            grid.addWidget(button, index // 6, index % 6)
            self.town_buttons[town.code] = button
        layout.addLayout(grid)
        self.villages = QListWidget()
        self.villages.setAccessibleName("村(社区)列表")
        self.villages.setStyleSheet("font-size: 18pt;")
        layout.addWidget(self.villages, stretch=1)
        self.setCentralWidget(central)

    def show_villages(self, town_code: str) -> None:
        self.villages.clear()
        for village in divisions.list_villages(town_code):
            label = f"{village.name}（演示数据）" if village.is_demo else village.name
            self.villages.addItem(label)
        self.villages.setFocus(Qt.FocusReason.OtherFocusReason)


def _freshness_text() -> str:
    state = status.feed_status()
    if state.data_as_of is None:
        return "终端尚无数据，请工作人员同步县级数据"
    return f"数据更新于 {state.data_as_of}"
