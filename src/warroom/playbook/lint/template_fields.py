"""unknown_template_field: a template that names a value its context never has.

A message template is rendered strictly (warroom.templating): a name the context lacks stops the message
before it is sent, with "missing value: incident.sevrity", at the moment someone needs it out. A postmortem
draft prints such a name as a placeholder that nothing will ever fill. Names a template binds itself (`set`,
loop variables) are its own; a loop over a list the context describes (`incident.timeline`) gives its
variable that list's item shape. Jinja's own globals (range, namespace, ...) are allowed.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from jinja2 import meta, nodes
from jinja2.defaults import DEFAULT_NAMESPACE

from warroom.playbook.lint.findings import UNKNOWN_TEMPLATE_FIELD, Finding
from warroom.playbook.lint.template_context import Keys, Leaf, ListOf, Shape, message_context, postmortem_context
from warroom.playbook.references import Loc
from warroom.playbook.schema import Playbook
from warroom.templating import parse

# What a mapping in the context answers besides its keys (the sandbox allows these dict methods).
_MAPPING_METHODS = frozenset({"get", "items", "keys", "values"})


def check(playbook: Playbook) -> list[Finding]:
    findings: list[Finding] = []
    for index, template in enumerate(playbook.templates):
        for part in ("subject", "body"):
            text = getattr(template, part)
            if text is None:
                continue
            where = f"templates[{template.key}].{part}"
            subject = f"template {template.key} ({part})"
            for name, hint in unknown_names(text, message_context()):
                message = (
                    f"{subject} uses {name}, which no message context has{hint}: sending it would fail with "
                    f"'missing value: {name}'"
                )
                detail = {"template": template.key, "part": part, "name": name}
                findings.append(Finding(UNKNOWN_TEMPLATE_FIELD, where, message, ("templates", index, part), detail))
    if playbook.postmortem is not None:
        for name, hint in unknown_names(playbook.postmortem.template, postmortem_context()):
            message = (
                f"the postmortem template uses {name}, which no postmortem draft context has{hint}: every draft "
                "would show it as a blank to fill in that Warroom never fills"
            )
            loc: Loc = ("postmortem", "template")
            findings.append(Finding(UNKNOWN_TEMPLATE_FIELD, "postmortem.template", message, loc, {"name": name}))
    return findings


def unknown_names(text: str, context: Keys) -> list[tuple[str, str]]:
    """Each name or attribute path the template uses that the context does not provide, with a hint
    (" (did you mean incident.severity?)") or ""; in order of first use, each once."""
    tree = parse(text)
    free = meta.find_undeclared_variables(tree)
    found: dict[str, str] = {}
    for name in sorted(free):
        if name not in context.keys and name not in DEFAULT_NAMESPACE and not context.open:
            found[name] = _hint(name, list(context.keys), "")
    bound = _loop_variables(tree, free, context)
    for root, steps in _chains(tree):
        if root in free and root in context.keys:
            shape: Shape = context.keys[root]
        elif root in bound:
            shape = bound[root]
        else:
            continue
        path = root
        for step in steps:
            if isinstance(shape, Keys):
                if not isinstance(step, str) or shape.open:
                    break
                if step not in shape.keys:
                    if step not in _MAPPING_METHODS:
                        found.setdefault(f"{path}.{step}", _hint(step, list(shape.keys), f"{path}."))
                    break
                shape, path = shape.keys[step], f"{path}.{step}"
            elif isinstance(shape, ListOf) and isinstance(step, int):
                shape, path = shape.item, f"{path}[{step}]"
            else:
                break
    return list(found.items())


def _hint(name: str, known: list[str], prefix: str) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean {prefix}{close[0]}?)" if close else ""


def _chains(tree: nodes.Node) -> Iterator[tuple[str, list[Any]]]:
    """Every outermost `a.b['c'].d` chain rooted at a plain name: (root, [steps]); a step not known before
    rendering (`a[x]`) is None."""

    def walk(node: nodes.Node, inside: bool) -> Iterator[tuple[str, list[Any]]]:
        if isinstance(node, nodes.Getattr | nodes.Getitem) and not inside:
            chain = _chain(node)
            if chain is not None:
                yield chain
        for child in node.iter_child_nodes():
            yield from walk(child, isinstance(node, nodes.Getattr | nodes.Getitem) and child is node.node)

    yield from walk(tree, False)


def _chain(node: nodes.Node) -> tuple[str, list[Any]] | None:
    steps: list[Any] = []
    while isinstance(node, nodes.Getattr | nodes.Getitem):
        if isinstance(node, nodes.Getattr):
            steps.append(str(node.attr))
        else:
            steps.append(node.arg.value if isinstance(node.arg, nodes.Const) else None)
        node = node.node
    if not isinstance(node, nodes.Name):
        return None
    return node.name, list(reversed(steps))


def _loop_variables(tree: nodes.Node, free: set[str], context: Keys) -> dict[str, Shape]:
    """`{% for e in incident.timeline %}`: e is an item of that list."""
    bound: dict[str, Shape] = {}
    for loop in tree.find_all(nodes.For):
        if not isinstance(loop.target, nodes.Name):
            continue
        shape: Shape = Leaf()
        chain = _chain(loop.iter) if isinstance(loop.iter, nodes.Getattr | nodes.Getitem | nodes.Name) else None
        if chain is not None and chain[0] in free and chain[0] in context.keys:
            shape = context.keys[chain[0]]
            for step in chain[1]:
                shape = shape.keys.get(step, Leaf()) if isinstance(shape, Keys) and isinstance(step, str) else Leaf()
        item = shape.item if isinstance(shape, ListOf) else Leaf()
        name = loop.target.name
        bound[name] = item if name not in bound or bound[name] == item else Leaf()
    return bound
