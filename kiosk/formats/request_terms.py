"""The words of villagers' requests, defined once: the terminal (kiosk.services.requests),
the feed's replies dataset (kiosk.formats.datasets) and the county's workbook
(kiosk.county.inbox.export) all speak them, and the two middle layers may not import each
other. A leaf: imports nothing."""

REQUEST_KINDS = {"disclosure": "政府信息公开申请", "callback": "咨询·预约回电"}
# Where a request stands at the county, in the order a case moves (the first is where every
# imported case starts).
COUNTY_STATUSES = ("县里已收到", "办理中", "已答复", "需补正", "已延期")
