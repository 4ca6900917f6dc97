"""Thin table models over plain lists from kiosk.services, and the payout table that shows
one (on 补贴公示 and 核验公示单 alike)."""

import datetime as dt
from math import ceil

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStyle, QTableView

from kiosk import fmt
from kiosk.services.types import PayoutRow
from kiosk.ui.widgets import kinetic

Index = QModelIndex | QPersistentModelIndex
# As plain ints: Qt asks data() for ~10 roles per painted cell, and comparing the int it
# passes with an enum member costs a Python call each time.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole.value)
_RIGHT_ALIGNED = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
_FONT = int(Qt.ItemDataRole.FontRole.value)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole.value)
_HEADING_BACKGROUND = QBrush(QColor("#e8eef8"))  # a pale ACTION: ink on it 17:1


class PayoutTableModel(QAbstractTableModel):
    """Payout rows in the order a villager reads them: who, how much, for what quantity and
    at what standard, then the ID to tell two namesakes apart.

    ``grouped``: the rows of each subsidy item come under a heading line naming the item,
    when it was paid, how many rows and their subtotal, and the standard where every item's
    rows share one (``folded``: the columns whose words the headings carry, hidden).
    """

    HEADERS = ("年度", "姓名", "金额(元)", "计量依据", "标准(元)", "身份证号", "补贴项目", "发放日期", "备注")
    YEAR, NAME, AMOUNT, QUANTITY, STANDARD, ID, ITEM, DATE, REMARK = range(9)
    _RIGHT = frozenset({QUANTITY, STANDARD, AMOUNT})

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[PayoutRow] = []
        self._texts: dict[int, tuple[str, ...]] = {}  # a row's cells, made when first shown
        self._lines: list[int | tuple[str, str]] | None = None  # grouped: a row's number, or a heading
        self.broken: set[int] = set()  # heading lines too wide for the table: item, then details
        self.folded: frozenset[int] = frozenset()
        self.heading_font = QFont()  # the view's font, bold (kiosk.ui.models.PayoutTable sets it)

    @property
    def grouped(self) -> bool:
        return self._lines is not None

    def set_rows(self, rows: list[PayoutRow], grouped: bool = False) -> None:
        self.beginResetModel()
        self._rows = rows
        self._texts = {}
        self._lines, self.folded = _grouped_lines(rows) if grouped else (None, frozenset())
        self.endResetModel()

    def row(self, index: int) -> PayoutRow | None:
        """The payout row shown on line ``index`` (None for a heading)."""
        if self._lines is None:
            return self._rows[index]
        line = self._lines[index]
        return None if isinstance(line, tuple) else self._rows[line]

    def rows(self) -> list[PayoutRow]:
        """The payout rows shown, without headings."""
        return self._rows

    def headings(self) -> list[int]:
        """The lines that are headings."""
        return [n for n, line in enumerate(self._lines or ()) if isinstance(line, tuple)]

    def heading(self, number: int) -> str:
        """The heading on line ``number``, on one line."""
        return "　".join(self._lines[number])

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        if parent.isValid():
            return 0
        return len(self._rows) if self._lines is None else len(self._lines)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = _DISPLAY):
        # The hot path of painting a table: the role first, no enum, a row's texts made once.
        if role == _DISPLAY:
            number = index.row()
            if number < 0:  # an invalid index
                return None
            return self.text(number, index.column())
        if self._lines is not None and role in (_FONT, _BACKGROUND) and index.row() >= 0:
            if isinstance(self._lines[index.row()], tuple):
                return self.heading_font if role == _FONT else _HEADING_BACKGROUND
            return None
        if role == _ALIGN and index.column() in self._RIGHT:
            return _RIGHT_ALIGNED
        return None

    def text(self, number: int, column: int) -> str:
        """The text of a cell on line ``number`` as shown (a heading's in every column: the
        table spans it from the first column shown)."""
        if self._lines is not None:
            line = self._lines[number]
            if isinstance(line, tuple):
                return "\n".join(line) if number in self.broken else self.heading(number)
            number = line
        return self.cell(number, column)

    def cell(self, number: int, column: int) -> str:
        """The text of payout row ``number``'s cell; a row's cells are formatted together
        when first asked."""
        texts = self._texts.get(number)
        if texts is None:
            row = self._rows[number]
            texts = self._texts[number] = tuple(self._text(row, c) for c in range(len(self.HEADERS)))
        return texts[column]

    def _text(self, row: PayoutRow, column: int) -> str:
        match column:
            case self.YEAR:
                return f"{row.year}年"
            case self.NAME:
                return row.name
            case self.ID:
                return row.id_masked
            case self.ITEM:
                return row.item_name
            case self.QUANTITY:
                return f"{fmt.hundredths(row.quantity_centi)}{row.unit}"
            case self.STANDARD:
                return f"{fmt.money(row.standard_fen)}/{row.unit}"
            case self.AMOUNT:
                return fmt.money(row.amount_fen)
            case self.DATE:
                return str(row.paid_on)
            case _:
                return row.remark


