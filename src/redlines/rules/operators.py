"""The one table of condition operators.

Each operator of the rule language (``field: kind, in: MILITARY``) is defined here once:

* what it means in Python (:attr:`Operator.holds`, read by the reference matcher),
* how it compiles to durable-rules (:attr:`Operator.durable`, read by :mod:`redlines.compile`),
* how it is validated (the operand it takes and the field types it can test, read by
  :mod:`redlines.rules.load`),
* its negation (read by the absence-aware De Morgan in :mod:`redlines.compile`),
* the other names people give it (``equals``, ``==``: :attr:`Operator.aliases`, read for the
  "did you mean" of an unknown key in a test),
* and how it reads in words (:meth:`Operator.needs`, :meth:`Operator.fails`, :func:`show`, for
  explanations).

Everything else looks operators up in :data:`OPERATORS`; adding one is one entry here (and its
key in :class:`redlines.rules.model.FieldTest`, which a test keeps in step with this table).

Semantics shared by both matchers: every operator except ``exists`` is false on an absent
field; ``exists: true`` holds when the field has a value, ``exists: false`` when it has none.

``contains`` and ``matches`` (and their negations) are decided in Python, by
:attr:`Operator.holds`, for both matchers: durable-rules' regular expressions were measured to
give wrong answers for substring searches (``$mt`` of ``.*BbB.*`` misses ``BaBbBb``; classes
and alternations after ``.*`` fail more often; ``$imt`` more still) and to refuse small
patterns (errors 503, 504). The durable form of such a test is a derived flag
(:func:`derived_key`) that :mod:`redlines.matching.durable` computes for each fact it sends.
``ignore_case`` makes them the case-insensitive operators ``icontains``, ``imatches``, ...
(``str.casefold``; ``re.IGNORECASE``).
"""

from __future__ import annotations

import hashlib
import operator as op
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "ALIASES",
    "COMPARABLE",
    "IGNORE_CASE",
    "MAX_PATTERN_CHARS",
    "MAX_REGEX_CHARS",
    "OPERATORS",
    "WRITTEN",
    "Operator",
    "backtracking_risk",
    "derived_key",
    "operator",
    "regex_chunks",
    "regex_safe",
    "show",
]

#: Field types (see :data:`redlines.rules.resolved.FIELDS`) that order comparisons accept.
COMPARABLE = frozenset({"number", "integer", "time"})
#: Every field type but ``list`` (a list field can only be tested with ``exists``).
_SCALAR = frozenset({"country", "kind", "enum", "region", "text", "number", "integer", "time"})
_ANY = _SCALAR | {"list"}

# Set members that a whole-string durable regular expression can hold without escaping.
_PLAIN = re.compile(r"^[A-Za-z0-9_-]+$")

Terms = list[dict[str, Any]]


def show(value: Any) -> str:
    """A value as explanations write it: ``'state_forces'``, ``3``, ``['EST', 'POL']``, and
    ``absent`` for None (no value)."""
    if value is None:
        return "absent"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return f"'{value}'" if isinstance(value, str) else str(value)


def _not_a_list(op_name: str, field: str, ftype: str) -> str:
    return f"only 'exists' and 'contains' can test '{field}' (a list)"


def _not_comparable(op_name: str, field: str, ftype: str) -> str:
    if ftype == "list":
        return _not_a_list(op_name, field, ftype)
    return f"'{op_name}' compares numbers or times; '{field}' is a {ftype}"


