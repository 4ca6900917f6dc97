"""Tests of the terminal's outbox (kiosk.outbox): the queue and its delivery."""
