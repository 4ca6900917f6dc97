"""Qt widgets of the kiosk; they talk only to kiosk.services."""
