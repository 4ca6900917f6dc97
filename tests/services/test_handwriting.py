"""Local handwriting recognition (Zinnia + Tegaki zh_CN model) on strokes synthesized from
Make Me a Hanzi medians (tests/data/strokes, see its README.md)."""

import json
import sys
from pathlib import Path

import pytest

from kiosk.services import handwriting
from tests.helpers.cli import run_kiosk
from tests.helpers.paths import STROKES

APT = "apt-get install libzinnia0 tegaki-zinnia-simplified-chinese"


def _system_available() -> bool:
    try:
        handwriting.find()
        return True
    except handwriting.Unavailable:
        return False


needs_zinnia = pytest.mark.skipif(not _system_available(), reason=f"Zinnia or its model is missing: {APT}")


def samples() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(STROKES.glob("*.json"))]


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_the_set_has_at_least_30_characters():
    chars = [s["char"] for s in samples()]
    assert len(chars) >= 30 and len(set(chars)) == len(chars)


@needs_zinnia
def test_top5_accuracy_on_village_characters():
    rec = handwriting.recognizer()
    top1, top5, misses = 0, 0, []
    data = samples()
    for sample in data:
        got = rec.recognize(sample["strokes"], sample["width"], sample["height"], limit=10)
        top1 += got[:1] == [sample["char"]]
        top5 += sample["char"] in got[:5]
        if sample["char"] not in got[:5]:
            misses.append(f"{sample['char']}→{''.join(got[:5])}")
    n = len(data)
    report = (f"top-1 {top1}/{n} ({top1 / n:.0%}), top-5 {top5}/{n} ({top5 / n:.1%}); "
              f"misses: {' '.join(misses)}")  # fmt: skip
    assert top5 / n >= 0.90, report


@needs_zinnia
def test_cli_prints_the_character_first(tmp_path):
    shi = tmp_path / "shi.json"  # two clean straight strokes in a 300 x 300 box
    strokes = [[[30, 150], [150, 148], [270, 150]], [[150, 30], [150, 270]]]
    shi.write_text(json.dumps({"width": 300, "height": 300, "strokes": strokes}))
    result = run_kiosk("handwriting", "recognize", str(shi), ok=True)
    assert result.stdout.splitlines()[0] == "十"
    wang = run_kiosk("handwriting", "recognize", str(STROKES / "王.json"), "--limit", "3")
    assert wang.returncode == 0 and wang.stdout.splitlines()[0] == "王", wang.stdout + wang.stderr
    assert len(wang.stdout.splitlines()) <= 3


def test_cli_missing_library_is_a_plain_chinese_message():
    result = run_kiosk("handwriting", "recognize", str(STROKES / "王.json"),
                       env={"KIOSK_ZINNIA_LIB": "/nonexistent/libzinnia.so.0"})  # fmt: skip
    assert result.returncode == 1
    assert "本机未安装手写识别库 libzinnia" in result.stderr and "libzinnia0" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@needs_zinnia
def test_cli_missing_model_is_a_plain_chinese_message():
    result = run_kiosk("handwriting", "recognize", str(STROKES / "王.json"),
                       env={"KIOSK_ZINNIA_MODEL": "/nonexistent/x.model"})  # fmt: skip
    assert result.returncode == 1
    assert "手写识别模型" in result.stderr and "tegaki-zinnia-simplified-chinese" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_unavailable_is_raised_in_process(monkeypatch):
    monkeypatch.setenv(handwriting.LIB_ENV, "/nonexistent/libzinnia.so.0")
    with pytest.raises(handwriting.Unavailable) as caught:
        handwriting.Recognizer().recognize([[(0, 0), (10, 10)]], 300, 300)
    assert "libzinnia0" in caught.value.zh


@needs_zinnia
def test_load_is_idempotent_and_empty_input_gives_nothing():
    rec = handwriting.Recognizer()
    rec.load()
    rec.load()
    assert rec.loaded
    assert rec.recognize([], 300, 300) == []
    assert rec.recognize([[]], 300, 300) == []
    rec.close()
    assert not rec.loaded


def _model_mappings() -> int:
    with open("/proc/self/maps") as maps:
        return sum(handwriting.MODEL_NAME in line for line in maps)


@needs_zinnia
def test_the_model_is_mapped_only_while_a_pad_holds_it():
    """~26 MB resident: unmapped when the last pad lets go, mapped again for the next one."""
    ten = [[(30, 150), (270, 150)], [(150, 30), (150, 270)]]
    other = _model_mappings()  # the process-wide recognizer may have it mapped too
    rec = handwriting.Recognizer()
    rec.hold()
    rec.hold()  # two pads shown
    assert "十" in rec.recognize(ten, 300, 300)
    assert not rec.let_go() and rec.loaded
    assert rec.let_go() and not rec.loaded
    if sys.platform.startswith("linux"):
        assert _model_mappings() == other
    rec.hold()
    assert "十" in rec.recognize(ten, 300, 300)  # loaded again for the next pad
    assert rec.let_go() and not rec.loaded


@pytest.mark.slow
@needs_zinnia
def test_repeated_recognition_does_not_leak():
    rec = handwriting.recognizer()
    sample = json.loads((STROKES / "王.json").read_text(encoding="utf-8"))
    for _ in range(200):  # warm up: model pages touched, allocator arenas sized
        rec.recognize(sample["strokes"], 300, 300)
    before = rss_kb()
    for _ in range(2_000):
        rec.recognize(sample["strokes"], 300, 300)
    grown = rss_kb() - before
    assert grown < 1_024, f"RSS grew {grown} kB over 2,000 recognitions"
