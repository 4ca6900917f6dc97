"""Thin table models over plain lists from kiosk.services, and the payout table that shows
one (on 补贴公示 and 核验公示单 alike)."""

from math import ceil

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFontMetricsF
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


class PayoutTableModel(QAbstractTableModel):
    """Payout rows with the columns of the printed notice, 金额 brought forward: on a
    portrait screen the columns after it scroll sideways, and the amount is what a villager
    looks for."""

    HEADERS = ("年度", "姓名", "身份证号", "补贴项目", "金额(元)", "计量依据", "标准(元)", "发放日期", "备注")
    YEAR, NAME, ID, ITEM, AMOUNT, QUANTITY, STANDARD, DATE, REMARK = range(9)
    _RIGHT = frozenset({QUANTITY, STANDARD, AMOUNT})

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[PayoutRow] = []
        self._texts: dict[int, tuple[str, ...]] = {}  # a row's cells, made when first shown

    def set_rows(self, rows: list[PayoutRow]) -> None:
        self.beginResetModel()
        self._rows = rows
        self._texts = {}
        self.endResetModel()

    def row(self, index: int) -> PayoutRow:
        return self._rows[index]

    def rows(self) -> list[PayoutRow]:
        return self._rows

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

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
        if role == _ALIGN and index.column() in self._RIGHT:
            return _RIGHT_ALIGNED
        return None

    def text(self, number: int, column: int) -> str:
        """The text of a cell as shown; a row's cells are formatted together when first asked."""
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
        self.fit_columns()
        # Laid out now, not on Qt's delayed-layout timer: the table painted twice a tap
        # (before its layout and again after, ~7 ms).
        self.doItemsLayout()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):  # 长辈模式
            self.fit_columns()

    def fit_columns(self) -> None:
        model, header, metrics = self.model(), self.horizontalHeader(), QFontMetricsF(self.font())
        if not model.rowCount():  # nothing to fit yet (polishing a new page sends ~20 changes)
            return
        # What QStyledItemDelegate adds around a cell's text, and the grid line.
        margin = 2 * (self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1) + 1
        sample = widest_rows(model.rows())
        for column in range(model.columnCount()):
            if column == PayoutTableModel.REMARK:  # stretched to the rest
                continue
            texts = {model.text(r, column) for r in sample}  # dates, items, IDs repeat
            # A pixel short elides the text: rounded up, and one more, as the delegate's text
            # layout can come out a pixel wider than the font's advance (masked IDs do).
            widest = max((ceil(metrics.horizontalAdvance(t)) + 1 for t in texts), default=0)
            header.resizeSection(column, max(widest + margin, header.sectionSizeHint(column)))


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
