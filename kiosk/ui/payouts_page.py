"""补贴公示: a village's payout results by year and item, with totals; a surname picker; and
a villager's own lookup by the last 4 characters of the ID number, then picking their name
(no pinyin needed), or by a name written by hand and then the last 4."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk import fmt
from kiosk.errors import KnownError
from kiosk.services import payouts, person_card
from kiosk.services.types import PayoutRow, PayoutTotals, Person, PersonPayouts, VillagePayouts
from kiosk.ui.keypad import Keypad
from kiosk.ui.models import PayoutTable, PayoutTableModel
from kiosk.ui.payout_card import PayoutCardView
from kiosk.ui.widgets import (
    AdaptiveRow,
    CurrentPageStack,
    FlowGrid,
    SideScroller,
    StackingRow,
    clear_layout,
)


class _FittedButton(QPushButton):
    """A button never narrower than its label: the strip scrolls instead of squeezing it.
    The app style sheet's min-width (the touch target) is set again at every polish (a mode
    change), so the fit is set again after it; a per-button style sheet did the same at the
    cost of a re-polish per changed label, several per tap."""

    def fit(self) -> None:
        self.setMinimumWidth(self.sizeHint().width())

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange):
            self.fit()


class ChoiceStrip:
    """A row of checkable buttons, one per option, calling ``on_choose(value)`` when tapped.

    Buttons are kept and relabelled from one village to the next: creating and styling
    fresh ones cost ~25 ms a tap, half of the tap-to-table budget.
    """

    def __init__(self, on_choose: Callable[[Any], None], scroller: SideScroller | None = None):
        self.layout = QHBoxLayout()
        self.layout.addStretch(1)
        self._on_choose = on_choose
        self._scroller = scroller
        self._buttons: list[_FittedButton] = []
        self._values: list[Any] = []

    def set_options(self, options: list[tuple[str, Any]], current: Any) -> None:
        while len(self._buttons) < len(options):
            button = _FittedButton()
            button.setCheckable(True)
            index = len(self._buttons)
            button.clicked.connect(lambda _=False, i=index: self._on_choose(self._values[i]))
            self.layout.insertWidget(index, button)
            self._buttons.append(button)
            if self._scroller is not None:
                self._scroller.watch(button)
        self._values = [value for _, value in options]
        for index, button in enumerate(self._buttons):
            label, value = options[index] if index < len(options) else ("", object())
            if button.text() != label:
                button.setText(label)
                button.setAccessibleName(label)
                button.fit()
            button.setChecked(value == current)
            button.setVisible(index < len(options))

    def buttons(self) -> list[QPushButton]:
        """The buttons of the current options, in order."""
        return self._buttons[: len(self._values)]


class ChoiceRows(StackingRow):
    """Years and items share a row where the items strip keeps room for a few names (the
    table keeps the height); on a narrow screen the items get a row of their own."""

    ITEMS_ROOM_PX = 560

    def __init__(self, years: QHBoxLayout, items: QWidget):
        super().__init__()
        self.years = years
        self.items_room = self.ITEMS_ROOM_PX  # less beside the actions (ControlRows)
        self.box.addLayout(years, stretch=0)
        self.box.addWidget(items, stretch=1)

    def needs_stacking(self) -> bool:
        return self.width() < self.years.sizeHint().width() + self.items_room


class ControlRows(StackingRow):
    """The choices and the actions (按姓氏找, 查询本人, 打印公示) on one row where they fit with
    room for a few item names, as on a landscape screen; else the actions on a row below the
    choices. Either way the table below has every pixel of height left."""

    ITEMS_ROOM_PX = 320  # 全部项目 and the strip's arrows: the strip scrolls to the rest

    def __init__(self, choices: ChoiceRows, actions: QWidget):
        super().__init__()
        self.choices, self.actions = choices, actions
        self.box.addWidget(choices, stretch=1)
        self.box.addWidget(actions, stretch=0)

    def needs_stacking(self) -> bool:
        wanted = (self.choices.years.sizeHint().width() + self.ITEMS_ROOM_PX
                  + self.actions.sizeHint().width())  # fmt: skip
        return self.width() < wanted

    def arrange(self) -> None:
        super().arrange()
        # Beside the actions the items strip makes do with less room before it stacks.
        self.choices.items_room = ChoiceRows.ITEMS_ROOM_PX if self._stacked else self.ITEMS_ROOM_PX
        self.choices.arrange()


def totals_text(totals: PayoutTotals) -> str:
    """“共 112 条　47 户　合计 …元”: households and persons only where the items shown are
    paid per 户 or per 人 (an item paid per household showed “45 户 0 人”)."""
    parts = [f"共 {totals.rows} 条"]
    parts += [f"{count} {unit}" for count, unit in ((totals.households, "户"), (totals.persons, "人"))
              if count]  # fmt: skip
    return "　".join([*parts, f"合计 {fmt.money(totals.amount_fen)} 元"])


def spoken_rows(rows: list[PayoutRow], limit: int = 10) -> str:
    """Rows as a sentence each, for 朗读: who, what, how much."""
    said = [f"{r.year}年 {r.name} {r.item_name} {fmt.money(r.amount_fen)}元" for r in rows[:limit]]
    more = f"。另有 {len(rows) - limit} 条，请看屏幕" if len(rows) > limit else ""
    return "。".join(said) + more


class PayoutsPage(QWidget):
    """Emits ``print_requested(village code, year, item code or None)`` for 打印公示: the
    sheet shows what the list shows; ``looked_up`` when the lookup shows a person's rows."""

    print_requested = Signal(str, int, object)  # village, year, item code or None
    looked_up = Signal()
    LISTING, LOOKUP, SURNAMES = range(3)

    def __init__(self, settings=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings  # kiosk.config.Settings: the printer of a lookup's card
        self.result: VillagePayouts | None = None
        self.family: str | None = None  # the surname picked, or None for everyone
        self.title = QLabel("")
        self.title.setObjectName("heading")
        self.title.setWordWrap(True)
        self.years = ChoiceStrip(lambda year: self.show_village(self.result.village.code, year))
        # Item names are long and many: a strip that scrolls sideways and shows it does.
        items_holder = QWidget()
        self.items_strip = SideScroller(items_holder)
        self.items = ChoiceStrip(lambda code: self.show_village(self.result.village.code,
                                                                self.result.year, code),
                                 self.items_strip)  # fmt: skip
        items_holder.setLayout(self.items.layout)
        self.model = PayoutTableModel(self)
        self.table = PayoutTable(self.model)
        self.totals = QLabel("")
        self.totals.setAccessibleName("合计")
        # When the county withdrew this town-year, its reason stands where the rows were.
        self.withdrawn = QLabel("")
        self.withdrawn.setObjectName("heading")
        self.withdrawn.setAccessibleName("撤回说明")
        self.withdrawn.setWordWrap(True)
        self.withdrawn.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.withdrawn.setVisible(False)
        self.surname_button = QPushButton("按姓氏找")
        self.lookup_button = QPushButton("查询本人")
        self.print_button = QPushButton("打印公示")
        for button in (self.surname_button, self.lookup_button, self.print_button):
            button.setAccessibleName(button.text())
        self.surname_button.clicked.connect(self.show_surnames)
        self.lookup_button.clicked.connect(self.show_lookup)
        self.print_button.clicked.connect(
            lambda: self.result and self.print_requested.emit(self.result.village.code,
                                                              self.result.year,
                                                              self.result.item_code))  # fmt: skip
        # A surname picked: say so, with the way back to everyone.
        self.filter_note = QLabel("")
        self.all_names = QPushButton("显示全部")
        self.all_names.setAccessibleName("显示全部姓名")
        self.all_names.clicked.connect(lambda: self.pick_surname(None))
        self.filter_row = AdaptiveRow(self.filter_note, [self.all_names])
        self.filter_row.setVisible(False)
        actions = QWidget()
        actions_layout = QHBoxLayout(actions)
        actions_layout.setContentsMargins(0, 0, 0, 0)
        actions_layout.addStretch(1)
        for button in (self.surname_button, self.lookup_button, self.print_button):
            actions_layout.addWidget(button)
        self.totals.setWordWrap(True)
        listing = QWidget()
        listing_layout = QVBoxLayout(listing)
        listing_layout.setContentsMargins(0, 0, 0, 0)
        self.choices = ChoiceRows(self.years.layout, self.items_strip)
        listing_layout.addWidget(ControlRows(self.choices, actions))
        listing_layout.addWidget(self.filter_row)
        listing_layout.addWidget(self.withdrawn, stretch=1)
        listing_layout.addWidget(self.table, stretch=1)
        listing_layout.addWidget(self.totals)
        self.stack = CurrentPageStack()
        self.stack.addWidget(listing)
        self._lookup: PersonLookup | None = None  # and the surname picker: finish_building
        self._surnames: SurnamePicker | None = None
        # The title is said (朗读), not shown: the header names the place, the strips the year
        # and the item, and a line repeating them cost the table a row or two.
        self.title.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)  # the window has its margins: every px to the rows
        layout.addWidget(self.title)
        layout.addWidget(self.stack, stretch=1)

    def finish_building(self) -> None:
        """The lookup and the surname picker (~20 ms): made in a turn of their own once the page
        is in the window (kiosk.ui.shell's head start), so that neither freezes the screen
        long, or on first use."""
        if self._lookup is not None:
            return
        self._lookup = PersonLookup(self.settings)
        self._lookup.back.clicked.connect(lambda: self.stack.setCurrentIndex(self.LISTING))
        self._lookup.looked_up.connect(self.looked_up)
        self._surnames = SurnamePicker()
        self._surnames.picked.connect(self.pick_surname)
        self._surnames.back.clicked.connect(lambda: self.stack.setCurrentIndex(self.LISTING))
        self.stack.addWidget(self._lookup)  # LOOKUP
        self.stack.addWidget(self._surnames)  # SURNAMES

    @property
    def building_finished(self) -> bool:
        return self._lookup is not None

    @property
    def lookup(self) -> PersonLookup:
        self.finish_building()
        return self._lookup

    @property
    def surnames(self) -> SurnamePicker:
        self.finish_building()
        return self._surnames

    def show_village(self, village_code: str, year: int | None = None,
                     item_code: str | None = None) -> None:
        self.result = payouts.village_payouts(village_code, year, item_code)
        village = self.result.village
        item = next((i.name for i in self.result.items if i.code == item_code), "补贴")
        self.title.setText(f"{village.town_name} · {village.name}  {self.result.year}年度{item}发放结果")
        self.years.set_options([(f"{y}年", y) for y in self.result.years], self.result.year)
        items = [("全部项目", None)] + [(i.name, i.code) for i in self.result.items]
        self.items.set_options(items, item_code)
        self.table.setColumnHidden(PayoutTableModel.YEAR, True)  # the year strip names it
        reason = self.result.withdrawn_reason
        self.withdrawn.setText(f"本年度该乡镇补贴公示已由县里撤回：{reason}" if reason else "")
        self.withdrawn.setVisible(bool(reason))
        self.table.setVisible(not reason)
        self.print_button.setEnabled(not reason)
        self.surname_button.setEnabled(bool(self.result.rows))
        self.pick_surname(None)
        self.lookup.village_town = village.town_code

    def pick_surname(self, family: str | None) -> None:
        """Show only the rows of one surname (None: everyone), back on the list."""
        self.family = family
        rows = self.result.rows if self.result else []
        shown = payouts.with_surname(rows, family) if family else rows
        self.model.set_rows(shown, grouped=True)  # each item's rows under a heading
        if family:
            self.totals.setText(f"姓{family}的共 {len(shown)} 条")
            self.filter_note.setText(f"只显示姓“{family}”的 {len(shown)} 条")
        elif self.result:
            self.totals.setText(totals_text(self.result.totals))
        self.filter_row.setVisible(family is not None)
        self.stack.setCurrentIndex(self.LISTING)

    def show_surnames(self) -> None:
        if self.result:
            self.surnames.show_surnames(payouts.surnames(self.result.rows))
            self.stack.setCurrentIndex(self.SURNAMES)

    def show_lookup(self) -> None:
        self.lookup.clear()
        self.stack.setCurrentIndex(self.LOOKUP)

    def spoken_text(self) -> str:
        """What 朗读 reads here: the lookup's result, or the list's title and totals."""
        if self.stack.currentIndex() == self.LOOKUP:
            return self.lookup.spoken_text()
        if self.stack.currentIndex() == self.SURNAMES:
            return self.surnames.prompt.text()
        if self.result is None:
            return ""
        if self.result.withdrawn_reason:
            return f"{self.title.text()}。{self.withdrawn.text()}"
        return f"{self.title.text()}。{self.totals.text()}。{spoken_rows(self.model.rows(), 5)}"

    def clear(self) -> None:
        self.result = None
        self.family = None
        self.title.clear()
        self.totals.clear()
        self.withdrawn.clear()
        self.withdrawn.setVisible(False)
        self.filter_row.setVisible(False)
        self.table.setVisible(True)
        self.print_button.setEnabled(True)
        self.years.set_options([], None)
        self.items.set_options([], None)
        self.model.set_rows([])
        self.lookup.clear()
        self.stack.setCurrentIndex(self.LISTING)


