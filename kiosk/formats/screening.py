"""政策找人: which policies a villager may be missing, from about ten multiple-choice answers.

The rules are data. The county types them into ``screening.xlsx`` (kiosk.formats.screening_book
reads it); the feed carries them as two datasets (screening_policies, screening_conditions);
both programs evaluate them here, with no code and no expression string taken from the feed.
A terminal understands exactly these forms:

- QUESTIONS: the fixed questions, each a choice among its options; an age or an income is
  asked as a range (a band with numeric bounds), never as an amount.
- four comparisons: 至少 (the answer's whole band is ≥ a number), 低于 (< a number), 属于 (the
  answer is one of the options listed) and 不属于.
- a policy is met when **every** 条件组 (condition group) is met; a group is met when **any**
  of its conditions is. One condition per group is a plain "and".
- each condition row holds one dated value (生效日期 … 失效日期, both days included) and the
  reference it comes from; rows of the same condition must not overlap and, together, must
  cover the policy's own period.

Three answers, never a bare yes or no (Kleene's logic): a condition is met, failed, or cannot
be told: the question was answered 不清楚 or skipped, or the chosen band straddles the
threshold (每人每月 500至799元 against a standard of 640). A group is failed only when all of
its conditions failed, a policy only when one of its groups did; so a 不清楚 never makes a
policy 可能不符合 (MyFriendBen's lesson), it makes it 无法判断 with what is missing named.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise

UNKNOWN = "不清楚"
LIKELY, UNLIKELY, UNDECIDED = "可能符合", "可能不符合", "无法判断"
OUTCOMES = (LIKELY, UNLIKELY, UNDECIDED)
AT_LEAST, BELOW, ONE_OF, NONE_OF = "至少", "低于", "属于", "不属于"
COMPARISONS = (AT_LEAST, BELOW, ONE_OF, NONE_OF)
NUMERIC = (AT_LEAST, BELOW)
AUTOMATIC = "免申即享"
MODES = ("依申请", AUTOMATIC)
SEPARATORS = "、，,;；/ "
MAX_GROUPS = 20


@dataclass(frozen=True)
class Option:
    """One answer a villager can tap; ``low``/``high`` bound a band (``low`` ≤ x < ``high``,
    ``high`` None for "and above")."""

    label: str
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Question:
    code: str  # what the workbook's 问题 column and the answers file name it by
    text: str  # what the villager reads (and hears)
    options: tuple[Option, ...]
    note: str = ""  # a line under the question

    @property
    def numeric(self) -> bool:
        return all(o.low is not None for o in self.options)

    def option(self, label: str) -> Option | None:
        return next((o for o in self.options if o.label == label), None)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(o.label for o in self.options)


def _yes_no(code: str, text: str, note: str = "") -> Question:
    return Question(code, text, (Option("是"), Option("否")), note)


def _bands(
    code: str, text: str, bands: Iterable[tuple[str, float, float | None]], note: str = ""
) -> Question:
    return Question(code, text, tuple(Option(label, low, high) for label, low, high in bands), note)


# The order is the order they are asked in; a question no undecided policy needs is skipped.
QUESTIONS: tuple[Question, ...] = (
    _yes_no("户籍", "要查的这位，户口在本县吗？"),
    _bands("年龄", "这位今年多大年龄？", (
        ("不满16岁", 0, 16), ("16至59岁", 16, 60), ("60至69岁", 60, 70), ("70至79岁", 70, 80),
        ("80至89岁", 80, 90), ("90至99岁", 90, 100), ("100岁及以上", 100, None))),
    _bands("家庭人口", "家里一起生活的有几口人？", (
        ("1人", 1, 2), ("2人", 2, 3), ("3人", 3, 4), ("4人", 4, 5), ("5人及以上", 5, None))),
    _bands("人均月收入", "家里平均每人每月收入大约多少？", (
        ("不到400元", 0, 400), ("400至599元", 400, 600), ("600至799元", 600, 800),
        ("800至1199元", 800, 1200), ("1200至1999元", 1200, 2000), ("2000元及以上", 2000, None)),
        "全家一年的收入（种地、打工、养老金等）除以12个月，再除以人数"),
    Question("低保特困", "家里现在是低保户，或者这位是特困供养人员吗？",
             (Option("低保户"), Option("特困人员"), Option("都不是"))),
    _yes_no("无劳动能力", "这位是否没有劳动能力、没有收入来源，也没有子女等能赡养的人？"),
    Question("残疾证", "这位有没有残疾证？是几级？",
             (Option("没有"), Option("一级"), Option("二级"), Option("三级"), Option("四级"))),
    Question("种地", "家里有没有承包地？大约多少亩？",
             (Option("没有承包地"), Option("10亩以下"), Option("10至49亩"), Option("50亩及以上"))),
    _yes_no("计生家庭", "这位是农村独生子女或者双女孩家庭的父母吗？"),
    _yes_no("重病", "过去一年，家里有没有人得重病、看病自己花了很多钱？"),
    _yes_no("突发困难", "最近家里有没有遭遇火灾、车祸等突发事件，生活一时过不下去？"),
    _yes_no("退役军人", "这位是退役军人、烈士遗属或者伤残军人吗？"),
    Question("在读学生", "家里有没有正在上学的孩子？",
             (Option("没有"), Option("幼儿园或义务教育"), Option("高中或中职"), Option("大学"))),
)  # fmt: skip
BY_CODE = {q.code: q for q in QUESTIONS}


class RuleError(ValueError):
    """A condition a terminal does not understand: (中文, English) and the column at fault."""

    def __init__(self, column: str, zh: str, en: str):
        super().__init__(en)
        self.column, self.zh, self.en = column, zh, en


def _date(value: str | dt.date | None) -> dt.date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def parse_value(question_code: str, comparison: str, value: str) -> float | frozenset[str]:
    """The value of a condition as the engine holds it: a number for 至少/低于, the set of
    options for 属于/不属于.

    Raises:
        RuleError: an unknown question or comparison, a number for a question without bands,
            an option the question does not offer.
    """
    question = BY_CODE.get(question_code)
    if question is None:
        known = "、".join(BY_CODE)
        raise RuleError(
            "问题", f"没有问题“{question_code}”（可用的问题：{known}）", f"unknown question '{question_code}'"
        )
    if comparison not in COMPARISONS:
        raise RuleError(
            "比较",
            f"不认识的比较“{comparison}”（只能是 {'、'.join(COMPARISONS)}）",
            f"unknown comparison '{comparison}'",
        )
    if comparison in NUMERIC:
        if not question.numeric:
            raise RuleError("比较", f"问题“{question_code}”的回答是选项，不能用“{comparison}”比较，"
                            f"请用“{ONE_OF}”或“{NONE_OF}”", f"question '{question_code}' has no bands:"
                            f" '{comparison}' cannot compare it")  # fmt: skip
        try:
            number = float(value)
        except ValueError:
            raise RuleError(
                "取值",
                f"“{comparison}”后应是一个数，收到“{value}”",
                f"'{comparison}' takes a number, got '{value}'",
            ) from None
        if number != number or number in (float("inf"), float("-inf")) or number < 0:
            raise RuleError("取值", f"“{value}”不是可用的数", f"'{value}' is not a usable number")
        return number
    labels = frozenset(part for part in split_values(value) if part)
    if not labels:
        raise RuleError(
            "取值",
            f"“{comparison}”后应列出“{question_code}”的选项",
            f"'{comparison}' needs options of '{question_code}'",
        )
    unknown = sorted(labels - set(question.labels))
    if unknown:
        offered = "、".join(question.labels)
        raise RuleError("取值", f"问题“{question_code}”没有选项“{'、'.join(unknown)}”（选项：{offered}）",
                        f"question '{question_code}' has no option {unknown}")  # fmt: skip
    return labels


def split_values(value: str) -> list[str]:
    """A cell listing several values: 一级、二级 (、，,;；/ or spaces between them)."""
    parts = [value.strip()]
    for separator in SEPARATORS:
        parts = [p.strip() for part in parts for p in part.split(separator)]
    return parts


@dataclass(frozen=True)
class Condition:
    """One dated value of one condition of a policy (a row of the 条件 sheet)."""

    policy: str
    group: int
    question: str
    comparison: str
    value: str
    label: str  # how people say it: 年满80周岁
    reference: str  # where it comes from: 莘政办发〔2025〕9号 第三条
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    parsed: float | frozenset[str] = field(init=False, compare=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "parsed", parse_value(self.question, self.comparison, self.value))

    @property
    def identity(self) -> tuple[str, int, str, str]:
        """Rows with the same identity are the dated values of one condition."""
        return self.policy, self.group, self.question, self.comparison

    def applies_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )

    def test(self, answer: str | None) -> bool | None:
        """Met, failed, or None: not answered, 不清楚, or a band on both sides of the value."""
        if answer is None or answer == UNKNOWN:
            return None
        if self.comparison in NUMERIC:
            option = BY_CODE[self.question].option(answer)
            number, low, high = self.parsed, option.low, option.high
            at_least = True if low >= number else False if high is not None and high <= number else None
            if self.comparison == AT_LEAST or at_least is None:
                return at_least
            return not at_least
        inside = answer in self.parsed
        return inside if self.comparison == ONE_OF else not inside

    def text(self) -> str:
        """高龄津贴's 年满80周岁（莘政办发〔2025〕9号）: the condition and its source."""
        return f"{self.label}（{self.reference}）"


