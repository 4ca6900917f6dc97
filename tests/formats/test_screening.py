"""政策找人: the demo county's screening.xlsx read back with every scenario holding, the days a
standard changes, 不清楚 never making a policy 可能不符合, the questions asked and skipped, and
the workbook refused with one named problem (``file[sheet]:row``) per mistake."""

import datetime as dt
import random

import openpyxl
import pytest

from kiosk.county.feed import demo_county, template
from kiosk.formats import datasets as ds
from kiosk.formats import screening, screening_book
from kiosk.formats.screening import LIKELY, UNDECIDED, UNKNOWN, UNLIKELY
from kiosk.formats.validate import DuplicateFinder, Problems, read_rows
from kiosk.paths import resource

TODAY = dt.date(2026, 12, 6)
POLICY_CODES = [f"ZC{n:02d}" for n in range(1, 13)]
CASE_CODES = [row[0] for row in demo_county._CASES]
# A household that qualifies for nothing (every question answered).
PLAIN = {
    "户籍": "是", "年龄": "16至59岁", "家庭人口": "3人", "人均月收入": "1200至1999元", "低保特困": "都不是",
    "无劳动能力": "否", "残疾证": "没有", "种地": "没有承包地", "计生家庭": "否", "重病": "否",
    "突发困难": "否", "退役军人": "否", "在读学生": "没有",
}  # fmt: skip


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[screening_book.Book, list[str]]:
    path = demo_county.write_screening(tmp_path_factory.mktemp("demo"), TODAY)
    problems = Problems()
    return screening_book.read_workbook(path, path.name, problems), problems.lines


@pytest.fixture(scope="module")
def rules(demo) -> screening.Rules:
    book, problems = demo
    assert problems == []
    return book.rules


def _outcomes(rules: screening.Rules, answers: dict[str, str], day: dt.date) -> dict[str, str]:
    return {v.policy.code: v.outcome for v in rules.screen(answers, day)}


def _reference_codes(name: str, key: str) -> set[str]:
    problems = Problems()
    rows = read_rows(ds.BY_NAME[name], resource("county", f"{name}.csv"), problems, DuplicateFinder())
    codes = {row[key] for row in rows}
    assert not problems, problems.lines
    return codes


# --- the demo workbook ----------------------------------------------------------------------


def test_the_demo_workbook_reads_clean_with_twelve_policies(demo):
    book, problems = demo
    assert problems == []
    assert [p.code for p in book.rules.policies] == POLICY_CODES
    assert len(book.cases) >= 24 and [c.code for c in book.cases] == CASE_CODES
    assert {row["remark"] for row in book.rows["screening_policies"]} == {"演示数据"}
    by_code = book.rules.by_code
    assert by_code["ZC01"].name == "高龄津贴" and by_code["ZC01"].automatic
    assert not any(p.automatic for p in book.rules.policies[1:])
    # 家庭人口 is asked by no demo condition; every other question is
    read = {c.question for p in book.rules.policies for c in p.conditions}
    assert read == {q.code for q in screening.QUESTIONS} - {"家庭人口"}
    # every policy is seen likely, unlikely and undecided by some scenario other than the
    # two that leave everything open
    seen = {(code, outcome) for case in book.cases if case.code not in ("CJ06", "CJ25")
            for code, outcome in case.expected.items()}  # fmt: skip
    assert {(code, outcome) for code in POLICY_CODES for outcome in screening.OUTCOMES} == seen


def test_the_demo_policies_link_to_shipped_documents_and_questions(demo):
    book, _ = demo
    documents = _reference_codes("documents", "index_no")
    answers = _reference_codes("qa", "code")
    for policy in book.rules.policies:
        assert policy.document_index in documents, policy.code
        assert policy.qa_code in answers, policy.code
    assert "1137152200420XXXXX/2025-00011" in documents  # added for 高龄津贴


def test_the_demo_workbook_is_the_same_bytes_on_the_same_day(tmp_path):
    first = demo_county.write_screening(tmp_path, TODAY).read_bytes()
    (tmp_path / "b").mkdir()
    assert demo_county.write_screening(tmp_path / "b", TODAY).read_bytes() == first


@pytest.mark.parametrize("code", CASE_CODES)
def test_each_demo_scenario_holds(rules, demo, code):
    case = next(c for c in demo[0].cases if c.code == code)
    assert sorted(case.expected) == POLICY_CODES  # each demo scenario states every policy
    assert screening.case_failures(rules, case) == []
    assert _outcomes(rules, case.answers, case.day) == case.expected


