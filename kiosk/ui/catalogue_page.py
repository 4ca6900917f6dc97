"""政务公开目录: the 26 domains as tiles, their entries with every standard field, search."""

from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.services import catalogue
from kiosk.services.types import CatalogueEntryInfo
from kiosk.ui.browse import ListDetail, SearchBar, detail_html, run_search


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
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel("基层政务公开标准目录")
        self.title.setObjectName("heading")
        self.search = SearchBar("输入事项名称拼音首字母，或点常用词")
        self.domains = QGridLayout()
        self.domain_buttons: dict[str, QPushButton] = {}
        for index, domain in enumerate(catalogue.list_domains()):
            button = QPushButton(domain.name)
            button.setAccessibleName(domain.name)
            button.clicked.connect(lambda _=False, d=domain: self.show_domain(d.code, d.name))
            self.domains.addWidget(button, index // 7, index % 7)
            self.domain_buttons[domain.code] = button
        self.view = ListDetail()
        run_search(self.search, self.view,
                   lambda q: [_item(e) for e in catalogue.search(q)], lambda: [])  # fmt: skip
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.search)
        layout.addLayout(self.domains)
        layout.addWidget(self.view, stretch=1)

    def show_domain(self, code: str, name: str) -> None:
        self.title.setText(f"基层政务公开标准目录 · {name}")
        self.view.show_items([_item(e) for e in catalogue.entries(code)])

    def clear(self) -> None:
        self.title.setText("基层政务公开标准目录")
        self.search.clear()
        self.view.show_items([], empty="请选择领域，或搜索事项")
