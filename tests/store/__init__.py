"""Tests of the terminal's embedded store (kiosk.store)."""