@dataclass(frozen=True)
class Operator:
    """One operator of the rule language."""

    name: str
    #: The operator that holds exactly when this one does not, on a present field.
    negation: str
    #: ``value``: one scalar; ``set``: a set name or a list of values; ``flag``: true/false.
    operand: Literal["value", "set", "flag"]
    #: Field types it can test.
    types: frozenset[str]
    #: Its meaning on a present field: ``holds(actual, operand)``.
    holds: Callable[[Any, Any], bool]
    #: Its durable-rules form: ``durable(key, operand)`` -> terms ANDed together. Terms test
    #: the field's key only; :mod:`redlines.compile` adds the presence guard when ``guard``.
    durable: Callable[[str, Any], Terms]
    #: Whether the durable form would hold on an absent key (``$neq`` does), so that compiled
    #: rules must also test the field's presence flag.
    guard: bool
    #: What the condition asks for, in words: ``needs {expected}``.
    wording: str
    #: The message when the field's type is not in :attr:`types`.
    mismatch: Callable[[str, str, str], str] = _not_a_list
    #: Other names people write for it (``equals``, ``==``): an unknown key in a test that is
    #: one of them gets this operator as its "did you mean".
    aliases: tuple[str, ...] = ()
    #: Whether rule files write it as a key of a test (``icontains`` and the other
    #: case-insensitive forms are written ``contains: x, ignore_case: true``).
    written: bool = True
    #: Whether its durable form tests a derived flag (:func:`derived_key`) that the engine's
    #: caller computes with :attr:`holds`, rather than the field itself.
    derived: bool = False

    def needs(self, expected: Any) -> str:
        """``needs 'state_forces'``, ``needs one of ['EST', 'POL']``, ``needs no value``."""
        if self.operand == "flag":
            return "needs a value" if expected else "needs no value"
        return self.wording.format(expected=show(expected))

    def fails(self, field: str, actual: Any, expected: Any) -> str:
        """Why the test fails on *actual* (None: the field has no value), in words:
        ``actor_type is 'individuals', needs 'state_forces'``."""
        return f"{field} is {show(actual)}, {self.needs(expected)}"

    def type_problem(self, field: str, ftype: str) -> str | None:
        """Why this operator cannot test a field of type *ftype*, or None when it can."""
        return None if ftype in self.types else self.mismatch(self.name, field, ftype)


#: The longest ``contains`` text or ``matches`` pattern, in characters.
MAX_PATTERN_CHARS = 1024


def backtracking_risk(pattern: str) -> str | None:
    """Why *pattern* (a compiled-fine ``matches`` expression) could take exponential time on a
    long text, or None: a repetition inside a repetition (``(a+)+``), or alternatives under a
    repetition (``(a|ab)*``). Python's ``re`` backtracks through those, and an event's text may
    be a million characters long; such patterns are refused when the rule file is loaded."""
    try:
        import re._parser as sre  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # Python 3.10
        import sre_parse as sre  # type: ignore[no-redef,unused-ignore]

    repeats = {sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT)}

    def walk(items: Any, inside: bool) -> str | None:
        for code, arg in items:
            found = None
            if code in repeats:
                high, sub = arg[1], arg[2]
                if high > 1 and inside:
                    return "a repetition inside a repetition, such as (a+)+"
                found = walk(sub, inside or high > 1)
            elif code is sre.BRANCH:
                if inside:
                    return "alternatives under a repetition, such as (a|ab)*"
                found = next((f for alt in arg[1] if (f := walk(alt, inside))), None)
            elif code is sre.SUBPATTERN:
                found = walk(arg[-1], inside)
            if found:
                return found
        return None

    return walk(sre.parse(pattern), False)


def derived_key(op: str, key: str, operand: str) -> str:
    """The fact key of the flag (1 or 0) that says whether ``op`` (``contains``, ``imatches``,
    ...) holds of the field at *key* with *operand*: the form durable-rules tests."""
    digest = hashlib.sha256(operand.encode("utf-8")).hexdigest()[:16]
    return f"{key}__{op}__{digest}"


def _fold(text: str, ignore_case: bool) -> str:
    return text.casefold() if ignore_case else text


def _contains(ignore_case: bool) -> Callable[[Any, Any], bool]:
    def holds(actual: Any, needle: Any) -> bool:
        wanted = _fold(needle, ignore_case)
        if isinstance(actual, (tuple, list)):
            return any(_fold(str(member), ignore_case) == wanted for member in actual)
        return isinstance(actual, str) and wanted in _fold(actual, ignore_case)

    return holds


