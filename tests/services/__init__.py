"""Tests of the terminal's services (kiosk.services)."""
