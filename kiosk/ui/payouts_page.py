"""补贴公示: a village's payout results by year and item, with totals, and a villager's own
lookup by pinyin initials + the last 4 characters of the ID number on the keypad."""

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kiosk import fmt
from kiosk.errors import KnownError
from kiosk.services import payouts
from kiosk.services.types import VillagePayouts
from kiosk.ui.keypad import Keypad
from kiosk.ui.models import PayoutTableModel
from kiosk.ui.widgets import CurrentPageStack, kinetic


def _table(model: PayoutTableModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName("补贴发放明细")
    view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    view.verticalHeader().setVisible(False)
    header = view.horizontalHeader()
    header.setAccessibleName("表头")
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    # Size columns from the first rows only: measuring all 500+ rows costs ~50 ms per tap,
    # and the columns hold values of one shape (masked IDs, amounts, dates).
    header.setResizeContentsPrecision(40)
    header.setSectionResizeMode(PayoutTableModel.REMARK, QHeaderView.ResizeMode.Stretch)
    kinetic(view)
    return view


def _text_em(label: str) -> float:
    """Width of a label in em with room to spare: a Han character is ~1 em wide (we count
    1.3), a digit or Latin letter ~0.6 (we count 0.7)."""
    return sum(1.3 if ord(char) > 0x2E80 else 0.7 for char in label)


class ChoiceStrip:
    """A row of checkable buttons, one per option, calling ``on_choose(value)`` when tapped.

    Buttons are kept and relabelled from one village to the next: creating and styling
    fresh ones cost ~25 ms a tap, half of the tap-to-table budget.
    """

    def __init__(self, on_choose: Callable[[Any], None]):
        self.layout = QHBoxLayout()
        self.layout.addStretch(1)
        self._on_choose = on_choose
        self._buttons: list[QPushButton] = []
        self._values: list[Any] = []

    def set_options(self, options: list[tuple[str, Any]], current: Any) -> None:
        while len(self._buttons) < len(options):
            button = QPushButton()
            button.setCheckable(True)
            index = len(self._buttons)
            button.clicked.connect(lambda _=False, i=index: self._on_choose(self._values[i]))
            self.layout.insertWidget(index, button)
            self._buttons.append(button)
        self._values = [value for _, value in options]
        for index, button in enumerate(self._buttons):
            label, value = options[index] if index < len(options) else ("", object())
            if button.text() != label:
                button.setText(label)
                button.setAccessibleName(label)
                # Never squeeze a label: the strip scrolls instead. (A style-sheet min-width,
                # since the app style sheet's own min-width would override setMinimumWidth.)
                button.setStyleSheet(f"min-width: {_text_em(label):.1f}em;")
            button.setChecked(value == current)
            button.setVisible(index < len(options))

    def buttons(self) -> list[QPushButton]:
        """The buttons of the current options, in order."""
        return self._buttons[: len(self._values)]


class PayoutsPage(QWidget):
    """Emits ``print_requested(village code, year)`` for the 打印公示 button."""

    print_requested = Signal(str, int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.result: VillagePayouts | None = None
        self.title = QLabel("")
        self.title.setObjectName("heading")
        self.years = ChoiceStrip(lambda year: self.show_village(self.result.village.code, year))
        self.items = ChoiceStrip(lambda code: self.show_village(self.result.village.code,
                                                                self.result.year, code))  # fmt: skip
        # Item names are long and many: a strip the finger drags sideways.
        items_holder = QWidget()
        items_holder.setLayout(self.items.layout)
        self.items_strip = QScrollArea()
        self.items_strip.setWidget(items_holder)
        self.items_strip.setWidgetResizable(True)
        self.items_strip.setFrameShape(QFrame.Shape.NoFrame)
        self.items_strip.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.items_strip.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.items_strip.setMinimumHeight(130)
        kinetic(self.items_strip, holds_buttons=True)
        self.model = PayoutTableModel(self)
        self.table = _table(self.model)
        self.totals = QLabel("")
        self.totals.setAccessibleName("合计")
        # When the county withdrew this town-year, its reason stands where the rows were.
        self.withdrawn = QLabel("")
        self.withdrawn.setObjectName("heading")
        self.withdrawn.setAccessibleName("撤回说明")
        self.withdrawn.setWordWrap(True)
        self.withdrawn.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.withdrawn.setVisible(False)
        self.lookup_button = QPushButton("查询本人")
        self.lookup_button.setAccessibleName("查询本人")
        self.print_button = QPushButton("打印公示")
        self.print_button.setAccessibleName("打印公示")
        self.lookup_button.clicked.connect(self.show_lookup)
        self.print_button.clicked.connect(
            lambda: self.result and self.print_requested.emit(self.result.village.code,
                                                              self.result.year))  # fmt: skip
        actions = QHBoxLayout()
        actions.addWidget(self.totals, stretch=1)
        actions.addWidget(self.lookup_button)
        actions.addWidget(self.print_button)
        listing = QWidget()
        listing_layout = QVBoxLayout(listing)
        listing_layout.setContentsMargins(0, 0, 0, 0)
        choices = QHBoxLayout()  # years and items share a row: the table keeps the height
        choices.addLayout(self.years.layout, stretch=0)
        choices.addWidget(self.items_strip, stretch=1)
        listing_layout.addLayout(choices)
        listing_layout.addWidget(self.withdrawn, stretch=1)
        listing_layout.addWidget(self.table, stretch=1)
        listing_layout.addLayout(actions)
        self.lookup = PersonLookup()
        self.lookup.back.clicked.connect(lambda: self.stack.setCurrentIndex(0))
        self.stack = CurrentPageStack()
        self.stack.addWidget(listing)
        self.stack.addWidget(self.lookup)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.stack, stretch=1)

    def show_village(self, village_code: str, year: int | None = None,
                     item_code: str | None = None) -> None:
        self.result = payouts.village_payouts(village_code, year, item_code)
        village = self.result.village
        self.title.setText(f"{village.town_name} · {village.name}  {self.result.year}年度补贴发放结果")
        self.model.set_rows(self.result.rows)
        totals = self.result.totals
        self.totals.setText(
            f"共 {totals.rows} 条　{totals.households} 户　{totals.persons} 人　"
            f"合计 {fmt.money(totals.amount_fen)} 元"
        )
        self.years.set_options([(f"{y}年", y) for y in self.result.years], self.result.year)
        items = [("全部项目", None)] + [(i.name, i.code) for i in self.result.items]
        self.items.set_options(items, item_code)
        reason = self.result.withdrawn_reason
        self.withdrawn.setText(f"本年度该乡镇补贴公示已由县里撤回：{reason}" if reason else "")
        self.withdrawn.setVisible(bool(reason))
        self.table.setVisible(not reason)
        self.print_button.setEnabled(not reason)
        self.stack.setCurrentIndex(0)
        self.lookup.village_town = village.town_code

    def show_lookup(self) -> None:
        self.lookup.clear()
        self.stack.setCurrentIndex(1)

    def clear(self) -> None:
        self.result = None
        self.title.clear()
        self.totals.clear()
        self.withdrawn.clear()
        self.withdrawn.setVisible(False)
        self.table.setVisible(True)
        self.print_button.setEnabled(True)
        self.years.set_options([], None)
        self.items.set_options([], None)
        self.model.set_rows([])
        self.lookup.clear()
        self.stack.setCurrentIndex(0)


class PersonLookup(QWidget):
    """Two fields filled from the keypad: name initials, then the last 4 ID characters."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.village_town: str | None = None
        self.initials = QLineEdit()
        self.initials.setReadOnly(True)  # typed on our keypad, no system keyboard
        self.initials.setPlaceholderText("姓名拼音首字母，如 张三 → ZS")
        self.initials.setAccessibleName("姓名拼音首字母")
        self.last4 = QLineEdit()
        self.last4.setReadOnly(True)
        self.last4.setPlaceholderText("身份证号后4位")
        self.last4.setAccessibleName("身份证号后4位")
        self.target = self.initials
        for field in (self.initials, self.last4):
            field.mousePressEvent = lambda _e, f=field: self._focus(f)
        self.keypad = Keypad()
        self.keypad.typed.connect(self._type)
        self.keypad.erased.connect(lambda: self.target.setText(self.target.text()[:-1]))
        self.keypad.cleared.connect(self.clear)
        self.search = QPushButton("查询")
        self.search.setAccessibleName("查询")
        self.search.clicked.connect(self.run)
        self.back = QPushButton("返回列表")
        self.back.setAccessibleName("返回列表")
        self.message = QLabel("请输入姓名拼音首字母和身份证号后4位，只显示本人的发放记录")
        self.message.setWordWrap(True)
        self.model = PayoutTableModel(self)
        self.table = _table(self.model)
        fields = QHBoxLayout()
        fields.addWidget(self.initials, stretch=2)
        fields.addWidget(self.last4, stretch=1)
        fields.addWidget(self.search)
        fields.addWidget(self.back)
        layout = QVBoxLayout(self)
        layout.addLayout(fields)
        layout.addWidget(self.message)
        layout.addWidget(self.keypad)
        layout.addWidget(self.table, stretch=1)
        self._focus(self.initials)

    def _focus(self, field: QLineEdit) -> None:
        self.target = field
        self.initials.setStyleSheet("" if field is self.last4 else "background: #fff3cd;")
        self.last4.setStyleSheet("" if field is self.initials else "background: #fff3cd;")

    def _type(self, char: str) -> None:
        if self.target is self.initials and char.isdigit():
            self._focus(self.last4)  # a digit can only belong to the ID number
        if self.target is self.initials:
            if len(self.initials.text()) < 8:
                self.initials.setText(self.initials.text() + char)
        elif len(self.last4.text()) < 4:
            self.last4.setText(self.last4.text() + char)

    def run(self) -> None:
        try:
            found = payouts.lookup_person(self.initials.text(), self.last4.text(),
                                          self.village_town)  # fmt: skip
        except KnownError as exc:
            self.message.setText(exc.zh)
            self.model.set_rows([])
            return
        self.model.set_rows(found.rows)
        if found.rows:
            self.message.setText(f"找到 {len(found.rows)} 条发放记录，合计 {fmt.money(found.amount_fen)} 元")
        else:
            self.message.setText("没有找到记录。请核对姓名首字母和身份证号后4位，或到村委会查询")

    def clear(self) -> None:
        """Forget what was typed and found (idle timeout, 清空)."""
        self.initials.clear()
        self.last4.clear()
        self.model.set_rows([])
        self.message.setText("请输入姓名拼音首字母和身份证号后4位，只显示本人的发放记录")
        self._focus(self.initials)
