"""A real Prometheus Alertmanager process on loopback that delivers real webhooks.

Start it with ``Alertmanager.start(tmp_path, webhook_url)``; post alerts to its own API (``post_alerts``,
``resolve_alerts``) and it notifies ``webhook_url`` (webhook payload version "4", one POST per group flush).
Clustering is disabled, so nothing waits for gossip peers.

What Alertmanager 0.25 does, measured on loopback with this harness (matters for a webhook receiver):

- Startup to /-/ready: ~0.2 s. Delivery: ~group_wait + 3-5 ms after the POST to /api/v2/alerts (0s -> ~3 ms).
- Grouping: every alert of a group (same group_by labels) goes in one POST, ``max_alerts: 0`` = no truncation.
  An alert whose startsAt is older than group_wait skips group_wait: the group flushes on its first alert and the
  rest follow one group_interval later (a backdated batch arrives split in two).
- A changed group (new alert, resolved alert) is notified at the next group_interval tick; an unchanged still-firing
  group only after repeat_interval. Re-posting the same firing alert sends nothing.
- Partial resolution: the notification has status "firing" and carries the resolved alert (alert status "resolved")
  next to the firing ones. A delivered resolved alert then leaves the group, so the final "resolved" notification
  carries only the alerts resolved since the last delivery, not every alert the group ever had.
- An alert that fires again after being resolved keeps its fingerprint but gets a new startsAt.
- Firing alerts posted without endsAt arrive with endsAt "0001-01-01T00:00:00Z"; they auto-resolve after
  resolve_timeout (endsAt = startsAt + resolve_timeout). An alert resolved before it was ever notified as firing
  (e.g. resolve_timeout 1ms) produces no webhook at all.
- 5xx: retried within the same flush with randomized exponential backoff (~0.5 s, then ~0.5, 1.5, 2.5, 3 s ...) for
  max(group_interval, 10 s); then "Notify for alerts failed" is logged and the next flush starts another 10 s round, so
  it keeps trying for as long as the alert is active. The same deadline is the only HTTP timeout: a receiver that
  answers after 10 s gets the very same notification again (seen: 2nd POST at 10.02 s, while the 1st was still being
  handled). A receiver must be fast and idempotent.
- 4xx (400, 422, 429 alike): not retried within the flush ("unrecoverable error"), but nothing is recorded as sent,
  so the same notification is sent again at every group_interval tick while the alert is active.
- Headers: ``User-Agent: Alertmanager/0.25.0``, ``Content-Type: application/json``; Authorization only via
  http_config (``http_headers={"Authorization": "Bearer ..."}`` here) - 0.25 has no arbitrary webhook headers.
- GET /api/v2/alerts never lists resolved alerts.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.harness.server import free_port

ALERTMANAGER = "/usr/bin/prometheus-alertmanager"
READY_TIMEOUT = 20.0

# Smallest values config validation accepts: group_wait 0s, group_interval 1ms, repeat_interval 1ms, resolve_timeout 0s
# (group_interval / repeat_interval "cannot be zero"). The defaults trade a few ms for determinism:
DEFAULT_GROUP_WAIT = "50ms"  # 0s works, but under CPU load ~1 in 50 single POSTs of 3 alerts was split in two
DEFAULT_GROUP_INTERVAL = "100ms"  # resolved/changed groups notify at the next tick; 1ms costs ~14 % CPU per group
DEFAULT_REPEAT_INTERVAL = "1h"  # below group_interval, a still-firing group is re-sent at every group_interval tick
DEFAULT_RESOLVE_TIMEOUT = "5m"  # alerts posted without endsAt auto-resolve after this (1s works and is observable)


def alertmanager_available() -> bool:
    return os.access(ALERTMANAGER, os.X_OK)


def rfc3339(moment: datetime | None = None) -> str:
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Alertmanager:
    """``with Alertmanager.start(tmp_path, receiver.url_for("/hook")) as am: am.post_alerts([...])``."""

    def __init__(self, workdir: Path, config_file: Path, port: int) -> None:
        self.workdir = workdir
        self.config_file = config_file
        self.port = port
        self.log_file = workdir / "alertmanager.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._http = httpx.Client(base_url=self.url, timeout=5.0)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    def write_config(
        cls,
        path: Path,
        webhook_url: str,
        *,
        group_by: Sequence[str] = ("alertname",),
        group_wait: str = DEFAULT_GROUP_WAIT,
        group_interval: str = DEFAULT_GROUP_INTERVAL,
        repeat_interval: str = DEFAULT_REPEAT_INTERVAL,
        resolve_timeout: str = DEFAULT_RESOLVE_TIMEOUT,
        http_headers: dict[str, str] | None = None,
    ) -> Path:
        webhook: dict[str, Any] = {"url": webhook_url, "send_resolved": True, "max_alerts": 0}
        if http_headers:
            # Alertmanager 0.25's http_config has no free-form headers; only an Authorization header can be set.
            auth = {k.lower(): v for k, v in http_headers.items()}
            unsupported = set(auth) - {"authorization"}
            if unsupported:
                raise ValueError(f"Alertmanager 0.25 webhooks can only send an Authorization header, not {unsupported}")
            scheme, _, credentials = auth["authorization"].partition(" ")
            webhook["http_config"] = {"authorization": {"type": scheme, "credentials": credentials}}
        config = {
            "global": {"resolve_timeout": resolve_timeout},
            "route": {
                "receiver": "warroom",
                "group_by": list(group_by),
                "group_wait": group_wait,
                "group_interval": group_interval,
                "repeat_interval": repeat_interval,
            },
            "receivers": [{"name": "warroom", "webhook_configs": [webhook]}],
        }
        path.write_text(yaml.safe_dump(config, sort_keys=False))
        return path

    @classmethod
    def start(
        cls,
        tmp_path: Path,
        webhook_url: str,
        *,
        group_by: Sequence[str] = ("alertname",),
        group_wait: str = DEFAULT_GROUP_WAIT,
        group_interval: str = DEFAULT_GROUP_INTERVAL,
        repeat_interval: str = DEFAULT_REPEAT_INTERVAL,
        resolve_timeout: str = DEFAULT_RESOLVE_TIMEOUT,
        http_headers: dict[str, str] | None = None,
    ) -> Alertmanager:
        workdir = tmp_path / "alertmanager"
        workdir.mkdir(parents=True, exist_ok=True)
        config_file = cls.write_config(
            workdir / "alertmanager.yml",
            webhook_url,
            group_by=group_by,
            group_wait=group_wait,
            group_interval=group_interval,
            repeat_interval=repeat_interval,
            resolve_timeout=resolve_timeout,
            http_headers=http_headers,
        )
        last_error: RuntimeError | None = None
        for _attempt in range(3):  # free_port() can race with another process grabbing the port
            manager = cls(workdir, config_file, free_port())
            try:
                manager._launch()
                return manager
            except RuntimeError as error:
                manager.stop()
                last_error = error
                if "address already in use" not in str(error):
                    raise
        assert last_error is not None
        raise last_error

    def _launch(self) -> None:
        if not alertmanager_available():
            raise RuntimeError(f"{ALERTMANAGER} is not installed")
        command = [
            ALERTMANAGER,
            f"--config.file={self.config_file}",
            f"--storage.path={self.workdir / 'data'}",
            f"--web.listen-address=127.0.0.1:{self.port}",
            f"--web.external-url={self.url}",  # else the payload's externalURL is http://<hostname>:<port>
            "--cluster.listen-address=",  # no gossip cluster: a single instance that notifies immediately
            "--log.level=warn",
        ]
        with self.log_file.open("ab") as log:
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir)
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            code = self._process.poll()
            if code is not None:
                raise RuntimeError(f"alertmanager exited with {code} before it was ready:\n{self.log_tail()}")
            try:
                if self._http.get("/-/ready", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)  # polling an external process's socket, not waiting for our clock
        raise RuntimeError(f"alertmanager not ready within {READY_TIMEOUT} s:\n{self.log_tail()}")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        self._http.close()

    def __enter__(self) -> Alertmanager:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    # -- Alertmanager's own API ----------------------------------------------------------------------------------

    def post_alerts(self, alerts: Iterable[dict[str, Any]]) -> None:
        """POST /api/v2/alerts; each alert is {labels, annotations?, startsAt?, endsAt?, generatorURL?}."""
        response = self._http.post("/api/v2/alerts", json=list(alerts))
        if not response.is_success:
            raise RuntimeError(f"POST /api/v2/alerts -> {response.status_code}: {response.text}")

    def resolve_alerts(self, alerts: Iterable[dict[str, Any]], at: datetime | None = None) -> None:
        """Post the same alerts again with endsAt = now (or ``at``): Alertmanager marks them resolved."""
        ends_at = rfc3339(at)
        self.post_alerts({**alert, "endsAt": ends_at} for alert in alerts)

    def alerts(self, **params: Any) -> list[dict[str, Any]]:
        """GET /api/v2/alerts (params e.g. active=False, filter=['alertname="X"'])."""
        query = {k: str(v).lower() if isinstance(v, bool) else v for k, v in params.items()}
        response = self._http.get("/api/v2/alerts", params=query)
        if not response.is_success:
            raise RuntimeError(f"GET /api/v2/alerts -> {response.status_code}: {response.text}")
        result: list[dict[str, Any]] = response.json()
        return result
