"""政策找人's service on a synced terminal: the rules from the store, a villager's answers
held only in memory, the result with its links, and the printed 申办清单 without them."""

import datetime as dt
import subprocess

from kiosk.services import screener
from kiosk.services.screener import Screening

DAY = dt.date(2026, 12, 6)
ANSWERS = {"户籍": "是", "年龄": "80至89岁", "人均月收入": "400至599元", "低保特困": "低保户"}


def test_the_synced_rules_screen_a_villager(demo_db):
    rules = screener.load_rules()
    assert len(rules.policies) == 12 and all(p.conditions for p in rules.policies)
    session = Screening(rules, DAY)
    for code, label in ANSWERS.items():
        session.answer(code, label)
    result = session.result()
    names = [line.name for line in result.likely]
    assert "高龄津贴" in names and "最低生活保障" in names
    assert len(result.likely) + len(result.unlikely) + len(result.undecided) == 12
    linked = next(line for line in result.likely if line.name == "高龄津贴")
    assert linked.document is not None and linked.document.body and linked.qa is not None


def test_back_takes_back_the_last_answer_only(demo_db):
    session = Screening(screener.load_rules(), DAY)
    assert session.back() is None
    session.answer("户籍", "是")
    session.answer("年龄", "不清楚")
    assert session.back() == "年龄" and session.answers == {"户籍": "是"}


def test_the_checklist_prints_what_to_do_and_nothing_the_villager_answered(demo_db, tmp_path):
    from printing.screening import render_checklist

    session = Screening(screener.load_rules(), DAY)
    for code, label in ANSWERS.items():
        session.answer(code, label)
    result = session.result()
    pdf = tmp_path / "清单.pdf"
    pdf.write_bytes(render_checklist(screener.checklist(result, "莘县燕店镇", DAY)))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    for line in result.likely:
        assert line.name in flat and "".join(line.phone.split()) in flat
    for line in result.undecided:
        assert line.name in flat
    assert "规则更新于" in flat and "莘县燕店镇" in flat
    assert "400至599元" not in flat and "低保户" not in flat.replace("低保户籍", "")
