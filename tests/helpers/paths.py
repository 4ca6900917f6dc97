"""Where the repository and the tests' data files are, wherever a test module sits."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STROKES = REPO / "tests" / "data" / "strokes"  # handwriting samples, see its README.md
