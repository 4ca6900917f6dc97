"""The county program: what runs on the county's own computer, never on a terminal.

``feed``: spreadsheets in, signed feed out (publisher, signing keys, templates, the static
verify site, the demo county). ``inbox``: sealed requests in, answers out (the inbox key,
the cases database, the terminal list, import, the clerk's workbook export and reply).

Imported only by kiosk.cli; imports only kiosk.formats and the small leaves, never the
terminal's packages (store, sync, outbox, services, ui) or Qt. The terminal bundle leaves
it out.
"""
