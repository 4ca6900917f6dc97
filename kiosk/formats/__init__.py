"""The formats the two programs exchange, shared by both. No peewee, no Qt, no network.

The feed (county → terminals): ``datasets`` (every county spreadsheet, column by column),
``cells`` (how a cell is read), ``spreadsheet`` (CSV/XLSX/XLS/ODS as text cells),
``validate`` (rows checked, problems named by file, row and column), ``checks`` (rules
across rows and datasets), ``feed_format`` (targets, partitions, feed.json), ``masking``
(what may be shown of an ID or card number) and ``notice_digest`` (the 校验码 printed on a
notice).

The way back (terminals → county): ``envelope`` (seal, check, open), ``forms`` (the two
request forms and their per-field rules), ``ids`` (envelope ids, receipt numbers, key
fingerprints), ``public_keys``, ``workdays`` (statutory due dates) and ``request_terms``
(request kinds and the county's statuses).
"""
