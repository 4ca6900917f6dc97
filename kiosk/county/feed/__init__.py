"""The county's side of the feed: read and check the county's spreadsheets, mask, partition
and sign them into a static feed (python-tuf), and write the verify site beside it."""