# --- a standard that changes on a known day -------------------------------------------------


@pytest.mark.parametrize(("policy", "answers", "day", "outcome", "reason"), [
    ("ZC01", {"户籍": "是", "年龄": "80至89岁"}, dt.date(2025, 12, 31), UNLIKELY, "须年满90周岁"),
    ("ZC01", {"户籍": "是", "年龄": "80至89岁"}, dt.date(2026, 1, 1), LIKELY, "年满80周岁"),
    ("ZC01", {"户籍": "是", "年龄": "90至99岁"}, dt.date(2025, 12, 31), LIKELY, "年满90周岁"),
    ("ZC03", {"户籍": "是", "人均月收入": "600至799元"}, dt.date(2026, 6, 30), UNLIKELY, "每人每月600元"),
    ("ZC03", {"户籍": "是", "人均月收入": "600至799元"}, dt.date(2026, 7, 1), UNDECIDED,
     "“600至799元”跨过了标准，需核实（家庭月人均收入低于当地低保标准（每人每月640元））"),
    ("ZC03", {"户籍": "是", "人均月收入": "400至599元"}, dt.date(2026, 6, 30), LIKELY, "每人每月600元"),
    ("ZC03", {"户籍": "是", "人均月收入": "400至599元"}, dt.date(2026, 7, 1), LIKELY, "每人每月640元"),
])  # fmt: skip
def test_the_day_before_and_the_day_a_standard_changes(rules, policy, answers, day, outcome, reason):
    verdict = rules.judge(rules.by_code[policy], answers, day)
    assert verdict.outcome == outcome
    assert reason in verdict.reason()


def test_one_dated_value_applies_each_day(rules):
    def values(code: str, day: dt.date) -> list[float]:
        groups = rules.by_code[code].groups_on(day)
        return [c.parsed for conditions in groups.values() for c in conditions
                if c.comparison in screening.NUMERIC]  # fmt: skip

    assert values("ZC01", dt.date(2025, 12, 31)) == [90]
    assert values("ZC01", dt.date(2026, 1, 1)) == [80]
    assert values("ZC03", dt.date(2026, 6, 30)) == [600]
    assert values("ZC03", dt.date(2026, 7, 1)) == [640]
    assert values("ZC04", dt.date(2026, 7, 1)) == [60, 16, 640]  # 特困 reads the same standard


# --- 不清楚 ---------------------------------------------------------------------------------


def test_each_unknown_answer_of_a_likely_policy_makes_it_undecided_or_leaves_it(rules, demo):
    """For every policy a scenario finds likely, and every question one of its conditions
    reads: 不清楚 (or no answer) there gives 无法判断, unless another condition of each group
    it appears in still holds (特困's 年满60周岁 or 一级、二级残疾); never 可能不符合."""
    seen: set[str] = set()
    for case in demo[0].cases:
        for verdict in rules.screen(case.answers, case.day):
            if verdict.outcome != LIKELY:
                continue
            groups = verdict.policy.groups_on(case.day).values()
            for question in {check.condition.question for check in verdict.checks}:
                held_only_by_it = any(all(c.question == question for c in conditions
                                          if c.test(case.answers.get(c.question))) for conditions in groups)
                expected = UNDECIDED if held_only_by_it else LIKELY
                unknown = {**case.answers, question: UNKNOWN}
                skipped = {k: v for k, v in case.answers.items() if k != question}
                for answers in (unknown, skipped):
                    after = rules.judge(verdict.policy, answers, case.day)
                    assert after.outcome == expected, (case.code, verdict.policy.code, question)
                    assert (question in after.missing) == (expected == UNDECIDED)
                seen.add(expected)
    assert seen == {UNDECIDED, LIKELY}


