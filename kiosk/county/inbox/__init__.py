"""The county's side of the way back: its inbox key pair (``keys``), the cases database
(``cases``), the enrolled terminals (``terminals``), import of sealed envelopes
(``intake``), the clerk's workbook out (``export``) and back in, to replies for the feed
(``reply``), and the 年度报告's tables counted from the cases (``report_terms``,
``annual_report``). Plaintext requests exist only here, in the cases database."""
