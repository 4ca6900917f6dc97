"""The terminal's side of the way back: its signing key (``identity``), the queue of sealed
envelopes waiting for the county (``queue``: ciphertext only, nothing deleted until the
county acknowledges it) and their delivery over HTTP or onto a USB stick (``delivery``).
No Qt; plaintext requests are never written to disk here."""