@dataclass(frozen=True)
class Policy:
    """A row of the 政策 sheet with its conditions."""

    code: str
    name: str
    category: str
    department: str
    benefit: str  # what it gives
    mode: str  # 依申请 or 免申即享
    place: str
    materials: str
    phone: str
    time_limit: str
    reference: str
    valid_from: dt.date
    valid_until: dt.date | None = None
    document_index: str = ""  # the 规范性文件 on the terminal (its 索引号)
    qa_code: str = ""  # its question in the 政策问答库
    remark: str = ""
    conditions: tuple[Condition, ...] = ()

    @property
    def automatic(self) -> bool:
        return self.mode == AUTOMATIC

    def in_force(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    def groups_on(self, day: dt.date) -> dict[int, list[Condition]]:
        groups: dict[int, list[Condition]] = {}
        for condition in self.conditions:
            if condition.applies_on(day):
                groups.setdefault(condition.group, []).append(condition)
        return groups


@dataclass(frozen=True)
class Check:
    """One condition tested against the answers."""

    condition: Condition
    answer: str | None
    met: bool | None

    def why_unsure(self) -> str:
        """无法判断's reason: 未回答“年龄”, or the band that straddles the standard."""
        if self.answer is None or self.answer == UNKNOWN:
            return f"未回答“{self.condition.question}”（{self.condition.label}）"
        return f"“{self.answer}”跨过了标准，需核实（{self.condition.label}）"


@dataclass(frozen=True)
class Verdict:
    """What the screener says about one policy, with what decided it."""

    policy: Policy
    outcome: str  # one of OUTCOMES
    failed: tuple[Check, ...] = ()  # 可能不符合: the conditions of the group that failed
    unsure: tuple[Check, ...] = ()  # 无法判断: the conditions that could not be told
    checks: tuple[Check, ...] = ()  # every condition in force, for --explain

    def reason(self) -> str:
        """The line under the policy's name: why it is where it is."""
        if self.outcome == UNLIKELY:
            return "；".join(dict.fromkeys(_failed_group_text(self.failed)))
        if self.outcome == UNDECIDED:
            return "；".join(dict.fromkeys(c.why_unsure() for c in self.unsure))
        return "；".join(dict.fromkeys(c.condition.text() for c in self.checks if c.met))

    @property
    def missing(self) -> tuple[str, ...]:
        """The questions whose answer would decide it (无法判断)."""
        return tuple(dict.fromkeys(c.condition.question for c in self.unsure))


def _failed_group_text(checks: tuple[Check, ...]) -> list[str]:
    by_group: dict[int, list[Check]] = {}
    for check in checks:
        by_group.setdefault(check.condition.group, []).append(check)
    lines = []
    for group in by_group.values():
        labels = "或".join(dict.fromkeys(c.condition.label for c in group))
        references = "；".join(dict.fromkeys(c.condition.reference for c in group))
        lines.append(f"须{labels}（{references}）")
    return lines


def _any(results: list[bool | None]) -> bool | None:
    if any(r is True for r in results):
        return True
    return False if all(r is False for r in results) else None


class Rules:
    """The county's policies and their conditions, ready to screen answers against."""

    def __init__(self, policies: Iterable[Policy]):
        self.policies = tuple(policies)
        self.by_code = {p.code: p for p in self.policies}

    def in_force(self, day: dt.date) -> list[Policy]:
        return [p for p in self.policies if p.in_force(day)]

    def judge(self, policy: Policy, answers: Mapping[str, str], day: dt.date) -> Verdict:
        checks: list[Check] = []
        group_results: list[tuple[bool | None, list[Check]]] = []
        for _, conditions in sorted(policy.groups_on(day).items()):
            group = [Check(c, answers.get(c.question), c.test(answers.get(c.question))) for c in conditions]
            checks += group
            group_results.append((_any([c.met for c in group]), group))
        failed = [c for met, group in group_results if met is False for c in group]
        if failed:
            return Verdict(policy, UNLIKELY, failed=tuple(failed), checks=tuple(checks))
        unsure = [c for met, group in group_results if met is None for c in group if c.met is None]
        if unsure:
            return Verdict(policy, UNDECIDED, unsure=tuple(unsure), checks=tuple(checks))
        return Verdict(policy, LIKELY, checks=tuple(checks))

    def screen(self, answers: Mapping[str, str], day: dt.date) -> list[Verdict]:
        """Every policy in force on ``day``, judged against ``answers`` (question code →
        option label or 不清楚; a question not in it counts as 不清楚)."""
        return [self.judge(p, answers, day) for p in self.in_force(day)]

    def useful(self, question: str, answers: Mapping[str, str], day: dt.date) -> bool:
        """Could an answer to ``question`` change any policy's outcome? Only through a
        condition on it in a group not yet decided, of a policy not yet decided."""
        for verdict in self.screen(answers, day):
            if verdict.outcome == UNDECIDED and any(c.condition.question == question for c in verdict.unsure):
                return True
        return False

    def next_question(self, answers: Mapping[str, str], day: dt.date) -> Question | None:
        """The first question not yet answered (不清楚 counts as answered) whose answer could
        change an outcome; None when nothing more can be learnt."""
        open_questions = self._open_questions(answers, day)
        return next((q for q in QUESTIONS if q.code in open_questions), None)

    def remaining(self, answers: Mapping[str, str], day: dt.date) -> int:
        """At most how many more questions (the next answers may make some needless)."""
        return len(self._open_questions(answers, day))

    def _open_questions(self, answers: Mapping[str, str], day: dt.date) -> set[str]:
        found: set[str] = set()
        for verdict in self.screen(answers, day):
            if verdict.outcome == UNDECIDED:
                found.update(
                    c.condition.question for c in verdict.unsure if c.condition.question not in answers
                )
        return found


def check_answers(answers: Mapping[str, object]) -> dict[str, str]:
    """Answers from outside (a JSON file, the kiosk's buttons) as the engine takes them.

    Raises:
        RuleError: an unknown question, or an answer that is not one of its options.
    """
    checked = {}
    for code, answer in answers.items():
        question = BY_CODE.get(code)
        if question is None:
            raise RuleError(
                code, f"没有问题“{code}”（可用的问题：{'、'.join(BY_CODE)}）", f"unknown question '{code}'"
            )
        if answer is None or answer == "":
            continue
        if not isinstance(answer, str) or (answer != UNKNOWN and question.option(answer) is None):
            offered = "、".join((*question.labels, UNKNOWN))
            raise RuleError(code, f"问题“{code}”没有选项“{answer}”（选项：{offered}）",
                            f"question '{code}' has no option '{answer}'")  # fmt: skip
        checked[code] = answer
    return checked


def policy_from_row(row: Mapping, conditions: Iterable[Condition]) -> Policy:
    """A policy from a row of the screening_policies dataset (as validated, or as stored)."""
    return Policy(
        code=row["code"], name=row["name"], category=row["category"], department=row["department"],
        benefit=row["benefit"], mode=row["mode"], place=row["place"], materials=row["materials"],
        phone=row["phone"], time_limit=row["time_limit"], reference=row["reference"],
        valid_from=_date(row["valid_from"]), valid_until=_date(row["valid_until"]),
        document_index=row["document_index"] or "", qa_code=row["qa_code"] or "",
        remark=row["remark"] or "", conditions=tuple(conditions),
    )  # fmt: skip


def condition_from_row(row: Mapping) -> Condition:
    """A condition from a row of the screening_conditions dataset.

    Raises:
        RuleError: a form the engine does not understand (parse_value).
    """
    return Condition(
        policy=row["policy_code"], group=int(row["group"]), question=row["question"],
        comparison=row["comparison"], value=row["value"], label=row["label"], reference=row["reference"],
        valid_from=_date(row["valid_from"]), valid_until=_date(row["valid_until"]),
    )  # fmt: skip


def rules_from_rows(policy_rows: Iterable[Mapping], condition_rows: Iterable[Mapping]) -> Rules:
    """Rules from dataset rows already checked (kiosk.formats.screening_book on the county
    side, the sync's validation on the terminal)."""
    by_policy: dict[str, list[Condition]] = {}
    for row in condition_rows:
        condition = condition_from_row(row)
        by_policy.setdefault(condition.policy, []).append(condition)
    return Rules(policy_from_row(row, by_policy.get(row["code"], ())) for row in policy_rows)


def date_problems(policy: Policy) -> list[tuple[str, str]]:
    """(中文, English) for each condition of ``policy`` whose dated values overlap, or leave a
    day of the policy's period without a value."""
    found = []
    by_identity: dict[tuple, list[Condition]] = {}
    for condition in policy.conditions:
        by_identity.setdefault(condition.identity, []).append(condition)
    if not policy.conditions:
        found.append(("政策没有条件（在“条件”表中至少填写一个条件）", "the policy has no condition"))
    for (_, group, question, comparison), rows in by_identity.items():
        name, en = f"条件组{group}“{question}{comparison}”", f"group {group}, {question} {comparison}"
        rows = sorted(rows, key=lambda c: c.valid_from or dt.date.min)
        for before, after in pairwise(rows):
            end = before.valid_until or dt.date.max
            start = after.valid_from or dt.date.min
            if start <= end:
                found.append(
                    (
                        f"{name}的取值日期重叠：{_period(before)} 与 {_period(after)}",
                        f"{en}: dated values overlap",
                    )
                )
            elif start > end + dt.timedelta(days=1):
                first_day, last_day = end + dt.timedelta(days=1), start - dt.timedelta(days=1)
                found.append((f"{name}在 {first_day} 至 {last_day} 没有取值",
                              f"{en}: no value from {first_day} to {last_day}"))
        first, last = rows[0].valid_from, rows[-1].valid_until
        if first is not None and first > policy.valid_from:
            found.append(
                (
                    f"{name}从 {first} 才有取值，政策 {policy.valid_from} 起生效",
                    f"{en}: no value before {first}, the policy starts {policy.valid_from}",
                )
            )
        if last is not None and (policy.valid_until is None or last < policy.valid_until):
            still = "仍然有效" if policy.valid_until is None else f"到 {policy.valid_until} 才失效"
            found.append((f"{name}的取值到 {last} 为止，政策{still}（新标准请另起一行填写）",
                          f"{en}: no value after {last}"))
    return found


def _period(condition: Condition) -> str:
    return f"{condition.valid_from or '…'} 至 {condition.valid_until or '…'}"


@dataclass(frozen=True)
class Case:
    """A scenario test riding with the rules: answers, a day, and expected outcomes."""

    code: str
    title: str
    day: dt.date
    answers: dict[str, str]
    expected: dict[str, str]  # policy code -> outcome
    where: str = ""


def case_failures(rules: Rules, case: Case) -> list[tuple[str, str]]:
    """(中文, English) for each policy the case expects otherwise than the engine finds."""
    found = []
    verdicts = {v.policy.code: v for v in rules.screen(case.answers, case.day)}
    for code, expected in case.expected.items():
        verdict = verdicts.get(code)
        policy = rules.by_code.get(code)
        name = policy.name if policy else code
        actual = verdict.outcome if verdict else "不在有效期内"
        if actual != expected:
            why = f"：{verdict.reason()}" if verdict and verdict.reason() else ""
            found.append(
                (
                    f"场景 {case.code}（{case.title}）：{name} 应为“{expected}”，实际为“{actual}”{why}",
                    f"case {case.code}: {code} expected {expected}, got {actual}",
                )
            )
    return found
