"""Pinyin keys and search tokens of the terminal's store (kiosk.store.text)."""

from kiosk.store.text import index_tokens, initials, match_expression, name_initials


def test_initials_read_local_place_names_and_surnames():
    assert initials("朝城镇") == "ccz"  # 朝 is cháo here, not zhāo
    assert initials("莘亭街道") == "stjd"
    assert name_initials("张三") == "zs"
    assert name_initials("曾国藩") == "zgf"  # 曾 as a surname is zēng
    assert name_initials("单雄信") == "sxx"  # 单 as a surname is shàn


def test_bigram_tokens_make_two_character_words_searchable():
    assert index_tokens("最低生活保障（低保）") == "最低 低生 生活 活保 保障 低保"
    assert match_expression("低保") == '"低保"'
    assert match_expression("补贴标准") == '"补贴 贴标 标准"'
    assert match_expression("医保 12345") == '"医保" AND "12345"*'
    assert match_expression("低") is None  # single characters fall back to a scan


def test_the_quick_name_key_reads_names_as_pypinyin_does():
    """A lookup per character in the shipped table (长 in a given name read cháng): the same
    keys as pypinyin spelling the name in context."""
    from kiosk.store import text

    names = ("吕丽", "张三", "于长兴", "冯长春", "曾国藩", "单雄信", "欧阳小明", "翟志刚", "绿叶", "𠀀明")
    for name in names:
        family = text.surname(name)
        reading = "".join(text._SURNAME_READINGS.get(family, ())) or text.full_pinyin(family)
        given = text.full_pinyin(name[len(family) :])
        assert text.name_sort_key(name) == f"{reading} {given}", name


def test_the_shipped_reading_table_is_pypinyins_dictionary():
    """resources/pinyin/readings.txt is exactly what its build script makes from the installed
    pypinyin: rebuild it (resources/pinyin/README.md) when pypinyin is upgraded."""
    import importlib.util

    from kiosk.paths import resource
    from kiosk.store import text

    script = resource("pinyin", "build_readings.py")
    spec = importlib.util.spec_from_file_location("build_readings", script)
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    shipped = resource(*text.READINGS_FILE).read_text(encoding="utf-8").splitlines()
    assert shipped[1:] == build.lines()
    assert text.name_initials("吕长") == "lc" and text.name_sort_key("吕长") == "lv chang"


def test_a_page_of_names_is_sorted_without_loading_pypinyin():
    """pypinyin imported holds ~50 MB for as long as the kiosk runs; a village's names are
    read from the shipped reading table instead."""
    import subprocess
    import sys

    code = ("import sys; from kiosk.store import text; "
            "keys = [text.name_sort_key(n) for n in ('于长兴', '冯长春', '曾国藩', '张三')]; "
            "assert keys[0] == 'yu changxing' and text.name_initials('于长兴') == 'ycx', keys; "
            "print('pypinyin' in sys.modules)")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
