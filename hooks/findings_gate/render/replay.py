"""A replayed history (`findings-gate replay`): text, JSON (schemas/replay.schema.json) and Markdown.

Per change its verdict; per rule how many findings it decided and how; how many
changes would have been blocked; and with `--against`, the changes whose verdict
differs, each with the findings and conditions that made the difference.
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

from findings_gate.model import Condition, Decided, Decision, Replayed
from findings_gate.render.inert import defuse, inert
from findings_gate.render.markdown import cell, escape

ACTIONS = ('block', 'warn', 'ignore', 'monitor')
_WORDS = {'block': 'BLOCK', 'warn': 'WARN', 'pass': 'PASS'}
_LABELS = {'block': 'BLOCK', 'warn': 'WARN', 'ignore': 'NOTE', 'monitor': 'MONITOR'}


class Difference(NamedTuple):
    """Why a change's verdict differs under the --against policy."""
    findings: tuple[tuple[Decided, Decided], ...]  # (as decided, as the other policy decides)
    conditions: tuple[tuple[Condition | None, Condition | None], ...]  # one policy's only


def _all(decision: Decision) -> tuple[Decided, ...]:
    return (*decision.findings, *decision.monitored)


def difference(decision: Decision, candidate: Decision) -> Difference:
    theirs = {id(d.placed): d for d in _all(candidate)}
    findings = tuple((d, theirs[id(d.placed)]) for d in _all(decision) if d.action != theirs[id(d.placed)].action)
    ours = {(c.kind, c.origin, c.message): c for c in decision.conditions if c.action != 'ignore'}
    other = {(c.kind, c.origin, c.message): c for c in candidate.conditions if c.action != 'ignore'}
    conditions = tuple((ours.get(k), other.get(k)) for k in sorted({*ours, *other}, key=str)
                       if (ours.get(k) and ours[k].action) != (other.get(k) and other[k].action))
    return Difference(findings, conditions)


def rule_counts(replayed: Sequence[Replayed], candidate: bool = False) -> list[tuple[str, str, int]]:
    """(rule, action, findings) over the whole history, most first."""
    counts = Counter((d.rule, d.action) for r in replayed
                     for d in _all(r.candidate if candidate and r.candidate else r.decision))
    return sorted(((rule, action, n) for (rule, action), n in counts.items()), key=lambda t: (-t[2], t[0], t[1]))


def _where(d: Decided) -> str:
    placed = d.placed
    if placed.path is None:
        return inert(placed.report.origin)
    return inert(placed.path) + (f':{placed.lines[0]}' if placed.lines else '')


def _finding(d: Decided, c: Decided) -> str:
    return (f'{_where(d)}: {_LABELS[d.action]} {inert(d.rule)} -> {_LABELS[c.action]} {inert(c.rule)}: '
            f'{inert(d.placed.finding.title)} [{inert(d.placed.report.reviewer.name)}]')


def _condition(ours: Condition | None, theirs: Condition | None) -> str:
    c = ours or theirs
    assert c is not None
    return (f'{inert(c.origin or "change")}: {_LABELS[ours.action] if ours else "none"} -> '
            f'{_LABELS[theirs.action] if theirs else "none"} {c.kind}: {inert(c.message)}')


def _counts(decision: Decision) -> str:
    actions = Counter(d.action for d in _all(decision))
    return ', '.join(f'{actions[a]} {_LABELS[a].lower()}' for a in ACTIONS if actions[a]) or 'no findings'


def text(replayed: Sequence[Replayed], policy: str, against: str | None) -> Iterator[str]:
    out = [f'-- {len(replayed)} change{"s" * (len(replayed) != 1)} replayed with {inert(policy)}']
    for r in replayed:
        n = len(r.decision.conditions)
        conditions = f', {n} condition{"s" * (n != 1)}' if n else ''
        out.append(f'{r.commit[:12]} {_WORDS[r.decision.verdict]} ({_counts(r.decision)}{conditions}): '
                   f'{inert(r.subject)}')
    out.append('-- findings by rule')
    out.extend(f'{inert(rule)}: {n} {_LABELS[action].lower()}' for rule, action, n in rule_counts(replayed))
    blocked = sum(r.decision.verdict == 'block' for r in replayed)
    if against is not None:
        differing = [r for r in replayed if r.candidate and r.candidate.verdict != r.decision.verdict]
        out.append(f'-- {len(differing)} change{"s" * (len(differing) != 1)} with another verdict '
                   f'under {inert(against)}')
        for r in differing:
            assert r.candidate is not None
            out.append(f'{r.commit[:12]} {_WORDS[r.decision.verdict]} -> {_WORDS[r.candidate.verdict]}: '
                       f'{inert(r.subject)}')
            why = difference(r.decision, r.candidate)
            out.extend(f'    {_finding(d, c)}' for d, c in why.findings)
            out.extend(f'    {_condition(o, t)}' for o, t in why.conditions)
        out.append(f'-- {inert(against)} findings by rule')
        out.extend(f'{inert(rule)}: {n} {_LABELS[action].lower()}' for rule, action, n in rule_counts(replayed, True))
        theirs = sum(bool(r.candidate and r.candidate.verdict == 'block') for r in replayed)
        out.append(f'findings-gate replay: {blocked} of {len(replayed)} changes blocked; {theirs} under '
                   f'{inert(against)}')
    else:
        out.append(f'findings-gate replay: {blocked} of {len(replayed)} changes blocked')
    yield defuse('\n'.join(out)) + '\n'


