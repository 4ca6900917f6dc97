"""The demo county generator and the `kiosk` command line, run as a user would."""

import hashlib
from pathlib import Path

import pytest

from kiosk.county.feed import demo_county
from tests.helpers.cli import run_kiosk


def _tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }  # fmt: skip


def test_demo_is_deterministic_for_a_seed(tmp_path):
    a = demo_county.generate(tmp_path / "a", households=400, seed=3, fmt="csv")
    b = demo_county.generate(tmp_path / "b", households=400, seed=3, fmt="csv")
    demo_county.generate(tmp_path / "c", households=400, seed=4, fmt="csv")
    assert a == b
    assert _tree_digest(tmp_path / "a") == _tree_digest(tmp_path / "b")
    assert _tree_digest(tmp_path / "a") != _tree_digest(tmp_path / "c")


@pytest.mark.slow
def test_demo_scales_with_households(tmp_path):
    small = demo_county.generate(tmp_path / "s", households=500, seed=1, fmt="csv")
    large = demo_county.generate(tmp_path / "l", households=40_000, seed=1, fmt="csv")
    assert 24 * 5 <= small.villages <= 24 * 7  # a handful per town even when small
    assert 160 <= large.villages <= 200  # ~220 households a village
    # ~2.4 result rows per household per year, 3 years
    assert 5.5 <= large.payout_rows / large.households <= 8.5
    assert large.files == 24 * 3


def test_demo_files_have_county_export_headers(demo_input):
    import openpyxl

    first = sorted((demo_input / "payouts").glob("*.xlsx"))[0]
    sheet = openpyxl.load_workbook(first, read_only=True).worksheets[0]
    headers = next(sheet.iter_rows(values_only=True))
    for expected in ("乡镇", "村", "户主姓名", "身份证号", "补贴项目", "计量依据", "补贴标准",
                     "发放金额(元)", "发放日期", "备注"):  # fmt: skip
        assert expected in headers
    villages = (demo_input / "villages.csv").read_text(encoding="utf-8-sig")
    assert villages.count("演示数据") == villages.count("\n") - 1


@pytest.mark.slow
def test_cli_demo_builds_then_skips_when_present(tmp_path):
    db = tmp_path / "kiosk.sqlite3"
    first = run_kiosk("demo", "--households", "300", "--format", "csv", db=db, ok=True)
    assert "已生成签名数据源" in first.stdout and "同步完成" in first.stdout and db.exists()
    again = run_kiosk("demo", "--if-missing", db=db)
    assert again.returncode == 0 and "跳过" in again.stdout


def test_cli_refuses_a_newer_database_with_one_clear_line(tmp_path):
    import sqlite3

    db = tmp_path / "future.sqlite3"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    result = run_kiosk("demo", "--households", "100", db=db)
    assert result.returncode == 1
    assert "更新版本" in result.stderr and "Traceback" not in result.stderr


def test_usage_error_exits_2():
    assert run_kiosk("nonsense").returncode == 2


def test_set_pin_stores_only_a_hash_in_the_database(tmp_path):
    import sqlite3

    db = tmp_path / "kiosk.sqlite3"
    run_kiosk("set-pin", db=db, stdin="246810\n", ok=True)
    conn = sqlite3.connect(db)
    (stored,) = conn.execute("SELECT pin_hash FROM staff_access WHERE id = 1").fetchone()
    conn.close()
    assert stored.startswith("scrypt$") and "246810" not in stored
    assert not (tmp_path / "settings.json").exists()  # no secret in the world-readable file
    bad = run_kiosk("set-pin", db=db, stdin="12\n")
    assert bad.returncode == 1 and "6 到 12 位数字" in bad.stderr
