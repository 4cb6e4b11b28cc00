"""GitHub Actions workflow commands: an annotation for each finding and report condition that blocks or warns.

`::error` for block, `::warning` for warn; findings the policy ignores are not
annotated. Most severe first, and at most 10 of each type, because the runner
keeps no more per step (`_maxCountPerIssueType`); then one `::notice::` says
how many were left out. Properties and messages are escaped exactly as
@actions/core does (`escape_property`, `escape_data`), so no text can end a
line and start a command of its own; and every untrusted text in them is made
inert first (render/inert.py), since the runner shows annotations, and writes
each command line to the raw log, as they are: no escape sequence, control,
bidirectional or invisible character reaches a browser or a terminal as itself.
The full list and the summary line follow as free text, each block between
`::stop-commands::<random token>` and `::<token>::`, with any line that would
still read as a command defused.

Two things the runner's parser cannot carry, whatever the escaping: a property
value that starts with `=`, and trailing spaces on the last property. `title`
is written last and never ends in a space; a path starting with `=` loses it.
"""
from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import NamedTuple

from findings_gate.model import Condition, Decided, Decision, InvalidReport
from findings_gate.render.file_lines import old_side
from findings_gate.render.inert import defuse, inert
from findings_gate.render.labels import HEADINGS, LABELS
from findings_gate.render.plain_text import guards, old_lines, paragraph, stated
from findings_gate.render.severity_order import order
from findings_gate.render.terminal import render as render_text

PER_TYPE = 10  # annotations of one type the runner keeps per step
MESSAGE = 4096  # characters of a message the runner keeps
COMMANDS = {'block': 'error', 'warn': 'warning'}
_ORDER = {'block': 0, 'warn': 1}


def escape_data(text: str) -> str:
    """@actions/core `escapeData`: the message of a command."""
    return text.replace('%', '%25').replace('\r', '%0D').replace('\n', '%0A')


def escape_property(text: str) -> str:
    """@actions/core `escapeProperty`: a property value."""
    return escape_data(text).replace(':', '%3A').replace(',', '%2C')


def command(name: str, message: str, properties: Sequence[tuple[str, str]] = ()) -> str:
    """One workflow command line; properties with an empty value are left out, as @actions/core does."""
    props = ','.join(f'{key}={escape_property(value)}' for key, value in properties if value)
    return f'::{name}{" " + props if props else ""}::{escape_data(message)}'


def untrusted(text: str) -> list[str]:
    """Free text for the log, between stop-commands and a fresh random token."""
    token = secrets.token_hex(16)
    return [f'::stop-commands::{token}', *(defuse(line) for line in text.splitlines()), f'::{token}::']


class Annotation(NamedTuple):
    key: tuple[int, int, int, str, int, str]  # most severe first
    command: str
    message: str
    properties: tuple[tuple[str, str], ...]


def _cut(message: str) -> str:
    if len(message) <= MESSAGE:
        return message
    end = '… (cut: the step summary has it all)'
    return message[:MESSAGE - len(end)] + end


def _finding(d: Decided) -> Annotation:
    placed = d.placed
    finding = placed.finding
    loc = finding.location
    old = old_side(placed)
    where = f'{placed.placement}: {HEADINGS[placed.placement]}'
    props: list[tuple[str, str]] = []
    if placed.path is not None and placed.placement != 'unlocated':
        props.append(('file', inert(placed.path)))
        if placed.lines and old:
            where += f', {old_lines(placed.lines)}'
        elif placed.lines:
            first, last = placed.lines
            props += [('line', str(first)), ('endLine', str(last))]
            if (first == last and loc is not None and loc.start_line == first
                    and loc.start_column and loc.side == 'new'):
                props.append(('col', str(loc.start_column)))
                if loc.end_column and loc.end_column >= loc.start_column:
                    props.append(('endColumn', str(loc.end_column)))
    elif placed.reason:
        where += f' ({inert(placed.reason)})'
    lines = [paragraph(finding.message or finding.title), f'[{inert(placed.report.reviewer.name)}] {where}']
    if finding.suggestion:
        lines.append(f'suggestion: {paragraph(finding.suggestion)}')
    reasons = [r for r in placed.grounding.reasons if r != placed.reason]
    if reasons:
        lines.append(f'{placed.grounding.status}: ' + '; '.join(inert(r) for r in reasons))
    lines.extend(inert(guard) for guard in guards(d))
    title = f'{LABELS[d.action]} {inert(d.rule)}: {inert(finding.title)}'.rstrip()
    rank = order(d)
    return Annotation((rank[0], 1, *rank[1:]), COMMANDS[d.action], _cut('\n'.join(lines)),
                      (*props, ('title', title)))


def _condition(c: Condition, problems: Sequence[str]) -> Annotation:
    lines = [f'{inert(c.origin or "the change")}: {inert(stated(c))}', *(inert(p) for p in problems[:20])]
    if len(problems) > 20:
        lines.append(f'and {len(problems) - 20} more')
    return Annotation((_ORDER[c.action], 0, 0, c.origin or '', 0, c.kind), COMMANDS[c.action],
                      _cut('\n'.join(lines)), (('title', f'{LABELS[c.action]} {c.kind}'),))


def annotate(decision: Decision) -> list[Annotation]:
    """Every annotation the decision calls for, most severe first."""
    problems = {r.origin: r.problems for r in decision.reports if isinstance(r, InvalidReport)}
    found = [_finding(d) for d in decision.findings if d.action in COMMANDS]
    found += [_condition(c, problems.get(c.origin or '', ()))
              for c in decision.conditions if c.action in COMMANDS]
    return sorted(found)


def _left_out(left: dict[str, int]) -> str:
    counts = ' and '.join(f'{n} {kind}{"s" * (n != 1)}' for kind, n in left.items() if n)
    return (f'findings-gate: {counts} more than GitHub shows ({PER_TYPE} annotations of each type '
            f'per step); the step summary and the list in this log have every finding')


def render(decision: Decision) -> str:
    shown: dict[str, int] = {}
    left: dict[str, int] = {}
    out = []
    for a in annotate(decision):
        if shown.get(a.command, 0) < PER_TYPE:
            shown[a.command] = shown.get(a.command, 0) + 1
            out.append(command(a.command, a.message, a.properties))
        else:
            left[a.command] = left.get(a.command, 0) + 1
    if left:
        out.append(command('notice', _left_out(left)))
    *listing, summary = render_text(decision).splitlines()
    if listing:
        count = len(decision.findings) + len(decision.conditions)
        out += [f'::group::findings-gate: the full list ({count})', *untrusted('\n'.join(listing)),
                '::endgroup::']
    out += untrusted(summary)
    return '\n'.join(out) + '\n'
