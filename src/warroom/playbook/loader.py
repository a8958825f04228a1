"""Read a playbook file: YAML in, a validated Playbook out, or errors that name file, line and key."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from warroom.playbook.references import Loc, reference_problems
from warroom.playbook.schema import Playbook

PRESETS_DIR = Path(__file__).parent / "presets"
ModelT = TypeVar("ModelT", bound=BaseModel)
_MAPPING_HINT = {"playbook": " (name:, severities:, ...)"}


@dataclass(frozen=True)
class PlaybookProblem:
    file: str
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.key or '(top)'}: {self.message}"


class PlaybookError(ValueError):
    """A playbook that cannot be used; every problem found is listed."""

    def __init__(self, problems: list[PlaybookProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key written twice in one mapping (YAML would keep the last silently)."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, Node] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if key in seen:
                raise ConstructorError(
                    None,
                    None,
                    f"duplicate key {key!r} (first at line {seen[key].start_mark.line + 1})",
                    key_node.start_mark,
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


def _compose_and_construct(text: str) -> tuple[Node | None, Any]:
    """One parse: the node tree (for line numbers) and the data built from that same tree."""
    loader = _StrictLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None  # type: ignore[no-untyped-call]
    finally:
        loader.dispose()  # type: ignore[no-untyped-call]
    return root, data


def _index_lines(node: Node, path: Loc, lines: dict[Loc, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode):
                child = (*path, key_node.value)
                _index_lines(value_node, child, lines)
                lines[child] = key_node.start_mark.line + 1
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            _index_lines(item, (*path, index), lines)


def format_loc(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def line_for(loc: Loc, lines: dict[Loc, int]) -> int:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 1


def parse_yaml_model(text: str, file: str, model: type[ModelT], what: str) -> tuple[ModelT, dict[Loc, int]]:
    """YAML text validated as `model`; raise PlaybookError listing every problem with file:line:key.

    Returns the model and the line of every key path, for problems found after validation."""
    try:
        root, data = _compose_and_construct(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise PlaybookError([PlaybookProblem(file, line, "", f"{error.problem or error}")]) from None
    except yaml.YAMLError as error:
        raise PlaybookError([PlaybookProblem(file, 1, "", str(error))]) from None
    if root is None or not isinstance(data, dict):
        raise PlaybookError([PlaybookProblem(file, 1, "", f"a {what} is a YAML mapping{_MAPPING_HINT.get(what, '')}")])
    lines: dict[Loc, int] = {}
    _index_lines(root, (), lines)
    try:
        return model.model_validate(data), lines
    except ValidationError as error:
        problems = []
        for detail in error.errors(include_url=False):
            loc = tuple(detail["loc"])
            message = detail["msg"].removeprefix("Value error, ")
            if detail["type"] == "extra_forbidden":
                message = f"unknown key (not part of the {what} schema)"
            problems.append(PlaybookProblem(file, line_for(loc, lines), format_loc(loc), message))
        raise PlaybookError(problems) from None


def parse_playbook(text: str, file: str = "<playbook>") -> Playbook:
    """Validate playbook text; raise PlaybookError listing every problem with file:line:key."""
    return parse_playbook_lines(text, file)[0]


def parse_playbook_lines(text: str, file: str = "<playbook>") -> tuple[Playbook, dict[Loc, int]]:
    """The playbook and the line of each key path (for findings about a valid playbook, e.g. lint)."""
    playbook, lines = parse_yaml_model(text, file, Playbook, "playbook")
    reference = reference_problems(playbook)
    if reference:
        raise PlaybookError(
            [PlaybookProblem(file, line_for(loc, lines), format_loc(loc), message) for loc, message in reference]
        )
    return playbook, lines


def load_playbook(path: str | Path) -> Playbook:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PlaybookError([PlaybookProblem(str(path), 0, "", f"cannot read: {error.strerror}")]) from None
    except UnicodeDecodeError:
        raise PlaybookError([PlaybookProblem(str(path), 0, "", "not UTF-8 text")]) from None
    return parse_playbook(text, str(path))


def preset_names() -> list[str]:
    return sorted(path.stem for path in PRESETS_DIR.glob("*.yaml"))


def preset_path(name: str) -> Path:
    path = PRESETS_DIR / f"{name}.yaml"
    if not path.is_file():
        raise PlaybookError(
            [PlaybookProblem(name, 0, "", f"no preset named {name!r} (presets: {', '.join(preset_names())})")]
        )
    return path


def load_preset(name: str) -> Playbook:
    return load_playbook(preset_path(name))


def playbook_digest(playbook: Playbook) -> str:
    """A content hash: incidents freeze the policy they started under by this digest."""
    canonical = json.dumps(playbook.model_dump(mode="json", by_alias=True), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
