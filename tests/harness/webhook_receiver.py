"""The harness's fake webhook receiver: a real HTTP server on a loopback port that records every POST.

Anything that delivers webhooks over a socket (a real Alertmanager process, our own outbound notifier) can be pointed
at ``receiver.url_for("/some/path")``. Each request is recorded as a ``ReceivedRequest``; ``respond_with`` queues the
status codes for the next requests to simulate a failing receiver. ``wait_for`` blocks until matching requests have
arrived or a deadline passes: it waits on a condition that every arrival signals, it never sleeps for time to pass.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]  # header names lower-cased
    body: bytes
    status: int  # the status the receiver answered with
    received_at: float = field(default_factory=time.monotonic)

    @property
    def json(self) -> Any:
        """The body parsed as JSON (raises ValueError when it is not JSON)."""
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A sender dropping its keep-alive connection (e.g. Alertmanager being stopped) is not a test failure.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class WebhookReceiver:
    """Context manager: ``with WebhookReceiver() as receiver: ... receiver.wait_for(...)``."""

    def __init__(self, default_status: int = 200) -> None:
        self.default_status = default_status
        self.received: list[ReceivedRequest] = []
        self._queued: deque[int] = deque()
        self._condition = threading.Condition()
        self._server = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self.port = int(self._server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="webhook-receiver", daemon=True
        )
        self._started = False

    # -- lifecycle -----------------------------------------------------------------------------------------------

    def start(self) -> WebhookReceiver:
        if not self._started:
            self._thread.start()
            self._started = True
        return self

    def stop(self) -> None:
        if self._started:
            self._server.shutdown()
            self._thread.join(10)
            self._started = False
        self._server.server_close()

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # -- configuration -------------------------------------------------------------------------------------------

    def url_for(self, path: str = "/") -> str:
        return f"{self.url}/{path.lstrip('/')}"

    def respond_with(self, *statuses: int) -> None:
        """Answer the next ``len(statuses)`` requests with these statuses, in order, then ``default_status`` again."""
        with self._condition:
            self._queued.extend(statuses)

    def always_respond_with(self, status: int) -> None:
        """Change the status for every request not covered by ``respond_with``."""
        with self._condition:
            self.default_status = status

    def clear(self) -> None:
        """Forget what was received so far (queued statuses are kept)."""
        with self._condition:
            self.received.clear()

    # -- inspection ----------------------------------------------------------------------------------------------

    def requests(self, path: str | None = None) -> list[ReceivedRequest]:
        with self._condition:
            return [r for r in self.received if path is None or r.path == path]

    def wait_for(
        self,
        predicate: Callable[[ReceivedRequest], bool] = lambda _r: True,
        timeout: float = 20.0,
        count: int = 1,
    ) -> list[ReceivedRequest]:
        """Block until at least ``count`` received requests satisfy ``predicate``; return all that do.

        Raises TimeoutError (listing what did arrive) when the deadline passes first.
        """
        deadline = time.monotonic() + timeout
        with self._condition:
            while True:
                matching = [r for r in self.received if predicate(r)]
                if len(matching) >= count:
                    return matching
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    summary = "\n".join(f"  {r.method} {r.path} -> {r.status}: {r.body[:300]!r}" for r in self.received)
                    raise TimeoutError(
                        f"{len(matching)} of {count} expected requests arrived within {timeout} s; "
                        f"received {len(self.received)}:\n{summary or '  (nothing)'}"
                    )
                self._condition.wait(remaining)

    # -- server side ---------------------------------------------------------------------------------------------

    def _next_status(self) -> int:
        with self._condition:
            return self._queued.popleft() if self._queued else self.default_status

    def _record(self, request: ReceivedRequest) -> None:
        with self._condition:
            self.received.append(request)
            self._condition.notify_all()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status = receiver._next_status()
                # Recorded before answering: a sender whose call has returned finds its request here, with no race
                # between the response reaching it and this thread appending (CI once lost that race).
                receiver._record(
                    ReceivedRequest(
                        method="POST",
                        path=self.path,
                        headers={name.lower(): value for name, value in self.headers.items()},
                        body=body,
                        status=status,
                    )
                )
                payload = json.dumps({"status": status}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                self.wfile.flush()

            def log_message(self, format: str, *args: Any) -> None:  # quiet test output
                pass

        return Handler