class PayoutTable(QTableView):
    """The payout rows, columns sized to their text once per new list and font.

    Qt's ResizeToContents measured every column again on each layout pass of a tap (~9 ms
    of the 16 ms frame), and measuring every cell of 600 rows costs ~20 ms. Within one
    subsidy item a column's texts have one shape but for their length (names of 2-4
    characters, amounts of more or fewer digits), so the rows measured are, per item, the
    one with the longest name and those with the most digits (``widest_rows``).
    """

    def __init__(self, model: PayoutTableModel):
        super().__init__()
        self.setModel(model)
        self.setAccessibleName("补贴发放明细")
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setAccessibleName("表头")
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(PayoutTableModel.REMARK, QHeaderView.ResizeMode.Stretch)
        model.modelReset.connect(self._new_rows)
        kinetic(self)

    def _new_rows(self) -> None:
        model = self.model()
        # Grouped, the headings name the item (and, folded, its standard and date).
        for column in (PayoutTableModel.ITEM, PayoutTableModel.STANDARD, PayoutTableModel.DATE):
            self.setColumnHidden(column, model.grouped and (column == PayoutTableModel.ITEM
                                                             or column in model.folded))  # fmt: skip
        self.fit_columns()
        self.clearSpans()
        columns = model.columnCount()
        first = next((c for c in range(columns) if not self.isColumnHidden(c)), 0)
        for line in model.headings():  # a handful: one per subsidy item
            self.setSpan(line, first, 1, columns - first)
        self._fit_headings()
        # Laid out now, not on Qt's delayed-layout timer: the table painted twice a tap
        # (before its layout and again after, ~7 ms).
        self.doItemsLayout()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):  # 长辈模式
            self.fit_columns()
            self._fit_headings()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_headings()

    def _fit_headings(self) -> None:
        """Each heading on one line where it fits the table, else on two (the item, then its
        details): elided, a heading lost its subtotal on a portrait screen."""
        model = self.model()
        metrics = QFontMetricsF(model.heading_font)
        room, height = self.viewport().width() - 12, self.verticalHeader().defaultSectionSize()
        model.broken = set()
        for line in model.headings():
            if metrics.horizontalAdvance(model.heading(line)) > room:
                model.broken.add(line)
            self.setRowHeight(line, height * (2 if line in model.broken else 1))

    def fit_columns(self) -> None:
        model, header, metrics = self.model(), self.horizontalHeader(), QFontMetricsF(self.font())
        model.heading_font = QFont(self.font())
        model.heading_font.setBold(True)
        if not model.rowCount():  # nothing to fit yet (polishing a new page sends ~20 changes)
            return
        # What QStyledItemDelegate adds around a cell's text, and the grid line.
        margin = 2 * (self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1) + 1
        sample = widest_rows(model.rows())
        for column in range(model.columnCount()):
            if column == PayoutTableModel.REMARK:  # stretched to the rest
                continue
            texts = {model.cell(r, column) for r in sample}  # dates, items, IDs repeat
            # A pixel short elides the text: rounded up, and one more, as the delegate's text
            # layout can come out a pixel wider than the font's advance (masked IDs do).
            widest = max((ceil(metrics.horizontalAdvance(t)) + 1 for t in texts), default=0)
            header.resizeSection(column, max(widest + margin, header.sectionSizeHint(column)))


def _grouped_lines(rows: list[PayoutRow]) -> tuple[list[int | tuple[str, str]], frozenset[int]]:
    """The lines of a grouped table (a heading before each item's rows, in the order they
    come) and the columns the headings carry: the standard and the date, when every item's
    rows share one of each."""
    groups: dict[str, list[int]] = {}
    for number, row in enumerate(rows):
        groups.setdefault(row.item_code, []).append(number)
    # The date always (a range where an item was paid over days: what a villager checks is
    # the amount); the standard only where no item's rows differ in it (tiers per person).
    folded = {PayoutTableModel.DATE}
    if all(len({rows[n].standard_fen for n in members}) == 1 for members in groups.values()):
        folded.add(PayoutTableModel.STANDARD)
    lines: list[int | tuple[str, str]] = []
    for members in groups.values():
        first = rows[members[0]]
        parts = []
        if PayoutTableModel.STANDARD in folded:
            parts.append(f"{fmt.money(first.standard_fen)}元/{first.unit}")
        parts.append(_paid_between(sorted({rows[n].paid_on for n in members})))
        parts.append(f"共{len(members)}条")
        parts.append(f"小计{fmt.money(sum(rows[n].amount_fen for n in members))}元")
        lines.append((first.item_name, "　".join(parts)))
        lines.extend(members)
    return lines, frozenset(folded)


def _paid_between(dates: list[str]) -> str:
    """“5月14日发放”, “5月5日至25日发放”, “5月28日至6月3日发放”: the year strip names the year."""
    try:
        first, last = (dt.date.fromisoformat(d) for d in (dates[0], dates[-1]))
    except ValueError:  # not a date as the feed writes one: said as it is
        return f"{dates[0]} 至 {dates[-1]} 发放" if len(dates) > 1 else f"{dates[0]} 发放"
    start = f"{first.month}月{first.day}日"
    if first == last:
        return f"{start}发放"
    same_month = (last.year, last.month) == (first.year, first.month)
    end = f"{last.day}日" if same_month else f"{last.month}月{last.day}日"
    return f"{start}至{end}发放"


def widest_rows(rows: list[PayoutRow]) -> list[int]:
    """The rows whose texts are the widest of each column: per subsidy item, the first row
    and the rows with the longest name, quantity, standard and amount."""
    widest: dict[tuple[str, int], tuple[int, int]] = {}  # (item, field) -> (length, row)
    for number, row in enumerate(rows):
        sizes = (len(row.name), len(str(row.quantity_centi)), len(str(row.standard_fen)),
                 len(str(row.amount_fen)))  # fmt: skip
        for field, size in enumerate(sizes):
            key = (row.item_code, field)
            if size > widest.get(key, (-1, 0))[0]:
                widest[key] = (size, number)
    return sorted({number for _, number in widest.values()})
