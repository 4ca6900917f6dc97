"""Home: the four large tiles and the town → village chooser, all touch grids."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.services import divisions
from kiosk.ui.widgets import clear_layout, kinetic

TILES = ("补贴公示", "政务公开目录", "政策咨询", "规范性文件")


class HomePage(QWidget):
    """Emits ``village_chosen(code)`` when a villager taps their village."""

    village_chosen = Signal(str)
    tile_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        tiles = QHBoxLayout()
        self.tiles: dict[str, QPushButton] = {}
        for name in TILES:
            tile = QPushButton(name)
            tile.setObjectName("tile")
            tile.setAccessibleName(name)
            tile.setMinimumHeight(120)
            tile.clicked.connect(lambda _=False, n=name: self.tile_chosen.emit(n))
            tiles.addWidget(tile)
            self.tiles[name] = tile
        layout.addLayout(tiles)
        self.prompt = QLabel("请选择您所在的乡镇(街道)")
        self.prompt.setObjectName("heading")
        layout.addWidget(self.prompt)
        self.town_grid = QGridLayout()
        self.town_buttons: dict[str, QPushButton] = {}
        for index, town in enumerate(divisions.list_towns()):
            button = QPushButton(town.name)
            button.setCheckable(True)
            button.setAccessibleName(town.name)
            button.clicked.connect(lambda _=False, code=town.code: self.choose_town(code))
            self.town_grid.addWidget(button, index // 6, index % 6)
            self.town_buttons[town.code] = button
        layout.addLayout(self.town_grid)
        # Jump by the first letter of the village's pinyin (only letters that occur).
        self.initials = QHBoxLayout()
        self.initial_buttons: dict[str, QPushButton] = {}
        layout.addLayout(self.initials)
        self.village_area = QScrollArea()
        self.village_area.setWidgetResizable(True)
        holder = QWidget()
        self.village_grid = QGridLayout(holder)
        self.village_area.setWidget(holder)
        layout.addWidget(self.village_area, stretch=1)
        self.village_buttons: dict[str, QPushButton] = {}
        self.town_code: str | None = None

    def finish_setup(self) -> None:
        """The part of set-up that can wait until the page is on screen: the first QScroller
        costs ~20 ms of PySide type set-up, a sixth of a cold start."""
        kinetic(self.village_area, holds_buttons=True)

    def choose_town(self, town_code: str) -> None:
        self.town_code = town_code
        for code, button in self.town_buttons.items():
            button.setChecked(code == town_code)
        clear_layout(self.village_grid)
        self.village_buttons = {}
        villages = divisions.list_villages(town_code)
        clear_layout(self.initials)
        self.initial_buttons = {}
        for index, village in enumerate(villages):  # already sorted by pinyin
            button = QPushButton(village.name + ("\n演示数据" if village.is_demo else ""))
            button.setAccessibleName(village.name)
            button.clicked.connect(lambda _=False, c=village.code: self.village_chosen.emit(c))
            self.village_grid.addWidget(button, index // 5, index % 5)
            self.village_buttons[village.code] = button
            letter = (village.initials[:1] or "#").upper()
            if letter not in self.initial_buttons:
                jump = QPushButton(letter)
                jump.setAccessibleName(f"跳到拼音 {letter} 开头的村")
                jump.clicked.connect(lambda _=False, b=button: self.village_area.ensureWidgetVisible(b))
                self.initials.addWidget(jump)
                self.initial_buttons[letter] = jump
        self.initials.addStretch(1)
        self.prompt.setText(f"请选择您所在的村(社区)：{len(villages)} 个")

    def clear(self) -> None:
        """Back to the initial state (idle timeout)."""
        self.town_code = None
        for button in self.town_buttons.values():
            button.setChecked(False)
        clear_layout(self.village_grid)
        clear_layout(self.initials)
        self.village_buttons = {}
        self.initial_buttons = {}
        self.prompt.setText("请选择您所在的乡镇(街道)")
