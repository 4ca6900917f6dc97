"""Use cases over the store, returning plain records (kiosk.services.types)."""
