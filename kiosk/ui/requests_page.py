"""我要申请·咨询: a 政府信息公开申请 or a 咨询·预约回电, one question per step on our own
keypads and the text-entry panel, then a 受理回执 with its number and QR code. A comment on a
draft (意见征集) is asked here too, started from the consultation page (``start_comment``):
the stance, what the villager wants to say, and a name and phone when given or required.

What the villager types lives only in this page's widgets and ``values`` until 提交; it is
dropped from them as soon as the request is sealed (or the form abandoned or reset). The full
ID number is shown only on its own step, masked everywhere after.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk import log
from kiosk.errors import KnownError
from kiosk.services import consult, consultations, divisions, payouts, push, requests
from kiosk.ui.keypad import Keypad
from kiosk.ui.receipt_view import ReceiptView
from kiosk.ui.tasks import run_held, run_task
from kiosk.ui.widgets import Beside, CurrentPageStack, FlowGrid, Notice, two_lines

_log = log.get("kiosk.ui")

DISCLOSURE, CALLBACK, COMMENT = "disclosure", "callback", requests.COMMENT_KIND
COMMENT_STEPS = ("stance", "text", "name", "phone", "confirm")
KIND_LINES = {
    DISCLOSURE: "申请获取补贴明细、文件全文等政府信息，依法书面答复",
    CALLBACK: "留下手机号，工作人员回电解答问题或预约办理",
}
QUESTIONS = {
    "name": "请写出您的姓名",
    "id_number": "请输入您的身份证号（18位，最后一位可能是X）",
    "phone": "请输入您的手机号（11位）",
    "wanted": "您想要哪方面的政府信息？",
    "delivery": "您想怎样拿到答复？",
    "address": "请写出邮寄地址（省市县、乡镇、村、门牌号）",
    "email": "请输入电子邮箱",
    "purpose": "用途（可不填，点“跳过”）",
    "topic": "您想咨询哪方面的事？",
    "preferred_time": "什么时间方便接听电话？",
    "text": "还想说明什么？（可不填，点“跳过”）",
    "confirm": "请核对，无误后点“提交”",
    "stance": "您对这一条的态度？",
}
# A comment's questions where they differ from a request's.
COMMENT_QUESTIONS = {
    "text": "写下您的意见（可不写，点“跳过”）",
    "name": "留下您的姓名（可不填，点“跳过”）",
    "phone": "留下手机号，方便县里联系您（可不填，点“跳过”）",
}
SIGNED_QUESTIONS = {"name": "此草案要求署名：请写出您的姓名",
                    "phone": "此草案要求署名：请输入您的手机号（11位）"}
SUGGESTION_QUESTION = "请写出您的修改建议"
LABELS = requests.LABELS
TEXT_STEPS = ("name", "address", "purpose", "text")  # written on the text-entry panel
# The steps with 跳过: the optional fields a villager writes. A time to call back may be left
# empty on the form too, but the page asks for a choice (随时可以 is one).
OPTIONAL = tuple(field for field in requests.OPTIONAL if field in TEXT_STEPS)
EMAIL_LETTERS = "abcdefghijklmnopqrstuvwxyz"
EMAIL_SYMBOLS = "0123456789@._-"
EMAIL_DOMAINS = ("@qq.com", "@163.com", "@126.com")
OTHER = "其他（自己写）"
DOCUMENTS = "规范性文件全文"


def group_phone(digits: str) -> str:
    return " ".join(part for part in (digits[:3], digits[3:7], digits[7:]) if part)


def _choices(labels: list[str], on_tap, columns: int = 3) -> tuple[QWidget, dict[str, QPushButton]]:
    """Big checkable answer buttons in a flowing grid (the chosen one stays marked)."""
    holder = QWidget()
    grid = FlowGrid(holder, max_columns=columns)
    buttons = {}
    for label in labels:
        button = QPushButton(label)
        button.setCheckable(True)
        button.setAccessibleName(label.replace("\n", " "))
        button.clicked.connect(lambda _=False, v=label: on_tap(v))
        grid.addWidget(button)
        buttons[label] = button
    return holder, buttons


def _field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setReadOnly(True)
    field.setAccessibleName(name)
    field.setStyleSheet("font-size: 30pt;")
    return field


class RequestsPage(QWidget):
    """Emits ``home_requested`` for 返回首页 on the receipt, ``progress_requested`` for
    查询办理进度 on the first screen."""

    home_requested = Signal()
    progress_requested = Signal()
    comment_left = Signal()  # 上一步 on a comment's first step: back to its draft

    def __init__(self, settings=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings  # kiosk.config.Settings: outbox_url and printer, read at use
        self.village_code: str | None = None  # the village the villager picked on the home page
        self.kind: str | None = None
        self.values: dict[str, str] = {}
        self.refers_to: dict[str, str] | None = None
        self.steps: list[str] = []
        self.index = -1  # -1: the kind choice
        self.receipt: requests.Receipt | None = None
        # The request being sealed off the UI thread (signing, sealing and the outbox's fsync
        # took 50-880 ms, a frozen screen after 提交); None when none is.
        self.sealing = None
        # What a comment is on: (draft, article, clause), from the consultation page.
        self.comment: tuple[consultations.DraftInfo, int, int | None] | None = None
        self._id_sealed = False  # the ID was entered and its step left: shown masked only
        self._writing_wanted = False
        self._suggestions: dict[str, dict[str, str] | None] = {}

        self.title = QLabel("我要申请·咨询")
        self.title.setObjectName("heading")
        self.back_button = QPushButton("上一步")
        self.back_button.setAccessibleName("上一步")
        self.back_button.clicked.connect(self.back)
        self.counter = QLabel("")
        self.counter.setAccessibleName("第几步")
        self.counter.setWordWrap(True)
        self.question = QLabel("")
        self.question.setWordWrap(True)
        self.question.setStyleSheet("font-weight: bold;")
        self.skip_button = QPushButton("跳过")
        self.skip_button.setAccessibleName("跳过这一步")
        self.skip_button.clicked.connect(self.skip)
        self.again_button = QPushButton("重新选择")
        self.again_button.setAccessibleName("重新选择所需信息")
        self.again_button.clicked.connect(lambda: self._write_wanted(False))
        self.next_button = QPushButton("下一步")
        self.next_button.setAccessibleName("下一步")
        self.next_button.clicked.connect(self.next)
        self.submit_button = QPushButton("提交")
        self.submit_button.setAccessibleName("提交申请")
        self.submit_button.clicked.connect(self.submit)
        words = QVBoxLayout()
        words.setSpacing(0)
        words.addWidget(self.counter)
        words.addWidget(self.question)
        nav = QHBoxLayout()
        nav.addWidget(self.back_button)
        nav.addLayout(words, stretch=1)
        nav.addWidget(self.again_button)
        nav.addWidget(self.skip_button)
        nav.addWidget(self.next_button)
        nav.addWidget(self.submit_button)
        self.nav = QWidget()
        self.nav.setLayout(nav)
        nav.setContentsMargins(0, 0, 0, 0)
        self.message = Notice("提示", warning=True)

        self.stack = CurrentPageStack()
        self.bodies: dict[str, QWidget] = {}
        self._build_kind()
        self._build_text_steps()
        # The steps with keypads hold most of the page's widgets: built after it
        # (finish_building), so that neither freezes the screen long.
        self._unbuilt = [self._build_id, self._build_phone, self._build_email]
        self._fields: list[QLineEdit] = []  # the keypads' fields built so far
        self._id = ""
        self._build_wanted()
        self._build_delivery()
        self._build_callback_choices()
        self._build_stance()
        self._build_confirm()
        self._build_receipt()
        self.panel = None  # the text-entry panel, made on the first text step

        self._layout = QVBoxLayout(self)
        self._layout.addWidget(self.title)
        self._layout.addWidget(self.nav)
        self._layout.addWidget(self.message)
        self._layout.addWidget(self.stack)
        self._layout.addStretch(1)
        self.clear()

    # -- building the steps --------------------------------------------------------------------

    def finish_building(self) -> None:
        """Build the next step with a keypad: a turn each after the page is in the window
        (kiosk.ui.shell's head start), or all before one is first shown."""
        if self._unbuilt:
            self._unbuilt.pop(0)()

    @property
    def building_finished(self) -> bool:
        return not self._unbuilt

    def _body(self, name: str) -> QVBoxLayout:
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        self.bodies[name] = body
        self.stack.addWidget(body)
        return layout

    def _build_kind(self) -> None:
        layout = self._body("kind")
        prompt = QLabel("请选择您要办的事")
        prompt.setWordWrap(True)
        layout.addWidget(prompt)
        holder = QWidget()
        grid = FlowGrid(holder, max_columns=1, spacing=16)
        self.kind_buttons: dict[str, QPushButton] = {}
        for kind, line in KIND_LINES.items():
            button = QPushButton(f"{requests.KINDS[kind]}\n{line}")
            button.setAccessibleName(requests.KINDS[kind])
            button.setMinimumHeight(140)
            button.clicked.connect(lambda _=False, k=kind: self.choose_kind(k))
            grid.addWidget(button)
            self.kind_buttons[kind] = button
        # Where a villager with a receipt looks: the same door they came in by.
        self.progress_button = QPushButton("查询办理进度\n已经提交过的，凭回执上的受理编号查询")
        self.progress_button.setAccessibleName("查询办理进度")
        self.progress_button.setMinimumHeight(140)
        self.progress_button.clicked.connect(self.progress_requested.emit)
        grid.addWidget(self.progress_button)
        layout.addWidget(holder)

    def _build_text_steps(self) -> None:
        self.shown_text: dict[str, QLabel] = {}
        for name in TEXT_STEPS:
            layout = self._body(name)
            shown = QLabel("")
            shown.setWordWrap(True)
            shown.setAccessibleName(f"已填写的{LABELS[name]}")
            self.shown_text[name] = shown
            layout.addWidget(shown)

    def _build_id(self) -> None:
        layout = self._body("id_number")
        self.id_field = _field("身份证号")
        self.id_clear = QPushButton("清空")
        self.id_clear.setAccessibleName("清空身份证号")
        self.id_clear.clicked.connect(lambda: self._set_id(""))
        self.id_keypad = Keypad(id_digits=True)
        self.id_keypad.typed.connect(self._id_typed)
        self.id_keypad.erased.connect(self._id_erased)
        layout.addWidget(Beside([self.id_field, self.id_clear], self.id_keypad))
        self._fields.append(self.id_field)

    def _build_phone(self) -> None:
        layout = self._body("phone")
        self.phone_field = _field("手机号")
        self.phone_keypad = Keypad(digits_only=True)
        self.phone_keypad.typed.connect(lambda c: self._set_phone(self.values.get("phone", "") + c))
        self.phone_keypad.erased.connect(lambda: self._set_phone(self.values.get("phone", "")[:-1]))
        self.phone_keypad.cleared.connect(lambda: self._set_phone(""))
        layout.addWidget(Beside([self.phone_field], self.phone_keypad))
        self._fields.append(self.phone_field)

    def _build_wanted(self) -> None:
        layout = self._body("wanted")
        self.wanted_holder = QWidget()
        self.wanted_grid = FlowGrid(self.wanted_holder, max_columns=2)
        self.wanted_buttons: dict[str, QPushButton] = {}
        layout.addWidget(self.wanted_holder)
        self.wanted_shown = QLabel("")
        self.wanted_shown.setWordWrap(True)
        self.wanted_shown.setAccessibleName("已填写的所需信息")
        layout.addWidget(self.wanted_shown)

    def _fill_suggestions(self) -> None:
        """What the kiosk can name for the village the villager picked, then 其他."""
        from kiosk.ui.widgets import clear_layout

        clear_layout(self.wanted_grid)
        self._suggestions = {}
        village = divisions.get_village(self.village_code) if self.village_code else None
        if village is not None:
            for year in payouts.years_for_village(village.code)[:2]:
                label = f"{village.name}{year}年度惠民惠农补贴发放明细"
                self._suggestions[label] = {"village": village.code, "year": str(year)}
        else:
            self._suggestions["本村惠民惠农补贴发放明细"] = None
        self._suggestions[DOCUMENTS] = None
        self._suggestions[OTHER] = None
        self.wanted_buttons = {}
        for label in self._suggestions:
            button = QPushButton(two_lines(label, longest=10))  # two to a row where they fit
            button.setCheckable(True)
            button.setAccessibleName(label)
            button.clicked.connect(lambda _=False, v=label: self._wanted_chosen(v))
            self.wanted_grid.addWidget(button)
            self.wanted_buttons[label] = button

    def _build_delivery(self) -> None:
        layout = self._body("delivery")
        holder, self.delivery_buttons = _choices(list(requests.DELIVERIES),
                                                 lambda v: self._chosen("delivery", v), columns=2)
        layout.addWidget(holder)

    def _build_email(self) -> None:
        layout = self._body("email")
        self.email_field = _field("电子邮箱")
        self.email_field.setStyleSheet("font-size: 24pt;")
        row = QHBoxLayout()
        row.addWidget(self.email_field, stretch=1)
        layout.addLayout(row)
        # Letters, or digits and symbols, as on a phone: both at once took five rows of keys.
        self.email_letters = Keypad(chars=EMAIL_LETTERS)
        self.email_symbols = Keypad(chars=EMAIL_SYMBOLS)
        self.domain_buttons = {}
        for domain in EMAIL_DOMAINS:
            button = QPushButton(domain)
            button.setAccessibleName(f"输入{domain}")
            button.clicked.connect(lambda _=False, d=domain: self._email_typed(d))
            self.email_symbols.layout().addWidget(button)
            self.domain_buttons[domain] = button
        self.email_switch = {}
        for keypad, label, other in ((self.email_letters, "数字符号", self.email_symbols),
                                     (self.email_symbols, "字母", self.email_letters)):  # fmt: skip
            keypad.layout().max_columns = 13
            keypad.typed.connect(self._email_typed)
            keypad.erased.connect(lambda: self._set_email(self.values.get("email", "")[:-1]))
            keypad.cleared.connect(lambda: self._set_email(""))
            switch = QPushButton(label)
            switch.setAccessibleName(f"换成{label}键盘")
            switch.clicked.connect(lambda _=False, k=other: self._email_keys(k))
            row.addWidget(switch)  # beside the field: in the grid it widened every key
            self.email_switch[label] = switch
            layout.addWidget(keypad)
        # 26 letters and 删除 make three full rows where nine fit (1280 px, 长辈模式); 清空 is
        # on the other pad.
        self.email_letters.keys["清空"].setVisible(False)
        self._email_keys(self.email_letters)
        self._fields.append(self.email_field)

    def _build_callback_choices(self) -> None:
        self.topic_layout = self._body("topic")
        self.topic_buttons: dict[str, QPushButton] = {}
        layout = self._body("preferred_time")
        holder, self.time_buttons = _choices(list(requests.CALLBACK_TIMES),
                                             lambda v: self._chosen("preferred_time", v))
        layout.addWidget(holder)

    def _fill_topics(self) -> None:
        if self.topic_buttons:
            return
        labels = [*consult.qa_categories(), "其他"]
        holder, self.topic_buttons = _choices(labels, lambda v: self._chosen("topic", v), columns=5)
        self.topic_layout.addWidget(holder)

    def _build_stance(self) -> None:
        layout = self._body("stance")
        self.article_shown = QLabel("")
        self.article_shown.setWordWrap(True)
        self.article_shown.setAccessibleName("条文")
        layout.addWidget(self.article_shown)
        holder, self.stance_buttons = _choices(list(consultations.STANCES),
                                               lambda v: self._chosen("stance", v))  # fmt: skip
        layout.addWidget(holder)

    def _build_confirm(self) -> None:
        layout = self._body("confirm")
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("填写内容")
        from PySide6.QtCore import Qt  # the page is built after the first frame: enums are set up

        self.summary.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.summary)

    def _build_receipt(self) -> None:
        self.receipt_view = ReceiptView(self.settings)
        self.receipt_view.done_requested.connect(self._done)
        self.bodies["receipt"] = self.receipt_view
        self.stack.addWidget(self.receipt_view)

    def _ensure_panel(self):
        if self.panel is None:
            # Imported here: the panel pulls in the handwriting engine, only needed to write.
            from kiosk.ui.handwriting_panel import TextEntryPanel

            self.panel = TextEntryPanel()
            self.panel.accepted.connect(self._written)
            self._layout.insertWidget(self._layout.indexOf(self.stack) + 1, self.panel, stretch=1)
        return self.panel

    # -- moving through the steps --------------------------------------------------------------

    def choose_kind(self, kind: str) -> None:
        self._forget_form()
        self.comment = None
        self.kind = kind
        self._plan()
        self.go_to(0)

    def start_callback(self, topic: str) -> None:
        """咨询·预约回电 about ``topic`` (from 政策找人: the policy it could not decide), asked
        from the phone number on; 上一步 still reaches the topic."""
        if self.receipt is not None:
            self.clear()
        self.choose_kind(CALLBACK)
        self.values["topic"] = topic
        self.go_to(self.steps.index("topic") + 1)

    def start_comment(self, draft: consultations.DraftInfo, article: int, clause: int | None) -> None:
        """A comment on one article of an open draft (from the consultation page)."""
        if self.receipt is not None:
            self.clear()
        self._forget_form()
        self.comment = (draft, article, clause)
        self.kind = COMMENT
        found = draft.article(article, clause)
        label = consultations.article_label(article, clause)
        text = found.text if found is not None and article != consultations.WHOLE else "对整个草案的总体意见"
        self.article_shown.setText(f"{label}：{text}")  # the counter above names the draft
        self._plan()
        self.go_to(0)

    def _about(self) -> str:
        """What the steps are about, for the counter: the kind, or the draft and article."""
        if self.comment is None:
            return requests.KINDS[self.kind]
        draft, article, clause = self.comment
        return f"对《{draft.title}》{consultations.article_label(article, clause)}发表意见"

    def _question(self, name: str) -> str:
        if self.kind != COMMENT:
            return QUESTIONS[name]
        if name == "text" and self.values.get("stance") == consultations.SUGGESTION:
            return SUGGESTION_QUESTION
        if name in SIGNED_QUESTIONS and not self._is_optional(name):
            return SIGNED_QUESTIONS[name]
        return COMMENT_QUESTIONS.get(name, QUESTIONS[name])

    def _label(self, name: str) -> str:
        """A field's name as the villager reads it: a comment's words are its 意见."""
        return "意见" if self.kind == COMMENT and name == "text" else LABELS[name]

    def _is_optional(self, name: str) -> bool:
        """May step ``name`` be left empty (it then offers 跳过)?"""
        if self.kind != COMMENT:
            return name in OPTIONAL
        if name == "text":
            return self.values.get("stance") != consultations.SUGGESTION
        if name in ("name", "phone"):
            return not self.comment[0].signed
        return False

    def _plan(self) -> None:
        """The steps for the kind and (for a disclosure) the delivery chosen so far."""
        if self.kind == COMMENT:
            self.steps = list(COMMENT_STEPS)
            return
        self.steps = [*requests.steps(self.kind, self.values.get("delivery", "")), "confirm"]

    def step(self) -> str:
        """The step shown: a name of QUESTIONS, "kind" or "receipt"."""
        if self.receipt is not None:
            return "receipt"
        return self.steps[self.index] if self.index >= 0 else "kind"

    def go_to(self, index: int) -> None:
        while not self.building_finished:
            self.finish_building()
        self._leave()
        self.index = index
        self.message.setText("")
        name = self.step()
        self.stack.setCurrentWidget(self.bodies[name])
        self.counter.setText(f"{self._about()} · 第{index + 1}步/共{len(self.steps)}步")
        self.question.setText(self._question(name))
        self.next_button.setVisible(name != "confirm")
        self.submit_button.setVisible(name == "confirm")
        self.skip_button.setVisible(name != "confirm" and self._is_optional(name))
        self.again_button.setVisible(name == "wanted" and self._writing_wanted)
        self.title.setVisible(False)
        self.nav.setVisible(True)
        self._enter(name)

    def _leave(self) -> None:
        """Keep what was written on the panel for the step being left."""
        if self.index < 0 or self.receipt is not None:
            return
        name = self.step()
        if name == "id_number" and self._id:
            self._id_sealed = True
            self.id_field.setText(requests.shown_id(self._id))
        if self.panel is not None and self.panel.isVisible() and self.panel.text().strip():
            self._store_written(name, self.panel.text().strip())

    def _enter(self, name: str) -> None:
        writing = name in TEXT_STEPS or (name == "wanted" and self._writing_wanted)
        if writing:
            self._ensure_panel().clear()
        if self.panel is not None:
            self.panel.setVisible(writing)
        # The panel takes the page's spare height while it shows (the pad grows with it).
        self._layout.setStretch(self._layout.count() - 1, 0 if writing else 1)
        if name in TEXT_STEPS:
            value = self.values.get(name, "")
            self.shown_text[name].setText(f"已填写：{value}（如需修改，请重新写后点“确定”）" if value else "")
            self.shown_text[name].setVisible(bool(value))
        elif name == "wanted":
            self._show_wanted()
        elif name == "id_number":
            hint = "已输入（已隐藏）。如需修改，请直接重新输入" if self._id_sealed else ""
            self.message.setText(hint)
        elif name == "topic":
            self._fill_topics()
        elif name == "confirm":
            self.summary.setText(self._summary())

    def next(self) -> None:
        self._leave()
        problem = self._problem(self.step())
        if problem:
            self.message.setText(problem)
            return
        if self.step() == "delivery":
            self._plan()  # 邮寄 and 电子邮件 add their step
        self.go_to(self.index + 1)

    def back(self) -> None:
        if self.index <= 0:
            self._leave()
            self._forget_form()
            self._show_kind()
            if self.comment is not None:
                self.comment = None
                self.comment_left.emit()
            return
        self.go_to(self.index - 1)

    def skip(self) -> None:
        self.values.pop(self.step(), None)
        if self.panel is not None:
            self.panel.clear()
        self.go_to(self.index + 1)

    def _problem(self, name: str) -> str:
        """What is missing or plainly wrong on step ``name`` ("" when it may be left)."""
        value = self._id if name == "id_number" else self.values.get(name, "")
        if name == "confirm" or (self._is_optional(name) and not (self.kind == COMMENT and value)):
            return ""
        wrong = requests.field_problem(name, value)  # ID, phone and email: the form's shapes
        if wrong:
            return wrong
        if not value:
            label = self._label(name)
            return f"请先填写{label}" if name in TEXT_STEPS else f"请先选择{label}"
        return ""

    # -- answers ---------------------------------------------------------------------------------

    def _written(self, text: str) -> None:
        """确定 on the panel: keep the text and go on."""
        if text.strip():
            self._store_written(self.step(), text.strip())
            self.panel.clear()
        self.next()

    def _store_written(self, name: str, text: str) -> None:
        if name == "wanted":
            self.values["wanted"] = text
            self.refers_to = None
        elif name in TEXT_STEPS:
            self.values[name] = text

    def _chosen(self, name: str, value: str) -> None:
        self.values[name] = value
        buttons = {"delivery": self.delivery_buttons, "topic": self.topic_buttons,
                   "preferred_time": self.time_buttons, "stance": self.stance_buttons}[name]  # fmt: skip
        for label, button in buttons.items():
            button.setChecked(label == value)
        if name == "delivery":  # a contact for another way is no longer asked for
            for other in requests.CONTACT_FIELDS:
                if requests.needed_contact(value) != other:
                    self.values.pop(other, None)
            self.email_field.setText(self.values.get("email", ""))
        self.next()

    def _wanted_chosen(self, label: str) -> None:
        if label == OTHER:
            self._write_wanted(True)
            return
        self.values["wanted"] = label
        self.refers_to = self._suggestions.get(label)
        self.next()

    def _write_wanted(self, on: bool) -> None:
        self._writing_wanted = on
        self._enter("wanted")

    def _show_wanted(self) -> None:
        if not self.wanted_buttons:
            self._fill_suggestions()
        value = self.values.get("wanted", "")
        for label, button in self.wanted_buttons.items():
            button.setChecked(label == value)
        self.wanted_holder.setVisible(not self._writing_wanted)
        self.again_button.setVisible(self._writing_wanted)
        writing = "请写出您想要的信息，写完点“确定”"
        self.question.setText(writing if self._writing_wanted else QUESTIONS["wanted"])
        self.wanted_shown.setText(f"已填写：{value}" if value else "")
        self.wanted_shown.setVisible(bool(value))

    def _id_typed(self, char: str) -> None:
        self._set_id(char if self._id_sealed else (self._id + char)[:18])

    def _id_erased(self) -> None:
        self._set_id("" if self._id_sealed else self._id[:-1])

    def _set_id(self, value: str) -> None:
        self._id_sealed = False
        self._id = value
        self.id_field.setText(" ".join(p for p in (value[:6], value[6:14], value[14:]) if p))
        if self.step() == "id_number":
            self.message.setText("")

    def _set_phone(self, digits: str) -> None:
        self.values["phone"] = digits[:11]
        self.phone_field.setText(group_phone(self.values["phone"]))

    def _email_keys(self, keypad: Keypad) -> None:
        self.email_letters.setVisible(keypad is self.email_letters)
        self.email_symbols.setVisible(keypad is self.email_symbols)
        self.email_switch["数字符号"].setVisible(keypad is self.email_letters)
        self.email_switch["字母"].setVisible(keypad is self.email_symbols)

    def _email_typed(self, text: str) -> None:
        self._set_email(self.values.get("email", "") + text)

    def _set_email(self, text: str) -> None:
        self.values["email"] = text[:100]
        self.email_field.setText(self.values["email"])

    def _summary(self, spoken: bool = False) -> str:
        """The answers for 确认. ``spoken`` (朗读, heard by the whole hall) names only which
        questions are answered, never what was typed."""
        rows = []
        if self.comment is not None:
            draft, article, clause = self.comment
            rows.append(f"草案：《{draft.title}》{consultations.article_label(article, clause)}")
        for name in self.steps:
            if name == "confirm":
                continue
            value = requests.shown_id(self._id) if name == "id_number" else self.values.get(name, "")
            if spoken:
                shown = value if name == "stance" else ("已填写" if value else "未填写")
                rows.append(f"{self._label(name)}{shown}")
                continue
            if name == "phone":
                value = group_phone(value)
            rows.append(f"{self._label(name)}：{value or '未填写'}")
        return ("，".join(rows) + "。请看屏幕核对") if spoken else "\n".join(rows)

    def form(self) -> dict:
        """The form as kiosk.services.requests.submit takes it."""
        fields = [n for n in self.steps if n != "confirm"]
        form = {n: (self._id if n == "id_number" else self.values.get(n, "")) for n in fields}
        form = {k: v for k, v in form.items() if v}
        if self.kind == DISCLOSURE and self.refers_to:
            form["refers_to"] = dict(self.refers_to)
        return form

    # -- submitting --------------------------------------------------------------------------------

    def submit(self) -> None:
        """Seal the confirmed form on a worker thread; the receipt (or what is wrong) is shown
        when it is done. A reset meanwhile drops the answer: the request is sealed and queued
        all the same (the villager did tap 提交), but its receipt is not the next villager's."""
        if self.kind is None or self.step() != "confirm" or self.sealing is not None:
            return
        seal = self._sealer()
        self.submit_button.setEnabled(False)
        self.message.setText("正在提交，请稍候……")
        run_held(self, "sealing", lambda _task: seal(), name="seal-request", on_success=self._sealed,
                 on_failure=self._refused, on_done=lambda: self.submit_button.setEnabled(True))  # fmt: skip

    def _refused(self, exc: KnownError) -> None:
        if isinstance(exc, requests.NoCountyKey):
            self.message.setText(f"{exc.zh}。您填写的内容仍保留在本页，同步后可直接点“提交”。")
            return
        field = {"refers_to": "wanted"}.get(getattr(exc, "field", None), getattr(exc, "field", None))
        if field in self.steps:
            self.go_to(self.steps.index(field))
        self.message.setText(exc.zh)

    def _sealed(self, receipt: requests.Receipt) -> None:
        self._forget_form()  # sealed: the plain form has no further use here
        self.receipt = receipt
        self._show_receipt(receipt)
        url = str(self.settings.get("outbox_url")) if self.settings is not None else ""
        # A comment waits for the background round's push: the county tallies comments after
        # the period ends, and a push on a thread of its own after every comment kept ~150 KB
        # each (a simulated day of them: RSS 190 -> 206 MB; without: flat).
        if url and self.kind != COMMENT:
            # Failures stay queued in the outbox for the next push or a USB export.
            run_task(lambda _task: push.push_to_url(url), name="push-requests",
                     on_failure=lambda error: _log.info("request push failed: %s", error.en))  # fmt: skip

    def _sealer(self) -> Callable[[], requests.Receipt]:
        """What seals this form, with its values taken now (the worker touches no widget)."""
        if self.kind != COMMENT:
            kind, form = self.kind, self.form()
            return lambda: requests.submit(kind, form)
        draft, article, clause = self.comment
        stance, text, name, phone = (self.values.get(k, "") for k in ("stance", "text", "name", "phone"))
        return lambda: consultations.submit_comment(draft, article, clause, stance, text, name, phone)

    def _show_receipt(self, receipt: requests.Receipt) -> None:
        self.title.setVisible(False)
        self.nav.setVisible(False)
        self.message.setText("")
        if self.panel is not None:
            self.panel.setVisible(False)
        self.receipt_view.show_receipt(receipt)
        self.stack.setCurrentWidget(self.receipt_view)

    def _done(self) -> None:
        self.clear()
        self.home_requested.emit()

    # -- forgetting --------------------------------------------------------------------------------

    def _forget_form(self) -> None:
        """Drop every answer from memory and from the widgets."""
        self.values = {}
        self.refers_to = None
        self._id, self._id_sealed = "", False
        self._writing_wanted = False
        if "email" in self.bodies:
            self._email_keys(self.email_letters)
        for field in self._fields:
            field.clear()
        for label in (*self.shown_text.values(), self.wanted_shown, self.summary):
            label.clear()
        for group in (self.delivery_buttons, self.topic_buttons, self.time_buttons, self.wanted_buttons,
                      self.stance_buttons):
            for button in group.values():
                button.setChecked(False)
        if self.panel is not None:
            self.panel.clear()

    def _show_kind(self) -> None:
        self.kind, self.index, self.steps = None, -1, []
        self.title.setText("我要申请·咨询")
        self.title.setVisible(True)
        self.nav.setVisible(False)
        self.message.setText("")
        if self.panel is not None:
            self.panel.setVisible(False)
        self.stack.setCurrentWidget(self.bodies["kind"])

    def start(self) -> None:
        """Opened from the home page: a receipt left on screen is not the next villager's."""
        if self.receipt is not None:
            self.clear()
        self.wanted_buttons = {}  # the village may have changed: suggestions are made afresh

    def clear(self) -> None:
        """Idle reset: every answer, the receipt, and the panel's ink forgotten."""
        self.sealing = None  # a receipt still being made is not shown to whoever comes next
        self.submit_button.setEnabled(True)
        self.receipt = None
        self.comment = None
        self.article_shown.clear()
        self._forget_form()
        self.receipt_view.clear()
        self.wanted_buttons = {}
        self._show_kind()

    def spoken_text(self) -> str:
        if self.step() == "receipt":
            return self.receipt_view.spoken_text()
        shown = self._summary(spoken=True) if self.step() == "confirm" else ""
        if self.step() == "stance":  # the article the villager is asked about, read out
            shown = self.article_shown.text()
        parts = (self.title.text() if self.index < 0 else self.counter.text(), self.question.text(),
                 self.message.text(), shown)
        return "。".join(t for t in parts if t)
