"""Load a rule file: YAML -> RuleFile model -> checked, resolved :class:`Ruleset`.

Every problem is reported with the file, line and column it comes from; unknown names (sets,
conditions, fields, kinds, countries, shipped rulesets) come with a "did you mean". The problems
of the shape (:mod:`redlines.rules.shape`) and of names and values are found in one round and
reported together, in file order; a ruleset that loads carries the warnings of
:mod:`redlines.rules.lint`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math
import re
import string
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from ..countries import normalize_country
from ..errors import (
    UNSET,
    InputError,
    InvalidValue,
    Problem,
    RuleError,
    RulesetNotFound,
    in_file_order,
    suggest,
)
from ..events import KIND_GROUPS, KINDS, MAX_INTEGER, parse_region, parse_time, unknown_choice
from ..source import (
    MAX_RULES_BYTES,
    Document,
    parse_yaml,
    path_kind,
    problem_at,
    read_text,
    remember,
)
from . import cache as rules_cache
from .lint import lint
from .model import (
    AllOf,
    AnyOf,
    Clause,
    Condition,
    FieldTest,
    NotOf,
    Pattern,
    Ref,
    RuleFile,
    SetDef,
)
from .normal import TooComplex, disjuncts
from .operators import IGNORE_CASE, MAX_PATTERN_CHARS, OPERATORS, WRITTEN, backtracking_risk
from .resolved import (
    FIELDS,
    All,
    Cond,
    Not,
    ResolvedClause,
    ResolvedPattern,
    ResolvedRedLine,
    Ruleset,
    Test,
)
from .resolved import AnyOf as RAny
from .shape import Shape, validate_shape

__all__ = ["CLAUSE_PLACEHOLDERS", "PATTERN_PLACEHOLDERS", "load_rules", "shipped_rulesets"]

Path_ = tuple[str | int, ...]

#: Placeholders a clause reason may use (see docs/rules.md).
CLAUSE_PLACEHOLDERS = (
    "id",
    "time",
    "date",
    "actor",
    "actor_name",
    "actor_type",
    "on_behalf_of",
    "on_behalf_of_name",
    "target",
    "target_name",
    "kind",
    "intent",
    "attribution",
    "region",
    "region_name",
    "place",
    "location_country",
    "fatalities",
)
#: Placeholders a pattern reason may use, in addition to those of the last event.
PATTERN_PLACEHOLDERS = (
    *CLAUSE_PLACEHOLDERS,
    "count",
    "threshold",
    "within",
    "key",
    "first",
    "last",
    "events",
)

_SET_TYPES = {"countries": "country", "kinds": "kind", "regions": "region", "values": "value"}


def shipped_rulesets() -> list[str]:
    """Names of the rulesets that ship with redlines."""
    folder = resources.files("redlines").joinpath("data/rulesets")
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_rules(spec: str | Path = "nato-2024", *, base: Path | None = None) -> Ruleset:
    """Load a ruleset by shipped name (``nato-2024``) or by path to a YAML rule file.

    A relative path is taken relative to *base* when given (scenario files name their rules
    relative to themselves).
    """
    text = str(spec)
    shipped = shipped_rulesets()
    looks_like_path = (
        isinstance(spec, Path) or "/" in text or text.endswith((".yaml", ".yml", ".json"))
    )
    if not looks_like_path and text in shipped:
        data = resources.files("redlines").joinpath(f"data/rulesets/{text}.yaml").read_bytes()
        return parse_rules(data.decode("utf-8"), f"builtin:{text}")
    path = Path(text)
    if base is not None and not path.is_absolute():
        path = base / path
    if not looks_like_path and path_kind(path) == "missing":
        raise RulesetNotFound(
            [
                Problem(
                    f"unknown ruleset '{text}': not a shipped ruleset ({', '.join(shipped)}) "
                    "nor a file",
                    suggestion=suggest(text, shipped, cutoff=0.5),
                )
            ]
        )
    text = read_text(path, limit=MAX_RULES_BYTES, advice="rule files are limited to {limit}")
    return parse_rules(text, str(path))


def parse_rules(text: str, file: str) -> Ruleset:
    """Parse, validate and resolve a rule file's text; a text loaded before under the same
    name comes from the cache of loaded rulesets (:mod:`redlines.rules.cache`)."""
    cached = rules_cache.get(text, file)
    if cached is not None:
        remember(file, text)  # for the lines of problems found later (--context)
        return cached
    ruleset = _parse_rules(text, file)
    rules_cache.put(text, file, ruleset)
    return ruleset


def _parse_rules(text: str, file: str) -> Ruleset:
    try:
        doc = parse_yaml(text, file, full_limit=MAX_RULES_BYTES)
    except InputError as exc:
        raise RuleError(exc.problems) from None
    if not isinstance(doc.data, dict):
        raise RuleError.one(
            "a rule file must be a mapping with 'schema', 'name', ... 'red_lines'",
            file=file,
            line=1,
        )
    shape = validate_shape(doc)
    if shape.model is None:
        raise RuleError(in_file_order(shape.problems))
    resolver = _Resolver(shape.model, doc, shape)
    ruleset = resolver.resolve(hashlib.sha256(text.encode("utf-8")).hexdigest())
    problems = in_file_order([*shape.problems, *resolver.problems])
    if problems:
        raise RuleError(problems)
    return dataclasses.replace(ruleset, warnings=tuple(lint(ruleset, doc.positions)))


#: The type of a set whose shape was wrong (see :mod:`redlines.rules.shape`): it is left out,
#: and so are the checks of what refers to it.
_BROKEN = "broken"


class _Resolver:
    """Checks names, types and values, and inlines sets and named conditions. Nothing is said
    about the holes of *shape*: the places whose shape was wrong hold stand-ins."""

    def __init__(self, model: RuleFile, doc: Document, shape: Shape | None = None) -> None:
        self.model = model
        self.doc = doc
        self.shape = shape or Shape(model)
        self.problems: list[Problem] = []
        self.sets: dict[str, tuple[str, tuple[Any, ...]]] = {}  # name -> (type, members)
        self._resolving_conditions: list[str] = []
        self._conditions: dict[str, Cond | None] = {}

    # -- problems -------------------------------------------------------------------------
    def problem(
        self,
        path: Path_,
        message: str,
        *,
        field: str | None = None,
        value: Any = UNSET,
        suggestion: str | None = None,
    ) -> None:
        if self.shape.in_hole(path):
            return  # about a stand-in: the shape problem there is what the user must fix
        self.problems.append(
            problem_at(
                self.doc.positions,
                path,
                message,
                file=self.doc.file,
                field=field,
                value=value,
                suggestion=suggestion,
            )
        )

    # -- sets -----------------------------------------------------------------------------
    def resolve_sets(self) -> None:
        for name, members in KIND_GROUPS.items():
            self.sets[name] = ("kind", members)
        pending = dict(self.model.sets)
        for name in pending:
            if name in KIND_GROUPS:
                self.problem(("sets", name), f"set '{name}' is built in and cannot be redefined")
        order = [n for n in pending if n not in KIND_GROUPS]
        for name in order:
            self._resolve_set(name, pending, [])

    def _resolve_set(self, name: str, pending: dict[str, SetDef], stack: list[str]) -> None:
        if name in self.sets:
            return
        path: Path_ = ("sets", name)
        if self.shape.in_hole(path):
            self.sets[name] = (_BROKEN, ())
            return
        if name in stack:
            self.problem(path, f"set '{name}' includes itself ({' -> '.join([*stack, name])})")
            self.sets[name] = (_BROKEN, ())  # reported here, not again where it is used
            return
        sdef = pending[name]
        given = [
            (k, v)
            for k, v in (
                ("countries", sdef.countries),
                ("kinds", sdef.kinds),
                ("regions", sdef.regions),
                ("values", sdef.values),
            )
            if v is not None
        ]
        if len(given) != 1:
            self.problem(
                path, "a set needs exactly one of 'countries', 'kinds', 'regions' or 'values'"
            )
            self.sets[name] = (_BROKEN, ())
            return
        key, raw = given[0]
        stype = _SET_TYPES[key]
        members: list[Any] = []
        for i, item in enumerate(raw):
            ipath: Path_ = (*path, key, i)
            if isinstance(item, str) and (item in pending or item in KIND_GROUPS) and item != name:
                if item in pending and item not in self.sets:
                    self._resolve_set(item, pending, [*stack, name])
                itype, imembers = self.sets[item]
                if itype == _BROKEN:
                    continue
                if itype != stype:
                    self.problem(
                        ipath,
                        f"set '{item}' holds {itype} values, not {stype} values",
                        value=item,
                    )
                members.extend(imembers)
                continue
            value = self._member(stype, item, ipath)
            if value is not None:
                members.append(value)
        self.sets[name] = (stype, tuple(sorted(set(members), key=_sort_key)))

    def _member(self, stype: str, item: Any, path: Path_) -> Any:
        try:
            if stype == "country":
                return normalize_country(item)
            if stype == "kind":
                if item not in KINDS:
                    raise InvalidValue(
                        f"unknown kind or set '{item}'",
                        suggestion=suggest(
                            str(item), [*KINDS, *self.sets, *self.model.sets], cutoff=0.6
                        ),
                    )
                return item
            if stype == "region":
                return parse_region(item)
            return item
        except InvalidValue as exc:
            self.problem(path, str(exc), value=item, suggestion=exc.suggestion)
            return None

    # -- conditions -----------------------------------------------------------------------
    def named_condition(self, name: str, path: Path_) -> Cond | None:
        if name not in self.model.conditions:
            self.problem(
                path,
                f"unknown condition '{name}'",
                value=name,
                suggestion=suggest(name, self.model.conditions, cutoff=0.5),
            )
            return None
        if name in self._resolving_conditions:
            chain = " -> ".join([*self._resolving_conditions, name])
            self.problem(path, f"condition '{name}' refers to itself ({chain})")
            return None
        if name not in self._conditions:
            self._resolving_conditions.append(name)
            self._conditions[name] = self.condition(
                self.model.conditions[name], ("conditions", name)
            )
            self._resolving_conditions.pop()
        return self._conditions[name]

    def condition(self, cond: Condition, path: Path_) -> Cond | None:
        if isinstance(cond, AllOf):
            items = [self.condition(c, (*path, "all", i)) for i, c in enumerate(cond.all)]
            return All(tuple(c for c in items if c is not None))
        if isinstance(cond, AnyOf):
            items = [self.condition(c, (*path, "any", i)) for i, c in enumerate(cond.any)]
            return RAny(tuple(c for c in items if c is not None))
        if isinstance(cond, NotOf):
            inner = self.condition(cond.not_, (*path, "not"))
            return None if inner is None else Not(inner)
        if isinstance(cond, Ref):
            return self.named_condition(cond.ref, (*path, "ref"))
        return self.field_test(cond, path)

    def field_test(self, test: FieldTest, path: Path_) -> Cond | None:
        spec = FIELDS.get(test.field)
        if spec is None:
            hint = suggest(test.field, FIELDS, cutoff=0.6)
            self.problem(
                (*path, "field"),
                f"unknown or untestable event field '{test.field}'",
                value=test.field,
                suggestion=hint,
            )
            return None
        ops = test.operators()
        if len(ops) != 1:
            self.problem(
                path,
                f"a test on '{test.field}' needs exactly one operator ({', '.join(WRITTEN)})",
            )
            return None
        op, operand = ops[0]
        operator = OPERATORS[op]
        opath: Path_ = (*path, op)
        if test.ignore_case is not None and op not in IGNORE_CASE:
            self.problem(
                (*path, "ignore_case"),
                f"'ignore_case' modifies {', '.join(IGNORE_CASE)}; not '{op}'",
            )
            return None
        if operator.operand == "flag":
            return Test(spec.name, op, bool(operand))
        mismatch = operator.type_problem(spec.name, spec.type)
        if mismatch is not None:
            self.problem(opath, mismatch)
            return None
        if op in IGNORE_CASE:
            text = self._text_operand(op, operand, opath)
            if text is None:
                return None
            return Test(spec.name, IGNORE_CASE[op] if test.ignore_case else op, text)
        if operator.operand == "set":
            members = self._operand_set(spec.name, spec.type, operand, opath)
            if members is None:
                return None
            return Test(spec.name, op, members)
        value = self._value(spec.name, spec.type, spec.choices, operand, opath)
        if value is None:
            return None
        return Test(spec.name, op, value)

    def _text_operand(self, op: str, operand: Any, path: Path_) -> str | None:
        """The text of a ``contains`` or the regular expression of a ``matches``, checked: a
        non-empty text of at most :data:`MAX_PATTERN_CHARS` characters; a pattern that
        compiles."""
        problem: str | None = None
        if not isinstance(operand, str) or not operand:
            problem = f"'{op}' needs a non-empty text"
        elif len(operand) > MAX_PATTERN_CHARS:
            problem = f"'{op}' takes at most {MAX_PATTERN_CHARS} characters"
        elif "matches" in op:
            try:
                re.compile(operand)
            except re.error as exc:
                problem = f"invalid regular expression: {exc}"
            else:
                risk = backtracking_risk(operand)
                if risk is not None:
                    problem = (
                        f"this regular expression could take exponential time on long text "
                        f"({risk}): write it without that"
                    )
        if problem is not None:
            self.problem(path, problem, value=operand if isinstance(operand, str) else UNSET)
            return None
        return str(operand)

    def _operand_set(
        self, fname: str, ftype: str, operand: Any, path: Path_
    ) -> tuple[Any, ...] | None:
        if isinstance(operand, str):
            if operand not in self.sets:
                self.problem(
                    path,
                    f"unknown set '{operand}'",
                    value=operand,
                    suggestion=suggest(operand, self.sets, cutoff=0.5),
                )
                return None
            stype, members = self.sets[operand]
            if stype == _BROKEN:
                return None
            want = {"country": "country", "kind": "kind", "region": "region"}.get(ftype, "value")
            if stype != want:
                self.problem(
                    path,
                    f"set '{operand}' holds {stype} values but '{fname}' is a {ftype}",
                    value=operand,
                )
                return None
            if stype != "value":
                return members  # already normalised when the set was resolved
            # A `values` set is untyped until used: check its members against this field.
            spec = FIELDS[fname]
            checked = [
                self._value(fname, ftype, spec.choices, m, ("sets", operand)) for m in members
            ]
            if any(v is None for v in checked):
                return None
            return tuple(sorted(set(checked), key=_sort_key))
        spec = FIELDS[fname]
        values: list[Any] = []
        for i, item in enumerate(operand):
            if isinstance(item, str) and item in self.sets and ftype == "kind":
                if self.sets[item][0] == _BROKEN:
                    return None
                values.extend(self.sets[item][1])
                continue
            v = self._value(fname, ftype, spec.choices, item, (*path, i))
            if v is not None:
                values.append(v)
        return tuple(sorted(set(values), key=_sort_key))

    def _value(
        self, fname: str, ftype: str, choices: tuple[str, ...], operand: Any, path: Path_
    ) -> Any:
        try:
            if ftype == "country":
                return normalize_country(operand)
            if ftype in ("kind", "enum"):
                if operand not in choices:
                    raise unknown_choice(fname, operand, choices)
                return operand
            if ftype == "region":
                return parse_region(operand)
            if ftype == "time":
                return parse_time(operand).timestamp()
            if ftype in ("number", "integer"):
                if isinstance(operand, bool) or not isinstance(operand, (int, float)):
                    raise InvalidValue(f"'{fname}' is compared with numbers, not {operand!r}")
                if not math.isfinite(operand) or abs(operand) > MAX_INTEGER:
                    raise InvalidValue(
                        f"'{fname}' is compared with finite numbers between -{MAX_INTEGER} and "
                        f"{MAX_INTEGER} (the engine compares 64-bit integers)"
                    )
                return operand
            if not isinstance(operand, str):
                raise InvalidValue(f"'{fname}' is compared with text, not {operand!r}")
            return operand
        except InvalidValue as exc:
            self.problem(
                path,
                str(exc),
                value=operand if not isinstance(operand, dt.date) else str(operand),
                suggestion=exc.suggestion,
            )
            return None

    # -- red lines ------------------------------------------------------------------------
    def resolve(self, sha256: str) -> Ruleset:
        self.resolve_sets()
        for name in self.model.conditions:
            self.named_condition(name, ("conditions", name))
        if not self.model.red_lines:
            self.problem(("red_lines",), "a ruleset needs at least one red line")
        red_lines: list[ResolvedRedLine] = []
        seen_ids: set[str] = set()
        for i, rl in enumerate(self.model.red_lines):
            rpath: Path_ = ("red_lines", i)
            self._unique(rl.id, seen_ids, (*rpath, "id"), f"duplicate red line id '{rl.id}'")
            guard = (
                self.condition(rl.applies_when, (*rpath, "applies_when"))
                if rl.applies_when
                else None
            )
            broken = self.shape.in_hole((*rpath, "clauses")) or self.shape.in_hole(
                (*rpath, "patterns")
            )
            if not rl.clauses and not rl.patterns and not broken:
                self.problem(rpath, f"red line '{rl.id}' has neither clauses nor patterns")
            clause_ids: set[str] = set()
            clauses = []
            for j, cl in enumerate(rl.clauses):
                cpath: Path_ = (*rpath, "clauses", j)
                self._unique(cl.id, clause_ids, (*cpath, "id"))
                clauses.append(self._clause(cl, guard, cpath))
            patterns = []
            for j, pat in enumerate(rl.patterns):
                ppath: Path_ = (*rpath, "patterns", j)
                self._unique(pat.id, clause_ids, (*ppath, "id"))
                has_clauses = bool(rl.clauses) or self.shape.in_hole((*rpath, "clauses"))
                patterns.append(self._pattern(pat, guard, ppath, has_clauses))
            red_lines.append(
                ResolvedRedLine(
                    rl.id,
                    rl.title,
                    rl.description,
                    rl.provenance or self.model.provenance,
                    tuple(c for c in clauses if c is not None),
                    tuple(p for p in patterns if p is not None),
                )
            )
        source = self.doc.file
        return Ruleset(
            name=self.model.name,
            version=self.model.version,
            title=self.model.title,
            description=self.model.description,
            provenance=self.model.provenance,
            red_lines=tuple(red_lines),
            sha256=sha256,
            source=source,
            sets={k: tuple(str(m) for m in v[1]) for k, v in sorted(self.sets.items())},
            model=self.model,
        )

    def _unique(self, ident: str, seen: set[str], path: Path_, message: str | None = None) -> None:
        if self.shape.in_hole(path):
            return  # a stand-in id duplicates nothing
        if ident in seen:
            self.problem(
                path,
                message or f"duplicate clause or pattern id '{ident}' in this red line",
                value=ident,
            )
        seen.add(ident)

    def _clause(self, cl: Clause, guard: Cond | None, path: Path_) -> ResolvedClause | None:
        cond = self.condition(cl.when, (*path, "when"))
        self._template(cl.reason, CLAUSE_PLACEHOLDERS, (*path, "reason"))
        if cond is None:
            return None
        full = cond if guard is None else All((guard, cond))
        self._compilable(full, (*path, "when"))
        return ResolvedClause(cl.id, cl.level, full, cl.reason, cl.description)

    def _compilable(self, cond: Cond, path: Path_) -> None:
        try:
            disjuncts(cond)
        except TooComplex as exc:
            self.problem(path, str(exc))

    def _pattern(
        self, pat: Pattern, guard: Cond | None, path: Path_, has_clauses: bool
    ) -> ResolvedPattern | None:
        parts: list[Cond] = [] if guard is None else [guard]
        if pat.select.when is not None:
            cond = self.condition(pat.select.when, (*path, "select", "when"))
            if cond is None:
                return None
            parts.append(cond)
        if pat.select.level is not None and not has_clauses:
            self.problem(
                (*path, "select", "level"),
                f"selecting events at level '{pat.select.level}' needs clauses in this red line",
            )
        for k, name in enumerate(pat.same):
            if name not in FIELDS:
                self.problem(
                    (*path, "same", k),
                    f"unknown event field '{name}'",
                    value=name,
                    suggestion=suggest(name, FIELDS, cutoff=0.6),
                )
        self._template(pat.reason, PATTERN_PLACEHOLDERS, (*path, "reason"))
        self._compilable(All(tuple(parts)), (*path, "select"))
        return ResolvedPattern(
            pat.id,
            pat.level,
            pat.select.level,
            All(tuple(parts)),
            pat.count,
            pat.within,
            pat.same,
            pat.reason,
            pat.description,
        )

    def _template(self, text: str, allowed: Sequence[str], path: Path_) -> None:
        """A reason template: text with ``{name}`` placeholders and nothing else in braces
        (no format specs, conversions, attributes or indexes: ``{{`` and ``}}`` are braces)."""
        try:
            parts = list(string.Formatter().parse(text))
        except ValueError as exc:
            self.problem(path, f"invalid reason template: {exc}", value=text)
            return
        for _, name, spec, conversion in parts:
            if name is None:
                continue
            shown = (
                "{"
                + name
                + (f"!{conversion}" if conversion else "")
                + (f":{spec}" if spec else "")
                + "}"
            )
            if spec or conversion or not name.isidentifier():
                self.problem(
                    path,
                    f"placeholder '{shown}' in reason: placeholders are names only, such as "
                    "'{actor_name}' (write '{{' and '}}' for braces)",
                )
            elif name not in allowed:
                self.problem(
                    path,
                    f"unknown placeholder '{{{name}}}' in reason",
                    value=name,
                    suggestion=suggest(name, allowed, cutoff=0.6),
                )


def _sort_key(value: Any) -> tuple[str, str]:
    return (type(value).__name__, str(value))
