"""The way back: villagers' requests sealed on a terminal, carried to the county, opened there.

Shared: ``ids`` (envelope ids, receipt numbers, fingerprints), ``public_keys``, ``files``
(atomic writes) and ``envelope`` (the format: seal, check, open).
Terminal side: ``identity`` (the terminal's signing key), ``forms`` (validation), ``outbox``
(the queue of sealed files) and ``push`` (HTTP PUT or USB copy); none imports county code.
County side: ``county_keys`` (the inbox key pair), ``cases`` (the cases database),
``terminals_csv`` (the enrolled terminals), ``county_import`` and ``workdays``.
No module here imports Qt; plaintext requests are never written to disk on the terminal.
"""
