"""The terminal's embedded SQLite store (peewee): models, open/migrate, search, masking."""
