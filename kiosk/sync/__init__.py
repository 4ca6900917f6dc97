"""The terminal's pull: fetch the county's signed feed (``client``, python-tuf), verify and
apply the changed partitions in one transaction (``apply``, with ``records`` mapping rows to
the store), and read the last verified feed back from the local cache (``cache``)."""
