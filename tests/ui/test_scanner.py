"""The scanner's keystrokes: every key stops at the kiosk, only printable bursts count, and a
burst too long to be a code is dropped whole."""

from kiosk.ui.scanner import LONGEST, ScannerInput


def test_keys_that_would_press_a_focused_button_never_reach_it(qtbot):
    scanner = ScannerInput()
    seen = []
    scanner.scanned.connect(seen.append)
    for text in (" ", "\t", "\x1b", "\x08", "\r", ""):
        assert scanner.key(text, text == "\r", 0.0) is True  # swallowed, every one
    assert seen == []


def test_a_scan_amid_stray_keys_is_read_without_them(qtbot):
    scanner = ScannerInput()
    seen = []
    scanner.scanned.connect(seen.append)
    at = 10.0
    for char in "SQGK-RECEIPT:12345-67890-1234":
        scanner.key(char, False, at)
        scanner.key(" ", False, at)  # a space or tab between: not part of the code
        at += 0.01
    scanner.key("", True, at)
    assert seen == ["SQGK-RECEIPT:12345-67890-1234"]


def test_an_endless_burst_is_dropped_whole_and_the_next_scan_still_works(qtbot):
    scanner = ScannerInput()
    seen = []
    scanner.scanned.connect(seen.append)
    at = 1.0
    for _ in range(LONGEST * 20):
        scanner.key("A", False, at)
        at += 0.001
    scanner.key("", True, at)
    assert seen == [] and len(scanner._typed) == 0
    at += 2  # a pause: the next scan starts afresh
    for char in "https://gk.example/verify/371522102001-2025/?d=0123456789abcdef":
        scanner.key(char, False, at)
        at += 0.001
    scanner.key("", True, at)
    assert seen == ["https://gk.example/verify/371522102001-2025/?d=0123456789abcdef"]
