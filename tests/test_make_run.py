"""`make run` on a fresh directory answers GET /healthz with 200 within 10 s, and prints the first admin token."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import httpx

from tests.harness.server import free_port, wait_until_healthy

ROOT = Path(__file__).resolve().parent.parent


def test_make_run_serves_health_within_ten_seconds(tmp_path: Path) -> None:
    assert shutil.which("make"), "make is needed for the README's quick start"
    port = free_port()
    env = {**os.environ, "WARROOM_PORT": str(port), "WARROOM_DATABASE_URL": f"sqlite:///{tmp_path}/warroom.db"}
    env.pop("WARROOM_PLAYBOOK", None)
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        took = wait_until_healthy(f"http://127.0.0.1:{port}", 10)
        assert took < 10
        assert httpx.get(f"http://127.0.0.1:{port}/readyz").json()["status"] == "ready"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
    token = re.search(r"^(wr_[a-z0-9]{12}_\S+)$", output, re.MULTILINE)
    assert token, output
    assert "shown ONCE" in output
    assert (tmp_path / "warroom.db").exists()