def test_random_unknowns_never_move_an_outcome_to_unlikely(rules):
    """Random answers, then a random part of them made 不清楚 or dropped: each policy keeps
    its outcome or becomes 无法判断; 可能符合 and 无法判断 never become 可能不符合."""
    rng = random.Random(25)
    days = [dt.date(2025, 12, 31), dt.date(2026, 1, 1), dt.date(2026, 6, 30), dt.date(2026, 7, 1)]
    moved = 0
    for _ in range(600):
        day = rng.choice(days)
        answers = {q.code: rng.choice([*q.labels, UNKNOWN])
                   for q in screening.QUESTIONS if rng.random() < 0.9}  # fmt: skip
        vaguer = dict(answers)
        for code in rng.sample(sorted(answers), rng.randint(1, len(answers)) if answers else 0):
            if rng.random() < 0.7:
                vaguer[code] = UNKNOWN
            else:
                del vaguer[code]
        before, after = _outcomes(rules, answers, day), _outcomes(rules, vaguer, day)
        for code, outcome in before.items():
            assert after[code] in (outcome, UNDECIDED), (answers, vaguer, code)
            assert not (outcome != UNLIKELY and after[code] == UNLIKELY)
            moved += after[code] != outcome
    assert moved > 100  # the answers made 不清楚 did decide something


def test_everything_unknown_is_undecided_with_what_is_missing(rules):
    day = dt.date(2026, 3, 1)
    for answers in ({}, {q.code: UNKNOWN for q in screening.QUESTIONS}):
        verdicts = rules.screen(answers, day)
        assert [v.outcome for v in verdicts] == [UNDECIDED] * 12
        elderly = next(v for v in verdicts if v.policy.code == "ZC01")
        assert elderly.missing == ("户籍", "年龄")
        assert elderly.reason() == "未回答“户籍”（户口在本县）；未回答“年龄”（年满80周岁）"


# --- which question next --------------------------------------------------------------------


def test_next_question_skips_what_outside_residence_cannot_change(rules):
    day = dt.date(2026, 3, 1)
    assert rules.next_question({}, day).code == "户籍"
    answers = {"户籍": "否"}  # decides every policy that needs 户口在本县
    assert rules.next_question(answers, day).code == "种地"
    assert rules.remaining(answers, day) == 2
    answers["种地"] = "10亩以下"
    assert rules.next_question(answers, day).code == "退役军人"
    answers["退役军人"] = UNKNOWN  # 不清楚 counts as answered
    assert rules.next_question(answers, day) is None
    assert rules.remaining(answers, day) == 0
    assert _outcomes(rules, answers, day) == {**dict.fromkeys(POLICY_CODES, UNLIKELY), "ZC07": LIKELY,
                                              "ZC11": UNDECIDED}  # fmt: skip


def test_next_question_asks_only_what_an_open_policy_reads(rules):
    day = dt.date(2026, 3, 1)
    young = {k: v for k, v in PLAIN.items() if k != "计生家庭"}
    assert rules.next_question(young, day) is None  # 16至59岁 already rules out 计生奖励扶助
    assert not rules.useful("计生家庭", young, day)
    older = {**young, "年龄": "60至69岁"}
    assert rules.next_question(older, day).code == "计生家庭"
    assert rules.useful("计生家庭", older, day)
    assert not rules.useful("家庭人口", {}, day)  # no demo condition reads it


def test_interviews_never_ask_household_size_and_stop_when_nothing_can_change(rules):
    """Random interviews led by next_question: no question twice, never 家庭人口; once it
    returns None, no answer to a question not asked changes any outcome."""
    rng = random.Random(6)
    for _ in range(150):
        day = rng.choice([dt.date(2025, 12, 31), dt.date(2026, 3, 1), dt.date(2026, 7, 1)])
        answers: dict[str, str] = {}
        while (question := rules.next_question(answers, day)) is not None:
            assert question.code not in answers and question.code != "家庭人口"
            answers[question.code] = rng.choice([*question.labels, UNKNOWN])
        assert rules.remaining(answers, day) == 0
        final = _outcomes(rules, answers, day)
        for question in screening.QUESTIONS:
            if question.code not in answers:
                for label in question.labels:
                    assert _outcomes(rules, {**answers, question.code: label}, day) == final


def test_no_question_left_once_every_policy_is_decided(rules, demo):
    case = next(c for c in demo[0].cases if c.code == "CJ01")
    assert UNDECIDED not in case.expected.values()
    assert rules.next_question(case.answers, case.day) is None


# --- the template ---------------------------------------------------------------------------


