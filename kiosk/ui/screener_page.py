"""政策找人: about ten questions, one a screen, big buttons, each skippable with 不清楚 and
上一步 always there; then what the villager may be missing, in three groups: 可能符合 (what
it gives, where, what to bring, the phone; or 免申即享), 无法判断 (what is missing, and one tap
to 咨询·预约回电 about it) and 可能不符合 (the condition that failed, with its source).

The answers live in a Screening (kiosk.services.screener) for as long as the page shows it:
leaving by the idle reset forgets them, and nothing is stored, logged or sent.
"""

import html
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from kiosk.formats.screening import BY_CODE, UNKNOWN, Question
from kiosk.services import screener
from kiosk.services.screener import PolicyLine, Result, Screening
from kiosk.ui.printing import print_in_background
from kiosk.ui.tasks import Task
from kiosk.ui.widgets import CurrentPageStack, FlowGrid, Notice, clear_layout, kinetic

TITLE = "政策找人"
INTRO = ("回答几个简单问题（大约10个），看看您或家人可能还有哪些补贴、救助没有领。\n"
         "每题都可以点“不清楚”跳过，随时可以点“上一步”修改。\n"
         "您的回答不保存、不上传，离开后自动清除。结果仅供参考，以主管部门审核为准。")  # fmt: skip
NO_RULES = "县里还没有发布政策找人的规则，请到“政策咨询”查看各项政策，或拨打咨询电话"
GROUPS = ((screener.LIKELY, "可能符合", "这些政策您可能符合条件，可以去申请（免申即享的不用申请）。"
                                  "结果仅供参考，以主管部门审核为准"),
          (screener.UNDECIDED, "无法判断", "还需要核实，可以电话咨询，或点“咨询·预约回电”请工作人员回电"),
          (screener.UNLIKELY, "可能不符合", "按您的回答，这些政策的条件不满足（括号里是依据）"))  # fmt: skip


def line_html(line: PolicyLine) -> str:
    """One policy of the result: its name, why it is in its group, and what to do."""
    e = html.escape
    parts = [f"<b style='font-size:larger'>{e(line.name)}</b>"]
    if line.outcome == screener.LIKELY:
        parts.append(f"待遇：{e(line.benefit)}")
        if line.automatic:
            parts.append("<b>免申即享</b>：不用申请，由主管部门直接发放；没有收到请打电话问")
        else:
            parts.append(f"到哪里办：{e(line.place)}")
            parts.append(f"带什么：{e(line.materials)}")
            if line.time_limit:
                parts.append(f"时限：{e(line.time_limit)}")
        parts.append(f"咨询电话：{e(line.phone)}（{e(line.department)}）")
        parts.append(f"<span style='color:#444'>依据：{e(line.reference)}</span>")
    elif line.outcome == screener.UNDECIDED:
        parts.append(f"还不能判断：{e(line.reason)}")
        parts.append(f"咨询电话：{e(line.phone)}（{e(line.department)}）")
    else:
        parts.append(e(line.reason))
    return "<br>".join(parts)


def _button(text: str, on_tap) -> QPushButton:
    """A button whose accessible name is its words; a tap calls ``on_tap()``."""
    button = QPushButton(text)
    button.setAccessibleName(text)
    button.clicked.connect(lambda _=False: on_tap())
    return button


def _option_button(text: str, question: str, on_tap) -> QPushButton:
    button = _button(text, lambda: on_tap(text, question))
    button.setCheckable(True)  # the answer given before 上一步 stays marked
    return button


