"""Use cases over the store, returning plain dataclasses (kiosk.services.types)."""
