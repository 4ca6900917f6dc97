"""规范性文件: the register with 文号, dates and validity shown distinctly, body and 解读."""

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.services import documents
from kiosk.services.types import DocumentInfo
from kiosk.ui.browse import ListDetail, SearchBar, detail_html, fold, give_room

MARKS = {"有效": "【有效】", "已修改": "【已修改】", "已废止": "【已废止·仅供查阅】", "失效": "【已失效】"}


def _document(d: DocumentInfo) -> tuple[str, str]:
    title = f"{MARKS.get(d.validity, d.validity)} {d.title}  {d.doc_number}"
    fields = [("文号", d.doc_number), ("发布机构", d.issuer), ("成文日期", d.written_on or ""),
              ("发布日期", d.published_on or ""), ("生效日期", d.effective_on or ""),
              ("失效日期", d.expires_on or ""), ("有效性", d.validity), ("主题分类", d.topic),
              ("索引号", d.index_no)]  # fmt: skip
    # What it means for the villager first: the 解读, then the 摘要; the register fields after.
    body = (f"政策解读：{d.interpretation}\n" if d.interpretation else "") + f"内容摘要：{d.body}"
    return title, detail_html(d.title, fields, body)


class PoliciesPage(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel("规范性文件")
        self.title.setObjectName("heading")
        self.filters: dict[str, QPushButton] = {}
        self.filter_panel = QWidget()
        row = QHBoxLayout(self.filter_panel)
        row.setContentsMargins(0, 0, 0, 0)
        for label in ("全部", "有效", "已修改", "已废止"):
            button = QPushButton(label)
            button.setCheckable(True)
            button.setAccessibleName(f"显示{label}文件")
            button.clicked.connect(lambda _=False, v=label: self.show_validity(v))
            row.addWidget(button)
            self.filters[label] = button
        row.addStretch(1)
        # Documents are found by their title words: common words would be guesses.
        self.search = SearchBar("写字搜索文件名称，或输入拼音首字母", words=())
        self.search.searched.connect(self.search_documents)
        self.view = ListDetail()
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.search)
        layout.addWidget(self.filter_panel)
        layout.addWidget(self.view, stretch=1)
        self.view.opened.connect(lambda on: fold(on, self.search, self.filter_panel))
        give_room(self.search, (self.title, self.filter_panel, self.view))
        self.show_validity("全部")

    def search_documents(self, query: str) -> None:
        """Documents whose title or text has ``query``; an empty query lists them all again."""
        if not query.strip():
            self.show_validity("全部")
            return
        for button in self.filters.values():
            button.setChecked(False)
        found = documents.search_documents(query)
        self.view.show_items([_document(d) for d in found], empty=f"没有找到含“{query}”的文件")

    def show_validity(self, validity: str) -> None:
        for label, button in self.filters.items():
            button.setChecked(label == validity)
        found = documents.list_documents(None if validity == "全部" else validity)
        self.view.show_items([_document(d) for d in found])

    def clear(self) -> None:
        self.search.clear()
        self.show_validity("全部")