def test_the_template_reads_clean_and_shares_the_demo_notes(tmp_path):
    path = template.write_screening_template(tmp_path)
    problems = Problems()
    book = screening_book.read_workbook(path, path.name, problems)
    assert problems.lines == []
    assert [len(book.rows[name]) for name in ("screening_policies", "screening_conditions")] == [1, 1]
    assert [c.code for c in book.cases] == ["CJ01"]
    (tmp_path / "demo").mkdir()
    demo = openpyxl.load_workbook(demo_county.write_screening(tmp_path / "demo", TODAY), read_only=True)
    blank = openpyxl.load_workbook(path, read_only=True)
    assert blank.sheetnames == demo.sheetnames == ["政策", "条件", "场景", "说明"]
    notes = [list(r) for r in blank["说明"].iter_rows(values_only=True)]
    assert notes == [list(r) for r in demo["说明"].iter_rows(values_only=True)]
    demo.close()
    blank.close()
    firsts = [r[0] for r in notes]
    assert all(q.code in firsts for q in screening.QUESTIONS)
    income = next(r for r in notes if r[0] == "人均月收入")
    assert income[2] == "不到400元、400至599元、600至799元、800至1199元、1200至1999元、2000元及以上"
    assert income[3] == "至少、低于、属于、不属于"
    assert next(r for r in notes if r[0] == "残疾证")[3] == "属于、不属于"
    assert any("满足其中任意一个" in (r[0] or "") for r in notes)
    assert any("不能重叠" in (r[0] or "") for r in notes)


def test_write_templates_includes_the_screening_workbook(tmp_path):
    written = template.write_templates(tmp_path)
    assert tmp_path / "screening.xlsx" in written


# --- refusals -------------------------------------------------------------------------------

POLICY = {
    "code": "ZC01", "name": "高龄津贴", "category": "养老服务", "department": "县民政局",
    "benefit": "每人每月100元", "mode": "免申即享", "place": "乡镇便民服务中心", "materials": "身份证",
    "phone": "0635-7323102", "time_limit": "按季度发放", "reference": "莘民发〔2025〕11号",
    "valid_from": "2020-01-01",
}  # fmt: skip
AGE = {"policy_code": "ZC01", "group": "1", "question": "年龄", "comparison": "至少", "value": "80",
       "label": "年满80周岁", "reference": "莘民发〔2025〕11号 第三条"}  # fmt: skip
CASE = {"code": "CJ01", "title": "85岁老人", "day": "2026-03-01", "年龄": "80至89岁", "可能符合": "ZC01"}
SECOND = {**POLICY, "code": "ZC02", "name": "城乡居民基础养老金", "mode": "依申请"}