def _decided(d: Decided) -> dict[str, Any]:
    placed = d.placed
    return {k: v for k, v in {
        'path': placed.path, 'line': placed.lines[0] if placed.lines else None, 'title': placed.finding.title,
        'severity': placed.finding.severity, 'reviewer': placed.report.reviewer.name, 'report': placed.report.origin,
        'action': d.action, 'rule': d.rule,
    }.items() if v is not None}


def _actions(decision: Decision) -> dict[str, int]:
    actions = Counter(d.action for d in _all(decision))
    return {a: actions[a] for a in ACTIONS}


def document(replayed: Sequence[Replayed], policy: str, against: str | None) -> dict[str, Any]:
    changes = []
    for r in replayed:
        change: dict[str, Any] = {'commit': r.commit, 'subject': r.subject, 'verdict': r.decision.verdict,
                                  'findings': _actions(r.decision), 'conditions': len(r.decision.conditions)}
        if r.candidate is not None:
            why = difference(r.decision, r.candidate)
            change['against'] = {
                'verdict': r.candidate.verdict, 'findings': _actions(r.candidate),
                'differences': [{**_decided(d), 'against': {'action': c.action, 'rule': c.rule}}
                                for d, c in why.findings],
                'conditions': [{'kind': (o or t).kind, 'message': (o or t).message,  # type: ignore[union-attr]
                                'action': o.action if o else None, 'against': t.action if t else None}
                               for o, t in why.conditions],
            }
        changes.append(change)

    def rules(candidate: bool) -> list[dict[str, Any]]:
        return [{'rule': rule, 'action': action, 'findings': n} for rule, action, n in rule_counts(replayed, candidate)]

    return {
        'version': 1, 'policy': policy, 'changes': changes, 'rules': rules(False),
        'blocked': sum(r.decision.verdict == 'block' for r in replayed),
        **({'against': {
            'policy': against, 'rules': rules(True),
            'blocked': sum(bool(r.candidate and r.candidate.verdict == 'block') for r in replayed),
            'differing': sum(bool(r.candidate and r.candidate.verdict != r.decision.verdict) for r in replayed),
        }} if against is not None else {}),
    }


def json_chunks(replayed: Sequence[Replayed], policy: str, against: str | None) -> Iterator[str]:
    yield json.dumps(document(replayed, policy, against), indent=2, ensure_ascii=False) + '\n'


def markdown(replayed: Sequence[Replayed], policy: str, against: str | None) -> Iterator[str]:
    blocked = sum(r.decision.verdict == 'block' for r in replayed)
    out = [f'## findings-gate replay: {blocked} of {len(replayed)} changes blocked', '',
           f'Policy: {escape(policy)}{f"; against: {escape(against)}" if against else ""}.', '',
           '| commit | verdict | findings | subject |' + (' against |' if against else ''),
           '| --- | --- | --- | --- |' + (' --- |' if against else '')]
    for r in replayed:
        row = f'| `{r.commit[:12]}` | {_WORDS[r.decision.verdict]} | {escape(_counts(r.decision))} | {cell(r.subject)} |'
        if r.candidate is not None:
            row += f' {_WORDS[r.candidate.verdict]} |'
        out.append(row)
    out += ['', '### Findings by rule', '', '| rule | action | findings |', '| --- | --- | --: |']
    out += [f'| {cell(rule, 120)} | {_LABELS[action]} | {n} |' for rule, action, n in rule_counts(replayed)]
    if against is not None:
        differing = [r for r in replayed if r.candidate and r.candidate.verdict != r.decision.verdict]
        out += ['', f'### {len(differing)} changes with another verdict under {escape(against)}', '']
        for r in differing:
            assert r.candidate is not None
            why = difference(r.decision, r.candidate)
            out.append(f'- `{r.commit[:12]}` {_WORDS[r.decision.verdict]} → {_WORDS[r.candidate.verdict]}: '
                       f'{cell(r.subject)}')
            out += [f'  - {escape(_finding(d, c))}' for d, c in why.findings]
            out += [f'  - {escape(_condition(o, t))}' for o, t in why.conditions]
    yield '\n'.join(out) + '\n'


RENDERERS: dict[str, Callable[[Sequence[Replayed], str, str | None], Iterator[str]]] = {
    'text': text, 'json': json_chunks, 'markdown': markdown,
}
