"""The drill suite shipped with the presets: for each preset, scenarios that exercise every rule of the
playbook it translates, each naming the source lines it checks (presets/sources/ holds those documents)."""

from __future__ import annotations

from pathlib import Path

from warroom.drills.runner import DrillError
from warroom.playbook.loader import PRESETS_DIR, preset_names

DRILLS_DIR = PRESETS_DIR / "drills"
SOURCES_DIR = PRESETS_DIR / "sources"


def suite_files(preset: str) -> list[Path]:
    """The shipped scenarios of one preset, or of every preset for 'all'."""
    names = preset_names() if preset == "all" else [preset]
    files: list[Path] = []
    for name in names:
        if name not in preset_names():
            raise DrillError(f"no preset named {name!r} (presets: {', '.join(preset_names())}, or 'all')")
        files.extend(sorted((DRILLS_DIR / name).glob("*.yaml")))
    return files


def source_document(name: str) -> Path:
    """A source playbook by its file name (as a scenario's `source:` gives it)."""
    path = SOURCES_DIR / Path(name).name
    if not path.is_file():
        raise DrillError(f"no source playbook {name!r} in {SOURCES_DIR}")
    return path
