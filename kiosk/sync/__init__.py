"""County data: spreadsheets, validation, import, demo county (and later the signed feed)."""