def _refusals(tmp_path, policies=(POLICY,), conditions=(AGE,), cases=(CASE,), extra=()) -> list[str]:
    """The problems of a small screening.xlsx written from rows by column key."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, dataset, rows in (("政策", ds.SCREENING_POLICIES, policies),
                                ("条件", ds.SCREENING_CONDITIONS, conditions),
                                ("场景", screening_book.CASE_SHEET, cases)):  # fmt: skip
        sheet = book.create_sheet(name)
        sheet.append([c.header for c in dataset.columns])
        for row in rows:
            sheet.append([row.get(c.key, "") for c in dataset.columns])
    for name in extra:
        book.create_sheet(name).append(["附件说明"])
    path = tmp_path / "screening.xlsx"
    book.save(path)
    problems = Problems()
    screening_book.read_workbook(path, path.name, problems)
    return problems.lines


def test_the_small_workbook_is_clean(tmp_path):
    assert _refusals(tmp_path) == []


def test_refuses_an_unknown_question(tmp_path):
    lines = _refusals(tmp_path, conditions=[AGE, {**AGE, "group": "2", "question": "存款"}])
    assert len(lines) == 1
    assert lines[0].startswith("screening.xlsx[条件]:3:问题: “存款”不是允许的取值（户籍、年龄、")


def test_refuses_an_option_the_question_lacks(tmp_path):
    lines = _refusals(tmp_path, conditions=[
        AGE, {**AGE, "group": "2", "question": "残疾证", "comparison": "属于", "value": "一级、五级"}])
    assert lines == ["screening.xlsx[条件]:3:取值: 问题“残疾证”没有选项“五级”"
                     "（选项：没有、一级、二级、三级、四级）"
                     " / question '残疾证' has no option ['五级']"]  # fmt: skip


def test_refuses_at_least_on_a_question_without_bands(tmp_path):
    lines = _refusals(tmp_path, conditions=[AGE, {**AGE, "group": "2", "question": "残疾证", "value": "2"}])
    assert lines == ["screening.xlsx[条件]:3:比较: 问题“残疾证”的回答是选项，不能用“至少”比较，"
                     "请用“属于”或“不属于”"
                     " / question '残疾证' has no bands: '至少' cannot compare it"]  # fmt: skip


def test_refuses_dated_values_that_overlap(tmp_path):
    lines = _refusals(tmp_path, conditions=[{**AGE, "value": "90", "valid_until": "2026-01-31"},
                                            {**AGE, "valid_from": "2026-01-01"}])  # fmt: skip
    assert lines == ["screening.xlsx[政策]:2:ZC01: 条件组1“年龄至少”的取值日期重叠："
                     "… 至 2026-01-31 与 2026-01-01 至 …"
                     " / group 1, 年龄 至少: dated values overlap"]  # fmt: skip


def test_refuses_a_gap_between_dated_values(tmp_path):
    lines = _refusals(tmp_path, conditions=[{**AGE, "value": "90", "valid_until": "2025-12-31"},
                                            {**AGE, "valid_from": "2026-02-01"}])  # fmt: skip
    assert lines == ["screening.xlsx[政策]:2:ZC01: 条件组1“年龄至少”在 2026-01-01 至 2026-01-31 没有取值"
                     " / group 1, 年龄 至少: no value from 2026-01-01 to 2026-01-31"]  # fmt: skip


def test_refuses_dated_values_that_stop_before_the_policy_does(tmp_path):
    lines = _refusals(tmp_path, conditions=[{**AGE, "valid_until": "2026-06-30"}])
    assert len(lines) == 1
    assert lines[0].startswith("screening.xlsx[政策]:2:ZC01: 条件组1“年龄至少”的取值到 2026-06-30 为止，"
                               "政策仍然有效")  # fmt: skip


def test_refuses_a_condition_of_a_policy_that_does_not_exist(tmp_path):
    lines = _refusals(tmp_path, conditions=[AGE, {**AGE, "policy_code": "ZC09"}])
    assert lines == ["screening.xlsx[条件]:3:政策编号: “政策”表中没有政策 ZC09 / no policy ZC09"]


def test_refuses_a_policy_without_its_reference(tmp_path):
    lines = _refusals(tmp_path, policies=[{**POLICY, "reference": ""}])
    assert lines == ["screening.xlsx[政策]:2:政策依据: 必填项为空 / required cell is empty"]


def test_refuses_a_policy_without_any_condition(tmp_path):
    lines = _refusals(tmp_path, policies=[POLICY, SECOND], cases=[{**CASE, "可能不符合": "ZC02"}])
    assert lines == ["screening.xlsx[政策]:3:ZC02: 政策没有条件（在“条件”表中至少填写一个条件）"
                     " / the policy has no condition"]  # fmt: skip


def test_refuses_a_scenario_the_rules_do_not_bear_out_by_its_code(tmp_path):
    lines = _refusals(tmp_path, cases=[{**CASE, "code": "CJ07", "可能符合": "", "可能不符合": "ZC01"}])
    assert lines == ["screening.xlsx[场景]:2: 场景 CJ07（85岁老人）：高龄津贴 应为“可能不符合”，"
                     "实际为“可能符合”：年满80周岁（莘民发〔2025〕11号 第三条）"
                     " / case CJ07: ZC01 expected 可能不符合, got 可能符合"]  # fmt: skip


def test_refuses_a_policy_without_any_scenario(tmp_path):
    lines = _refusals(tmp_path, policies=[POLICY, SECOND], conditions=[AGE, {**AGE, "policy_code": "ZC02"}])
    assert lines == ["screening.xlsx[场景]: 政策 ZC02 没有场景测试"
                     " / policies without a scenario test: ['ZC02']"]  # fmt: skip
    assert _refusals(tmp_path, cases=[]) == [
        "screening.xlsx[场景]: 没有场景测试：每条政策至少要有一个场景（“场景”表）"
        " / no scenario tests: every policy needs at least one"]  # fmt: skip


def test_refuses_an_unknown_sheet(tmp_path):
    lines = _refusals(tmp_path, extra=["附件"])
    assert lines == ["screening.xlsx[附件]: 不认识的工作表“附件”（应为 政策、条件、场景、说明）"
                     " / unknown sheet '附件'"]  # fmt: skip
