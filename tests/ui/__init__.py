"""Tests of the kiosk window and its pages (kiosk.ui, kiosk.app), under Qt."""
