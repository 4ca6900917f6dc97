"""Tests of kiosk.formats, what both programs share: envelopes, masking, reference data."""
