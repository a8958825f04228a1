"""The machine a benchmark ran on, in one line for its printed figures (shared by every bench in this folder)."""

from __future__ import annotations

import contextlib
import os
import platform
import sqlite3
from pathlib import Path


def machine() -> str:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                model = text.split(":", 1)[1].strip()
                break
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{cores} CPUs (nproc), {model}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}"
    )
