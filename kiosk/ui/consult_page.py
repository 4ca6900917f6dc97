"""政策咨询: Q&A by life-event category and search, service guides, hotlines and windows."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.services import consult
from kiosk.services.types import ContactInfo, GuideInfo, QAInfo
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


def _qa(q: QAInfo) -> tuple[str, str]:
    fields = [("类别", q.category), ("政策依据", f"{q.basis}{q.basis_doc_number}"),
              ("主管部门", q.department), ("咨询电话", q.phone), ("更新日期", q.updated_on)]  # fmt: skip
    return q.question, detail_html(q.question, fields, q.answer)


def _guide(g: GuideInfo) -> tuple[str, str]:
    fields = [("类别", g.category), ("办理条件", g.conditions), ("申请材料", "；".join(g.materials)),
              ("办理流程", " → ".join(g.procedure)), ("办理时限", g.time_limit),
              ("办理地点", g.location), ("办公时间", g.hours), ("咨询电话", g.phone),
              ("收费标准", g.fee), ("设定依据", g.basis)]  # fmt: skip
    return f"办事指南：{g.name}", detail_html(g.name, fields)


def _contact(c: ContactInfo) -> tuple[str, str]:
    title = f"{c.kind} · {c.name}  {c.phone}"
    fields = [("电话", c.phone), ("所属部门", c.department), ("地址", c.address),
              ("办公时间", c.hours), ("备注", c.remark)]  # fmt: skip
    return title, detail_html(c.name, fields)


class ConsultPage(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.town_code: str | None = None
        self.title = QLabel("政策咨询")
        self.title.setObjectName("heading")
        categories = [*consult.qa_categories(), "办事指南", "咨询电话"]
        # Common words that are not also a category: two buttons reading 养老, one searching
        # and one browsing, would only confuse.
        words = tuple(w for w in COMMON_WORDS if not any(w in c for c in categories))
        self.search = SearchBar("写字搜索、输入拼音首字母，或点常用词", words)
        self.category_panel = QWidget()
        row = FlowGrid(self.category_panel, max_columns=8)
        self.categories = button_grid(row, {name: name for name in categories}, self.show_category,
                                      with_icons=True)  # fmt: skip
        # Two steps, like the catalogue: the categories, then a category's (or a search's)
        # list with a button back to the categories. Both at once pushed the list off a
        # 1280 x 800 screen.
        self.all_categories = QPushButton("全部类别")
        self.all_categories.setAccessibleName("全部类别")
        self.all_categories.clicked.connect(self.clear)
        self.view = ListDetail()
        run_search(self.search, self.view, lambda q: [_qa(x) for x in consult.search_qa(q)],
                   lambda: [])  # fmt: skip
        self.search.searched.connect(lambda q: self._show_list(bool(q.strip())))
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.search)
        layout.addWidget(self.category_panel)
        layout.addWidget(self.all_categories, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.view, stretch=1)
        layout.addStretch(0)
        # An open answer gets the screen: the search folds away until 返回列表.
        self.view.opened.connect(lambda on: fold(on, self.search, self.all_categories))
        # Writing gets the screen; closing the panel brings back what was there.
        give_room(self.search, (self.title, self.category_panel, self.all_categories, self.view),
                  lambda: self._show_list(self._listing))
        self._show_list(False)

    def _show_list(self, on: bool) -> None:
        self._listing = on
        self.category_panel.setVisible(not on)
        self.all_categories.setVisible(on)
        self.view.setVisible(on)

    def show_category(self, name: str) -> None:
        self.title.setText(f"政策咨询 · {name}")
        if name == "办事指南":
            self.view.show_items([_guide(g) for g in consult.list_guides()])
        elif name == "咨询电话":
            self.view.show_items([_contact(c) for c in consult.list_contacts(town_code=self.town_code)])
        else:
            self.view.show_items([_qa(q) for q in consult.qa_by_category(name)])
        self._show_list(True)

    def clear(self) -> None:
        self.title.setText("政策咨询")
        self.search.clear()
        self.view.show_items([], empty="请选择类别，或搜索问题")
        self._show_list(False)