def _matches(ignore_case: bool) -> Callable[[Any, Any], bool]:
    flags = re.IGNORECASE if ignore_case else 0

    def holds(actual: Any, pattern: Any) -> bool:
        return isinstance(actual, str) and re.search(pattern, actual, flags) is not None

    return holds


def _negated(fn: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    return lambda actual, operand: not fn(actual, operand)


def _durable_flag(positive: str, wanted: int) -> Callable[[str, Any], Terms]:
    return lambda key, operand: [{derived_key(positive, key, operand): wanted}]


_TEXT = frozenset({"text"})
_TEXT_OR_LIST = frozenset({"text", "list"})


def _not_text(op_name: str, field: str, ftype: str) -> str:
    if op_name.endswith("contains"):
        return f"'{op_name}' tests text or list fields; '{field}' is a {ftype}"
    return f"'{op_name}' tests text fields; '{field}' is a {ftype}"


def _text_operators() -> tuple[Operator, ...]:
    out: list[Operator] = []
    for ignore_case in (False, True):
        i = "i" if ignore_case else ""
        any_case = " (any case)" if ignore_case else ""
        contains, matches = _contains(ignore_case), _matches(ignore_case)
        out += [
            Operator(
                f"{i}contains",
                f"not_{i}contains",
                "value",
                _TEXT_OR_LIST,
                contains,
                _durable_flag(f"{i}contains", 1),
                False,
                "needs to contain {expected}" + any_case,
                _not_text,
                ("includes", "include", "has_member", "substring") if not ignore_case else (),
                written=not ignore_case,
                derived=True,
            ),
            Operator(
                f"not_{i}contains",
                f"{i}contains",
                "value",
                _TEXT_OR_LIST,
                _negated(contains),
                _durable_flag(f"{i}contains", 0),
                True,
                "must not contain {expected}" + any_case,
                _not_text,
                ("excludes", "lacks", "not_includes") if not ignore_case else (),
                written=not ignore_case,
                derived=True,
            ),
            Operator(
                f"{i}matches",
                f"not_{i}matches",
                "value",
                _TEXT,
                matches,
                _durable_flag(f"{i}matches", 1),
                False,
                "needs to match the pattern {expected}" + any_case,
                _not_text,
                ("regex", "regexp", "match", "pattern", "like", "search", "re")
                if not ignore_case
                else (),
                written=not ignore_case,
                derived=True,
            ),
            Operator(
                f"not_{i}matches",
                f"{i}matches",
                "value",
                _TEXT,
                _negated(matches),
                _durable_flag(f"{i}matches", 0),
                True,
                "must not match the pattern {expected}" + any_case,
                _not_text,
                ("not_regex", "not_match", "not_like") if not ignore_case else (),
                written=not ignore_case,
                derived=True,
            ),
        ]
    return tuple(out)


#: The case-insensitive form of each text operator (``ignore_case: true``).
IGNORE_CASE = {
    "contains": "icontains",
    "not_contains": "not_icontains",
    "matches": "imatches",
    "not_matches": "not_imatches",
}


def _durable_in(key: str, members: tuple[Any, ...]) -> Terms:
    if len(members) == 1:
        return [{key: members[0]}]
    # One whole-string regex rather than an $or per member, which durable would expand
    # (compile.simplify has split members that need escaping into eq alternatives).
    return [{"$mt": {key: "|".join(str(m) for m in members)}}]


#: Longest ``$mt`` alternation compiled into one durable test. durable-rules builds about one
#: regex state per character and refuses a regex of more than 4,096 states (error 503), so
#: longer memberships are split into several alternatives (see ``rules/normal.py``).
MAX_REGEX_CHARS = 1024


def regex_safe(members: tuple[Any, ...]) -> bool:
    """Whether every member can stand in a durable ``$mt`` alternation as it is (plain tokens
    no longer than :data:`MAX_REGEX_CHARS`)."""
    return all(
        isinstance(v, str) and len(v) <= MAX_REGEX_CHARS and _PLAIN.match(v) for v in members
    )


def regex_chunks(members: tuple[str, ...]) -> list[tuple[str, ...]]:
    """*members* (each :func:`regex_safe`) in order, cut into runs whose ``A|B|C`` alternation
    stays within :data:`MAX_REGEX_CHARS`."""
    chunks: list[tuple[str, ...]] = []
    run: list[str] = []
    size = 0  # the length of "|".join(run)
    for member in members:
        if run and size + 1 + len(member) > MAX_REGEX_CHARS:
            chunks.append(tuple(run))
            run, size = [], 0
        size += len(member) + (1 if run else 0)
        run.append(member)
    if run:
        chunks.append(tuple(run))
    return chunks


def _compare(
    name: str,
    fn: Callable[[Any, Any], bool],
    durable_op: str,
    words: str,
    aliases: tuple[str, ...],
) -> Operator:
    negations = {"gt": "le", "ge": "lt", "lt": "ge", "le": "gt"}
    return Operator(
        name,
        negations[name],
        "value",
        COMPARABLE,
        lambda actual, expected: bool(fn(actual, expected)),
        lambda key, value: [{durable_op: {key: value}}],
        True,
        words,
        _not_comparable,
        aliases,
    )


_TABLE = (
    Operator(
        "eq",
        "ne",
        "value",
        _SCALAR,
        lambda actual, expected: bool(actual == expected),
        lambda key, value: [{key: value}],
        False,
        "needs {expected}",
        aliases=("equals", "equal", "equal_to", "is", "==", "="),
    ),
    Operator(
        "ne",
        "eq",
        "value",
        _SCALAR,
        lambda actual, expected: bool(actual != expected),
        lambda key, value: [{"$neq": {key: value}}],
        True,
        "must not be {expected}",
        aliases=("not_equals", "not_equal", "not_eq", "neq", "is_not", "not", "!=", "<>"),
    ),
    Operator(
        "in",
        "not_in",
        "set",
        _SCALAR,
        lambda actual, members: actual in members,
        _durable_in,
        False,
        "needs one of {expected}",
        aliases=("one_of", "among", "any_of", "is_in", "within", "members"),
    ),
    Operator(
        "not_in",
        "in",
        "set",
        _SCALAR,
        lambda actual, members: actual not in members,
        lambda key, members: [{"$neq": {key: m}} for m in members],
        True,
        "must not be one of {expected}",
        aliases=("none_of", "not_one_of", "not_among", "nin", "notin", "is_not_in", "outside"),
    ),
    _compare(
        "gt",
        op.gt,
        "$gt",
        "needs more than {expected}",
        ("greater_than", "more_than", "above", "over", "after", ">"),
    ),
    _compare(
        "ge",
        op.ge,
        "$gte",
        "needs at least {expected}",
        ("greater_or_equal", "at_least", "gte", "min", "since", "from", ">="),
    ),
    _compare(
        "lt",
        op.lt,
        "$lt",
        "needs less than {expected}",
        ("less_than", "fewer_than", "below", "under", "before", "<"),
    ),
    _compare(
        "le",
        op.le,
        "$lte",
        "needs at most {expected}",
        ("less_or_equal", "at_most", "lte", "max", "until", "to", "<="),
    ),
    Operator(
        "exists",
        "exists",  # exists: not x
        "flag",
        _ANY,
        lambda actual, wanted: True,  # presence is decided by the matcher's presence flag
        lambda key, wanted: [],  # idem: compiled as the presence flag alone
        False,
        "",
        aliases=("exist", "present", "is_present", "defined", "is_set", "has", "has_value"),
    ),
    *_text_operators(),
)

#: Every operator, by name, in the order they are listed to users.
OPERATORS: dict[str, Operator] = {o.name: o for o in _TABLE}
#: The operators rule files write as keys of a test, in the table's order.
WRITTEN: tuple[str, ...] = tuple(o.name for o in _TABLE if o.written)

#: Every other name of an operator (lower case), to the operator's name: ``{"equals": "eq"}``.
ALIASES: dict[str, str] = {alias: o.name for o in _TABLE for alias in o.aliases}


def operator(name: str) -> Operator:
    """The operator called *name* (a KeyError for an unknown name: names are checked at load)."""
    return OPERATORS[name]
