"""The repository's policy: load and check it, then decide every finding and report."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from findings_gate import schema
from findings_gate.collect import display
from findings_gate.errors import GateError
from findings_gate.model import (
    SEVERITIES, Condition, Decided, Decision, Change, InvalidReport, Placed, Report,
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


class Rule(NamedTuple):
    name: str
    action: str
    severity: int | None  # index into SEVERITIES: this one and the more severe match
    category: frozenset[str] | None
    cwe: frozenset[str] | None
    paths: Any  # a compiled pathspec.PathSpec, or None
    reviewer_kind: frozenset[str] | None
    placement: frozenset[str] | None
    grounding: frozenset[str] | None


class Policy(NamedTuple):
    origin: str
    rules: tuple[Rule, ...]
    default: str
    invalid_report: str
    incomplete_report: str
    no_reports: str
    suppressed: str  # the action for findings a tool reports as suppressed
    reports: tuple[str, ...]
    context_lines: int


def _names(value: str | list[str] | None) -> frozenset[str] | None:
    if value is None:
        return None
    return frozenset([value] if isinstance(value, str) else value)


def _rule(raw: dict[str, Any]) -> Rule:
    patterns = raw.get('paths')
    paths = None
    if patterns is not None:
        import pathspec

        paths = pathspec.GitIgnoreSpec.from_lines(
            [patterns] if isinstance(patterns, str) else patterns,
        )
    severity = raw.get('severity')
    return Rule(
        name=raw['name'],
        action=raw['action'],
        severity=None if severity is None else SEVERITIES.index(severity),
        category=_names(raw.get('category')),
        cwe=_names(raw.get('cwe')),
        paths=paths,
        reviewer_kind=_names(raw.get('reviewer_kind')),
        placement=_names(raw.get('placement')),
        grounding=_names(raw.get('grounding')),
    )


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
        rules=tuple(_rule(r) for r in document.get('rules', ())),
        default=get('default'),
        invalid_report=get('invalid_report'),
        incomplete_report=get('incomplete_report'),
        no_reports=get('no_reports'),
        suppressed=get('suppressed'),
        reports=tuple(get('reports')),
        context_lines=get('context_lines'),
    )


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


def matches(rule: Rule, placed: Placed) -> bool:
    finding = placed.finding
    return (
        (rule.severity is None or SEVERITIES.index(finding.severity) <= rule.severity)
        and (rule.category is None or finding.category in rule.category)
        and (rule.cwe is None or not rule.cwe.isdisjoint(finding.cwe))
        and (rule.paths is None or (placed.path is not None and rule.paths.match_file(placed.path)))
        and (rule.reviewer_kind is None or placed.report.reviewer.kind in rule.reviewer_kind)
        and (rule.placement is None or placed.placement in rule.placement)
        and (rule.grounding is None or placed.grounding.status in rule.grounding)
    )


def decide_finding(placed: Placed, policy: Policy) -> Decided:
    if placed.finding.suppression is not None:
        return Decided(placed, policy.suppressed, 'suppressed')
    for rule in policy.rules:
        if matches(rule, placed):
            return Decided(placed, rule.action, rule.name)
    return Decided(placed, policy.default, 'default')


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