class SurnamePicker(QWidget):
    """The surnames on the list as big buttons (with how many rows each): a villager who
    cannot type pinyin finds their own rows by tapping their surname."""

    picked = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.prompt = QLabel("请点选您的姓")
        self.prompt.setObjectName("heading")
        self.prompt.setWordWrap(True)
        self.back = QPushButton("返回列表")
        self.back.setAccessibleName("返回列表")
        self.grid = FlowGrid(max_columns=8)
        self.buttons: dict[str, QPushButton] = {}
        top = AdaptiveRow(self.prompt, [self.back])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(top)
        layout.addLayout(self.grid)
        layout.addStretch(1)

    def show_surnames(self, families: list[tuple[str, int]]) -> None:
        clear_layout(self.grid)
        self.buttons = {}
        for family, count in families:
            button = QPushButton(f"{family}\n{count} 条")
            button.setAccessibleName(f"姓{family}，{count} 条")
            button.clicked.connect(lambda _=False, f=family: self.picked.emit(f))
            self.grid.addWidget(button)
            self.buttons[family] = button
        self.prompt.setText(f"请点选您的姓（本村名单上共 {len(families)} 个姓）")


class PersonLookup(QWidget):
    """A villager's own payouts in three steps: the last 4 characters of the ID number on a
    telephone pad, their name from the few people those 4 match, then their card filling the
    screen (kiosk.ui.payout_card; the pad folds away).

    A villager may first write their name by hand (写姓名); the last 4 then narrow it to them.
    The name alone never shows rows: on a town's lists a name is rarely unique.

    Emits ``looked_up`` when a person's rows are shown (a lookup completed: counted, nothing
    about whom).
    """

    looked_up = Signal()
    ENTRY, CHOOSE, RESULTS, WRITE = range(4)
    _HINT = "请输入您身份证号的最后4位，只显示本人的发放记录"

    def __init__(self, settings=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.village_town: str | None = None
        self.found: PersonPayouts | None = None
        self.name = ""  # written by hand, narrows the lookup by last 4
        self.panel = None  # the text-entry panel, made on first use
        self.message = QLabel(self._HINT)
        self.message.setWordWrap(True)
        self.back = QPushButton("返回列表")
        self.back.setAccessibleName("返回列表")
        self.again = QPushButton("重新输入")
        self.again.setAccessibleName("重新输入")
        self.again.clicked.connect(self.clear)
        # step 3 (made first: its year buttons and 打印明细 share the top row with 返回列表)
        self.card = PayoutCardView(settings)
        lead = QWidget()  # the message, or once a card shows, its years
        lead_layout = QHBoxLayout(lead)
        lead_layout.setContentsMargins(0, 0, 0, 0)
        lead_layout.addWidget(self.message, stretch=1)
        lead_layout.addWidget(self.card.years, stretch=1)
        top = AdaptiveRow(self.message, [self.card.print_button, self.again, self.back], shown=lead)
        self.top = top
        # step 1: last 4 of the ID
        self.last4 = QLineEdit()
        self.last4.setReadOnly(True)  # typed on our keypad, no system keyboard
        self.last4.setPlaceholderText("身份证号后4位")
        self.last4.setAccessibleName("身份证号后4位")
        self.last4.setMaxLength(4)
        self.keypad = Keypad(id_digits=True)
        self.keypad.typed.connect(lambda c: self.last4.setText((self.last4.text() + c)[:4]))
        self.keypad.erased.connect(lambda: self.last4.setText(self.last4.text()[:-1]))
        self.search = QPushButton("查询")
        self.search.setAccessibleName("查询")
        self.search.clicked.connect(self.run)
        self.write_name = QPushButton("写姓名")
        self.write_name.setAccessibleName("手写姓名")
        self.write_name.clicked.connect(self.show_writing)
        self.name_label = QLabel()
        self.name_label.setAccessibleName("已写的姓名")
        self.name_label.setWordWrap(True)
        # The field and 查询 beside the pad: a pad below them fell off a 768 px screen.
        entry = QWidget()
        entry_layout = QHBoxLayout(entry)
        entry_layout.setContentsMargins(0, 0, 0, 0)
        field_column = QVBoxLayout()
        field_column.addWidget(self.name_label)
        field_column.addWidget(self.last4)
        field_column.addWidget(self.search)
        field_column.addWidget(self.write_name)
        field_column.addStretch(1)
        entry_layout.addLayout(field_column, stretch=1)
        entry_layout.addWidget(self.keypad, alignment=Qt.AlignmentFlag.AlignTop)
        # step 2: whose name
        choose = QWidget()
        self.names = FlowGrid(choose, max_columns=4)
        self.name_buttons: list[QPushButton] = []
        # step 0 alternative: the name written by hand
        self.writing = QWidget()
        QVBoxLayout(self.writing).setContentsMargins(0, 0, 0, 0)
        self.steps = CurrentPageStack()
        for step in (entry, choose, self.card, self.writing):
            self.steps.addWidget(step)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(top)
        layout.addWidget(self.steps, stretch=1)
        self.clear()

    def step(self) -> int:
        return self.steps.currentIndex()

    def run(self) -> None:
        """Look up the 4 characters typed: one person shows their rows, several their names."""
        try:
            people = payouts.people_by_last4(self.last4.text(), self.village_town, self.name or None)
        except KnownError as exc:
            self.message.setText(exc.zh)
            return
        if not people:
            whose = f"“{self.name}”" if self.name else ""
            self.message.setText(f"没有{whose}身份证号后4位为 {self.last4.text()} 的发放记录。"
                                 "请核对，或到村委会查询")  # fmt: skip
            return
        if len(people) == 1:
            self.choose(people[0])
            return
        clear_layout(self.names)
        self.name_buttons = []
        for person in people:
            button = QPushButton(f"{person.name}\n{person.village_name}")
            button.setAccessibleName(f"{person.name}，{person.village_name}")
            button.clicked.connect(lambda _=False, p=person: self.choose(p))
            self.names.addWidget(button)
            self.name_buttons.append(button)
        self.message.setText(f"身份证号后4位为 {self.last4.text()} 的有 {len(people)} 人，请点选您的姓名")
        self._show(self.CHOOSE)

    def show_writing(self) -> None:
        """写姓名: the text-entry panel takes the step; 确定 brings back the pad."""
        if self.panel is None:
            # Imported here: start-up does not need the panel's Qt enums and ctypes.
            from kiosk.ui.handwriting_panel import TextEntryPanel

            self.panel = TextEntryPanel()
            self.panel.accepted.connect(self.name_written)
            self.writing.layout().addWidget(self.panel)
        self.panel.clear()
        self.message.setText("请在方框里写您的姓名，一次写一个字，写完点“确定”")
        self._show(self.WRITE)

    def name_written(self, text: str) -> None:
        """A name came back from the panel: keep it if the town's lists have it, then ask for
        the last 4 characters."""
        name = "".join(text.split())
        self._show(self.ENTRY)
        if not name:
            self.message.setText(self._HINT)
            return
        count = payouts.count_named(name, self.village_town)
        if count == 0:
            self._set_name("")
            self.message.setText(f"名单上没有姓名为“{name}”的人。请核对后重写，"
                                 "或只输入身份证号后4位")  # fmt: skip
            return
        self._set_name(name)
        self.message.setText(f"名单上有 {count} 位“{name}”。请再输入身份证号的最后4位")

    def _set_name(self, name: str) -> None:
        self.name = name
        self.name_label.setText(f"姓名：{name}")
        self.name_label.setVisible(bool(name))
        self.write_name.setText("重写姓名" if name else "写姓名")

    def choose(self, person: Person) -> None:
        self.found = payouts.person_payouts(person)
        card = person_card.payout_card(self.found)
        self.card.show_card(card)
        self.message.setText("")  # the card says whose it is; its years take the row
        self._show(self.RESULTS)
        self.looked_up.emit()

    def _show(self, step: int) -> None:
        self.steps.setCurrentIndex(step)
        self.again.setVisible(step != self.ENTRY)
        results = step == self.RESULTS
        self.message.setVisible(not results)
        self.card.years.setVisible(results)
        self.card.print_button.setVisible(results)
        self.top.arrange()

    def spoken_text(self) -> str:
        if self.step() == self.RESULTS and self.found is not None:
            return self.card.spoken_text()
        if self.step() == self.CHOOSE:
            names = "、".join(b.accessibleName() for b in self.name_buttons)
            return f"{self.message.text()}：{names}"
        return self.message.text()

    def clear(self) -> None:
        """Forget what was typed and found (idle timeout, 重新输入)."""
        self.last4.clear()
        self._set_name("")
        if self.panel is not None:
            self.panel.clear()
        self.found = None
        self.card.clear()
        clear_layout(self.names)
        self.name_buttons = []
        self.message.setText(self._HINT)
        self._show(self.ENTRY)
