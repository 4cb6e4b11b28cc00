"""The decision as a JSON document (schemas/decision.schema.json)."""
from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from typing import Any

from findings_gate.model import (
    PLACEMENTS,
    Condition,
    Decided,
    Decision,
    Finding,
    InvalidReport,
    Location,
    Report,
    Reviewer,
    Waiver,
)


def _drop_empty(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if v is not None and v != () and v != []}


def _fields(record: tuple[Any, ...]) -> dict[str, Any]:
    """A record's fields that hold something, without the dict `_asdict` would build first."""
    return {k: v for k, v in zip(record._fields, record)  # type: ignore[attr-defined]
            if v is not None and v != () and v != []}


def _location(loc: Location) -> dict[str, Any]:
    return _fields(loc)


def finding_document(finding: Finding) -> dict[str, Any]:
    """A finding as the native report writes it."""
    doc = _fields(finding)
    doc.pop('stale', None)  # the gate's, not the review's: beside the finding in a decision
    if finding.cwe:
        doc['cwe'] = list(finding.cwe)
    if finding.cwe_names:
        doc['cwe_names'] = dict(finding.cwe_names)
    if finding.fingerprints:
        doc['fingerprints'] = dict(finding.fingerprints)
    if finding.suppression:
        kind, justification = finding.suppression
        doc['suppression'] = {'kind': kind, **({'justification': justification} if justification else {})}
    if finding.location:
        doc['location'] = _location(finding.location)
    if finding.related:
        doc['related'] = [_location(r) for r in finding.related]
    if finding.source:
        doc['source'] = {'start_line': finding.source[0], 'end_line': finding.source[1]}
    return doc


@functools.lru_cache(maxsize=64)
def _reviewer(reviewer: Reviewer) -> dict[str, Any]:
    """A reviewer's fields, made once for all its findings (each is written before the next is made)."""
    return _fields(reviewer)


def _decided(d: Decided) -> dict[str, Any]:
    placed = d.placed
    return _drop_empty({
        'report': placed.report.origin,
        'reviewer': _reviewer(placed.report.reviewer),
        'finding': finding_document(placed.finding),
        'path': placed.path,
        'placement': placed.placement,
        'reason': placed.reason,
        'lines': {'start': placed.lines[0], 'end': placed.lines[1]} if placed.lines else None,
        'grounding': {'status': placed.grounding.status, 'reasons': list(placed.grounding.reasons)},
        'signature': placed.signature or None,
        'baseline': placed.baseline,
        'baseline_days_left': placed.baseline_days_left,
        'inline': _drop_empty(placed.inline._asdict()) if placed.inline else None,
        'stale': placed.finding.stale,
        'waiver': _waiver(d.waiver) if d.waiver else None,
        'action': d.action,
        'rule': d.rule,
    })


def _waiver(waiver: Waiver) -> dict[str, Any]:
    return _drop_empty({**waiver._asdict(), 'paths': list(waiver.paths) or None})


def _report(report: Report | InvalidReport) -> dict[str, Any]:
    if isinstance(report, InvalidReport):
        return {'origin': report.origin, 'valid': False, 'problems': list(report.problems)}
    return _drop_empty({
        'origin': report.origin,
        'valid': True,
        'reviewer': _drop_empty(report.reviewer._asdict()),
        'complete': report.complete,
        'verdict': report.verdict,
        'failures': list(report.failures),
        'revision': report.revision,
        'files': list(report.files) if report.files is not None else None,
        'advisory': report.advisory or None,
        'stale_files': sorted(report.stale_files),
        'signature': report.signature,
        'findings': len(report.findings),
    })


def _condition(condition: Condition) -> dict[str, Any]:
    return _drop_empty({**condition._asdict(), 'paths': list(condition.paths)})


def document(decision: Decision, *, findings: bool = True) -> dict[str, Any]:
    """The decision's document; without `findings`, every part but the list of findings."""
    actions = [d.action for d in decision.findings] + [c.action for c in decision.conditions]
    return {
        'version': 1,
        'verdict': decision.verdict,
        'change': {
            'description': decision.change.description,
            'files': [
                _drop_empty({'path': f.path, 'old_path': f.old_path, 'status': f.status})
                for f in decision.change.files
            ],
        },
        'policy': decision.policy,
        **({'config_commit': decision.config_commit} if decision.config_commit else {}),
        'reports': [_report(r) for r in decision.reports],
        'findings': [_decided(d) for d in decision.findings] if findings else [],
        'conditions': [_condition(c) for c in decision.conditions],
        **({'baseline': {
            'origin': decision.baseline,
            'absent': [_drop_empty({**a._asdict(), 'number': None, 'count': a.number}) for a in decision.absent],
        }} if decision.baseline is not None else {}),
        **({'monitored': [_decided(d) for d in decision.monitored]} if decision.monitored else {}),
        **({'shadow': {
            'policy': decision.shadow.policy,
            'verdict': decision.shadow.verdict,
            'differences': [{'decided': _decided(d), 'shadow': {'action': c.action, 'rule': c.rule}}
                            for d, c in decision.shadow.differences],
        }} if decision.shadow is not None else {}),
        'summary': {
            'block': actions.count('block'),
            'warn': actions.count('warn'),
            'ignore': actions.count('ignore'),
            'placements': {
                p: sum(d.placed.placement == p for d in decision.findings) for p in PLACEMENTS
            },
        },
    }


_ONE_LINE = json.JSONEncoder(ensure_ascii=False)  # the C encoder: `indent` would take the Python one
_BATCH = 1000  # findings a chunk


def chunks(decision: Decision) -> Iterator[str]:
    """The document in pieces, indented, each finding on a line of its own. json's indenting
    encoder is written in Python (10 s for 50,000 findings), the compact one is in C; each
    finding's dict is built, written and dropped, so no copy of them all is held; and a finding
    a line stays easy to read, grep and diff."""
    whole = document(decision, findings=False)
    text = json.dumps(whole, indent=2, ensure_ascii=False) + '\n'
    if not decision.findings:
        yield text
        return
    head, _, tail = text.partition('\n  "findings": []')
    yield f'{head}\n  "findings": [\n    '
    found = decision.findings
    for start in range(0, len(found), _BATCH):
        lines = ',\n    '.join(_ONE_LINE.encode(_decided(d)) for d in found[start:start + _BATCH])
        yield lines if start == 0 else f',\n    {lines}'
    yield f'\n  ]{tail}'


def render(decision: Decision) -> str:
    return ''.join(chunks(decision))
