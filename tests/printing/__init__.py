"""Tests of the printed sheets and printers (printing, kiosk.services' print paths)."""
