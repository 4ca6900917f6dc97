"""The ``kiosk`` command as a user runs it: ``python -m kiosk ...`` in a process of its own."""

import os
import subprocess
import sys
from pathlib import Path


def kiosk_command(*args: str | Path) -> list[str]:
    """The argv that runs ``kiosk *args`` with this Python, for a test that must watch or
    signal the process while it runs (``subprocess.Popen``)."""
    return [sys.executable, "-m", "kiosk", *map(str, args)]


def run_kiosk(*args: str | Path, db: Path | None = None, env: dict[str, str] | None = None,
              stdin: str | None = None, ok: bool | None = None,
              timeout: float = 300) -> subprocess.CompletedProcess:  # fmt: skip
    """Run ``kiosk *args`` to its end and return what it did (text, output captured).

    Args:
        db: the database the command uses when no ``--db`` is given (``KIOSK_DB``).
        env: variables set on top of this process's environment (which conftest gave an
            offscreen Qt and a scratch data folder); Qt is offscreen unless ``env`` says
            otherwise.
        stdin: what is typed at the command (e.g. a PIN).
        ok: True asserts exit code 0 (the failure shows stderr and stdout), False asserts a
            non-zero exit code, None checks nothing.
    """
    environ = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})}
    if db is not None:
        environ["KIOSK_DB"] = str(db)
    done = subprocess.run(kiosk_command(*args), input=stdin, capture_output=True, text=True,
                          env=environ, timeout=timeout)  # fmt: skip
    command = " ".join(map(str, args))
    if ok is True:
        assert done.returncode == 0, f"kiosk {command}: exit {done.returncode}\n{done.stderr}{done.stdout}"
    elif ok is False:
        assert done.returncode != 0, f"kiosk {command} succeeded, a refusal was expected\n{done.stdout}"
    return done
