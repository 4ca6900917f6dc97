"""A QR code drawn as vector squares (crisp at any printer resolution)."""

import qrcode
from reportlab.platypus import Flowable


class QRFlowable(Flowable):
    def __init__(self, data: str, size: float):
        super().__init__()
        code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
        code.add_data(data)
        code.make(fit=True)
        self._matrix = code.get_matrix()
        self.size = size
        self.data = data

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        count = len(self._matrix)
        # A quiet zone of 2 modules keeps scanners happy next to text.
        module = self.size / (count + 4)
        canvas = self.canv
        canvas.setFillColorRGB(0, 0, 0)
        for y, line in enumerate(self._matrix):
            for x, dark in enumerate(line):
                if dark:
                    canvas.rect((x + 2) * module, self.size - (y + 3) * module, module, module,
                                stroke=0, fill=1)  # fmt: skip
