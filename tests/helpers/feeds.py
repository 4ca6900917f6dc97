"""The county feed seen from a terminal: a loopback HTTP server with switchable faults,
a sync, a sync that must be refused, and a rebuild with one amount changed."""

import http.server
import socket
import threading
import time
from pathlib import Path

import pytest

from kiosk.county.feed import publisher
from kiosk.errors import KnownError
from kiosk.services import sync
from tests.helpers.data import content_digest

TOWN = "371522102"  # 朝城镇


class FeedServer:
    """Serves a feed folder over HTTP; ``fault`` makes it misbehave for matching paths."""

    def __init__(self, root: Path):
        self.root = root
        self.fault: tuple[str, str] | None = None  # (kind, path substring)
        self.requests: list[str] = []
        self.trickle_s = 1.0  # "trickle": one byte per this many seconds
        self.trickling = threading.Event()  # set once a trickled body has begun
        server = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(server.root), **kwargs)

            def log_message(self, *args):
                pass

            def do_GET(self):
                server.requests.append(self.path)
                kind, needle = server.fault or ("", "\0")
                if needle not in self.path:
                    return super().do_GET()
                if kind in ("404", "500"):
                    return self.send_error(int(kind))
                if kind == "stall":
                    time.sleep(5)
                    return self.send_error(503)
                path = Path(self.translate_path(self.path))
                data = path.read_bytes()
                if kind in ("trickle", "drop"):
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(data)))  # the full length...
                    self.end_headers()
                    if kind == "drop":  # ...but half the body, then the connection closes
                        self.wfile.write(data[: len(data) // 2])
                        self.wfile.flush()
                        self.connection.shutdown(socket.SHUT_RDWR)
                        self.close_connection = True
                        return None
                    server.trickling.set()
                    try:
                        for i in range(len(data)):
                            self.wfile.write(data[i : i + 1])
                            self.wfile.flush()
                            time.sleep(server.trickle_s)
                    except OSError:  # the terminal gave up and hung up
                        pass
                    return None
                body = data + b"\0" * 1_000_000 if kind == "endless" else data[: len(data) // 2]
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def run_sync(source: str, db: Path, keydir: Path, **kwargs) -> sync.SyncResult:
    return sync.sync(source, db, keydir / "root.json", **kwargs)


def refused(source: str, db: Path, keydir: Path, match: str, **kwargs) -> KnownError:
    before = content_digest(db)
    with pytest.raises(KnownError, match=match) as caught:
        run_sync(source, db, keydir, **kwargs)
    assert content_digest(db) == before, "a refused sync changed the database"
    assert " / " in str(caught.value)  # Chinese and English
    return caught.value


def rebuild_with_change(input_dir: Path, keydir: Path, feed: Path) -> publisher.BuildSummary:
    """Change one amount in 朝城镇's 2025 results and rebuild the feed in place."""
    import openpyxl

    (path,) = (input_dir / "payouts").glob(f"2025_{TOWN}_*.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    amount = [c.value for c in sheet[1]].index("发放金额(元)") + 1
    sheet.cell(row=2, column=amount, value=(sheet.cell(row=2, column=amount).value or 0) + 100)
    book.save(path)
    return publisher.build_feed(input_dir, keydir, feed)
