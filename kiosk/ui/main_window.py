"""The first window: county towns and their villages, and a village's notice sheet.
The full touch UI (issue #4) replaces the home page; the print page stays."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.services import divisions, payouts, status
from kiosk.ui.batch_print import BatchPrintPage
from kiosk.ui.print_page import PrintPage
from kiosk.ui.widgets import TOUCH, touch_button


class MainWindow(QMainWindow):
    def __init__(self):
        super().__init__()
        self.setWindowTitle("莘情公开 · 莘县村务公开查询")
        self.pages = QStackedWidget()
        self.home = QWidget()
        layout = QVBoxLayout(self.home)
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
            button.setMinimumSize(160, TOUCH)
            button.setAccessibleName(town.name)
            button.clicked.connect(lambda _=False, code=town.code: self.show_villages(code))
            grid.addWidget(button, index // 6, index % 6)
            self.town_buttons[town.code] = button
        layout.addLayout(grid)
        self.villages = QListWidget()
        self.villages.setAccessibleName("村(社区)列表")
        self.villages.setStyleSheet("font-size: 18pt;")
        self.villages.currentItemChanged.connect(self._village_chosen)
        layout.addWidget(self.villages, stretch=1)
        self.print_button = touch_button("打印本村公示单")
        self.print_button.setEnabled(False)
        self.print_button.clicked.connect(self.open_print_page)
        self.batch_button = touch_button("批量打印本镇公示单（工作人员）")
        self.batch_button.setEnabled(False)
        self.batch_button.clicked.connect(self.open_batch_page)
        layout.addWidget(self.print_button)
        layout.addWidget(self.batch_button)
        self._town: tuple[str, str] | None = None

        self.print_page = PrintPage()
        self.batch_page = BatchPrintPage()
        self.pages.addWidget(self.home)
        self.pages.addWidget(self._with_home_button(self.print_page))
        self.pages.addWidget(self._with_home_button(self.batch_page))
        self.setCentralWidget(self.pages)

    def _with_home_button(self, page: QWidget) -> QWidget:
        holder = QWidget()
        layout = QVBoxLayout(holder)
        back = touch_button("返回首页")
        back.clicked.connect(self.go_home)
        layout.addWidget(back)
        layout.addWidget(page, stretch=1)
        return holder

    def show_villages(self, town_code: str) -> None:
        self.villages.clear()
        town = next(t for t in divisions.list_towns() if t.code == town_code)
        self._town = (town.code, town.name)
        self.batch_button.setEnabled(True)
        for village in divisions.list_villages(town_code):
            label = f"{village.name}（演示数据）" if village.is_demo else village.name
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, village.code)
            self.villages.addItem(item)
        self.villages.setFocus(Qt.FocusReason.OtherFocusReason)

    def _village_chosen(self, item: QListWidgetItem | None) -> None:
        self.print_button.setEnabled(item is not None)

    def open_print_page(self) -> None:
        item = self.villages.currentItem()
        if item is None:
            return
        code = item.data(Qt.ItemDataRole.UserRole)
        years = payouts.years_for_village(code)
        self.pages.setCurrentIndex(1)
        if not years:
            self.print_page.message.setText("本村暂无补贴发放记录")
            return
        self.print_page.load(code, years[0])

    def open_batch_page(self) -> None:
        if self._town is None:
            return
        self.batch_page.prepare(*self._town, year=payouts.latest_year() or 0)
        self.pages.setCurrentIndex(2)

    def go_home(self) -> None:
        self.pages.setCurrentIndex(0)


def _freshness_text() -> str:
    state = status.feed_status()
    if state.data_as_of is None:
        return "终端尚无数据，请工作人员同步县级数据"
    return f"数据更新于 {state.data_as_of}"
