"""Tests of the county program (kiosk.county): feed build, verify site, withdrawals, root rotation, inbox."""
