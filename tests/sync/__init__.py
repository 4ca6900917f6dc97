"""Tests of the terminal's sync (kiosk.sync, through kiosk.services.sync)."""
