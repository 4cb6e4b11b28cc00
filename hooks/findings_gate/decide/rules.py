"""A policy rule: what it asks of a finding, whether a finding has it, and why not."""
from __future__ import annotations

import fnmatch
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from findings_gate.errors import GateError
from findings_gate.model import SEVERITIES, Placed

CONFIDENCES = ('high', 'medium', 'low')


class Test(NamedTuple):
    key: str  # the policy key it comes from
    wanted: Any  # what the rule asks, as written (for explanations and shadowing)
    check: Callable[[Placed], bool]


class Rule(NamedTuple):
    name: str
    action: str
    tests: tuple[Test, ...]


def _names(value: str | list[str]) -> frozenset[str]:
    return frozenset([value] if isinstance(value, str) else value)


def _in(get: Callable[[Placed], str | None]) -> Callable[[frozenset[str]], Callable[[Placed], bool]]:
    return lambda names: lambda placed: get(placed) in names


def _cwe(spec: Any) -> tuple[Any, Callable[[Placed], bool]]:
    """CWE ids and, unless `exact`, their descendants in the CWE research view."""
    if isinstance(spec, dict):
        ids, exact = _names(spec['ids']), bool(spec.get('exact'))
    else:
        ids, exact = _names(spec), False

    def check(placed: Placed) -> bool:
        found = placed.finding.cwe
        if not ids.isdisjoint(found):
            return True
        if exact or not found:
            return False
        from findings_gate import cwe  # difflib and the catalog's reading: only for a cwe: rule

        return any(not ids.isdisjoint(cwe.ancestors(c)) for c in found)

    return {'ids': sorted(ids), 'exact': exact}, check


def path_spec(written: Sequence[str], key: str = 'paths') -> Any:
    """gitwildmatch patterns compiled, or a GateError `key: ...` naming the one git would not take."""
    import pathspec

    try:
        return pathspec.GitIgnoreSpec.from_lines(written)
    except ValueError:  # pathspec refuses a few patterns ('!', a lone backslash)
        for pattern in written:
            try:
                pathspec.GitIgnoreSpec.from_lines([pattern])
            except ValueError:
                raise GateError(f'{key}: {pattern!r} is not a pattern git accepts; write it as in '
                                f'.gitignore') from None
        raise


def _paths(patterns: str | list[str]) -> tuple[Any, Callable[[Placed], bool]]:
    written = [patterns] if isinstance(patterns, str) else list(patterns)
    spec = path_spec(written)
    return written, lambda placed: placed.path is not None and bool(spec.match_file(placed.path))


def _at_least(order: tuple[str, ...], get: Callable[[Placed], str | None]) -> Callable[[str], Any]:
    def make(least: str) -> Callable[[Placed], bool]:
        limit = order.index(least)
        return lambda placed: (value := get(placed)) is not None and order.index(value) <= limit
    return make


def _rule_ids(patterns: str | list[str]) -> tuple[Any, Callable[[Placed], bool]]:
    written = sorted(_names(patterns))
    return written, lambda placed: placed.finding.rule is not None and any(
        fnmatch.fnmatchcase(placed.finding.rule, p) for p in written)


# policy key -> how the finding's value is read, for explanations
VALUES: dict[str, Callable[[Placed], Any]] = {
    'severity': lambda p: p.finding.severity,
    'confidence': lambda p: p.finding.confidence,
    'category': lambda p: p.finding.category,
    'cwe': lambda p: list(p.finding.cwe),
    'rule': lambda p: p.finding.rule,
    'paths': lambda p: p.path,
    'reviewer': lambda p: p.report.reviewer.name,
    'reviewer_kind': lambda p: p.report.reviewer.kind,
    'placement': lambda p: p.placement,
    'grounding': lambda p: p.grounding.status,
    'baseline': lambda p: p.baseline or 'new',  # without a baseline, every finding is new
}
_SETS = {
    'category': _in(lambda p: p.finding.category),
    'reviewer': _in(lambda p: p.report.reviewer.name),
    'reviewer_kind': _in(lambda p: p.report.reviewer.kind),
    'placement': _in(lambda p: p.placement),
    'grounding': _in(lambda p: p.grounding.status),
    'baseline': _in(VALUES['baseline']),
}
_LEAST = {
    'severity': _at_least(SEVERITIES, lambda p: p.finding.severity),
    'confidence': _at_least(CONFIDENCES, lambda p: p.finding.confidence),
}


def compile_rule(raw: dict[str, Any]) -> Rule:
    """A rule of the policy document, its keys compiled once."""
    tests = []
    for key in VALUES:
        if key not in raw:
            continue
        value = raw[key]
        if key in _SETS:
            names = _names(value)
            tests.append(Test(key, sorted(names), _SETS[key](names)))
        elif key in _LEAST:
            tests.append(Test(key, value, _LEAST[key](value)))
        elif key == 'cwe':
            tests.append(Test(key, *_cwe(value)))
        elif key == 'paths':
            tests.append(Test(key, *_paths(value)))
        elif key == 'rule':
            tests.append(Test(key, *_rule_ids(value)))
    return Rule(raw['name'], raw['action'], tuple(tests))


def matches(rule: Rule, placed: Placed) -> bool:
    return all(test.check(placed) for test in rule.tests)


def facts(placed: Placed, keys: Sequence[str]) -> tuple[Any, ...]:
    """What rules with these keys can see of a finding: each test reads only its key's value
    (VALUES), so findings with the same facts are decided alike, and a run decides each
    set of facts once (50,000 findings of one analyser share a few thousand)."""
    return tuple(tuple(v) if isinstance(v := VALUES[key](placed), list) else v for key in keys)


def _show(value: Any) -> str:
    if isinstance(value, dict):  # cwe
        ids = ', '.join(value['ids'])
        return f'{ids} (exactly)' if value['exact'] else f'{ids} or a descendant'
    if isinstance(value, list):
        return ', '.join(value) if value else 'none'
    return str(value)


def why_not(rule: Rule, placed: Placed) -> str | None:
    """Why `rule` does not match the finding (its first unmet key), or None when it does."""
    for test in rule.tests:
        if not test.check(placed):
            has = VALUES[test.key](placed)
            has_text = 'none' if has in (None, []) else _show(has)
            if test.key in _LEAST:
                return f'{test.key} is {has_text}, below {test.wanted}'
            return f'{test.key} is {has_text}, not {_show(test.wanted)}'
    return None


def _covers(broad: Test, narrow: Test) -> bool:
    """Whether every finding `narrow` lets through, `broad` lets through too (same key)."""
    if broad.key in _LEAST:
        order = SEVERITIES if broad.key == 'severity' else CONFIDENCES
        return order.index(narrow.wanted) <= order.index(broad.wanted)
    if broad.key == 'cwe':
        ids = set(broad.wanted['ids'])
        if broad.wanted['exact']:
            return narrow.wanted['exact'] and set(narrow.wanted['ids']) <= ids
        from findings_gate import cwe  # difflib and the catalog's reading: only for a cwe: rule

        return all(c in ids or not ids.isdisjoint(cwe.ancestors(c)) for c in narrow.wanted['ids'])
    if broad.key in ('paths', 'rule'):
        return broad.wanted == narrow.wanted
    return set(narrow.wanted) <= set(broad.wanted)


def shadows(earlier: Rule, later: Rule) -> bool:
    """Whether `earlier` matches every finding `later` could, so that `later` never decides."""
    theirs = {t.key: t for t in later.tests}
    return all(t.key in theirs and _covers(t, theirs[t.key]) for t in earlier.tests)
