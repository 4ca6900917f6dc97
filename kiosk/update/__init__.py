"""Terminal side: the program's versions on disk, the launcher, unpacking releases (no Qt, no network)."""
