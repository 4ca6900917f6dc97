"""莘情公开: village-level government information kiosk for Shen County (莘县)."""

__version__ = "0.1.0"
