"""Thin table models over plain lists from kiosk.services, and the payout table that shows
one (on 补贴公示 and 核验公示单 alike)."""

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

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
            texts = self._texts.get(number)
            if texts is None:
                row = self._rows[number]
                texts = self._texts[number] = tuple(self._text(row, c) for c in range(len(self.HEADERS)))
            return texts[index.column()]
        if role == _ALIGN and index.column() in self._RIGHT:
            return _RIGHT_ALIGNED
        return None

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


def payout_table(model: PayoutTableModel) -> QTableView:
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
