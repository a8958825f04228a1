"""A real server process or thread on a loopback port, for tests that speak HTTP over a socket."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import uvicorn
from fastapi import FastAPI


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_healthy(url: str, timeout: float) -> float:
    """Poll /healthz; return the seconds it took. Polling a socket is not waiting for time to pass."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{url}/healthz did not answer 200 within {timeout} s")


class ThreadedServer:
    """uvicorn serving an app in a thread on 127.0.0.1."""

    def __init__(self, app: FastAPI, tls: tuple[str, str] | None = None) -> None:
        """`tls` is (certificate file, key file): HTTPS, for clients that refuse plain HTTP."""
        self.port = free_port()
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self._tls = tls is not None
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            timeout_graceful_shutdown=2,  # a client that keeps its connection open must not hold the test
            ssl_certfile=tls[0] if tls else None,
            ssl_keyfile=tls[1] if tls else None,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> ThreadedServer:
        self._thread.start()
        if not self._tls:
            wait_until_healthy(self.url, 15)
        else:  # the probe would need the test CA; uvicorn says when it listens
            deadline = time.monotonic() + 15
            while not self._server.started:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{self.url} did not start within 15 s")
                time.sleep(0.02)
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(10)
