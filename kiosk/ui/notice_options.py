"""The clerk's choices for a notice sheet on the print page: 公示期 (days, working days or
长期), one table or one per item, and the paper. The CLI's options, as touch buttons."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.services import notices
from kiosk.ui.widgets import FlowGrid

PERIODS = (7, 10, 15)


class NoticeOptionsBar(QWidget):
    """Emits ``changed`` whenever a choice changes (the page renders the preview again)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.buttons: dict[str, QPushButton] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        grid = FlowGrid(max_columns=10)
        layout.addLayout(grid)
        self.period = QButtonGroup(self)  # 7天 / 10天 / 15天 / 长期: one of them
        for label in [f"{days}天" for days in PERIODS] + ["长期"]:
            self.period.addButton(self._button(grid, label, f"公示期{label}"))
        self.working_days = self._button(grid, "按工作日", "公示期按工作日计算")
        self.tables = QButtonGroup(self)
        for label in ("合并一表", "每项一表"):
            self.tables.addButton(self._button(grid, label, label))
        self.paper = QButtonGroup(self)
        for label in ("A4", "A3"):
            self.paper.addButton(self._button(grid, label, f"{label}纸"))
        self.landscape = self._button(grid, "横向", "横向打印")
        for group in (self.period, self.tables, self.paper):
            group.setExclusive(True)
        self.reset()

    def _button(self, grid: FlowGrid, label: str, name: str) -> QPushButton:
        button = QPushButton(label)
        button.setCheckable(True)
        button.setAccessibleName(name)
        button.clicked.connect(self._clicked)
        grid.addWidget(button)
        self.buttons[label] = button
        return button

    def _clicked(self) -> None:
        self.working_days.setEnabled(not self.buttons["长期"].isChecked())
        self._describe()
        self.changed.emit()

    def reset(self) -> None:
        """The usual sheet: 7 days, one table, A4 upright."""
        for label in ("7天", "合并一表", "A4"):
            self.buttons[label].setChecked(True)
        self.working_days.setChecked(False)
        self.working_days.setEnabled(True)
        self.landscape.setChecked(False)
        self._describe()

    def _describe(self) -> None:
        paper = f"{self.paper.checkedButton().text()}{'横向' if self.landscape.isChecked() else '纵向'}"
        self.summary.setText(f"公示期 {self.period_text()}；{self.tables.checkedButton().text()}；{paper}")

    def period_text(self) -> str:
        label = self.period.checkedButton().text()
        if label == "长期":
            return "长期"
        return label.replace("天", "个工作日") if self.working_days.isChecked() else label

    def options(self, verify_base_url: str, actor: str) -> notices.NoticeOptions:
        label = self.period.checkedButton().text()
        long_term = label == "长期"
        unit = "长期" if long_term else ("工作日" if self.working_days.isChecked() else "自然日")
        size = self.paper.checkedButton().text()
        paper = notices.PageSetup(size=size, landscape=self.landscape.isChecked())
        return notices.NoticeOptions(
            period_days=PERIODS[0] if long_term else int(label.removesuffix("天")),
            period_unit=unit,
            per_item=self.buttons["每项一表"].isChecked(),
            setup=paper,
            verify_base_url=verify_base_url,
            actor=actor,
        )
