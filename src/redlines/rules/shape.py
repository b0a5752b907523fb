"""A rule file's shape, checked so that one mistake hides no other.

pydantic validates a whole rule file at once and reports every shape problem in it (a wrong type,
an unknown or missing key); but a file with any such problem gives no model, so the checks of
names and values (:mod:`redlines.rules.load`) could not run on the rest of it, and a user would
meet those problems only in a second round. :func:`validate_shape` therefore puts a *stand-in*
of the right shape in place of each piece that failed and validates again: the result is a model
of everything that was right, plus the *holes*, the document paths of the stand-ins, about which
the second pass must say nothing.

A hole is as small as the mistake allows:

* inside a condition, the innermost condition that holds the mistake (its stand-in is the
  always-true ``all: []``), so that the conditions around it are still checked;
* in a set, the whole set (references to it are then not checked either);
* an unknown key is dropped: nothing else depends on it;
* any other mistake, the field it is in (a clause with a bad ``level`` still has its ``when``
  and ``reason`` checked), dropped when the field has a default; or the whole red line, clause
  or pattern when it is not a mapping at all.

Stand-ins never reach a user: a file with any problem gives no ruleset.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from ..errors import Problem
from ..source import Document, PathKey, Where, document_path, problems_from_validation
from .model import Clause, Pattern, RedLine, RuleFile

__all__ = ["Shape", "validate_shape"]

#: The stand-in of a condition: ``all: []`` holds for every event and names nothing.
_TRUE: dict[str, Any] = {"all": []}

#: Stand-ins for required fields, by the model they belong to and their key.
_FIELDS: dict[tuple[type[BaseModel], str], Any] = {
    (RuleFile, "schema"): "redlines/rules/v1",
    (RuleFile, "name"): "x",
    (RuleFile, "version"): "0",
    (RuleFile, "title"): "",
    (RuleFile, "red_lines"): [],
    (RedLine, "id"): "x",
    (RedLine, "title"): "",
    (Clause, "id"): "x",
    (Clause, "level"): "warning",
    (Clause, "reason"): "x",
    (Pattern, "id"): "x",
    (Pattern, "select"): {},
    (Pattern, "count"): 2,
    (Pattern, "within"): "1s",
    (Pattern, "reason"): "x",
}

#: Stand-ins for whole items of a list, by the model of the item.
_ITEMS: dict[type[BaseModel], dict[str, Any]] = {
    RedLine: {"id": "x", "title": "", "clauses": []},
    Clause: {"id": "x", "level": "warning", "when": _TRUE, "reason": "x"},
    Pattern: {"id": "x", "select": {}, "count": 2, "within": "1s", "reason": "x"},
}


class _Drop:
    """Remove the key (an unknown key, or a field that has a default)."""

    def __init__(self, hole: bool) -> None:
        self.hole = hole


_UNKNOWN_KEY = _Drop(hole=False)
_DEFAULT = _Drop(hole=True)


@dataclass(frozen=True)
class Shape:
    """A rule file's model (None when even stand-ins could not give one), the problems of its
    shape, and the holes: document paths whose content is a stand-in."""

    model: RuleFile | None
    problems: list[Problem] = field(default_factory=list)
    holes: frozenset[PathKey] = frozenset()

    def in_hole(self, path: PathKey) -> bool:
        """Whether *path* is a stand-in or inside one."""
        return any(path[:n] in self.holes for n in range(len(path) + 1))


def validate_shape(doc: Document) -> Shape:
    """Validate *doc* (a mapping) as a :class:`~redlines.rules.model.RuleFile`: every shape
    problem, and a model of the rest (see the module's docstring)."""
    try:
        return Shape(RuleFile.model_validate(doc.data))
    except ValidationError as exc:
        problems = problems_from_validation(exc, RuleFile, Where(doc.file, doc.positions))
        found = [
            (document_path(err["loc"], RuleFile), err["type"])
            for err in exc.errors(include_url=False)
        ]
    patches: dict[PathKey, Any] = {}
    for path, kind in found:
        hole, stand_in = _hole(path, kind)
        patches.setdefault(hole, stand_in)
    # A patch inside another is overwritten by it: apply only the outermost.
    outer = {h: v for h, v in patches.items() if not any(h[:n] in patches for n in range(len(h)))}
    data = copy.deepcopy(doc.data)
    try:
        for hole in sorted(outer, key=len):
            _patch(data, hole, outer[hole])
        model = RuleFile.model_validate(data)
    except (ValidationError, KeyError, IndexError, TypeError):
        return Shape(None, problems)  # a mistake this module does not foresee: shape only
    holes = frozenset(h for h, v in outer.items() if not isinstance(v, _Drop) or v.hole)
    return Shape(model, problems, holes)


def _hole(path: PathKey, kind: str) -> tuple[PathKey, Any]:
    """The smallest piece around a mistake at *path* that a stand-in can replace, and the
    stand-in."""
    condition = _innermost_condition(path)
    if condition is not None:
        return condition, _TRUE
    if len(path) >= 2 and path[0] == "sets":
        return path[:2], {"values": []}
    if kind == "extra_forbidden":
        return path, _UNKNOWN_KEY
    for prefix, owner in reversed(_owners(path)):
        if isinstance(owner, tuple):  # (model, key): a field
            model, key = owner
            if (model, key) in _FIELDS:
                return prefix, _FIELDS[(model, key)]
            info = model.model_fields.get(key) or next(
                (i for i in model.model_fields.values() if i.alias == key), None
            )
            if info is not None and not info.is_required():
                return prefix, _DEFAULT
        elif owner in _ITEMS:  # an item of a list of models
            return prefix, _ITEMS[owner]
    return path, _DEFAULT


def _innermost_condition(path: PathKey) -> PathKey | None:
    """The path of the innermost condition that *path* is in or at, or None."""
    if len(path) >= 2 and path[0] == "conditions":
        depth = 2
    elif len(path) >= 3 and path[0] == "red_lines" and path[2] == "applies_when":
        depth = 3
    elif len(path) >= 5 and path[0] == "red_lines" and path[2:5:2] == ("clauses", "when"):
        depth = 5
    elif len(path) >= 6 and path[0] == "red_lines" and path[2] == "patterns":
        if path[4:6] != ("select", "when"):
            return None
        depth = 6
    else:
        return None
    while depth < len(path):
        key = path[depth]
        if key in ("all", "any") and depth + 1 < len(path) and isinstance(path[depth + 1], int):
            depth += 2
        elif key == "not":
            depth += 1
        else:
            break
    return path[:depth]


def _owners(path: PathKey) -> list[tuple[PathKey, Any]]:
    """For each prefix of *path*, what it is: ``(model, key)`` for a field of a model, the
    item's model for an item of a list of models, None for anything else."""
    out: list[tuple[PathKey, Any]] = []
    node: Any = RuleFile
    for n, part in enumerate(path, 1):
        node = _unwrap(node)
        if isinstance(node, type) and issubclass(node, BaseModel):
            info = node.model_fields.get(str(part)) or next(
                (i for i in node.model_fields.values() if i.alias == part), None
            )
            out.append((path[:n], (node, str(part)) if info is not None else None))
            node = info.annotation if info is not None else None
        elif get_origin(node) in (tuple, list) and isinstance(part, int):
            node = get_args(node)[0]
            out.append((path[:n], _unwrap(node)))
        elif get_origin(node) is dict:
            node = get_args(node)[1]
            out.append((path[:n], None))
        else:
            out.append((path[:n], None))
            node = None
    return out


def _unwrap(tp: Any) -> Any:
    """*tp* without ``X | None``: the models of the rule language nest only through optional
    fields, tuples and dicts (conditions are handled by :func:`_innermost_condition`)."""
    args = [a for a in get_args(tp) if a is not type(None)]
    if get_origin(tp) is not None and get_origin(tp) not in (tuple, list, dict) and len(args) == 1:
        return args[0]
    return tp


def _patch(data: Any, path: PathKey, stand_in: Any) -> None:
    """Put *stand_in* at *path* in *data* (or drop the key)."""
    if not path:
        raise KeyError("the whole document")
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    if isinstance(stand_in, _Drop):
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
        return
    parent[path[-1]] = copy.deepcopy(stand_in)
