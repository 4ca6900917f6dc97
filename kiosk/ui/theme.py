"""Sizes and colours for the kiosk, in normal and 长辈 (elderly) mode.

Numbers from the 适老化 rules (shared/reference/domain.md §5): body text ≥ 18 pt, the
largest text ≥ 30 pt, touch targets ≥ 60 × 60 (we use 80 and 96), contrast ≥ 4.5:1 (the
pairs below are 8.6:1 and better).
"""

from dataclasses import dataclass

INK = "#111111"  # on PAPER: 18.9:1
PAPER = "#ffffff"
ACTION = "#0b3d91"  # white on it: 10.4:1
WARN_BG = "#fff3cd"
WARN_INK = "#5c3c00"  # on WARN_BG: 9.5:1
MUTED = "#444444"  # on PAPER: 9.7:1
BUTTON_PADDING_X = 14  # px left and right of a button's words
# The home tiles sit closer to their words: eight of them keep one row of a 1280 px screen in
# 长辈模式 (at 14 px they took two rows and pushed the towns down).
TILE_PADDING_X = 4


@dataclass(frozen=True)
class Theme:
    name: str
    body_pt: int
    heading_pt: int
    touch_px: int
    writing_pt: int  # handwriting candidates and the text composed: read at arm's length
    total_pt: int  # a lookup card's total: what the villager came for, the largest on screen
    item_pt: int  # a lookup card's item names and amounts


NORMAL = Theme("normal", body_pt=18, heading_pt=30, touch_px=80, writing_pt=28, total_pt=44, item_pt=22)
ELDERLY = Theme("elderly", body_pt=24, heading_pt=36, touch_px=96, writing_pt=36, total_pt=54, item_pt=28)


def stylesheet(theme: Theme) -> str:
    return f"""
    QWidget {{ color: {INK}; background: {PAPER}; font-size: {theme.body_pt}pt; }}
    QPushButton {{ background: {ACTION}; color: white; border-radius: 8px;
                  min-height: {theme.touch_px}px; min-width: {theme.touch_px}px;
                  padding: 2px {BUTTON_PADDING_X}px; }}
    QPushButton[checkable="true"] {{ background: white; color: {ACTION}; border: 3px solid {ACTION}; }}
    QPushButton[checkable="true"]:checked {{ background: {ACTION}; color: white; }}
    QPushButton:disabled {{ background: #d9d9d9; color: {MUTED}; }}
    QPushButton#tile, QPushButton#key {{ padding: 2px {TILE_PADDING_X}px; }}
    QLabel#heading {{ font-size: {theme.heading_pt}pt; font-weight: bold; }}
    QLabel#warning {{ background: {WARN_BG}; color: {WARN_INK}; padding: 6px; }}
    QHeaderView::section {{ background: #e8e8e8; color: {INK}; padding: 6px; border: 1px solid #bbb; }}
    QTableView {{ gridline-color: #bbb; }}
    QListWidget::item {{ min-height: {theme.touch_px - 16}px; border-bottom: 1px solid #ccc; }}
    QScrollArea#page, QScrollArea#cards {{ border: none; }}
    QPushButton#candidate, QLabel#composed, QLabel#spelled {{ font-size: {theme.writing_pt}pt; }}
    QFrame#card {{ border: 2px solid #bbb; border-radius: 8px; }}
    QLabel#muted {{ color: {MUTED}; }}
    QLineEdit {{ border: 3px solid {ACTION}; min-height: {theme.touch_px}px; padding: 4px; }}
    """
