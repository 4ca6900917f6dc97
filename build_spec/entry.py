"""PyInstaller entry point: the same `kiosk` command as the installed console script."""

from kiosk.cli import main

raise SystemExit(main())
