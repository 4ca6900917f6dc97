"""A loopback upload store for the terminal's outbox (the ``store`` fixture serves one)."""

import http.server
import time


class Store(http.server.ThreadingHTTPServer):
    """A WebDAV-like store that accepts PUT; ``answer`` is the status it replies with."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), PutHandler)
        self.received: dict[str, bytes] = {}
        self.answer = 201
        self.delay = 0.0
        self.requests = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/inbox"


class PutHandler(http.server.BaseHTTPRequestHandler):
    server: Store

    def do_PUT(self) -> None:
        self.server.requests += 1
        body = self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(self.server.delay)
        if 200 <= self.server.answer < 300:
            self.server.received[self.path.rsplit("/", 1)[-1]] = body
        self.send_response(self.server.answer)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass
