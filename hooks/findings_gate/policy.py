"""The repository's policy: load and check it, then decide every finding and report."""
from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from findings_gate import rules, schema
from findings_gate.collect import display
from findings_gate.errors import GateError
from findings_gate.model import (
    Condition, Decided, Decision, Change, InvalidReport, Placed, Report,
)

FILENAMES = ('.findings-gate.yaml', '.findings-gate.yml')

# applies when the repository has no policy file; the README shows it
DEFAULT = '''\
version: 1
reports: [.reviews/]
context_lines: 3
rules:
  - name: warn-ungrounded
    grounding: ungrounded
    action: warn
  - name: block-severe-on-change
    severity: high
    placement: [added, context, deleted]
    action: block
  - name: warn-unlocated
    severity: low
    placement: unlocated
    action: warn
  - name: warn-in-changed-files
    severity: low
    placement: [added, context, symbol, deleted, file]
    action: warn
default: ignore
invalid_report: block
incomplete_report: warn
no_reports: ignore
suppressed: ignore
'''


class Policy(NamedTuple):
    origin: str
    rules: tuple[rules.Rule, ...]
    default: str
    invalid_report: str
    incomplete_report: str
    no_reports: str
    suppressed: str  # the action for findings a tool reports as suppressed
    reports: tuple[str, ...]
    context_lines: int


def problems(document: object, origin: str) -> list[str]:
    """Every problem of a policy document, one line each."""
    found = [f'{origin}::{where}: {what}' for where, what in schema.problems('policy', document)]
    if found:
        return found
    seen: dict[str, int] = {}
    assert isinstance(document, dict)
    for i, rule in enumerate(document.get('rules', ())):
        if rule['name'] in seen:
            found.append(f'{origin}::$.rules[{i}].name: {rule["name"]!r} is already the name of '
                         f'rules[{seen[rule["name"]]}]; give each rule its own name')
        seen.setdefault(rule['name'], i)
    return found


@functools.cache
def parse_default_document() -> dict[str, Any]:
    from findings_gate.formats.native import parse_yaml

    document = parse_yaml(DEFAULT, 'the default policy')
    assert isinstance(document, dict)
    return document


def parse(text: str, origin: str) -> Policy:
    from findings_gate.formats.native import parse_yaml

    document = parse_yaml(text, origin)
    found = problems(document, origin)
    if found:
        raise GateError('\n'.join(found))
    assert isinstance(document, dict)
    defaults = parse_default_document()

    def get(key: str) -> Any:
        return document.get(key, defaults[key])

    return Policy(
        origin=origin,
        rules=_compile(document.get('rules', ()), origin),
        default=get('default'),
        invalid_report=get('invalid_report'),
        incomplete_report=get('incomplete_report'),
        no_reports=get('no_reports'),
        suppressed=get('suppressed'),
        reports=tuple(get('reports')),
        context_lines=get('context_lines'),
    )


def _compile(raw: Sequence[dict[str, Any]], origin: str) -> tuple[rules.Rule, ...]:
    compiled = []
    for i, rule in enumerate(raw):
        try:
            compiled.append(rules.compile_rule(rule))
        except GateError as e:  # a value the schema allows and the matcher does not
            raise GateError(f'{origin}::$.rules[{i}].{e}') from None
    return tuple(compiled)


def load(path: str | None, root: Path | None) -> Policy:
    """The policy named by --policy, else the repository's, else the default."""
    if path is None and root is not None:
        path = next((str(root / n) for n in FILENAMES if (root / n).is_file()), None)
    if path is None:
        return parse(DEFAULT, 'the default policy')
    origin = display(path)
    try:
        with open(path, encoding='utf-8') as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) else 'not UTF-8 text'
        raise GateError(f'{origin}: cannot read the policy: {reason}') from None
    return parse(text, origin)


def decide_finding(placed: Placed, policy: Policy) -> Decided:
    if placed.finding.suppression is not None:
        return Decided(placed, policy.suppressed, 'suppressed')
    for rule in policy.rules:
        if rules.matches(rule, placed):
            return Decided(placed, rule.action, rule.name)
    return Decided(placed, policy.default, 'default')


def explain(placed: Placed, policy: Policy) -> list[tuple[str, str, str | None]]:
    """(rule, action, why it did not match) for each rule tried, up to the one that decided."""
    tried = []
    for rule in policy.rules:
        why = rules.why_not(rule, placed) if placed.finding.suppression is None else 'suppressed'
        tried.append((rule.name, rule.action, why))
        if why is None:
            return tried
    return [*tried, ('default', policy.default, None)]


def warnings(policy: Policy) -> list[str]:
    """Rules that can never decide, because an earlier rule takes every finding they would."""
    found = []
    for i, later in enumerate(policy.rules):
        for j, earlier in enumerate(policy.rules[:i]):
            if rules.shadows(earlier, later):
                found.append(f'{policy.origin}::$.rules[{i}]: {later.name!r} never decides: '
                             f'{earlier.name!r} (rules[{j}]) takes every finding it would; '
                             f'move it up or narrow {earlier.name!r}')
                break
    return found


def conditions(reports: Sequence[Report | InvalidReport], policy: Policy) -> list[Condition]:
    found = []
    for report in reports:
        if isinstance(report, InvalidReport):
            count = len(report.problems)
            found.append(Condition('invalid_report', report.origin, policy.invalid_report,
                                   f'not a valid report ({count} problem{"s" * (count != 1)})'))
        elif not report.complete:
            found.append(Condition('incomplete_report', report.origin, policy.incomplete_report,
                                   'the review was cut off (complete: false)'))
    if not reports:
        found.append(Condition('no_reports', None, policy.no_reports,
                               'no review report is attached to this change'))
    return found


def verdict(actions: Iterable[str]) -> str:
    seen = set(actions)
    return 'block' if 'block' in seen else 'warn' if 'warn' in seen else 'pass'


def decide(
        placed: Iterable[Placed],
        reports: Sequence[Report | InvalidReport],
        change: Change,
        policy: Policy,
        texts: Mapping[str, str] | None = None,
) -> Decision:
    decided = tuple(decide_finding(p, policy) for p in placed)
    found = tuple(conditions(reports, policy))
    return Decision(
        verdict=verdict([d.action for d in decided] + [c.action for c in found]),
        findings=decided,
        conditions=found,
        reports=tuple(reports),
        change=change,
        policy=policy.origin,
        texts=texts or {},
    )
