"""Page furniture every sheet shares: a canvas that holds each page back until the last is
laid out, so that every page's footer can say 第 x 页 共 y 页."""

from collections.abc import Callable

from reportlab.pdfgen.canvas import Canvas

# Draws one page's furniture: (canvas, page number, page count).
Decorate = Callable[[Canvas, int, int], None]


def numbered_canvas(font: str, decorate: Decorate, pages: list[int]) -> type[Canvas]:
    """A canvas class for ``SimpleDocTemplate.build(canvasmaker=…)`` that calls ``decorate``
    on every page once the count is known, and appends the count to ``pages``. ``font`` is
    the canvas's initial font: never reportlab's unembedded Helvetica."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            kwargs["initialFontName"] = font
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                decorate(self, number, total)
                super().showPage()
            pages.append(total)
            super().save()

    return NumberedCanvas
