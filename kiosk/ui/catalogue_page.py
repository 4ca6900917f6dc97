"""政务公开目录: the 26 domains as tiles, their entries with every standard field, search."""

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.services import catalogue
from kiosk.services.types import CatalogueEntryInfo
from kiosk.ui.browse import (
    COMMON_WORDS,
    ListDetail,
    SearchBar,
    detail_html,
    fold,
    give_room,
    run_search,
)
from kiosk.ui.widgets import FlowGrid, button_grid

_TITLE = "基层政务公开标准目录"


def _item(entry: CatalogueEntryInfo) -> tuple[str, str]:
    title = f"{entry.level1} · {entry.level2}"
    fields = [
        ("领域", entry.domain_name), ("一级事项", entry.level1), ("二级事项", entry.level2),
        ("公开内容", entry.content), ("公开依据", entry.basis), ("公开时限", entry.time_limit),
        ("公开主体", entry.subject), ("公开渠道", "、".join(entry.channels)),
        ("公开对象", "、".join(entry.audience)), ("公开方式", "、".join(entry.mode)),
        ("公开层级", "、".join(entry.levels)), ("事项编码", entry.item_code),
    ]  # fmt: skip
    return title, detail_html(title, fields)


class CataloguePage(QWidget):
    """Two steps, so each fits a 1280 x 800 screen: the 26 domain tiles, then a domain's
    entries (or search results) with a button back to the domains."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel(_TITLE)
        self.title.setObjectName("heading")
        domains = {domain.code: domain.name for domain in catalogue.list_domains()}
        # A common word that is also a domain (就业) would be two buttons reading the same.
        words = tuple(w for w in COMMON_WORDS if w not in domains.values())
        self.search = SearchBar("写字搜索、输入拼音首字母，或点常用词", words)
        self.domain_panel = QWidget()
        self.domains = FlowGrid(self.domain_panel, max_columns=7)
        self.domain_buttons = button_grid(self.domains, domains,
                                          lambda code: self.show_domain(code, domains[code]),
                                          with_icons=True)  # fmt: skip
        self.all_domains = QPushButton("全部领域")
        self.all_domains.setAccessibleName("全部领域")
        self.all_domains.clicked.connect(self.clear)
        self.view = ListDetail()
        run_search(self.search, self.view,
                   lambda q: [_item(e) for e in catalogue.search(q)], lambda: [])  # fmt: skip
        self.search.searched.connect(lambda q: self._show_list(bool(q.strip())))
        self.view.opened.connect(lambda on: fold(on, self.search))
        # Writing gets the screen; closing the panel brings back what was there.
        give_room(self.search, (self.title, self.domain_panel, self.all_domains, self.view),
                  lambda: self._show_list(self._listing))
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.search)
        layout.addWidget(self.domain_panel)
        back_row = QHBoxLayout()
        back_row.addWidget(self.all_domains)
        back_row.addStretch(1)
        layout.addLayout(back_row)
        layout.addWidget(self.view, stretch=1)
        layout.addStretch(0)
        self._show_list(False)

    def show_domain(self, code: str, name: str) -> None:
        self.title.setText(f"{_TITLE} · {name}")
        self.view.show_items([_item(e) for e in catalogue.entries(code)])
        self._show_list(True)

    def _show_list(self, on: bool) -> None:
        self._listing = on
        self.domain_panel.setVisible(not on)
        self.all_domains.setVisible(on)
        self.view.setVisible(on)

    def clear(self) -> None:
        self.title.setText(_TITLE)
        self.search.clear()
        self.view.show_items([], empty="请选择领域，或搜索事项")
        self._show_list(False)
