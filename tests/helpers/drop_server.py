"""The county's drop for real: nginx on loopback serving resources/server/nginx-drop.conf."""

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tests.helpers.paths import REPO


def available() -> bool:
    return shutil.which("nginx") is not None and os.geteuid() == 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def drop_server() -> Iterator[tuple[str, Path, Path]]:
    """nginx serving the shipped drop configuration; yields (url, drop folder, htpasswd)."""
    base = Path(tempfile.mkdtemp(prefix="kiosk-drop-"))  # www-data must reach it: not under pytest's 0700
    base.chmod(0o755)
    root, state, users = base / "root", base / "state", base / "users"
    for folder in (root / "drop", state / "tmp", users):
        folder.mkdir(parents=True)
    shutil.chown(root / "drop", "www-data", "www-data")
    shutil.chown(state / "tmp", "www-data", "www-data")
    shutil.chown(users, group="www-data")
    users.chmod(0o2750)  # setgid: a rewritten htpasswd keeps the group nginx reads it by
    htpasswd = users / "htpasswd"
    port = _free_port()
    conf = (REPO / "resources" / "server" / "nginx-drop.conf").read_text(encoding="utf-8")
    for name, value in (("@USER@", "www-data"), ("@STATE@", str(state)), ("@LISTEN@", f"127.0.0.1:{port}"),
                        ("@DROP_ROOT@", str(root)), ("@HTPASSWD@", str(htpasswd))):  # fmt: skip
        conf = conf.replace(name, value)
    assert re.search(r"@[A-Z_]+@", conf) is None  # every placeholder filled
    (state / "nginx.conf").write_text(conf, encoding="utf-8")
    server = subprocess.Popen(["nginx", "-e", str(state / "error.log"), "-c", str(state / "nginx.conf")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            assert server.poll() is None, server.stderr.read().decode()
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/drop", root / "drop", htpasswd
    finally:
        server.send_signal(signal.SIGQUIT)
        server.wait(timeout=10)
        shutil.rmtree(base, ignore_errors=True)


