"""A finding in plain text, for writers whose readers show text as it is: Gerrit and Zuul
comments, GitLab Code Quality descriptions, JUnit bodies and rdjson messages.

`describe` gives a finding in a few lines, `summarise` in one, `headline` the
decision in one, and `old_lines` names lines of the base version (GitHub annotations
and SARIF messages name them so too). Every untrusted field goes through `inert`,
so it cannot fake a line or carry control or bidirectional characters (`paragraph`
keeps the line breaks of a message and makes each line inert); `truncate` keeps a
message under Gerrit's default 16 KiB comment limit.
"""
from __future__ import annotations

import re

from findings_gate.model import Condition, Decided, Decision, Inline, Placed
from findings_gate.render.file_lines import old_side
from findings_gate.render.inert import inert
from findings_gate.render.labels import HEADINGS, LABELS, configured

LIMIT = 16_000  # bytes of one message: under Gerrit's 16 KiB default (Zuul cuts at 16 056)
VERDICTS = {'block': 'BLOCKED', 'warn': 'passed with warnings', 'pass': 'passed'}


def size(text: str) -> int:
    """Bytes of `text` in UTF-8 (a path that is not UTF-8 keeps its escapes)."""
    return len(text.encode('utf-8', 'surrogatepass'))


def truncate(text: str, limit: int = LIMIT) -> str:
    """`text` cut to `limit` UTF-8 bytes, on a character boundary, saying so."""
    data = text.encode('utf-8', 'surrogatepass')
    if len(data) <= limit:
        return text
    cut = data[:limit - 40].decode('utf-8', 'ignore')
    return cut.rstrip() + '\n... (cut: over the size limit)'


def headline(decision: Decision) -> str:
    actions = [d.action for d in decision.findings] + [c.action for c in decision.conditions]
    counts = ', '.join(f'{actions.count(a)} {LABELS[a].lower()}' for a in LABELS)
    found, reports = len(decision.findings), len(decision.reports)
    return (f'findings-gate: {VERDICTS[decision.verdict]}: {counts}; '
            f'{found} finding{"s" * (found != 1)} from {reports} report{"s" * (reports != 1)} '
            f'on {inert(decision.change.description)}'
            f'{f"; {configured(decision.config_commit)}" if decision.config_commit else ""}')


def where(d: Decided) -> str:
    """Where a finding is, for a person: `path:line`, or the report it came from."""
    placed = d.placed
    if placed.path is None:
        return inert(placed.report.origin)
    text = inert(placed.path)
    if placed.lines:
        text += f':{placed.lines[0]}'
    return text


def old_lines(lines: tuple[int, int]) -> str:
    """How lines of the base version are named: `old side line 4`, `old side lines 4-6`."""
    first, last = lines
    return f'old side line {first}' if first == last else f'old side lines {first}-{last}'


def _placement(placed: Placed) -> str:
    if placed.reason:  # unlocated: the reason says it all
        return f'{placed.placement}: {inert(placed.reason)}'
    text = f'{placed.placement}: {HEADINGS[placed.placement]}'
    if placed.lines and old_side(placed):
        text += f', {old_lines(placed.lines)}'
    return text


def _grounding(placed: Placed) -> str | None:
    reasons = [r for r in placed.grounding.reasons if r != placed.reason]
    if not reasons:
        return None
    return f'{placed.grounding.status}: ' + '; '.join(inert(r) for r in reasons)


def stated(c: Condition, most: int = 50) -> str:
    """A condition's message with the files it is about (raw): what a one-field output can hold."""
    if not c.paths:
        return c.message
    listed = ', '.join(c.paths[:most])
    more = f' and {len(c.paths) - most} more' if len(c.paths) > most else ''
    return f'{c.message}: {listed}{more}'


def guards(d: Decided) -> list[str]:
    """What the gate knows beside the finding's claims: its lines changed since the review, a waiver (raw)."""
    found = []
    if d.placed.finding.stale:
        found.append(f'stale: {d.placed.finding.stale}')
    if d.waiver:
        w = d.waiver
        found.append(f'waived by {w.origin} until {w.expires} (owner {w.owner}): {w.reason}')
    if d.placed.inline:
        found.append(suppressed(d.placed.inline))
    return found


def suppressed(inline: Inline) -> str:
    """A suppression written in the code, and whether the policy applied it (inline_suppressions); raw."""
    where = f' on line {inline.line}' if inline.line else ''
    if inline.state == 'request':
        return f'waiver request: the change adds {inline.text}{where}; not applied'
    if inline.state == 'applied':
        return f'suppressed in the code{where}: {inline.text}'
    return f'suppressed in the code{where}, not applied (inline_suppressions): {inline.text}'


def summarise(d: Decided, *, located: bool = True) -> str:
    """One line: `BLOCK rule: title [reviewer] at path:line (placement) - grounding`."""
    placed = d.placed
    text = f'{LABELS[d.action]} {d.rule}: {inert(placed.finding.title)} [{inert(placed.report.reviewer.name)}]'
    if located:
        text += f' {"at" if placed.path else "from"} {where(d)}'
    text += f' ({_placement(placed)})'
    grounding = _grounding(placed)
    if grounding:
        text += f'; {grounding}'
    for guard in guards(d):
        text += f'; {inert(guard)}'
    return text


def paragraph(text: str) -> str:
    """Untrusted text of many lines: its line breaks (LF, CRLF, CR) kept, each line inert."""
    return '\n'.join(inert(line) for line in re.split('\r\n|\r|\n', text.strip('\r\n')))


def describe(d: Decided) -> str:
    """The finding in plain text of a few lines, for a comment."""
    placed, finding = d.placed, d.placed.finding
    facts = [f'{finding.severity} severity']
    if finding.category:
        facts.append(inert(finding.category))
    if finding.rule:
        facts.append(f'rule {inert(finding.rule)}')
    facts.extend(inert(c) for c in finding.cwe)
    reviewer = placed.report.reviewer
    facts.append(f'from {inert(reviewer.name)} ({inert(reviewer.kind)}) in {inert(placed.report.origin)}')
    out = [f'{LABELS[d.action]} {d.rule}: {inert(finding.title)}', ', '.join(facts),
           f'Placement: {_placement(placed)}']
    grounding = _grounding(placed)
    if grounding:
        out.append(f'Grounding: {grounding}')
    if finding.suppression:
        kind, why = finding.suppression
        out.append(f'Suppressed ({inert(kind)})' + (f': {inert(why)}' if why else ''))
    out.extend(inert(guard[:1].upper() + guard[1:]) for guard in guards(d))
    if finding.message:
        out += ['', paragraph(finding.message)]
    if finding.suggestion:
        out += ['', 'Suggestion:', paragraph(finding.suggestion)]
    return truncate('\n'.join(out))
