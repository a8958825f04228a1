"""The names and attributes a template can use, read from the code that builds its context.

Not a copy that could drift: the shape is taken from the source of the real builders,
warroom.comms.context.incident_context (messages; the handoff context is a subset of it) and
warroom.postmortems.draft.draft_context (postmortem drafts), by reading the dictionaries they return. A key
those builders spell out is a key templates may use; where the keys are only known at run time (role
holders, impact facts, the postmortem's own facts) any key is accepted. `fields` is always free-form: a
message template does not declare its fields (schema/comms.py MessageTemplate); they are typed at send time.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from dataclasses import dataclass, field
from functools import cache

MESSAGE_BUILDER = ("warroom.comms.context", "incident_context")
POSTMORTEM_BUILDER = ("warroom.postmortems.draft", "draft_context")
FREE_FORM = ("fields",)
_MAX_DEPTH = 12


@dataclass(frozen=True)
class Leaf:
    """A value whose attributes are not checked (text, a time, a number)."""


@dataclass(frozen=True)
class Keys:
    """A mapping: these keys, or any key when `open`."""

    keys: dict[str, Shape] = field(default_factory=dict)
    open: bool = False


@dataclass(frozen=True)
class ListOf:
    item: Shape


Shape = Leaf | Keys | ListOf


def _union(left: Shape, right: Shape) -> Shape:
    if isinstance(left, Keys) and isinstance(right, Keys):
        merged = dict(left.keys)
        for key, value in right.keys.items():
            merged[key] = _union(merged[key], value) if key in merged else value
        return Keys(merged, left.open or right.open)
    if isinstance(left, ListOf) and isinstance(right, ListOf):
        return ListOf(_union(left.item, right.item))
    return left if left == right else Leaf()


@cache
def _module(name: str) -> ast.Module:
    return ast.parse(inspect.getsource(importlib.import_module(name)))


def _function(module: str, name: str) -> tuple[str, ast.FunctionDef] | None:
    """A function by the name a module knows it under: its own, or imported from another warroom module."""
    for node in _module(module).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return module, node
    for node in _module(module).body:
        if not (isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("warroom.")):
            continue
        original = next((alias.name for alias in node.names if (alias.asname or alias.name) == name), None)
        if original is not None:
            return _function(node.module, original)
    return None


def _own_nodes(function: ast.FunctionDef) -> list[ast.AST]:
    """The function's nodes, leaving out those of functions defined inside it (their returns are theirs)."""
    nested = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
    found: list[ast.AST] = []
    pending: list[ast.AST] = [node for node in function.body if not isinstance(node, nested)]
    while pending:
        node = pending.pop()
        found.append(node)
        pending += [child for child in ast.iter_child_nodes(node) if not isinstance(child, nested)]
    return found


class _Reader:
    def __init__(self, module: str, function: ast.FunctionDef, depth: int) -> None:
        self.module = module
        self.function = function
        self.depth = depth

    def returned(self) -> Shape:
        shapes = [
            self.shape(node.value)
            for node in _own_nodes(self.function)
            if isinstance(node, ast.Return) and node.value is not None
        ]
        result: Shape | None = None
        for shape in shapes:
            result = shape if result is None else _union(result, shape)
        return result if result is not None else Leaf()

    def call(self, name: str, arguments: list[ast.expr]) -> Shape:
        found = _function(self.module, name) if self.depth < _MAX_DEPTH else None
        if found is None:
            return Keys(open=True) if name == "dict" else Leaf()
        result = _Reader(found[0], found[1], self.depth + 1).returned()
        if isinstance(result, Keys) and result.open and not result.keys and len(arguments) == 1:
            # A mapping in, a mapping of run-time keys out: a filter over the mapping (e.g. dropping absent
            # values) keeps the argument's keys.
            argument = self.shape(arguments[0])
            if isinstance(argument, Keys):
                return argument
        return result

    def local(self, name: str) -> Shape:
        for node in _own_nodes(self.function):
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id == name
            ):
                return self.shape(node.value)
        return Leaf()

    def shape(self, node: ast.expr) -> Shape:
        if isinstance(node, ast.Dict):
            keys: dict[str, Shape] = {}
            open_ = False
            for key, value in zip(node.keys, node.values, strict=True):
                if key is None:
                    spread = self.shape(value)
                    if isinstance(spread, Keys):
                        keys = {**keys, **spread.keys}
                        open_ = open_ or spread.open
                    else:
                        open_ = True
                elif isinstance(key, ast.Constant) and isinstance(key.value, str):
                    keys[key.value] = self.shape(value)
                else:
                    open_ = True
            return Keys(keys, open_)
        if isinstance(node, ast.DictComp):
            return Keys(open=True)
        if isinstance(node, ast.IfExp):
            return _union(self.shape(node.body), self.shape(node.orelse))
        if isinstance(node, ast.BoolOp):
            return self.shape(node.values[0])
        if isinstance(node, ast.ListComp):
            return ListOf(self.shape(node.elt))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self.call(node.func.id, list(node.args))
        if isinstance(node, ast.Name):
            return self.local(node.id) if self.depth < _MAX_DEPTH else Leaf()
        return Leaf()


def _built_by(module: str, function: str) -> Keys:
    found = _function(module, function)
    if found is None:
        raise LookupError(f"{module}.{function} not found: the lint cannot learn the template context")
    shape = _Reader(found[0], found[1], 0).returned()
    if not isinstance(shape, Keys):
        raise LookupError(f"{module}.{function} does not return a dictionary the lint can read")
    return Keys({**shape.keys, **{name: Keys(open=True) for name in FREE_FORM}}, shape.open)


@cache
def message_context() -> Keys:
    """What a message template sees: the incident context (the handoff context is a subset) plus `fields`."""
    return _built_by(*MESSAGE_BUILDER)


@cache
def postmortem_context() -> Keys:
    """What a postmortem template sees: the incident context plus the draft's own names."""
    return _built_by(*POSTMORTEM_BUILDER)