class ScreenerPage(QWidget):
    """Emits ``callback_requested(topic)`` for 咨询·预约回电 about one undecided policy."""

    callback_requested = Signal(str)

    def __init__(self, settings=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings
        self.place = ""  # where the checklist says it was printed (the shell sets the town)
        self.session: Screening | None = None
        self.result: Result | None = None
        self.question: Question | None = None
        self.task: Task | None = None
        self._shown = 0  # which result the cards being added belong to (_add_groups)
        self.filling = False  # cards of the result shown are still being added
        self.title = QLabel(TITLE)
        self.title.setObjectName("heading")
        self.title.setWordWrap(True)
        self.restart = _button("重新开始", self.begin)
        top = QHBoxLayout()
        top.addWidget(self.title, stretch=1)
        top.addWidget(self.restart)

        self.stack = CurrentPageStack()
        self.intro_view = self._intro()
        self.question_view = self._question()
        self.result_view = self._result()
        self.detail_view = self._detail()
        for view in (self.intro_view, self.question_view, self.result_view, self.detail_view):
            self.stack.addWidget(view)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.stack, stretch=1)
        self.show_intro()

    # -- the views ------------------------------------------------------------------------------

    def _intro(self) -> QWidget:
        view = QWidget()
        layout = QVBoxLayout(view)
        layout.setContentsMargins(0, 0, 0, 0)
        self.intro = QLabel(INTRO)
        self.intro.setWordWrap(True)
        self.start_button = QPushButton("开始")
        self.start_button.setAccessibleName("开始回答问题")
        self.start_button.setStyleSheet("font-size: 28pt; font-weight: bold;")
        self.start_button.clicked.connect(self.begin)
        layout.addWidget(self.intro)
        layout.addWidget(self.start_button)
        layout.addStretch(1)
        return view

    def _question(self) -> QWidget:
        view = QWidget()
        layout = QVBoxLayout(view)
        layout.setContentsMargins(0, 0, 0, 0)
        self.counter = QLabel("")
        self.asked = QLabel("")
        self.asked.setObjectName("heading")
        self.asked.setWordWrap(True)
        self.hint = Notice("提示")
        self.options = FlowGrid(max_columns=4)
        self.option_buttons: dict[str, QPushButton] = {}
        self.back_button = _button("上一步", self.back)
        self.unknown_button = _button("不清楚，跳过", lambda: self.choose(UNKNOWN))
        nav = QHBoxLayout()
        nav.addWidget(self.back_button)
        nav.addStretch(1)
        nav.addWidget(self.unknown_button)
        layout.addWidget(self.counter)
        layout.addWidget(self.asked)
        layout.addWidget(self.hint)
        layout.addLayout(self.options)
        layout.addStretch(1)
        layout.addLayout(nav)
        return view

    def _result(self) -> QWidget:
        view = QWidget()
        layout = QVBoxLayout(view)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("font-weight: bold;")
        # The cards scroll inside the page: a long result keeps the buttons below them on screen.
        self.result_area = QScrollArea()
        self.result_area.setWidgetResizable(True)
        self.result_area.setAccessibleName("政策找人结果")
        holder = QWidget()
        self.lines = QVBoxLayout(holder)
        self.lines.setContentsMargins(0, 0, 0, 0)
        self.result_area.setWidget(holder)
        kinetic(self.result_area, holds_buttons=True)
        self.print_message = Notice("打印状态")
        self.print_button = _button("打印申办清单", self.print_checklist)
        self.change_button = _button("上一步，修改回答", self.back)
        buttons = QHBoxLayout()
        buttons.addWidget(self.change_button)
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        # The buttons below the cards: what the villager came for gets the top of the screen.
        layout.addWidget(self.summary)
        layout.addWidget(self.result_area, stretch=1)
        layout.addWidget(self.print_message)
        layout.addLayout(buttons)
        return view

    def _detail(self) -> QWidget:
        view = QWidget()
        layout = QVBoxLayout(view)
        layout.setContentsMargins(0, 0, 0, 0)
        self.detail = QTextBrowser()
        self.detail.setAccessibleName("政策文件或问答")
        self.detail.setMinimumHeight(400)
        kinetic(self.detail)
        self.detail_back = _button("返回结果", lambda: self.stack.setCurrentWidget(self.result_view))
        layout.addWidget(self.detail_back)
        layout.addWidget(self.detail, stretch=1)
        return view

    # -- the journey ------------------------------------------------------------------------------

    def show_intro(self) -> None:
        """The first screen; the rules are looked for afresh (a sync may have brought them)."""
        self.session, self.result, self.question = None, None, None
        has_rules = screener.has_rules()
        self.intro.setText(INTRO if has_rules else NO_RULES)
        self.start_button.setVisible(has_rules)
        self.title.setText(TITLE)
        self.restart.setVisible(False)
        self.stack.setCurrentWidget(self.intro_view)

    def begin(self) -> None:
        """A new screening, with the rules as the last sync left them."""
        self.session = Screening(screener.load_rules())
        self.result = None
        self.restart.setVisible(True)
        self._ask()

    def _ask(self, chosen: str | None = None) -> None:
        question = self.session.question()
        if question is None:
            self.show_result()
            return
        self._show_question(question, chosen)

    def _show_question(self, question: Question, chosen: str | None = None) -> None:
        self.question = question
        number = len(self.session.answers) + 1
        remaining = self.session.remaining()
        self.title.setText(f"{TITLE} · 第{number}题")
        self.counter.setText(f"最多还有 {remaining} 题" if remaining > 1 else "这是最后一题")
        self.asked.setText(question.text)
        self.hint.setText(question.note)
        clear_layout(self.options)
        self.option_buttons = {}
        for option in question.options:
            button = _option_button(option.label, question.code, self.choose)
            button.setChecked(option.label == chosen)
            self.options.addWidget(button)
            self.option_buttons[option.label] = button
        self.unknown_button.setStyleSheet("font-weight: bold;" if chosen == UNKNOWN else "")
        self.stack.setCurrentWidget(self.question_view)

    def choose(self, label: str, question: str | None = None) -> None:
        """An answer (or 不清楚) to the question shown; on to the next that matters. A tap
        that reaches a button of a question no longer shown (deleted later, still there for
        one turn of the event loop) is not an answer to this one."""
        if self.session is None or self.question is None or question not in (None, self.question.code):
            return
        self.session.answer(self.question.code, label)
        self._ask()

    def back(self) -> None:
        """上一步: the last answer taken back and its question shown again, marked."""
        if self.session is None:
            self.show_intro()
            return
        chosen = self.session.answers.get(next(reversed(self.session.answers), ""), None)
        code = self.session.back()
        if code is None:
            self.show_intro()
            return
        self.result = None
        self._forget_cards()
        self._show_question(BY_CODE[code], chosen)

    def show_result(self) -> None:
        self.result = result = self.session.result()
        self.question = None
        self.title.setText(f"{TITLE} · 结果")
        counts = (
            f"可能符合 {len(result.likely)} 项，无法判断 {len(result.undecided)} 项，"
            f"可能不符合 {len(result.unlikely)} 项"
        )
        self.summary.setText(f"共回答 {len(self.session.answers)} 题：{counts}")
        self._forget_cards()
        self.print_button.setVisible(bool(result.likely or result.undecided))
        self.print_message.clear()
        self.stack.setCurrentWidget(self.result_view)
        groups = {screener.LIKELY: result.likely, screener.UNDECIDED: result.undecided,
                  screener.UNLIKELY: result.unlikely}  # fmt: skip
        self._add_groups(self._shown, [(*g, groups[g[0]]) for g in GROUPS if groups[g[0]]])

    def _forget_cards(self) -> None:
        """The cards of the last result gone, and any still to be added called off."""
        self._shown += 1
        clear_layout(self.lines)
        self.filling = False

    def _add_groups(self, shown: int, pending: list) -> None:
        """One group of cards per turn of the event loop, the likely ones first: all twelve
        policies' cards made and styled at once froze the screen ~55 ms."""
        if shown != self._shown:  # the villager went back, or the kiosk was reset
            return
        if not pending:
            self.lines.addStretch(1)
            self.filling = False
            return
        self.filling = True
        _, heading, explanation, lines = pending[0]
        title = QLabel(f"{heading}（{len(lines)} 项）")
        title.setObjectName("heading")
        note = QLabel(explanation)
        note.setWordWrap(True)
        self.lines.addWidget(title)
        self.lines.addWidget(note)
        for line in lines:
            self.lines.addWidget(self._card(line))
        QTimer.singleShot(0, self, lambda: self._add_groups(shown, pending[1:]))

    def _card(self, line: PolicyLine) -> QFrame:
        card = QFrame()
        card.setFrameShape(QFrame.Shape.Box)
        layout = QVBoxLayout(card)
        text = QLabel(line_html(line))
        text.setWordWrap(True)
        text.setAccessibleName(line.name)
        layout.addWidget(text)
        actions = QHBoxLayout()
        if line.document is not None:
            actions.addWidget(_button("政策文件", lambda: self.show_link(line.document)))
        if line.qa is not None:
            actions.addWidget(_button("相关问答", lambda: self.show_link(line.qa)))
        if line.outcome == screener.UNDECIDED:
            topic = f"政策找人：{line.name}"
            actions.addWidget(_button("咨询·预约回电", lambda: self.callback_requested.emit(topic)))
        actions.addStretch(1)
        layout.addLayout(actions)
        return card

    def show_link(self, link: screener.Link) -> None:
        """A policy's document or Q&A, read here; 返回结果 goes back."""
        e = html.escape
        body = "".join(f"<p>{e(p)}</p>" for p in link.body.splitlines() if p.strip())
        self.detail.setHtml(f"<h2>{e(link.title)}</h2>{body}")
        self.stack.setCurrentWidget(self.detail_view)

    # -- printing ---------------------------------------------------------------------------------

    def print_checklist(self) -> None:
        """打印申办清单, made and sent off the UI thread; none of the answers is on it."""
        if self.result is None or self.task is not None:
            return
        sheet = screener.checklist(self.result, self.place)
        configured = str(self.settings.get("printer")) if self.settings is not None else ""
        print_in_background(self, lambda pdf: _write_checklist(sheet, pdf), configured, "政策找人申办清单",
                            what="checklist", name="print-checklist", button=self.print_button,
                            message=self.print_message, sending="正在打印申办清单……",
                            sent=lambda name: f"申办清单已发送到打印机“{name}”，请到打印机处取",
                            failed=lambda error: f"{error.zh}。可以拍下屏幕上的结果，"
                                                 "或请工作人员帮助")  # fmt: skip

    # -- read aloud, reset ---------------------------------------------------------------------------

    def spoken_text(self) -> str:
        current = self.stack.currentWidget()
        if current is self.question_view and self.question is not None:
            options = "、".join(self.question.labels)
            return f"{self.title.text()}。{self.question.text}。可以选：{options}。不清楚可以跳过"
        if current is self.result_view and self.result is not None:
            return f"{self.summary.text()}。{self.result.spoken_text()}"
        if current is self.detail_view:
            return self.detail.toPlainText()
        return f"{TITLE}。{self.intro.text()}"

    def clear(self) -> None:
        """Idle reset: every answer and the result forgotten, back to the first screen."""
        self.task = None
        self.print_button.setEnabled(True)
        self._forget_cards()
        clear_layout(self.options)
        self.option_buttons = {}
        self.detail.clear()
        self.summary.clear()
        self.show_intro()


def _write_checklist(sheet, pdf: Path) -> None:
    """Worker thread: the 申办清单 as a PDF at ``pdf``."""
    from printing.screening import render_checklist

    pdf.write_bytes(render_checklist(sheet))
