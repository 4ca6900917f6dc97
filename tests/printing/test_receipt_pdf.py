"""The printed 受理回执: both layouts carry the embedded CJK font, the number and the words a
villager needs, a QR code a scanner reads back as the receipt's text, and nothing personal
beyond a masked name and the phone's last 4 digits."""

import subprocess

import pytest

from printing.receipt import LAYOUTS, ReceiptSheet, render

NUMBER = "14801-23246-2821"
PHONE = "13912345678"
ID_NUMBER = "11010519491231002X"
SHEET = ReceiptSheet(
    number=NUMBER, kind_zh="政府信息公开申请", received_on="2026-11-29", due_on="2026-12-25",
    due_rule="自收到申请之日起20个工作日内答复（《中华人民共和国政府信息公开条例》第三十三条）",
    name_masked="张*三", phone_last4=PHONE[-4:], topic="", qr_text=f"SQGK-RECEIPT:{NUMBER}",
    terminal="AB12 CD34",
)  # fmt: skip


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_receipt_reads_back_in_words_fonts_and_qr(tmp_path, layout):
    pdf = render(SHEET, tmp_path / f"receipt-{layout}.pdf", layout)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(" yes " in row for row in rows), fonts  # every font embedded
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    flat = "".join(text.split())
    for words in ("受理回执", NUMBER, "政府信息公开申请", "2026-11-29", "2026-12-25", "张*三", "办理进度",
                  "第三十三条", "AB12CD34"):  # fmt: skip
        assert words in flat, words
    assert PHONE not in flat and PHONE[:7] not in flat and ID_NUMBER not in flat and "1101" not in flat
    subprocess.run(["pdftoppm", "-r", "200", "-png", str(pdf), str(tmp_path / layout)], check=True)
    pages = sorted(tmp_path.glob(f"{layout}*.png"))
    assert len(pages) == 1  # one sheet, one roll length
    found = subprocess.run(["zbarimg", "--quiet", "--raw", str(pages[0])], capture_output=True, text=True)
    assert found.stdout.strip() == SHEET.qr_text


def test_the_roll_is_80_mm_wide_and_as_tall_as_its_content(tmp_path):
    pdf = render(SHEET, tmp_path / "roll.pdf", "80mm")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    size = next(line for line in info.splitlines() if line.startswith("Page size"))
    width, height = (float(v) for v in size.split()[2:5:2])
    assert abs(width - 80 / 25.4 * 72) < 0.5 and 100 / 25.4 * 72 < height < 250 / 25.4 * 72


def test_a_callback_receipt_names_its_topic_and_no_applicant(tmp_path):
    from dataclasses import replace

    sheet = replace(SHEET, kind_zh="咨询·预约回电", name_masked="", topic="涉农补贴")
    pdf = render(sheet, tmp_path / "callback.pdf", "a5")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "事项：涉农补贴" in text and "申请人" not in text


def test_an_unknown_layout_is_refused(tmp_path):
    with pytest.raises(ValueError, match="layout"):
        render(SHEET, tmp_path / "x.pdf", "a4")
