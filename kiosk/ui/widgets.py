"""Small shared widgets sized for touch and for older eyes (适老化)."""

from PySide6.QtWidgets import QPushButton

TOUCH = 80  # px: touch targets well above the 60 x 60 minimum


def touch_button(text: str, min_width: int = TOUCH * 2) -> QPushButton:
    """A large button whose accessible name is its text."""
    button = QPushButton(text)
    button.setMinimumSize(min_width, TOUCH)
    button.setAccessibleName(text)
    button.setStyleSheet("font-size: 22pt;")
    return button
