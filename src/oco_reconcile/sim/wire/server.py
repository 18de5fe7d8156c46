"""``sim serve``: the simulator over real HTTP (stdlib ``ThreadingHTTPServer``), loopback only.

The stdlib server keeps the runtime dependencies as they are; it speaks HTTP/1.1 with keep-alive,
which ``requests``/``httpx`` clients use. A "dropped connection" fault closes the socket without a
response; a "read timeout" fault holds it for the rule's ``latency_ms`` first. When the simulator
itself cannot answer (its state file became unreadable under it), the request gets an HTTP 500
at once whose ``msg`` says why, and the server keeps serving: the next request tries again.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from oco_reconcile.errors import OcoReconcileError
from oco_reconcile.sim.wire.messages import (
    DROP,
    JSON_CONTENT_TYPE,
    TIMEOUT,
    RequestHandler,
    SimRequest,
    SimResponse,
)

# errors.md "-1000 UNKNOWN": "An unknown error occurred while processing the request."; the
# message carries the simulator's own reason, so a client shows it.
_SIM_FAILURE_CODE = -1000
_LISTEN_KEY = re.compile(r"(listenKey=)[^&\s]+")


class SimHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # The stdlib backlog of 5 drops connection attempts from parallel clients (each then waits for
    # a 1 s SYN retransmit); Binance's edge accepts far more at once.
    request_queue_size = 128

    def __init__(
        self, address: tuple[str, int], sim: RequestHandler, *, quiet: bool = True
    ) -> None:
        self.sim = sim
        self.quiet = quiet
        super().__init__(address, _HttpRequestHandler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


class _HttpRequestHandler(BaseHTTPRequestHandler):
    """One connection: each HTTP request becomes a :class:`SimRequest` for the simulator."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stalls
    server: SimHTTPServer

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def _serve(self) -> None:
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        request = SimRequest(self.command, path, query, body, dict(self.headers.items()))
        try:
            answer = self.server.sim.handle(request)
        except OcoReconcileError as error:
            answer = _failure(error)
        if answer.disconnect in (DROP, TIMEOUT):
            self._drop()
            return
        self.send_response(answer.status)
        for name, value in answer.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.quiet:  # a listen key in a query is a secret: never logged
            shown = (_redacted(arg) if isinstance(arg, str) else arg for arg in args)
            super().log_message(format, *shown)


def _redacted(text: str) -> str:
    return _LISTEN_KEY.sub(r"\1***", text)


def _failure(error: OcoReconcileError) -> SimResponse:
    body = {"code": _SIM_FAILURE_CODE, "msg": f"simulator: {error}"}
    headers = (("Content-Type", JSON_CONTENT_TYPE),)
    return SimResponse(500, headers, json.dumps(body).encode())


def start_server(
    sim: RequestHandler, host: str = "127.0.0.1", port: int = 0, *, quiet: bool = True
) -> tuple[SimHTTPServer, str]:
    """Serve ``sim`` from a daemon thread; stop it with :func:`stop_server`."""
    server = SimHTTPServer((host, port), sim, quiet=quiet)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="sim-serve", daemon=True
    )
    thread.start()
    return server, server.url


def stop_server(server: SimHTTPServer) -> None:
    server.shutdown()
    server.server_close()
