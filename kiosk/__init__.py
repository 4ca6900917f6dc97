"""莘情公开: village-level government information kiosk for Shen County (莘县)."""

__version__ = "0.1.0"


def version() -> str:
    """This build's version: the VERSION file a bundle build writes beside this package
    (build_spec/kiosk.spec), else ``__version__`` (run from source)."""
    from pathlib import Path

    try:
        stamp = Path(__file__).with_name("VERSION").read_text(encoding="utf-8").strip()
    except OSError:
        return __version__
    return stamp or __version__
